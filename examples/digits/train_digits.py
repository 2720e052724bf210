# SPDX-License-Identifier: Apache-2.0
"""Trains digits_classifier.py on scikit-learn's handwritten digits (1,797 labelled 8x8 images,
shipped inside scikit-learn, which the project's Python has through nncf) and writes what an
accuracy run of inferbench needs:

    python examples/digits/train_digits.py OUT [--epochs 40] [--seed 0]

OUT/weights.pth          the trained state_dict (--weights)
OUT/test.npy             the held-out 30% (539 images) as float32 (N, 1, 8, 8) (--input)
OUT/test_labels.npy      their classes (--labels)
OUT/calibration.npy      256 training images (--calibration), never the test images

Pixels (0..16) are scaled to [-1, 1]. Prints the trained model's test accuracy in plain PyTorch
(eager, FP32), which inferbench's FP32 reference accuracy must equal.
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

import digits_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    digits = load_digits()
    images = (digits.images.astype("float32") / 8.0 - 1.0)[:, np.newaxis]  # (N, 1, 8, 8) in [-1, 1]
    labels = digits.target.astype("int64")
    order = np.random.default_rng(args.seed).permutation(len(labels))
    test_count = int(round(0.3 * len(labels)))
    test, train = order[:test_count], order[test_count:]

    model = digits_classifier.model()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    x_train, y_train = torch.from_numpy(images[train]), torch.from_numpy(labels[train])
    for _ in range(args.epochs):
        model.train()
        for batch in torch.randperm(len(train)).split(64):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        predicted = model(torch.from_numpy(images[test])).argmax(1).numpy()
    accuracy = float((predicted == labels[test]).mean())

    torch.save(model.state_dict(), args.out / "weights.pth")
    np.save(args.out / "test.npy", images[test])
    np.save(args.out / "test_labels.npy", labels[test])
    np.save(args.out / "calibration.npy", images[train[:256]])
    print(json.dumps({"train": len(train), "test": len(test), "epochs": args.epochs,
                      "pytorch_fp32_test_top1": accuracy}))


if __name__ == "__main__":
    main()
