# SPDX-License-Identifier: Apache-2.0
"""Turns the user's input data into the raw float32 samples a run feeds its models.

    python input_data.py SOURCE --sample-shape 3x224x224 --out FILE.f32 [--limit K]

SOURCE is either
  - a .npy array of float or integer values shaped (N, *sample shape), or one sample shaped
    (*sample shape): the values as they are, as float32; or
  - a folder of images (.jpg .jpeg .png .bmp .webp .ppm, read in file-name order; sample shape
    3xHxW): each converted to RGB and preprocessed the way torchvision's ImageNet classifiers
    expect: resized so its shorter side is round(H / 0.875) (256 for 224), centre-cropped to HxW,
    scaled to [0, 1] and normalised with the ImageNet mean and standard deviation.

Writes the N samples (the first K with --limit) one after the other to --out (little-endian
float32) and prints one JSON line (with "available": how many SOURCE holds): samples, source kind, what the preprocessing was (for images, the first and last file
name), and the sha256 of the samples. A problem
with SOURCE is one line on stderr saying what to do, and exit status 2.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".ppm"}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CROP_FRACTION = 0.875  # torchvision's ImageNet evaluation: resize 256, crop 224


class InputError(Exception):
    """A problem with the user's data: one line for them."""


def from_npy(path: Path, shape: tuple[int, ...], limit: int | None = None) -> tuple[np.ndarray, dict]:
    try:
        array = np.load(path, allow_pickle=False, mmap_mode="r")  # read only the samples used
    except (ValueError, OSError) as error:
        raise InputError(f"{path} is not a readable .npy array ({error}); save it with numpy.save") from error
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise InputError(f"{path} holds {array.dtype} values; give float or integer values")
    if tuple(array.shape) == shape:
        array = array[np.newaxis]
    if tuple(array.shape[1:]) != shape or array.shape[0] == 0:
        want = "x".join(str(d) for d in shape)
        raise InputError(f"{path} has shape {tuple(array.shape)}, but the model takes samples of {want}: "
                         f"give an array shaped (N, {', '.join(str(d) for d in shape)})")
    available = int(array.shape[0])
    samples = np.ascontiguousarray(array[:limit], dtype="<f4")
    if not np.isfinite(samples).all():
        raise InputError(f"{path} holds NaN or infinite values; give finite inputs")
    return samples, {"source": "npy", "available": available,
                     "preprocess": f"none (the array's {array.dtype} values as float32)"}


def from_images(folder: Path, shape: tuple[int, ...], limit: int | None = None) -> tuple[np.ndarray, dict]:
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    files = found[:limit]
    if not files:
        raise InputError(f"{folder} has no images ({', '.join(sorted(IMAGE_SUFFIXES))}); "
                         "give a folder of images or a .npy array")
    if len(shape) != 3 or shape[0] != 3:
        want = "x".join(str(d) for d in shape)
        raise InputError(f"images make 3xHxW samples, but the model takes {want}: give a .npy array instead")
    from PIL import Image, UnidentifiedImageError
    from torchvision import transforms

    height, width = shape[1], shape[2]
    resize = round(min(height, width) / CROP_FRACTION)
    preprocess = transforms.Compose([
        transforms.Resize(resize, interpolation=transforms.InterpolationMode.BILINEAR, antialias=True),
        transforms.CenterCrop((height, width)),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    samples = np.empty((len(files), *shape), dtype="<f4")
    for i, file in enumerate(files):
        try:
            with Image.open(file) as image:
                samples[i] = preprocess(image.convert("RGB")).numpy()
        except (UnidentifiedImageError, OSError) as error:
            raise InputError(f"{file} is not a readable image ({error}); remove it from {folder}") from error
    return samples, {
        "source": "images",
        "available": len(found),
        "preprocess": (f"RGB, resize shorter side to {resize} (bilinear, antialiased), centre crop {height}x{width}, "
                       f"scale to [0, 1], normalise with ImageNet mean {IMAGENET_MEAN} and std {IMAGENET_STD}; "
                       f"files {files[0].name} to {files[-1].name} in name order"),
    }


def load(source: Path, shape: tuple[int, ...], limit: int | None = None) -> tuple[np.ndarray, dict]:
    """The samples of `source` (a .npy file or a folder of images; the first `limit` of them) as
    float32 shaped (N, *shape), and their description: samples, available (how many the source
    holds), source kind, preprocess, sha256 of the samples' bytes. Raises InputError with one line
    for the user when the data does not fit."""
    if source.is_dir():
        samples, described = from_images(source, shape, limit)
    elif source.is_file() and source.suffix.lower() == ".npy":
        samples, described = from_npy(source, shape, limit)
    else:
        raise InputError(f"{source} is neither a .npy file nor a folder of images; give one of them")
    return samples, {"samples": int(samples.shape[0]), **described,
                     "sha256": hashlib.sha256(samples.tobytes()).hexdigest()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("--sample-shape", required=True, help="one sample's shape, e.g. 3x224x224")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only the first K samples (the run's largest batch)")
    args = parser.parse_args()
    shape = tuple(int(d) for d in args.sample_shape.split("x"))
    try:
        samples, described = load(args.source, shape, args.limit)
    except InputError as error:
        print(f"input data: {error}", file=sys.stderr)
        return 2
    args.out.write_bytes(samples.tobytes())
    print(json.dumps(described))
    return 0


if __name__ == "__main__":
    sys.exit(main())
