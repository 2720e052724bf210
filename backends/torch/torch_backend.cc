// SPDX-License-Identifier: Apache-2.0
// LibTorch plugin with four variants (see README.md for what each compile timer covers):
// eager — a traced TorchScript module, frozen and optimised for inference, on the CPU (FP32) or
// a CUDA GPU (FP32, FP16 channels-last); cuda_graph — that FP16 module captured once in a CUDA
// graph and replayed; aoti — an AOTInductor package (.pt2) compiled ahead of time for one
// device, precision and batch, on the CPU (FP32, BF16) or a CUDA GPU (FP16); aoti_cuda_graph —
// that CUDA FP16 package captured once in a CUDA graph and replayed. Request slots for serving:
// on the CPU one thread per slot, each with its own share of the intra-op threads; on CUDA one
// stream per slot (and one graph per slot for the graph variants). Per-operator profiles from the
// PyTorch profiler (torch_profile.h) for eager and for aoti packages exported with profile markers.
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
#include <latch>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/api/cuda_availability.h"
#include "backends/api/request_threads.h"
#include "backends/torch/torch_profile.h"

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;
using inferbench::plugin::no_cuda_reason;
using inferbench::plugin::RequestThreads;

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

// Request slots made on CUDA when the run names no count: one request's host work (the copy in,
// the kernel launches, the copy out) overlaps the other's kernels.
constexpr int kDefaultCudaRequests = 2;

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
// "yes" in a profiling package (export.py --aoti-markers profile): Inductor wrapped every kernel
// and ATen call in a profiler marker. "no" in the normal package, which the profiler cannot see
// into.
constexpr const char* kMetaProfileMarkers = "inferbench_profile_markers";
// A profiling package's convolutions in graph order: weight shapes, "32,3,3,3;32,1,3,3;...", and
// the modules they come from, "features.0.0;features.1.conv.0.0;...".
constexpr const char* kMetaConvolutionWeights = "inferbench_convolution_weights";
constexpr const char* kMetaConvolutionLayers = "inferbench_convolution_layers";
constexpr const char* kReexportWithMarkers =
    "re-export it with tools/export/export.py --format aoti --aoti-markers profile";
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

namespace {

// One request slot: its own input, its own result and, on CUDA, its own stream (slot 0's is the
// stream run() uses), its CUDA graph for the graph variants, and pinned host memory for the
// copies in and out that each request makes.
struct Slot {
  // The model input, resident on the device in the model's dtype and layout. For the graph
  // variants it is the graph's static input: it is copied into, never replaced.
  at::Tensor input;
  std::vector<torch::jit::IValue> module_inputs;  // {input}, for the TorchScript module
  std::vector<at::Tensor> package_inputs;         // {input}, for the AOTInductor runner
  at::Tensor result;                              // output 0 of the slot's last inference

  // CUDA only.
  std::optional<c10::cuda::CUDAStream> stream;
  std::unique_ptr<at::cuda::CUDAGraph> graph;  // cuda_graph, aoti_cuda_graph
  // The batch as float32 NCHW in pinned host memory: set_input() and set_request_samples()
  // write it, each request copies it to the device on the slot's stream.
  at::Tensor host_input;
  // float32 NCHW on the device, when the model's input is not (FP16, channels-last): the copy
  // lands here and is converted on the device into `input`.
  at::Tensor device_staging;
  // Output 0 as float32 in pinned host memory, copied on the slot's stream by each request, and
  // its float32 copy on the device when the result is FP16. Made by the slot's first request,
  // when the output's shape is first known (an AOTInductor package runs nothing in prepare()).
  at::Tensor host_output;
  at::Tensor device_output;
};

}  // namespace

struct ib_backend {
  std::string variant;
  c10::Device device = c10::Device(c10::kCPU);
  at::ScalarType dtype = at::kFloat;
  at::MemoryFormat memory_format = at::MemoryFormat::Contiguous;
  // The stream run() and slot 0 run on: the thread's current stream when prepare() ran (the
  // default stream). Empty on the CPU.
  std::optional<c10::cuda::CUDAStream> stream;

  torch::jit::Module module;                                          // eager, cuda_graph
  std::unique_ptr<torch::inductor::AOTIModelPackageLoader> package;  // aoti, aoti_cuda_graph

  // The request slots; slot 0 also serves run() and output(), the sync path.
  std::vector<Slot> slots;
  at::Tensor host_output;  // output()'s host copy
  std::vector<int64_t> output_shape;

  // Device timestamps around each run(), a ring of the last starts.size() runs (CUDA only).
  std::vector<at::cuda::CUDAEvent> starts;
  std::vector<at::cuda::CUDAEvent> stops;
  size_t runs = 0;
  std::vector<double> device_ms;

  // A profiling instance (ib_prepare_args.profile): why it has no per-operator events (a graph
  // replay, a package without markers), empty when it has them; the markers put into the eager
  // graph; whether the profiler is on; and what profile_end() hands over.
  bool profile = false;
  std::string no_profile_reason;
  std::vector<std::string> convolution_weights;  // a profiling package's, "[32,3,3,3]", in graph order
  std::vector<std::string> convolution_layers;   // and their modules, "features.0.0"
  std::vector<inferbench::torch_profile::MarkedNode> marked;
  bool profiling = false;
  inferbench::plugin::ProfileOps profile_ops;

  // The CPU slots' threads (none on CUDA, where a request is queued on its stream). Declared
  // after what they use, so that they are joined first.
  std::unique_ptr<RequestThreads> threads;
  inferbench::plugin::KeyValues effective;

  // Requests still queued on a slot's stream use the slot's memory: wait for them first. A
  // profiler left on would keep recording into the next instance of this process.
  ~ib_backend() {
    if (profiling) {
      try {
        inferbench::torch_profile::stop();
      } catch (const std::exception&) {
        // Nothing is recorded after this either way.
      }
    }
    threads.reset();
    for (auto& slot : slots) {
      if (!slot.stream) continue;
      try {
        slot.stream->synchronize();
      } catch (const std::exception&) {
        // A failed device has nothing left to wait for; the memory is released either way.
      }
    }
  }
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
  // Before the first run, which hands the graph to the profiling executor.
  if (b->profile) b->marked = inferbench::torch_profile::mark_graph_nodes(*b->module.get_method("forward").graph());
  return IB_OK;
}

// For aoti_cuda_graph the package's runner is single-threaded: its thread-safe run() records a
// CUDA event after each run and queries it before the next, and an event recorded inside a
// capture can no longer be queried afterwards. Replay never goes through the runner, so one
// runner serves every slot's capture (each capture allocates its own buffers in its graph's
// pool). For aoti, `runners` model instances share the package's weights, each with its own
// buffers: the thread-safe run() takes a free one, so that every request slot can run at once.
ib_status load_package(ib_backend* b, const ib_prepare_args* args, bool single_threaded, size_t runners) {
  try {
    b->package = std::make_unique<torch::inductor::AOTIModelPackageLoader>(
        args->artefact_path, "model", single_threaded, runners,
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
  // A package without the key (a user's own, an older export) may still have markers: the
  // profiled runs tell (profile_end).
  const std::string markers = metadata_value(metadata, kMetaProfileMarkers);
  if (markers == "yes") b->effective.set("profile_markers", "yes (a profiling package: every kernel and ATen call recorded)");
  std::stringstream weights(metadata_value(metadata, kMetaConvolutionWeights));
  for (std::string shape; std::getline(weights, shape, ';');) b->convolution_weights.push_back("[" + shape + "]");
  std::stringstream layers(metadata_value(metadata, kMetaConvolutionLayers));
  for (std::string layer; std::getline(layers, layer, ';');) b->convolution_layers.push_back(layer);
  if (b->profile && markers == "no") {
    b->no_profile_reason = std::string("this AOTInductor package was exported without kernel profile markers, so the "
                                       "profiler sees nothing inside it; ") + kReexportWithMarkers;
  }
  return IB_OK;
}

// One forward of the module or the package with `slot`'s input; the package's work is queued
// on `stream` (the module's on the thread's current stream). Returns output 0.
at::Tensor forward(ib_backend* b, Slot& slot, const std::optional<c10::cuda::CUDAStream>& stream) {
  if (b->package) return b->package->run(slot.package_inputs, stream ? stream->stream() : nullptr)[0];
  return b->module.forward(slot.module_inputs).toTensor();
}

// Captures one forward of the (already specialised) module, or of the package, per slot in a
// CUDA graph of its own around that slot's static input; each graph gets its own memory pool,
// hence its own static output. Capture needs a stream other than the default one; replay may
// run on any stream. Each graph is captured on a stream of its own (a slot's own stream, slot 0 a
// side stream, since its stream is the default one), warmed up there first: cuBLAS keeps its
// workspace per handle and stream, and graphs captured on one stream would share it while their
// slots replay them at the same time. The package is captured in relaxed mode: its runner may
// ask the driver about events of its own, which the global mode forbids to any thread while a
// capture is under way.
void capture_graphs(ib_backend* b) {
  // The capture streams must see the zeros written into the inputs on the default stream.
  b->stream->synchronize();
  for (size_t i = 0; i < b->slots.size(); ++i) {
    Slot& slot = b->slots[i];
    const c10::cuda::CUDAStream capture =
        i == 0 ? c10::cuda::getStreamFromPool(/*isHighPriority=*/false, b->device.index()) : *slot.stream;
    c10::cuda::CUDAStreamGuard guard(capture);
    for (int k = 0; k < kCaptureWarmupRuns; ++k) forward(b, slot, capture);
    capture.synchronize();
    slot.graph = std::make_unique<at::cuda::CUDAGraph>();
    slot.graph->capture_begin({0, 0}, b->package ? cudaStreamCaptureModeRelaxed : cudaStreamCaptureModeGlobal);
    slot.result = forward(b, slot, capture);
    slot.graph->capture_end();
    capture.synchronize();
  }
}

// The slot count: the run's, else the recommendation for the device (CUDA: two; CPU:
// recommended_cpu_requests), one for a scenario without requests in flight.
int slot_count(const ib_prepare_args* args, bool cuda) {
  const int recommended =
      cuda ? kDefaultCudaRequests : inferbench::plugin::recommended_cpu_requests(inferbench::plugin::usable_cpus());
  return inferbench::plugin::request_count(args, recommended);
}

// Makes the slots' inputs (zeros) and, on CUDA, their streams and pinned host inputs.
void make_slots(ib_backend* b, const std::vector<int64_t>& shape, int count) {
  b->slots.resize(static_cast<size_t>(count));
  const auto options = torch::TensorOptions().dtype(b->dtype).device(b->device).memory_format(b->memory_format);
  const bool staged = b->dtype != at::kFloat || b->memory_format != at::MemoryFormat::Contiguous;
  for (size_t i = 0; i < b->slots.size(); ++i) {
    Slot& slot = b->slots[i];
    slot.input = torch::zeros(shape, options);
    slot.module_inputs = {slot.input};
    slot.package_inputs = {slot.input};
    if (!b->device.is_cuda()) continue;
    // Slot 0 shares run()'s stream (run() and slot 0 never overlap); the others take streams of
    // PyTorch's pool, which do not synchronise with the default stream.
    slot.stream = i == 0 ? *b->stream : c10::cuda::getStreamFromPool(/*isHighPriority=*/false, b->device.index());
    slot.host_input = torch::zeros(shape, torch::TensorOptions().dtype(at::kFloat).pinned_memory(true));
    if (staged) slot.device_staging = torch::zeros(shape, torch::TensorOptions().dtype(at::kFloat).device(b->device));
  }
}

// CPU request threads: `per_request` intra-op threads on each slot's thread. The wheel's intra-op
// pool is OpenMP, whose thread count is a setting of the calling thread, so it is made there:
// get_num_threads() first completes ATen's lazy per-thread initialisation (which would otherwise
// reset the count at the first parallel region), then set_num_threads(). Returns once every
// slot's thread is sized, with the counts they report in `reported`.
void start_cpu_threads(ib_backend* b, int per_request, std::vector<int>& reported) {
  reported.assign(b->slots.size(), 0);
  std::latch sized(static_cast<std::ptrdiff_t>(b->slots.size()));
  b->threads = std::make_unique<RequestThreads>(
      static_cast<int>(b->slots.size()),
      [b](int slot) {
        return guarded([&]() -> ib_status {
          c10::InferenceMode inference;
          Slot& s = b->slots[static_cast<size_t>(slot)];
          s.result = forward(b, s, std::nullopt);
          return IB_OK;
        });
      },
      [per_request, &reported, &sized](int slot) {
        at::get_num_threads();
        at::set_num_threads(per_request);
        reported[static_cast<size_t>(slot)] = at::get_num_threads();
        sized.count_down();
      });
  sized.wait();
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
    b->profile = args->profile != 0;
    b->device = device == "cuda" ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    b->dtype = *scalar_type(precision);
    const int slots = slot_count(args, b->device.is_cuda());
    if (b->device.is_cuda()) {
      c10::cuda::set_device(b->device.index());
      b->stream = c10::cuda::getCurrentCUDAStream(b->device.index());
      if (b->dtype == at::kHalf) b->memory_format = at::MemoryFormat::ChannelsLast;
      at::globalContext().setBenchmarkCuDNN(cudnn_benchmark);
    }

    const bool packaged = variant_name == kAoti || variant_name == kAotiCudaGraph;
    const bool graphs = variant_name == kCudaGraph || variant_name == kAotiCudaGraph;
    if (graphs && b->profile) {
      b->no_profile_reason = "a CUDA-graph replay is one graph launch with no operator events; profile torch:" +
                             std::string(variant_name == kCudaGraph ? kEager : kAoti) +
                             ", which runs the same kernels one operator at a time";
    }
    if (packaged) {
      if (auto status = load_package(b.get(), args, /*single_threaded=*/graphs, graphs ? 1 : static_cast<size_t>(slots));
          status != IB_OK) {
        return status;
      }
    } else {
      if (auto status = load_module(b.get(), args); status != IB_OK) return status;
      b->effective.set("graph", "TorchScript trace, frozen, optimize_for_inference");
    }

    c10::InferenceMode inference;
    const std::vector<int64_t> shape(args->input_shape, args->input_shape + args->input_rank);
    make_slots(b.get(), shape, slots);
    if (!packaged) {
      // The profiling executor specialises the module's one graph, which every slot then runs.
      for (int i = 0; i < kSpecialisationRuns; ++i) b->slots[0].result = forward(b.get(), b->slots[0], b->stream);
    }
    if (graphs) capture_graphs(b.get());
    if (b->stream) b->stream->synchronize();

    auto& e = b->effective;
    e.set("dtype", std::string(c10::toString(b->dtype)));
    e.set("memory_format", b->memory_format == at::MemoryFormat::ChannelsLast ? "channels_last" : "contiguous");
    e.set("requests", std::to_string(slots));
    if (b->device.is_cuda()) {
      const cudaDeviceProp* properties = at::cuda::getDeviceProperties(b->device.index());
      e.set("target_hardware", properties->name);
      e.set("compute_capability", std::to_string(properties->major) + "." + std::to_string(properties->minor));
      e.set("cudnn", at::detail::getCUDAHooks().hasCuDNN() ? std::to_string(at::detail::getCUDAHooks().versionCuDNN())
                                                           : "no");
      e.set("cudnn_benchmark", cudnn_benchmark ? "on" : "off");
      if (graphs) {
        e.set("replay", slots > 1 ? "CUDA graph, captured once per request (" + std::to_string(slots) +
                                        " graphs, each with its own static input), one replay per inference"
                                  : "CUDA graph, captured once, one replay per inference");
      }
      e.set("request_streams",
            slots > 1 ? "each of the " + std::to_string(slots) +
                            " requests on a CUDA stream of its own (slot 0 on the default stream, the others from "
                            "PyTorch's pool); a request copies its input in and its output out on that stream"
                      : "one request, on the default stream; it copies its input in and its output out");
      if (packaged && !graphs) e.set("package_runners", std::to_string(slots));
    } else {
      // Each slot's thread runs its share of the intra-op threads; run() keeps the prepare()
      // thread's count.
      const int total = at::get_num_threads();
      const int per_request = inferbench::plugin::threads_per_request(total, slots);
      std::vector<int> reported;
      start_cpu_threads(b.get(), per_request, reported);
      e.set("threads", std::to_string(slots > 1 ? reported[0] : total));
      // Each request's threads are its own: together they are what the row keeps busy.
      e.set("threads_total", std::to_string(slots > 1 ? std::accumulate(reported.begin(), reported.end(), 0) : total));
      e.set("request_threads", slots > 1 ? "each of the " + std::to_string(slots) + " requests runs on a thread of its "
                                               "own with " + std::to_string(reported[0]) + " OpenMP intra-op " +
                                               (reported[0] == 1 ? "thread" : "threads") + " (" +
                                               std::to_string(total) + " shared out)"
                                         : "one request, " + std::to_string(total) + " OpenMP intra-op " +
                                               (total == 1 ? "thread" : "threads"));
      if (packaged) e.set("package_runners", std::to_string(slots));
      if (!packaged) e.set("isa", "ATen " + at::get_cpu_capability());
      e.set("mkldnn", at::hasMKLDNN() ? "yes" : "no");
    }
    *out = b.release();
    return IB_OK;
  });
}

// Writes samples 0..n-1 (float32 CHW, `sample(i)` the i-th) into rows 0..n-1 of `dst`: with a
// copy loop for a contiguous float32 or BF16 tensor in host memory (the pinned CUDA staging, a CPU
// input), so that the serving path allocates nothing; through tensor views otherwise (a CPU
// input in another layout, which no exporter of ours makes).
template <typename SampleAt>
void write_rows(at::Tensor& dst, size_t n, size_t sample_values, SampleAt sample) {
  if (dst.is_cpu() && dst.is_contiguous() && dst.scalar_type() == at::kFloat) {
    float* base = dst.data_ptr<float>();
    for (size_t i = 0; i < n; ++i) std::memcpy(base + i * sample_values, sample(i), sample_values * sizeof(float));
    return;
  }
  if (dst.is_cpu() && dst.is_contiguous() && dst.scalar_type() == at::kBFloat16) {
    auto* base = dst.data_ptr<at::BFloat16>();
    for (size_t i = 0; i < n; ++i) {
      const float* src = sample(i);
      at::BFloat16* row = base + i * sample_values;
      for (size_t k = 0; k < sample_values; ++k) row[k] = at::BFloat16(src[k]);
    }
    return;
  }
  const auto sample_shape = dst.sizes().slice(1);
  for (size_t i = 0; i < n; ++i) {
    dst.select(0, static_cast<int64_t>(i))
        .copy_(torch::from_blob(const_cast<float*>(sample(i)), sample_shape, torch::kFloat32));
  }
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    const at::Tensor& first = b->slots[0].input;
    if (count != static_cast<size_t>(first.numel())) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) +
                                                 " values, model input " + std::to_string(first.numel()));
    }
    c10::InferenceMode inference;
    // copy_ converts to the model's dtype, layout and device in place: a CUDA graph's static
    // input keeps its address. Every slot gets its own copy, and on CUDA its pinned host input
    // too, which each of its requests copies in.
    const at::Tensor host = torch::from_blob(const_cast<float*>(data), first.sizes(), torch::kFloat32);
    for (Slot& slot : b->slots) {
      slot.input.copy_(host);
      if (slot.host_input.defined()) std::memcpy(slot.host_input.data_ptr<float>(), data, count * sizeof(float));
    }
    if (b->stream) b->stream->synchronize();
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  return guarded([&]() -> ib_status {
    c10::InferenceMode inference;
    Slot& slot = b->slots[0];
    const size_t event = b->starts.empty() ? 0 : b->runs % b->starts.size();
    if (!b->starts.empty()) b->starts[event].record(*b->stream);
    if (slot.graph) {
      slot.graph->replay();
    } else {
      slot.result = forward(b, slot, b->stream);
    }
    if (!b->starts.empty()) b->stops[event].record(*b->stream);
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

// Output 0 of slot 0: of the last run(), or of slot 0's last request.
ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  return guarded([&]() -> ib_status {
    b->host_output = b->slots[0].result.to(torch::kCPU, torch::kFloat32).contiguous();
    b->output_shape.assign(b->host_output.sizes().begin(), b->host_output.sizes().end());
    *data = b->host_output.data_ptr<float>();
    *count = static_cast<size_t>(b->host_output.numel());
    *shape = b->output_shape.data();
    *rank = b->output_shape.size();
    return IB_OK;
  });
}

int request_slots(ib_backend* b) { return static_cast<int>(b->slots.size()); }

bool valid_slot(const ib_backend* b, int slot) { return slot >= 0 && slot < static_cast<int>(b->slots.size()); }

// One request on CUDA, queued on the slot's stream without waiting: the pinned host input to the
// device (converted there to the model's dtype and layout), the forward (a graph replay for the
// graph variants), output 0 to pinned host memory as float32.
ib_status start_cuda_request(ib_backend* b, Slot& slot) {
  c10::cuda::CUDAStreamGuard guard(*slot.stream);
  c10::InferenceMode inference;
  if (slot.device_staging.defined()) {
    slot.device_staging.copy_(slot.host_input, /*non_blocking=*/true);
    slot.input.copy_(slot.device_staging);
  } else {
    slot.input.copy_(slot.host_input, /*non_blocking=*/true);
  }
  if (slot.graph) {
    slot.graph->replay();
  } else {
    slot.result = forward(b, slot, slot.stream);
  }
  if (!slot.host_output.defined()) {
    slot.host_output = torch::empty(slot.result.sizes(), torch::TensorOptions().dtype(at::kFloat).pinned_memory(true));
    if (slot.result.scalar_type() != at::kFloat) {
      slot.device_output = torch::empty(slot.result.sizes(), torch::TensorOptions().dtype(at::kFloat).device(b->device));
    }
  }
  if (slot.device_output.defined()) {
    slot.device_output.copy_(slot.result);
    slot.host_output.copy_(slot.device_output, /*non_blocking=*/true);
  } else {
    slot.host_output.copy_(slot.result, /*non_blocking=*/true);
  }
  return IB_OK;
}

// CPU: the slot's thread runs the forward. CUDA: the request is queued on the slot's stream.
ib_status start_request(ib_backend* b, int slot) {
  if (!valid_slot(b, slot)) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  if (b->threads) return b->threads->start(slot);
  return guarded([&] { return start_cuda_request(b, b->slots[static_cast<size_t>(slot)]); });
}

ib_status wait_request(ib_backend* b, int slot) {
  if (!valid_slot(b, slot)) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  if (b->threads) return b->threads->wait(slot);
  return guarded([&]() -> ib_status {
    b->slots[static_cast<size_t>(slot)].stream->synchronize();
    return IB_OK;
  });
}

// Writes the samples into rows 0..n-1 of the slot's input (CPU) or of its pinned host input,
// which its next request copies in (CUDA); rows after the n-th keep earlier samples.
ib_status set_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  const at::Tensor& shape = b->slots.front().input;
  if (auto checked = inferbench::plugin::check_request_samples(slot, static_cast<int>(b->slots.size()), n, sample_values,
                                                                static_cast<size_t>(shape.size(0)),
                                                                static_cast<size_t>(shape.numel()));
      checked != IB_OK) {
    return checked;
  }
  Slot& s = b->slots[static_cast<size_t>(slot)];
  return guarded([&]() -> ib_status {
    c10::InferenceMode inference;
    at::Tensor& dst = s.host_input.defined() ? s.host_input : s.input;
    write_rows(dst, n, sample_values, [&](size_t i) { return samples[i]; });
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

ib_status profile_begin(ib_backend* b) {
  return guarded([&]() -> ib_status {
    if (!b->profile) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "this instance was not prepared for profiling (ib_prepare_args.profile = 0)");
    }
    if (!b->no_profile_reason.empty()) return fail(IB_ERROR_UNAVAILABLE, b->no_profile_reason);
    // Begin discards what an earlier window recorded.
    if (b->profiling) {
      b->profiling = false;
      inferbench::torch_profile::stop();
    }
    // The profiler's callbacks belong to this thread, the one that calls run() (the request
    // slots' threads never run in a profiling pass: scenario "sync").
    inferbench::torch_profile::start(b->device.is_cuda());
    b->profiling = true;
    return IB_OK;
  });
}

ib_status profile_end(ib_backend* b, size_t runs, const char* native_dir, const ib_profile_op** ops, size_t* count,
                      const ib_key_value** facts, size_t* num_facts) {
  return guarded([&]() -> ib_status {
    if (!b->profiling) return fail(IB_ERROR_INVALID_ARGUMENT, "profile_end without a successful profile_begin");
    if (runs == 0) return fail(IB_ERROR_INVALID_ARGUMENT, "profile_end needs the number of profiled runs, got 0");
    b->profiling = false;
    const auto result = inferbench::torch_profile::stop();
    const bool packaged = b->package != nullptr;
    std::vector<inferbench::plugin::ProfileOp> records;
    size_t missing_device_runs = 0;
    if (auto status = inferbench::torch_profile::read_ops(*result, runs, packaged ? nullptr : &b->marked, records,
                                                          missing_device_runs);
        status != IB_OK) {
      if (status == IB_ERROR_UNAVAILABLE && packaged) {
        return fail(IB_ERROR_UNAVAILABLE, std::string("this AOTInductor package was exported without kernel profile "
                                                      "markers (no operator events came back); ") +
                                              kReexportWithMarkers);
      }
      return status;
    }
    // A package's convolution markers carry no inputs: the k-th of a run gets the k-th weight
    // shape and layer the exporter recorded, when there are as many of each (Inductor calls them
    // in graph order), so that the category table can tell depthwise and 1x1 convolutions apart.
    if (packaged && !b->convolution_weights.empty()) {
      std::vector<inferbench::plugin::ProfileOp*> convolutions;
      for (auto& op : records) {
        if (op.op_type.find("convolution") != std::string::npos) convolutions.push_back(&op);
      }
      if (convolutions.size() == b->convolution_weights.size()) {
        const bool named = b->convolution_layers.size() == convolutions.size();
        for (size_t k = 0; k < convolutions.size(); ++k) {
          convolutions[k]->shape = b->convolution_weights[k];
          if (named && !b->convolution_layers[k].empty()) convolutions[k]->name = b->convolution_layers[k];
        }
      }
    }
    auto& f = b->profile_ops.facts;
    const bool cuda = b->device.is_cuda();
    f.set("source", std::string("PyTorch profiler (Kineto") + (cuda ? " with CUPTI" : "") + "), " +
                        (packaged ? "AOTInductor's kernel profile markers" : "a marker around each TorchScript graph node"));
    f.set("timeline", "measured");
    std::string coverage;
    if (cuda) {
      coverage =
          "an operator's time is the GPU time of the kernels and copies it launched (kernels linked to their operator "
          "by correlation id); GPU idle gaps and the host's launch time are not in it, and an operator that launched "
          "nothing has its host time";
      if (missing_device_runs > 0) {
        coverage += "; " + std::to_string(missing_device_runs) + " of the " + std::to_string(runs * records.size()) +
                    " operator runs came back without their device records (CUPTI drops them when its buffers fill: "
                    "fewer --profile-runs) and are left out of their operator's mean";
      }
    } else if (packaged) {
      coverage = "each kernel and ATen call of the package, timed by Inductor's profile markers with its OpenMP "
                 "threads inside; the wrapper's allocations and tensor handling between them are left out";
    } else {
      coverage = "each TorchScript graph node, timed by its marker with its nested ATen calls and OpenMP threads "
                 "inside (counted once); the interpreter's work between nodes and the markers' own cost (two "
                 "dispatcher calls per node) are left out";
    }
    if (native_dir != nullptr) {
      // Kineto's own trace is extra: when it cannot be written, the operators still are.
      const std::string path = std::string(native_dir) + "/kineto-torch-" + b->variant + ".json";
      try {
        result->save(path);
        f.set("native_trace", path);
      } catch (const std::exception& e) {
        coverage += "; Kineto's own trace could not be written to " + path + ": " + e.what();
      }
    }
    f.set("coverage", coverage);
    return b->profile_ops.publish(std::move(records), ops, count, facts, num_facts);
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
                                                            .request_slots = request_slots,
                                                            .start_request = start_request,
                                                            .wait_request = wait_request,
                                                            .record_device_times = record_device_times,
                                                            .device_times = device_times,
                                                            .peak_device_memory = peak_device_memory,
                                                            .set_request_samples = set_request_samples,
                                                            .profile_begin = profile_begin,
                                                            .profile_end = profile_end});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
