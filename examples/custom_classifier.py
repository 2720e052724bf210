# SPDX-License-Identifier: Apache-2.0
"""An example of `inferbench run --model FILE.py[:NAME]`: your own PyTorch model as Python code.

inferbench imports this file with the project's Python (and with the ExecuTorch and LiteRT
environments' Pythons, which export their formats), calls NAME with no argument and exports the
torch.nn.Module it returns to every backend's format, like a catalogue model. Keep the file's
imports to torch and torchvision, which every environment has. Weights: seeded random, or
--weights CHECKPOINT (a state_dict of this module). One sample's shape: --input-shape.

    ./inferbench run --model examples/custom_classifier.py --input-shape 3x160x160
    ./inferbench run --model examples/custom_classifier.py:wide --input-shape 3x160x160

Here: MobileNetV3-Small's features with a head for 12 classes, the usual shape of a fine-tuned
edge classifier, and a wider variant to compare.
"""
import torch
from torch import nn
from torchvision.models import mobilenet_v3_small


class CustomClassifier(nn.Module):
    def __init__(self, classes: int = 12, hidden: int = 256) -> None:
        super().__init__()
        self.features = mobilenet_v3_small(weights=None).features
        self.head = nn.Sequential(nn.Linear(576, hidden), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(hidden, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.head(torch.flatten(x, 1))


def model() -> nn.Module:
    """The default NAME."""
    return CustomClassifier()


def wide() -> nn.Module:
    return CustomClassifier(hidden=1024)
