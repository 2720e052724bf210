# SPDX-License-Identifier: Apache-2.0
"""Turns the user's input data into the raw float32 samples a run feeds its models.

    python input_data.py SOURCE --sample-shape 3x224x224 --out FILE.f32 [--limit K]
                         [--labels FILE] [--labels-out FILE.i32]

SOURCE is either
  - a .npy array of float or integer values shaped (N, *sample shape), or one sample shaped
    (*sample shape): the values as they are, as float32; or
  - a folder of images (.jpg .jpeg .png .bmp .webp .ppm, read in file-name order; sample shape
    3xHxW): each converted to RGB and preprocessed the way torchvision's ImageNet classifiers
    expect: resized so its shorter side is round(H / 0.875) (256 for 224), centre-cropped to HxW,
    scaled to [0, 1] and normalised with the ImageNet mean and standard deviation; or
  - a folder of class folders of such images (torchvision's ImageFolder layout): each image is
    labelled with its folder's index among the class folders in name order, and the images are
    taken in turn from each class (the first of every class, then the second ...), so that the
    first K samples cover the classes evenly.

Labels (--labels FILE, for the samples' true classes): a .npy array of N integers, or a text file
with one integer per line in the samples' order, or lines "NAME LABEL" naming each image file
(the convention of ImageNet's val.txt); they replace a class folder's index. With --labels-out
the labels of the samples written go there (little-endian int32).

Writes the N samples (the first K with --limit) one after the other to --out (little-endian
float32) and prints one JSON line (with "available": how many SOURCE holds): samples, source kind,
what the preprocessing was (for images, the first and last file name), the sha256 of the samples,
and, with labels, where they came from. A problem with SOURCE or the labels is one line on stderr
saying what to do, and exit status 2.
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


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def class_folders(folder: Path) -> list[tuple[str, list[Path]]]:
    """ImageFolder layout: (class folder name, its images) for each sub-folder holding images, in
    name order; empty when `folder` has images of its own or no such sub-folder."""
    if image_files(folder):
        return []
    classes = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = image_files(sub)
        if files:
            classes.append((sub.name, files))
    return classes


def interleaved(classes: list[tuple[str, list[Path]]]) -> list[tuple[Path, int]]:
    """Each image with its class index, taken in turn from each class: the first image of every
    class, then the second ..., so that any first K cover the classes evenly."""
    order = []
    longest = max(len(files) for _, files in classes)
    for i in range(longest):
        for label, (_, files) in enumerate(classes):
            if i < len(files):
                order.append((files[i], label))
    return order


def from_images(folder: Path, shape: tuple[int, ...], limit: int | None = None) -> tuple[np.ndarray, dict, list]:
    classes = class_folders(folder)
    if classes:
        found = interleaved(classes)
    else:
        found = [(file, None) for file in image_files(folder)]
    chosen = found[:limit]
    if not chosen:
        raise InputError(f"{folder} has no images ({', '.join(sorted(IMAGE_SUFFIXES))}), nor folders of them; "
                         "give a folder of images, a folder of class folders of images, or a .npy array")
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
    samples = np.empty((len(chosen), *shape), dtype="<f4")
    for i, (file, _) in enumerate(chosen):
        try:
            with Image.open(file) as image:
                samples[i] = preprocess(image.convert("RGB")).numpy()
        except (UnidentifiedImageError, OSError) as error:
            raise InputError(f"{file} is not a readable image ({error}); remove it from {folder}") from error
    order = (f"{len(classes)} class folders ({classes[0][0]} to {classes[-1][0]}), one image of each in turn"
             if classes else f"files {chosen[0][0].name} to {chosen[-1][0].name} in name order")
    described = {
        "source": "images",
        "available": len(found),
        "preprocess": (f"RGB, resize shorter side to {resize} (bilinear, antialiased), centre crop {height}x{width}, "
                       f"scale to [0, 1], normalise with ImageNet mean {IMAGENET_MEAN} and std {IMAGENET_STD}; "
                       f"{order}"),
    }
    if classes:
        described["labels"] = {"source": "class folders (index in name order)", "classes": len(classes)}
    return samples, described, chosen


def read_labels(path: Path, chosen: list) -> np.ndarray:
    """The labels in `path` for the samples `chosen` ((image file or None, folder label) each): a
    .npy array or a text file, by position, or by image file name for "NAME LABEL" lines."""
    count = len(chosen)
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as error:
            raise InputError(f"labels {path} is not a readable .npy array ({error}); save them with numpy.save") from error
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
            raise InputError(f"labels {path} holds {array.dtype} values shaped {tuple(array.shape)}; "
                             "give one integer class per sample, shaped (N,)")
        by_position = [int(v) for v in array]
        by_name = None
    else:
        try:
            lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"labels {path} is not a readable text file ({error}); give one integer per line") from error
        try:
            if lines and all(len(line) == 2 for line in lines):
                by_name = {Path(line[0]).name: int(line[1]) for line in lines}
                by_position = None
            elif all(len(line) == 1 for line in lines):
                by_position = [int(line[0]) for line in lines]
                by_name = None
            else:
                raise ValueError("mixed lines")
        except ValueError as error:
            raise InputError(f"labels {path}: every line must be one integer, or a file name and an integer "
                             f"({error})") from error
    if by_name is not None:
        files = [file for file, _ in chosen]
        if any(file is None for file in files):
            raise InputError(f"labels {path} names files, but the input is an array: give one integer per line")
        missing = [file.name for file in files if file.name not in by_name]
        if missing:
            raise InputError(f"labels {path} has no label for {missing[0]} ({len(missing)} of {count} images "
                             "unlabelled); give a line for every image")
        labels = [by_name[file.name] for file in files]
    else:
        if any(label is not None for _, label in chosen):
            raise InputError(f"labels {path} gives labels by position, but the images are in class folders (taken "
                             "in turn from each class): name each file (\"NAME LABEL\" lines) or drop --labels")
        if len(by_position) < count:
            raise InputError(f"labels {path} has {len(by_position)} labels for {count} samples; give one per sample")
        labels = by_position[:count]
    if min(labels) < 0:
        raise InputError(f"labels {path} has a negative label ({min(labels)}); classes count from 0")
    return np.asarray(labels, dtype="<i4")


def load_labelled(source: Path, shape: tuple[int, ...], limit: int | None = None,
                  labels: Path | None = None) -> tuple[np.ndarray, dict, np.ndarray | None]:
    """The samples of `source` (a .npy file, a folder of images or of class folders; the first
    `limit` of them) as float32 shaped (N, *shape), their description (samples, available: how
    many the source holds, source kind, preprocess, sha256 of the samples' bytes, labels), and
    their labels (int32, N) from `labels` or the class folders, or None. Raises InputError with
    one line for the user when the data does not fit."""
    if source.is_dir():
        samples, described, chosen = from_images(source, shape, limit)
    elif source.is_file() and source.suffix.lower() == ".npy":
        samples, described = from_npy(source, shape, limit)
        chosen = [(None, None)] * samples.shape[0]
    else:
        raise InputError(f"{source} is neither a .npy file nor a folder of images; give one of them")
    found = None
    if labels is not None:
        found = read_labels(labels, chosen)
        described["labels"] = {"source": str(labels), "distinct_labels": int(len(set(found.tolist())))}
    elif chosen and chosen[0][1] is not None:
        found = np.asarray([label for _, label in chosen], dtype="<i4")
    if found is not None:
        described["labels"]["sha256"] = hashlib.sha256(found.tobytes()).hexdigest()
    return samples, {"samples": int(samples.shape[0]), **described,
                     "sha256": hashlib.sha256(samples.tobytes()).hexdigest()}, found


def load(source: Path, shape: tuple[int, ...], limit: int | None = None) -> tuple[np.ndarray, dict]:
    """load_labelled's samples and description, without labels (calibration data)."""
    samples, described, _ = load_labelled(source, shape, limit)
    return samples, described


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", type=Path)
    parser.add_argument("--sample-shape", required=True, help="one sample's shape, e.g. 3x224x224")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only the first K samples")
    parser.add_argument("--labels", type=Path, help="the samples' true classes (.npy, or a text file)")
    parser.add_argument("--labels-out", type=Path, help="write the labels of the samples here (int32)")
    args = parser.parse_args()
    shape = tuple(int(d) for d in args.sample_shape.split("x"))
    try:
        if args.labels is not None and not args.labels.is_file():
            raise InputError(f"labels {args.labels} is not a file; give a .npy array or a text file of labels")
        samples, described, labels = load_labelled(args.source, shape, args.limit, args.labels)
    except InputError as error:
        print(f"input data: {error}", file=sys.stderr)
        return 2
    args.out.write_bytes(samples.tobytes())
    if labels is not None and args.labels_out is not None:
        args.labels_out.write_bytes(labels.tobytes())
    print(json.dumps(described))
    return 0


if __name__ == "__main__":
    sys.exit(main())
