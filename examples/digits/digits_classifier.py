# SPDX-License-Identifier: Apache-2.0
"""A small CNN for scikit-learn's handwritten digits (8x8 grey images, 10 classes), trained by
train_digits.py beside it: a model with real weights and real labelled data, to see what each
runtime and precision costs in accuracy (README.md here).

    ./inferbench run --model examples/digits/digits_classifier.py --input-shape 1x8x8 --weights ...
"""
from torch import nn


def model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(128, 10),
    )
