// SPDX-License-Identifier: Apache-2.0
// TensorRT plugin (TensorRT 10 C++ API): the model's ONNX file (exported by tools/export, FP32
// with a dynamic batch) is parsed and built into an engine for the row's batch, with FP16
// kernels allowed for an FP16 row, then deserialised and run with enqueueV3 on a stream of its
// own. Built only where the TensorRT SDK is found (CMakeLists.txt); README.md says what the
// compile timer covers.
#include <NvInfer.h>
#include <NvOnnxParser.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/api/cuda_availability.h"

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;
using inferbench::plugin::shape_text;

const ib_backend_info kInfo = {
    "tensorrt",
    "TensorRT",
#ifdef IB_TENSORRT_VERSION
    IB_TENSORRT_VERSION,
#else
    "unknown",
#endif
    "cuda",
    "fp32,fp16",
    "onnx",
    ".onnx",
    "sync",
    nullptr,
    0,
    nullptr,
    0,
};

// TensorRT reports through a logger: errors are kept for the failure message, warnings and
// errors go to stderr (the worker's log), the rest is dropped. Only the builder and the runtime
// log, never enqueueV3 on the timed path.
class Logger final : public nvinfer1::ILogger {
 public:
  void log(Severity severity, const char* message) noexcept override {
    if (severity > Severity::kWARNING) return;
    std::fprintf(stderr, "[TensorRT] %s\n", message);
    if (severity <= Severity::kERROR) last_error = message;
  }
  std::string last_error;
};

std::string cuda_text(cudaError_t status) { return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status); }

std::vector<int64_t> dims_vector(const nvinfer1::Dims& dims) {
  return std::vector<int64_t>(dims.d, dims.d + dims.nbDims);
}

size_t element_count(const nvinfer1::Dims& dims) {
  size_t count = 1;
  for (int i = 0; i < dims.nbDims; ++i) count *= static_cast<size_t>(std::max<int64_t>(dims.d[i], 0));
  return count;
}

}  // namespace

struct ib_backend {
  Logger logger;
  // Destroyed in reverse order: the context before its engine, the engine before its runtime.
  std::unique_ptr<nvinfer1::IRuntime> runtime;
  std::unique_ptr<nvinfer1::ICudaEngine> engine;
  std::unique_ptr<nvinfer1::IExecutionContext> context;
  cudaStream_t stream = nullptr;
  void* input = nullptr;
  void* output = nullptr;
  size_t input_count = 0;
  size_t output_count = 0;
  std::vector<int64_t> output_shape;
  std::vector<float> host_output;
  size_t free_at_start = 0;  // device memory free when prepare() began (cudaMemGetInfo)
  size_t least_free = 0;     // the least seen since

  std::vector<cudaEvent_t> starts;  // a ring of event pairs around run(), for device time
  std::vector<cudaEvent_t> stops;
  size_t runs = 0;
  std::vector<double> device_ms;

  inferbench::plugin::KeyValues effective;

  ~ib_backend() {
    for (cudaEvent_t event : starts) cudaEventDestroy(event);
    for (cudaEvent_t event : stops) cudaEventDestroy(event);
    context.reset();
    engine.reset();
    runtime.reset();
    if (input) cudaFree(input);
    if (output) cudaFree(output);
    if (stream) cudaStreamDestroy(stream);
  }

  void note_memory() {
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) == cudaSuccess) least_free = std::min(least_free, free);
  }
};

namespace {

const ib_backend_info* describe() { return &kInfo; }

int is_available(const char* device, const char** reason) {
  if (std::string(device) != "cuda") {
    *reason = "TensorRT runs on cuda only";
    return 0;
  }
  if (auto missing = inferbench::plugin::no_cuda_reason()) {
    thread_local std::string why;  // must outlive this call (ABI)
    why = *missing;
    *reason = why.c_str();
    return 0;
  }
  return 1;
}

// Parses the ONNX file and builds a serialised engine for the row's batch (the dynamic batch of
// the exported file pinned by an optimisation profile with min = opt = max).
ib_status build_engine(ib_backend* b, const ib_prepare_args* args, bool fp16,
                       std::unique_ptr<nvinfer1::IHostMemory>& plan) {
  std::unique_ptr<nvinfer1::IBuilder> builder(nvinfer1::createInferBuilder(b->logger));
  if (!builder) return fail(IB_ERROR_BACKEND, "createInferBuilder failed: " + b->logger.last_error);
  std::unique_ptr<nvinfer1::INetworkDefinition> network(builder->createNetworkV2(0));
  std::unique_ptr<nvonnxparser::IParser> parser(nvonnxparser::createParser(*network, b->logger));
  if (!parser->parseFromFile(args->artefact_path, static_cast<int>(nvinfer1::ILogger::Severity::kWARNING))) {
    std::string why = parser->getNbErrors() > 0 ? parser->getError(0)->desc() : b->logger.last_error;
    return fail(IB_ERROR_INPUT, std::string("TensorRT cannot parse ONNX file ") + args->artefact_path + ": " + why);
  }
  if (network->getNbInputs() != 1) {
    return fail(IB_ERROR_INPUT, "the plugin runs models with one input; this one has " +
                                    std::to_string(network->getNbInputs()));
  }
  nvinfer1::ITensor* input = network->getInput(0);
  nvinfer1::Dims shape = input->getDimensions();
  if (shape.nbDims != static_cast<int>(args->input_rank)) {
    return fail(IB_ERROR_INPUT, "the ONNX input has rank " + std::to_string(shape.nbDims) + ", the run's input " +
                                    std::to_string(args->input_rank));
  }
  for (int i = 0; i < shape.nbDims; ++i) shape.d[i] = args->input_shape[i];

  std::unique_ptr<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
  nvinfer1::IOptimizationProfile* profile = builder->createOptimizationProfile();
  for (auto selector : {nvinfer1::OptProfileSelector::kMIN, nvinfer1::OptProfileSelector::kOPT,
                        nvinfer1::OptProfileSelector::kMAX}) {
    profile->setDimensions(input->getName(), selector, shape);
  }
  config->addOptimizationProfile(profile);
  if (fp16) config->setFlag(nvinfer1::BuilderFlag::kFP16);
  plan.reset(builder->buildSerializedNetwork(*network, *config));
  if (!plan || plan->size() == 0) {
    return fail(IB_ERROR_BACKEND, "TensorRT could not build an engine: " + b->logger.last_error);
  }
  b->effective.set("engine_bytes", std::to_string(plan->size()));
  return IB_OK;
}

// Binds the engine's two tensors to device buffers and the input's shape to the row's.
ib_status bind_tensors(ib_backend* b, const ib_prepare_args* args) {
  const int tensors = b->engine->getNbIOTensors();
  if (tensors != 2) return fail(IB_ERROR_INPUT, "the plugin runs engines with one input and one output, not " +
                                                     std::to_string(tensors) + " tensors");
  for (int i = 0; i < tensors; ++i) {
    const char* name = b->engine->getIOTensorName(i);
    if (b->engine->getTensorDataType(name) != nvinfer1::DataType::kFLOAT) {
      return fail(IB_ERROR_INPUT, std::string("tensor ") + name + " is not float32 (the exported ONNX file's are)");
    }
    if (b->engine->getTensorIOMode(name) == nvinfer1::TensorIOMode::kINPUT) {
      nvinfer1::Dims shape{};
      shape.nbDims = static_cast<int>(args->input_rank);
      for (size_t d = 0; d < args->input_rank; ++d) shape.d[d] = args->input_shape[d];
      if (!b->context->setInputShape(name, shape)) {
        return fail(IB_ERROR_INVALID_ARGUMENT, "the engine refuses input shape " +
                                                   shape_text(dims_vector(shape)) + ": " + b->logger.last_error);
      }
      b->input_count = element_count(shape);
      if (auto s = cudaMalloc(&b->input, b->input_count * sizeof(float)); s != cudaSuccess) {
        return fail(IB_ERROR_BACKEND, "cudaMalloc of the input failed: " + cuda_text(s));
      }
      b->context->setTensorAddress(name, b->input);
    }
  }
  for (int i = 0; i < tensors; ++i) {
    const char* name = b->engine->getIOTensorName(i);
    if (b->engine->getTensorIOMode(name) != nvinfer1::TensorIOMode::kOUTPUT) continue;
    const nvinfer1::Dims shape = b->context->getTensorShape(name);  // resolved from the input's
    b->output_shape = dims_vector(shape);
    b->output_count = element_count(shape);
    if (auto s = cudaMalloc(&b->output, b->output_count * sizeof(float)); s != cudaSuccess) {
      return fail(IB_ERROR_BACKEND, "cudaMalloc of the output failed: " + cuda_text(s));
    }
    b->context->setTensorAddress(name, b->output);
  }
  if (!b->input || !b->output) return fail(IB_ERROR_INPUT, "the engine has no input or no output tensor");
  return IB_OK;
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded([&]() -> ib_status {
    const std::string device(args->device);
    const std::string precision(args->precision);
    if (device != "cuda") return fail(IB_ERROR_UNAVAILABLE, "TensorRT runs on cuda only");
    if (precision != "fp32" && precision != "fp16") {
      return fail(IB_ERROR_UNAVAILABLE, "the tensorrt plugin runs fp32 and fp16, not " + precision);
    }
    const char* why = nullptr;
    if (!is_available("cuda", &why)) return fail(IB_ERROR_UNAVAILABLE, why);

    auto b = std::make_unique<ib_backend>();
    cudaFree(nullptr);  // creates the CUDA context, so that the memory baseline excludes it
    size_t total = 0;
    cudaMemGetInfo(&b->free_at_start, &total);
    b->least_free = b->free_at_start;

    std::unique_ptr<nvinfer1::IHostMemory> plan;
    if (auto s = build_engine(b.get(), args, precision == "fp16", plan); s != IB_OK) return s;
    b->note_memory();
    b->runtime.reset(nvinfer1::createInferRuntime(b->logger));
    b->engine.reset(b->runtime->deserializeCudaEngine(plan->data(), plan->size()));
    if (!b->engine) return fail(IB_ERROR_BACKEND, "TensorRT could not deserialise its engine: " + b->logger.last_error);
    b->context.reset(b->engine->createExecutionContext());
    if (!b->context) return fail(IB_ERROR_BACKEND, "TensorRT could not create an execution context: " + b->logger.last_error);
    if (auto s = cudaStreamCreateWithFlags(&b->stream, cudaStreamNonBlocking); s != cudaSuccess) {
      return fail(IB_ERROR_BACKEND, "cudaStreamCreate failed: " + cuda_text(s));
    }
    if (auto s = bind_tensors(b.get(), args); s != IB_OK) return s;
    b->note_memory();

    int index = 0;
    cudaGetDevice(&index);
    cudaDeviceProp properties{};
    cudaGetDeviceProperties(&properties, index);
    auto& e = b->effective;
    e.set("target_hardware", properties.name);
    e.set("compute_capability", std::to_string(properties.major) + "." + std::to_string(properties.minor));
    e.set("engine", std::string("TensorRT ") + kInfo.framework_version + " engine built from ONNX for batch " +
                        std::to_string(args->input_shape[0]) + (precision == "fp16" ? ", FP16 kernels allowed" : ", FP32"));
    e.set("io", "float32 " + shape_text(std::vector<int64_t>(args->input_shape, args->input_shape + args->input_rank)) +
                    " -> float32 " + shape_text(b->output_shape));
    *out = b.release();
    return IB_OK;
  });
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    if (count != b->input_count) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) + " values, the engine's " +
                                                 std::to_string(b->input_count));
    }
    if (auto s = cudaMemcpyAsync(b->input, data, count * sizeof(float), cudaMemcpyHostToDevice, b->stream);
        s != cudaSuccess) {
      return fail(IB_ERROR_BACKEND, "copying the input to the device failed: " + cuda_text(s));
    }
    cudaStreamSynchronize(b->stream);
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  const size_t slot = b->starts.empty() ? 0 : b->runs % b->starts.size();
  if (!b->starts.empty()) cudaEventRecord(b->starts[slot], b->stream);
  if (!b->context->enqueueV3(b->stream)) return fail(IB_ERROR_BACKEND, "enqueueV3 failed: " + b->logger.last_error);
  if (!b->starts.empty()) cudaEventRecord(b->stops[slot], b->stream);
  ++b->runs;
  return IB_OK;
}

ib_status sync(ib_backend* b) {
  if (auto s = cudaStreamSynchronize(b->stream); s != cudaSuccess) {
    return fail(IB_ERROR_BACKEND, "the inference failed on the device: " + cuda_text(s));
  }
  return IB_OK;
}

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape, size_t* rank) {
  return guarded([&]() -> ib_status {
    b->host_output.resize(b->output_count);
    if (auto s = cudaMemcpyAsync(b->host_output.data(), b->output, b->output_count * sizeof(float),
                                 cudaMemcpyDeviceToHost, b->stream);
        s != cudaSuccess) {
      return fail(IB_ERROR_BACKEND, "copying the output to the host failed: " + cuda_text(s));
    }
    cudaStreamSynchronize(b->stream);
    b->note_memory();
    *data = b->host_output.data();
    *count = b->host_output.size();
    *shape = b->output_shape.data();
    *rank = b->output_shape.size();
    return IB_OK;
  });
}

ib_status record_device_times(ib_backend* b, size_t count) {
  return guarded([&]() -> ib_status {
    if (count == 0) return fail(IB_ERROR_INVALID_ARGUMENT, "record_device_times needs a count of at least 1");
    b->starts.assign(count, nullptr);
    b->stops.assign(count, nullptr);
    for (size_t i = 0; i < count; ++i) {
      if (cudaEventCreate(&b->starts[i]) != cudaSuccess || cudaEventCreate(&b->stops[i]) != cudaSuccess) {
        return fail(IB_ERROR_BACKEND, "cudaEventCreate failed");
      }
    }
    b->runs = 0;
    return IB_OK;
  });
}

ib_status device_times(ib_backend* b, const double** ms, size_t* count) {
  return guarded([&]() -> ib_status {
    if (b->starts.empty()) return fail(IB_ERROR_UNAVAILABLE, "device times were not recorded");
    cudaStreamSynchronize(b->stream);
    b->note_memory();
    const size_t ring = b->starts.size();
    const size_t kept = std::min(b->runs, ring);
    b->device_ms.clear();
    for (size_t k = b->runs - kept; k < b->runs; ++k) {
      float elapsed = 0;
      cudaEventElapsedTime(&elapsed, b->starts[k % ring], b->stops[k % ring]);
      b->device_ms.push_back(elapsed);
    }
    *ms = b->device_ms.data();
    *count = b->device_ms.size();
    return IB_OK;
  });
}

// TensorRT allocates with cudaMalloc (no allocator statistics to ask): the device memory taken
// since prepare() began, from the least free memory cudaMemGetInfo reported at the points the
// plugin looked (after the build, after binding, after runs). A lower bound of the true peak:
// the builder's transient workspace between two looks is not seen.
ib_status peak_device_memory(ib_backend* b, double* mib) {
  b->note_memory();
  *mib = static_cast<double>(b->free_at_start - b->least_free) / (1024.0 * 1024.0);
  return IB_OK;
}

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
