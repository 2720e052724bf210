// SPDX-License-Identifier: Apache-2.0
// LibTorch plugin with four variants (see README.md for what each compile timer covers):
// eager — a traced TorchScript module, frozen and optimised for inference, on the CPU (FP32) or
// a CUDA GPU (FP32, FP16 channels-last); cuda_graph — that FP16 module captured once in a CUDA
// graph and replayed; aoti — an AOTInductor package (.pt2) compiled ahead of time for one
// device, precision and batch, on the CPU (FP32, BF16) or a CUDA GPU (FP16); aoti_cuda_graph —
// that CUDA FP16 package captured once in a CUDA graph and replayed.
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/cpu/Utils.h>
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/api/cuda_availability.h"

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;
using inferbench::plugin::no_cuda_reason;

constexpr std::string_view kEager = "eager";
constexpr std::string_view kCudaGraph = "cuda_graph";
constexpr std::string_view kAoti = "aoti";
constexpr std::string_view kAotiCudaGraph = "aoti_cuda_graph";

// --backend-option torch:cudnn_benchmark=on|off: cuDNN tries its convolution algorithms on the
// first call of each shape and keeps the fastest (torch.backends.cudnn.benchmark), for every
// CUDA variant: inside an AOTInductor package the convolutions are ATen's too.
constexpr const char* kCudnnBenchmark = "cudnn_benchmark";
// --backend-option torch:aoti_autotune=off|max is the exporter's (driver/catalogue.cc
// exporter_flags): it decides how the package is compiled, which the plugin reads back from the
// package's metadata.
const ib_option_desc kOptions[] = {
    {kCudnnBenchmark, "enum:on|off", "on",
     "CUDA rows: cuDNN benchmarks its convolution algorithms on first use and keeps the fastest "
     "(torch.backends.cudnn.benchmark; PyTorch's own default is off)"},
    {"aoti_autotune", "enum:off|max", "off",
     "aoti packages: compile with Inductor's max-autotune (it benchmarks kernel choices on the device: "
     "minutes on a GPU), as torch.compile(mode=\"max-autotune\"); a separate cached package"},
};

// Runs of the profiling executor that the compile timer includes: the first run records
// shapes, the second builds the specialised graph. Later runs use it.
constexpr int kSpecialisationRuns = 2;
// Runs on the capture stream before a CUDA graph is captured, beyond the specialisation runs:
// cuBLAS allocates a workspace per stream on its first call there, and nothing may allocate
// through cudaMalloc or synchronise inside a capture.
constexpr int kCaptureWarmupRuns = 3;

// Keys the exporter (tools/export/aoti_export.py) writes into a package's metadata
// (aot_inductor.metadata). A package without them (a user's own) is taken to want the row's
// precision in the contiguous layout.
constexpr const char* kMetaPrecision = "inferbench_precision";
constexpr const char* kMetaMemoryFormat = "inferbench_memory_format";
constexpr const char* kMetaInductorMode = "inferbench_inductor_mode";
// Written by AOTInductor itself: the device the package was compiled for, and the CPU vector
// ISA or GPU compute capability its kernels were generated for.
constexpr const char* kMetaDevice = "AOTI_DEVICE_KEY";
constexpr const char* kMetaCpuIsa = "AOTI_CPU_ISA";
constexpr const char* kMetaComputeCapability = "AOTI_COMPUTE_CAPABILITY";

const ib_variant_info kVariants[] = {
    {"eager", "PyTorch (Native)", "cpu:fp32,cuda:fp32,cuda:fp16", "torchscript", ".pt,.ts,.torchscript",
     "TorchScript module, frozen and optimize_for_inference; CUDA FP16 runs it in half precision, channels-last"},
    {"cuda_graph", "PyTorch (CUDA graph)", "cuda:fp16", "torchscript", ".pt,.ts,.torchscript",
     "the eager FP16 channels-last module captured once in a CUDA graph, one replay per inference"},
    {"aoti", "PyTorch (AOTInductor)", "cpu:fp32,cpu:bf16,cuda:fp16", "aoti", ".pt2",
     "an AOTInductor package compiled ahead of time for one device, precision and batch"},
    {"aoti_cuda_graph", "PyTorch (AOTInductor + CUDA graph)", "cuda:fp16", "aoti", ".pt2",
     "the AOTInductor FP16 package captured once in a CUDA graph, one replay per inference"},
};

const ib_backend_info kInfo = {
    "torch",
    "PyTorch",
#ifdef IB_TORCH_VERSION
    IB_TORCH_VERSION,
#else
    "unknown",
#endif
    "cpu,cuda",
    "fp32,fp16,bf16",
    "torchscript",
    ".pt,.ts,.torchscript,.pt2",
    "sync",
    kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]),
    kVariants,
    sizeof(kVariants) / sizeof(kVariants[0]),
};

const ib_variant_info* find_variant(std::string_view name) {
  for (const auto& v : kVariants) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

bool variant_runs(const ib_variant_info& v, const std::string& device, const std::string& precision) {
  const std::string targets = std::string(",") + v.targets + ",";
  return targets.find("," + device + ":" + precision + ",") != std::string::npos;
}

std::optional<at::ScalarType> scalar_type(std::string_view precision) {
  if (precision == "fp32") return at::kFloat;
  if (precision == "fp16") return at::kHalf;
  if (precision == "bf16") return at::kBFloat16;
  return std::nullopt;
}

// Whether this CPU computes in BF16 natively (AVX512-BF16 or AMX-BF16); without it AOTInductor
// would emulate BF16 through FP32, which measures an emulation rather than a BF16 row.
bool cpu_has_native_bf16() {
  const auto capabilities = at::cpu::get_cpu_capabilities();
  for (const char* key : {"avx512_bf16", "amx_bf16"}) {
    auto it = capabilities.find(key);
    if (it != capabilities.end() && it->second.isBool() && it->second.toBool()) return true;
  }
  return false;
}

std::string first_line(std::string text) {
  if (auto eol = text.find('\n'); eol != std::string::npos) text.resize(eol);
  return text;
}

std::string metadata_value(const std::unordered_map<std::string, std::string>& metadata, const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : it->second;
}

}  // namespace

struct ib_backend {
  std::string variant;
  c10::Device device = c10::Device(c10::kCPU);
  at::ScalarType dtype = at::kFloat;
  at::MemoryFormat memory_format = at::MemoryFormat::Contiguous;
  // The stream every CUDA call of this backend runs on: the thread's current stream when
  // prepare() ran (the default stream). Empty on the CPU.
  std::optional<c10::cuda::CUDAStream> stream;

  torch::jit::Module module;                                          // eager, cuda_graph
  std::unique_ptr<at::cuda::CUDAGraph> graph;                         // cuda_graph
  std::unique_ptr<torch::inductor::AOTIModelPackageLoader> package;  // aoti

  // The model input, resident on the device in the model's dtype and layout. For cuda_graph it
  // is the graph's static input: set_input() copies into it, never replaces it.
  at::Tensor input;
  std::vector<torch::jit::IValue> module_inputs;  // {input}, for the TorchScript module
  std::vector<at::Tensor> package_inputs;         // {input}, for the AOTInductor runner
  at::Tensor result;                              // output 0 of the last run()
  at::Tensor host_output;
  std::vector<int64_t> output_shape;

  // Device timestamps around each run(), a ring of the last starts.size() runs (CUDA only).
  std::vector<at::cuda::CUDAEvent> starts;
  std::vector<at::cuda::CUDAEvent> stops;
  size_t runs = 0;
  std::vector<double> device_ms;

  inferbench::plugin::KeyValues effective;
};

namespace {

const ib_backend_info* describe() { return &kInfo; }

int is_available(const char* device, const char** reason) {
  const std::string name(device);
  if (name == "cpu") return 1;
  if (name == "cuda") {
    // The reason must outlive this call (ABI): kept per thread, like last_error().
    thread_local std::string why;
    if (auto missing = no_cuda_reason()) {
      why = *missing;
      *reason = why.c_str();
      return 0;
    }
    return 1;
  }
  *reason = "the torch plugin runs on cpu and cuda only";
  return 0;
}

// Loads the TorchScript module for the eager and cuda_graph variants: on the device, in the
// row's dtype (and channels-last for FP16 on CUDA, as a GPU expert runs convolutions in half
// precision), frozen and optimised for inference.
ib_status load_module(ib_backend* b, const ib_prepare_args* args) {
  try {
    b->module = torch::jit::load(args->artefact_path, b->device);
  } catch (const c10::Error& e) {
    return fail(IB_ERROR_INPUT, std::string("cannot load TorchScript file ") + args->artefact_path + ": " +
                                    first_line(e.what_without_backtrace()));
  }
  b->module.eval();
  if (b->dtype != at::kFloat) b->module.to(b->dtype);
  if (b->memory_format == at::MemoryFormat::ChannelsLast) {
    // Weights of convolutions are 4-D; converting them before freezing makes the frozen
    // constants channels-last too, so cuDNN gets NHWC on both operands.
    torch::NoGradGuard no_grad;
    for (auto parameter : b->module.parameters(/*recurse=*/true)) {
      if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  b->module = torch::jit::freeze(b->module);
  b->module = torch::jit::optimize_for_inference(b->module);
  return IB_OK;
}

// For aoti_cuda_graph the package's runner is single-threaded: its thread-safe run() records a
// CUDA event after each run and queries it before the next, and an event recorded inside a
// capture can no longer be queried afterwards. Replay never goes through the runner.
ib_status load_package(ib_backend* b, const ib_prepare_args* args, bool single_threaded) {
  try {
    b->package = std::make_unique<torch::inductor::AOTIModelPackageLoader>(
        args->artefact_path, "model", single_threaded, /*num_runners=*/1,
        b->device.is_cuda() ? b->device.index() : c10::DeviceIndex(-1));
  } catch (const c10::Error& e) {
    return fail(IB_ERROR_INPUT, std::string("cannot load AOTInductor package ") + args->artefact_path + ": " +
                                    first_line(e.what_without_backtrace()));
  }
  const auto metadata = b->package->get_metadata();
  // A package runs only on the device it was compiled for, and its kernels assume the dtype and
  // strides of the example input: a mismatch would compute garbage, so it is refused.
  const std::string compiled_for = metadata_value(metadata, kMetaDevice);
  if (!compiled_for.empty() && compiled_for != args->device) {
    return fail(IB_ERROR_INPUT, std::string("AOTInductor package ") + args->artefact_path + " was compiled for " +
                                    compiled_for + ", not " + args->device + "; export it for " + args->device);
  }
  const std::string precision = metadata_value(metadata, kMetaPrecision);
  if (!precision.empty() && precision != args->precision) {
    return fail(IB_ERROR_INPUT, std::string("AOTInductor package ") + args->artefact_path + " was compiled for " +
                                    precision + ", not " + args->precision + "; export it in " + args->precision);
  }
  if (metadata_value(metadata, kMetaMemoryFormat) == "channels_last") {
    b->memory_format = at::MemoryFormat::ChannelsLast;
  }
  b->effective.set("graph", "AOTInductor package (" + (compiled_for.empty() ? std::string("device not recorded") : compiled_for) + ")");
  if (const std::string isa = metadata_value(metadata, kMetaCpuIsa); !isa.empty() && !b->device.is_cuda()) {
    b->effective.set("isa", "Inductor " + isa);
  }
  if (const std::string mode = metadata_value(metadata, kMetaInductorMode); !mode.empty()) {
    b->effective.set("inductor_mode", mode);
  }
  if (const std::string capability = metadata_value(metadata, kMetaComputeCapability); !capability.empty()) {
    b->effective.set("package_compute_capability", capability);
  }
  return IB_OK;
}

// One forward of the module or the package on `stream` (the current stream for the module).
void forward(ib_backend* b, const c10::cuda::CUDAStream& stream) {
  if (b->package) {
    b->result = b->package->run(b->package_inputs, stream.stream())[0];
  } else {
    b->result = b->module.forward(b->module_inputs).toTensor();
  }
}

// Captures one forward of the (already specialised) module, or of the package, in a CUDA graph.
// Capture needs a stream other than the default one; replay may run on any stream. The package
// is captured in relaxed mode: its runner may ask the driver about events of its own, which
// the global mode forbids to any thread while a capture is under way.
void capture_graph(ib_backend* b) {
  c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, b->device.index());
  // The side stream must see the zeros written into the input on the default stream.
  b->stream->synchronize();
  {
    c10::cuda::CUDAStreamGuard guard(side);
    for (int i = 0; i < kCaptureWarmupRuns; ++i) forward(b, side);
    side.synchronize();
    b->graph = std::make_unique<at::cuda::CUDAGraph>();
    b->graph->capture_begin({0, 0}, b->package ? cudaStreamCaptureModeRelaxed : cudaStreamCaptureModeGlobal);
    forward(b, side);
    b->graph->capture_end();
  }
  side.synchronize();
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded([&]() -> ib_status {
    const std::string device(args->device);
    const std::string precision(args->precision);
    const std::string variant_name = args->variant ? args->variant : "";
    const ib_variant_info* variant = find_variant(variant_name);
    if (!variant) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "the torch plugin has no variant '" + variant_name +
                                                 "'; use eager, cuda_graph, aoti or aoti_cuda_graph");
    }
    if (!variant_runs(*variant, device, precision)) {
      return fail(IB_ERROR_UNAVAILABLE, "torch:" + variant_name + " does not run " + precision + " on " + device +
                                            " (it runs " + variant->targets + ")");
    }
    if (device == "cuda") {
      if (auto missing = no_cuda_reason()) return fail(IB_ERROR_UNAVAILABLE, *missing);
    }
    if (device == "cpu" && precision == "bf16" && !cpu_has_native_bf16()) {
      return fail(IB_ERROR_UNAVAILABLE, "this CPU has no native BF16 (neither AVX512-BF16 nor AMX-BF16)");
    }
    if (args->threads > 0) at::set_num_threads(args->threads);
    // The driver has checked the value against the option's enum (on|off); absent means on.
    const auto options = inferbench::plugin::options_map(args);
    const auto benchmark = options.find(kCudnnBenchmark);
    const bool cudnn_benchmark = benchmark == options.end() || benchmark->second == "on";

    auto b = std::make_unique<ib_backend>();
    b->variant = variant_name;
    b->device = device == "cuda" ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    b->dtype = *scalar_type(precision);
    if (b->device.is_cuda()) {
      c10::cuda::set_device(b->device.index());
      b->stream = c10::cuda::getCurrentCUDAStream(b->device.index());
      if (b->dtype == at::kHalf) b->memory_format = at::MemoryFormat::ChannelsLast;
      at::globalContext().setBenchmarkCuDNN(cudnn_benchmark);
    }

    const bool packaged = variant_name == kAoti || variant_name == kAotiCudaGraph;
    if (packaged) {
      if (auto status = load_package(b.get(), args, /*single_threaded=*/variant_name == kAotiCudaGraph);
          status != IB_OK) {
        return status;
      }
    } else {
      if (auto status = load_module(b.get(), args); status != IB_OK) return status;
      b->effective.set("graph", "TorchScript trace, frozen, optimize_for_inference");
    }

    c10::InferenceMode inference;
    std::vector<int64_t> shape(args->input_shape, args->input_shape + args->input_rank);
    b->input = torch::zeros(shape, torch::TensorOptions().dtype(b->dtype).device(b->device).memory_format(b->memory_format));
    b->module_inputs = {b->input};
    b->package_inputs = {b->input};
    if (!packaged) {
      for (int i = 0; i < kSpecialisationRuns; ++i) b->result = b->module.forward(b->module_inputs).toTensor();
    }
    if (variant_name == kCudaGraph || variant_name == kAotiCudaGraph) capture_graph(b.get());
    if (b->stream) b->stream->synchronize();

    b->effective.set("dtype", std::string(c10::toString(b->dtype)));
    b->effective.set("memory_format",
                     b->memory_format == at::MemoryFormat::ChannelsLast ? "channels_last" : "contiguous");
    if (b->device.is_cuda()) {
      const cudaDeviceProp* properties = at::cuda::getDeviceProperties(b->device.index());
      b->effective.set("target_hardware", properties->name);
      b->effective.set("compute_capability",
                       std::to_string(properties->major) + "." + std::to_string(properties->minor));
      b->effective.set("cudnn", at::detail::getCUDAHooks().hasCuDNN()
                                    ? std::to_string(at::detail::getCUDAHooks().versionCuDNN())
                                    : "no");
      b->effective.set("cudnn_benchmark", cudnn_benchmark ? "on" : "off");
      if (b->graph) b->effective.set("replay", "CUDA graph, captured once, one replay per inference");
    } else {
      b->effective.set("threads", std::to_string(at::get_num_threads()));
      if (!packaged) b->effective.set("isa", "ATen " + at::get_cpu_capability());
      b->effective.set("mkldnn", at::hasMKLDNN() ? "yes" : "no");
    }
    *out = b.release();
    return IB_OK;
  });
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    if (count != static_cast<size_t>(b->input.numel())) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) +
                                                 " values, model input " + std::to_string(b->input.numel()));
    }
    c10::InferenceMode inference;
    // copy_ converts to the model's dtype, layout and device in place: the CUDA graph's static
    // input keeps its address.
    const at::Tensor host = torch::from_blob(const_cast<float*>(data), b->input.sizes(), torch::kFloat32);
    b->input.copy_(host);
    if (b->stream) b->stream->synchronize();
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  return guarded([&]() -> ib_status {
    c10::InferenceMode inference;
    const size_t slot = b->starts.empty() ? 0 : b->runs % b->starts.size();
    if (!b->starts.empty()) b->starts[slot].record(*b->stream);
    if (b->graph) {
      b->graph->replay();
    } else if (b->package) {
      b->result = b->package->run(b->package_inputs, b->stream ? b->stream->stream() : nullptr)[0];
    } else {
      b->result = b->module.forward(b->module_inputs).toTensor();
    }
    if (!b->starts.empty()) b->stops[slot].record(*b->stream);
    ++b->runs;
    return IB_OK;
  });
}

// Waits for the device: the worker's timer stops after the kernels finished, not after they
// were queued. CPU execution is synchronous.
ib_status sync(ib_backend* b) {
  return guarded([&]() -> ib_status {
    if (b->stream) b->stream->synchronize();
    return IB_OK;
  });
}

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  return guarded([&]() -> ib_status {
    b->host_output = b->result.to(torch::kCPU, torch::kFloat32).contiguous();
    b->output_shape.assign(b->host_output.sizes().begin(), b->host_output.sizes().end());
    *data = b->host_output.data_ptr<float>();
    *count = static_cast<size_t>(b->host_output.numel());
    *shape = b->output_shape.data();
    *rank = b->output_shape.size();
    return IB_OK;
  });
}

ib_status record_device_times(ib_backend* b, size_t count) {
  return guarded([&]() -> ib_status {
    if (!b->stream) return fail(IB_ERROR_UNAVAILABLE, "no device timestamps on the CPU");
    if (count == 0) return fail(IB_ERROR_INVALID_ARGUMENT, "record_device_times needs a count of at least 1");
    b->starts.clear();
    b->stops.clear();
    b->starts.reserve(count);
    b->stops.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      b->starts.emplace_back(cudaEventDefault);  // timing enabled (the default flags disable it)
      b->stops.emplace_back(cudaEventDefault);
    }
    // CUDAEvent creates its CUDA event on first record: record each once now, so that no event
    // is created inside the timed loop.
    for (size_t i = 0; i < count; ++i) {
      b->starts[i].record(*b->stream);
      b->stops[i].record(*b->stream);
    }
    b->stream->synchronize();
    b->runs = 0;
    return IB_OK;
  });
}

ib_status device_times(ib_backend* b, const double** ms, size_t* count) {
  return guarded([&]() -> ib_status {
    if (b->starts.empty()) return fail(IB_ERROR_UNAVAILABLE, "device times were not recorded");
    b->stream->synchronize();
    const size_t ring = b->starts.size();
    const size_t kept = std::min(b->runs, ring);
    b->device_ms.clear();
    for (size_t k = b->runs - kept; k < b->runs; ++k) {
      b->device_ms.push_back(b->starts[k % ring].elapsed_time(b->stops[k % ring]));
    }
    *ms = b->device_ms.data();
    *count = b->device_ms.size();
    return IB_OK;
  });
}

ib_status peak_device_memory(ib_backend* b, double* mib) {
  return guarded([&]() -> ib_status {
    if (!b->device.is_cuda()) return fail(IB_ERROR_UNAVAILABLE, "no device memory statistics on the CPU");
    // Nothing in this worker touched the GPU before prepare(), so the allocator's peak since the
    // process started is the peak since prepare() began.
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(b->device.index());
    const auto aggregate = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    *mib = static_cast<double>(stats.allocated_bytes[aggregate].peak) / (1024.0 * 1024.0);
    return IB_OK;
  });
}

// C++20 forbids mixing positional and designated initialisers: the CUDA timing entries are named.
const ib_backend_api kApi = inferbench::plugin::api_table({.describe = describe,
                                                            .is_available = is_available,
                                                            .prepare = prepare,
                                                            .set_input = set_input,
                                                            .run = run,
                                                            .sync = sync,
                                                            .output = output,
                                                            .record_device_times = record_device_times,
                                                            .device_times = device_times,
                                                            .peak_device_memory = peak_device_memory});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
