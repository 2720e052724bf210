# SPDX-License-Identifier: Apache-2.0
"""The models inferbench can export, built with seeded random weights (no hub is reachable) or
loaded from a checkpoint given with --weights."""
from __future__ import annotations

import torch
from torch import nn


class TinyCnn(nn.Module):
    """A two-convolution classifier on 3x32x32 inputs: small enough for fast tests, with the
    same operator families (conv, batch norm, ReLU6, pooling, linear) as MobileNetV2."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(8),
            nn.ReLU6(inplace=True),
            nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU6(inplace=True),
        )
        self.classifier = nn.Linear(16, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
        return self.classifier(torch.flatten(x, 1))


def torchvision_model(name: str):
    """A constructor of torchvision's `name` architecture without its pretrained weights (no hub
    is reachable: build() gives it seeded random weights or loads --weights)."""
    return lambda: __import__("torchvision").models.get_model(name, weights=None)


# The torchvision classifiers a deployment engineer most often ships to a CPU or an edge device,
# each exported through every backend (driver/catalogue.cc lists the same names with their input
# shapes; a test keeps the two lists equal).
TORCHVISION = ("mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0",
               "resnet18", "resnet50", "regnet_y_400mf", "shufflenet_v2_x1_0", "convnext_tiny")

# name -> (constructor, per-sample input shape)
MODELS = {name: (torchvision_model(name), (3, 224, 224)) for name in TORCHVISION}
MODELS["tiny_cnn"] = (TinyCnn, (3, 32, 32))


def build(name: str, seed: int, weights: str | None) -> tuple[nn.Module, tuple[int, ...]]:
    """The model in eval mode, and its per-sample input shape."""
    if name not in MODELS:
        raise SystemExit(f"unknown model '{name}'; known: {', '.join(MODELS)}")
    make, shape = MODELS[name]
    torch.manual_seed(seed)
    model = make()
    if weights:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        model.load_state_dict(state)
    else:
        # Random weights leave BatchNorm's running statistics at 0/1; give them seeded values
        # too, so that the exported graph computes something non-trivial everywhere.
        generator = torch.Generator().manual_seed(seed)
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.copy_(torch.randn(module.num_features, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(module.num_features, generator=generator) + 0.5)
    return model.eval(), shape


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def visit_layers(model: nn.Module, shape: tuple[int, ...], visit) -> None:
    """One forward pass of a single zero sample, calling visit(module, inputs, output) after each
    convolution and linear layer: the layers that carry a CNN's work and its memory traffic."""
    hooks = [m.register_forward_hook(visit) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.no_grad():
            model(torch.zeros((1, *shape)))
    finally:
        for hook in hooks:
            hook.remove()


def multiply_adds(model: nn.Module, shape: tuple[int, ...]) -> int:
    """Multiply-adds of one sample's forward pass in the convolutions and linear layers (the usual
    count of a CNN's work: MobileNetV2 at 224x224 is 300.8 M), from the output shapes of one
    forward pass of a zero input. Batch norm, activations and pooling are not counted."""
    total = 0

    def count(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total += output.numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features

    visit_layers(model, shape, count)
    return total


def layer_traffic(model: nn.Module, shape: tuple[int, ...]) -> dict:
    """Elements the convolutions and linear layers read and write for one sample (input + output
    activations) and the weights they hold (read once per batch), with the number of layers: what
    a runtime that keeps no layer's output in cache for the next one moves through memory, in
    elements (bytes = elements x the precision's size)."""
    counts = {"activation_elements_per_sample": 0, "weight_elements": 0, "layers": 0}

    def count(module: nn.Module, inputs, output: torch.Tensor) -> None:
        counts["activation_elements_per_sample"] += inputs[0].numel() + output.numel()
        counts["weight_elements"] += sum(p.numel() for p in module.parameters(recurse=False))
        counts["layers"] += 1

    visit_layers(model, shape, count)
    return counts
