# SPDX-License-Identifier: Apache-2.0
"""AOTInductor packages (.pt2) for the torch plugin's `aoti` variant: torch.export of the model,
then torch._inductor.aoti_compile_and_package, for one device, precision and batch.

    cpu  fp32  contiguous, Inductor freezing (the CPU path the AOTInductor docs recommend)
    cpu  bf16  the same in BF16, only on a CPU that computes BF16 natively (AVX512-BF16 or AMX)
    cuda fp16  channels-last, as a GPU expert runs convolutions in half precision

With autotune="max" (export.py --aoti-autotune max, torch option aoti_autotune=max) Inductor
compiles with max_autotune; the package's metadata says which (inferbench_inductor_mode).

With markers="profile" (export.py --aoti-markers profile) Inductor compiles a profiling package:
cpp.enable_kernel_profile wraps every generated kernel (cpp_fused_*) and every call into ATen
(aoti_torch_cpu_*) in a RecordFunction, which is what the PyTorch profiler (Kineto) records. A
normal package has none, so the profiler sees nothing inside it. The markers cost a little on every
call, so a profiling package is a separate artefact, never timed as a row; its metadata says it has
them (inferbench_profile_markers).

A package holds native code for the device it was compiled on and for the example input's
shape, dtype and strides, so it is made per device and per batch. A CUDA package needs a CUDA
device here: Inductor generates and compiles its GPU kernels for the GPU it finds. The choices the
plugin must follow (precision, memory format) are written into the package's metadata, which
the C++ loader reads back.
"""
from __future__ import annotations

from pathlib import Path

import torch

# (device, precision) pairs this exporter makes: what the plugin's aoti variant runs.
TARGETS = {("cpu", "fp32"), ("cpu", "bf16"), ("cuda", "fp16")}
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def cpu_has_native_bf16() -> bool:
    capabilities = torch.cpu.get_capabilities()
    return bool(capabilities.get("avx512_bf16") or capabilities.get("amx_bf16"))


def convolutions(exported) -> tuple[str, str]:
    """The exported graph's convolutions in graph order: their weight shapes, "32,3,3,3;32,1,3,3;...",
    and the modules they come from, "features.0.0;features.1.conv.0.0;...".

    A profiling package's markers carry no inputs, so the plugin cannot tell a depthwise or 1x1
    convolution from the others, nor name its layer, by what the profiler records; it gives the k-th
    convolution marker of a run the k-th of each when the counts agree (backends/torch/README.md,
    "Profile")."""
    shapes, layers = [], []
    for node in exported.graph.nodes:
        if node.op == "call_function" and node.target in (torch.ops.aten.conv2d.default,
                                                           torch.ops.aten.convolution.default):
            weight = node.args[1].meta.get("val")
            shapes.append(",".join(str(int(d)) for d in weight.shape) if weight is not None else "")
            stack = list(node.meta.get("nn_module_stack", {}).values())
            layers.append(stack[-1][0] if stack else "")
    return ";".join(shapes), ";".join(layers)


def export_aoti(model: torch.nn.Module, shape: tuple[int, ...], out: Path, precision: str, seed: int,
                batch: int, device: str, autotune: str = "off", markers: str = "off") -> tuple[Path, dict]:
    if (device, precision) not in TARGETS:
        made = ", ".join(f"{d} {p}" for d, p in sorted(TARGETS))
        raise SystemExit(f"aoti packages are made for {made}, not {device} {precision}")
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("an aoti cuda package needs a CUDA device: Inductor compiles its kernels for the GPU "
                         "it runs on, and torch sees none here (torch.cuda.is_available() is False)")
    if precision == "bf16" and not cpu_has_native_bf16():
        raise SystemExit("an aoti bf16 package needs a CPU with native BF16 (AVX512-BF16 or AMX-BF16); "
                         "this one has neither, and an emulated BF16 row would not measure BF16")

    dtype = DTYPES[precision]
    memory_format = torch.channels_last if device == "cuda" else torch.contiguous_format
    model = model.to(device=device, dtype=dtype, memory_format=memory_format)
    example = torch.zeros((batch, *shape), device=device, dtype=dtype).contiguous(memory_format=memory_format)

    # AOTInductor adds its own keys to these (the device, the CPU ISA or the GPU's compute
    # capability it compiled for).
    metadata = {"inferbench_precision": precision,
                "inferbench_memory_format": "channels_last" if device == "cuda" else "contiguous",
                "inferbench_batch": str(batch),
                "inferbench_inductor_mode": "max-autotune" if autotune == "max" else "default",
                "inferbench_profile_markers": "yes" if markers == "profile" else "no"}
    # Freezing folds the weights into the graph (convolution + batch norm, prepacked oneDNN
    # weights on the CPU). On CUDA the package is compiled as AOTInductor does by default, the
    # configuration known to compile on the GPU machine.
    configs = {"aot_inductor.metadata": metadata}
    if device == "cpu":
        configs["freezing"] = True
    # --aoti-autotune max: Inductor benchmarks its kernel choices (Triton templates against
    # ATen's cuDNN/cuBLAS calls for convolutions and matrix products, on the GPU; C++ GEMM
    # templates on the CPU) and keeps the fastest, as torch.compile(mode="max-autotune") does.
    if autotune == "max":
        configs["max_autotune"] = True
    if markers == "profile":
        configs["cpp.enable_kernel_profile"] = True

    extra = {"device": device,
             "batch": batch,
             "memory_format": metadata["inferbench_memory_format"],
             "profile_markers": metadata["inferbench_profile_markers"],
             "inductor_configs": {k: v for k, v in configs.items() if k != "aot_inductor.metadata"}}
    path = out / "model.pt2"
    with torch.no_grad():
        exported = torch.export.export(model, (example,))
        if markers == "profile":
            metadata["inferbench_convolution_weights"], metadata["inferbench_convolution_layers"] = \
                convolutions(exported)
        torch._inductor.aoti_compile_and_package(exported, package_path=str(path), inductor_configs=configs)
    if device == "cpu":
        extra["isa"] = str(torch._inductor.cpu_vec_isa.pick_vec_isa())
    else:
        extra["gpu"] = torch.cuda.get_device_name()
        extra["versions"] = {"cuda": torch.version.cuda}
    return path, extra
