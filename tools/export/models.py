# SPDX-License-Identifier: Apache-2.0
"""The models inferbench can export, built with seeded random weights (no hub is reachable) or
loaded from a checkpoint given with --weights: the catalogue below, or the user's own PyTorch
model as Python code, named FILE.py or FILE.py:NAME (NAME, default `model`, is a function or
class in FILE that takes no argument and returns the torch.nn.Module; the per-sample input shape
comes with it, from --input-shape).

    python models.py --check FILE.py[:NAME] --sample-shape 3x224x224 [--seed N] [--weights W]

builds such a model, runs it on one zero sample and prints its parameters and multiply-adds as
JSON; a model that cannot be built or run is one line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

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


class ModelError(Exception):
    """The user's model cannot be built: one line for them."""


def python_model(spec: str):
    """The constructor NAME of the user's FILE.py[:NAME], imported from that file."""
    file, _, name = spec.rpartition(".py")
    file, name = Path(file + ".py"), name.removeprefix(":") or "model"
    if not file.is_file():
        raise ModelError(f"model file {file} not found")
    module_spec = importlib.util.spec_from_file_location(f"inferbench_user_model_{file.stem}", file)
    module = importlib.util.module_from_spec(module_spec)
    sys.path.insert(0, str(file.resolve().parent))  # its own imports beside it
    try:
        module_spec.loader.exec_module(module)
    except Exception as error:  # the user's code: any error is theirs to see
        raise ModelError(f"importing {file} failed: {type(error).__name__}: {error}") from error
    make = getattr(module, name, None)
    if not callable(make):
        raise ModelError(f"{file} defines no function or class '{name}'; name the one that builds the model: "
                         f"--model {file}:NAME")
    return make


def is_python_model(name: str) -> bool:
    return name.endswith(".py") or ".py:" in name


def build(name: str, seed: int, weights: str | None,
          sample_shape: tuple[int, ...] | None = None) -> tuple[nn.Module, tuple[int, ...]]:
    """The model in eval mode, and its per-sample input shape (`sample_shape` for the user's
    FILE.py[:NAME], whose code cannot say it)."""
    if is_python_model(name):
        if not sample_shape:
            raise SystemExit(f"the per-sample input shape of {name} is missing (--sample-shape)")
        try:
            make, shape = python_model(name), tuple(sample_shape)
        except ModelError as error:
            raise SystemExit(str(error)) from error
    elif name in MODELS:
        make, shape = MODELS[name]
    else:
        raise SystemExit(f"unknown model '{name}'; known: {', '.join(MODELS)}, or FILE.py[:NAME]")
    torch.manual_seed(seed)
    model = make()
    if not isinstance(model, nn.Module):
        raise SystemExit(f"{name} returned a {type(model).__name__}, not a torch.nn.Module")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", required=True, help="the user's model, FILE.py[:NAME]")
    parser.add_argument("--sample-shape", required=True, help="one sample's shape, e.g. 3x224x224")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weights")
    args = parser.parse_args()
    shape = tuple(int(d) for d in args.sample_shape.split("x"))
    try:
        model, _ = build(args.check, args.seed, args.weights, shape)
        with torch.no_grad():
            output = model(torch.zeros((1, *shape)))
        if not isinstance(output, torch.Tensor):
            raise ModelError(f"{args.check} returns a {type(output).__name__}; inferbench compares one output tensor")
        macs = multiply_adds(model, shape)
    except SystemExit as error:
        print(f"model: {error}", file=sys.stderr)
        return 2
    except ModelError as error:
        print(f"model: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the user's forward pass
        print(f"model: running {args.check} on one zero sample of {args.sample_shape} failed: "
              f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", file=sys.stderr)
        return 2
    print(json.dumps({"params": parameter_count(model), "macs_per_sample": macs,
                      "output_shape": list(output.shape[1:])}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
