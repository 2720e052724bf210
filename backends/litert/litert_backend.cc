// SPDX-License-Identifier: Apache-2.0
// LiteRT plugin: a .tflite model run through LiteRT's compiled-model C API on the CPU
// accelerator (XNNPACK), from the libLiteRt.so of the ai-edge-litert wheel, loaded at run time
// (litert_library.cc). README.md says what the compile timer covers and how --threads reaches
// the CPU accelerator.
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/litert/litert_library.h"

namespace {

namespace lc = inferbench::litert_c;
using inferbench::plugin::fail;
using inferbench::plugin::guarded;
using inferbench::plugin::shape_text;

// CPUs in this process's affinity mask (what `taskset` or a container leaves it), at least 1.
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

const ib_backend_info& info() {
  // The version is the loaded wheel's; loading the library touches no device.
  static const std::string version = [] {
    std::string why;
    const lc::Library* lib = lc::library(&why);
    return lib ? lib->version : std::string("(library not loaded)");
  }();
  static const ib_backend_info kInfo = {
      "litert", "TFLite (LiteRT)", version.c_str(), "cpu", "fp32,int8", "tflite", ".tflite", "sync",
      nullptr, 0,  // no options
      nullptr, 0,  // one way of running: no variants
  };
  return kInfo;
}

const char* element_name(lc::ElementType type) {
  switch (type) {
    case lc::ElementType::kFloat32: return "float32";
    case lc::ElementType::kInt32: return "int32";
    case lc::ElementType::kUInt8: return "uint8";
    case lc::ElementType::kInt64: return "int64";
    case lc::ElementType::kInt8: return "int8";
    case lc::ElementType::kFloat16: return "float16";
  }
  return "other";
}

size_t element_size(lc::ElementType type) {
  switch (type) {
    case lc::ElementType::kFloat32: return 4;
    case lc::ElementType::kInt8:
    case lc::ElementType::kUInt8: return 1;
    default: return 0;  // not a type the plugin feeds or reads
  }
}

// 64-byte-aligned host memory the library reads and writes through a tensor buffer.
struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
using HostMemory = std::unique_ptr<void, AlignedFree>;

HostMemory allocate(size_t bytes) {
  const size_t rounded = (bytes + lc::kHostMemoryAlignment - 1) / lc::kHostMemoryAlignment * lc::kHostMemoryAlignment;
  void* p = std::aligned_alloc(lc::kHostMemoryAlignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, rounded);
  return HostMemory(p);
}

// One model tensor the plugin feeds or reads: its type, dimensions and, for an integer tensor,
// the affine quantisation that maps it to real values.
struct TensorInfo {
  lc::RankedTensorType type{};
  std::vector<int64_t> dims;
  float scale = 0.0f;
  int64_t zero_point = 0;
  size_t elements() const {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    return n;
  }
  size_t bytes() const { return elements() * element_size(type.element_type); }
  bool quantized() const { return type.element_type != lc::ElementType::kFloat32; }
};

}  // namespace

struct ib_backend {
  const lc::Library* lib = nullptr;
  lc::Environment env = nullptr;
  lc::Model model = nullptr;
  lc::Options options = nullptr;
  lc::CompiledModel compiled = nullptr;
  std::vector<HostMemory> memory;  // [0] the input, then one per output
  std::vector<lc::TensorBuffer> input_buffers;
  std::vector<lc::TensorBuffer> output_buffers;
  TensorInfo input;
  TensorInfo output0;
  bool nhwc = false;  // the model takes NHWC: set_input transposes the NCHW batch
  std::vector<float> host_output;
  inferbench::plugin::KeyValues effective;

  ~ib_backend() {
    for (auto* buffer : input_buffers) lib->destroy_tensor_buffer(buffer);
    for (auto* buffer : output_buffers) lib->destroy_tensor_buffer(buffer);
    if (compiled) lib->destroy_compiled_model(compiled);
    if (options) lib->destroy_options(options);
    if (model) lib->destroy_model(model);
    if (env) lib->destroy_environment(env);
  }
};

namespace {

const ib_backend_info* describe() { return &info(); }

int is_available(const char* device, const char** reason) {
  static std::string why;
  if (std::string(device) != "cpu") {
    *reason = "the LiteRT plugin runs on the cpu only (CPU accelerator, XNNPACK)";
    return 0;
  }
  if (lc::library(&why) == nullptr) {
    *reason = why.c_str();
    return 0;
  }
  return 1;
}

// Reads a tensor's type and quantisation. The library writes a RankedTensorType by value: the
// call is made into a larger, poisoned buffer so that a layout other than the declared one (a
// library writing past 72 bytes) is caught instead of corrupting memory.
ib_status read_tensor(const lc::Library& lib, lc::Tensor tensor, const char* what, TensorInfo* out) {
  struct Guarded {
    lc::RankedTensorType type;
    unsigned char canary[64];
  } guarded_type;
  std::memset(&guarded_type, 0xA5, sizeof guarded_type);
  if (const lc::Status s = lib.get_ranked_tensor_type(tensor, &guarded_type.type); s != lc::kStatusOk) {
    return fail(IB_ERROR_INPUT, std::string("the .tflite's ") + what + " has no ranked type: " + lc::status_text(s));
  }
  if (std::any_of(std::begin(guarded_type.canary), std::end(guarded_type.canary),
                  [](unsigned char c) { return c != 0xA5; })) {
    return fail(IB_ERROR_BACKEND, "LiteRT " + lib.version +
                                      " wrote a tensor type larger than the 72-byte LiteRtRankedTensorType declared in "
                                      "backends/litert/litert_c_api.h: the declarations do not match this library");
  }
  out->type = guarded_type.type;
  const unsigned rank = out->type.layout.rank;
  if (rank > lc::kMaxRank) return fail(IB_ERROR_BACKEND, "LiteRT reported rank " + std::to_string(rank));
  out->dims.assign(out->type.layout.dimensions, out->type.layout.dimensions + rank);
  for (int64_t d : out->dims) {
    if (d <= 0) {
      return fail(IB_ERROR_INPUT, std::string("the .tflite's ") + what + " " + shape_text(out->dims) +
                                      " has a dynamic dimension; export it with a fixed shape");
    }
  }
  const lc::ElementType type = out->type.element_type;
  if (element_size(type) == 0) {
    return fail(IB_ERROR_INPUT, std::string("the .tflite's ") + what + " is " + element_name(type) +
                                    "; inferbench feeds and reads float32, int8 or uint8 tensors");
  }
  if (type != lc::ElementType::kFloat32) {
    int q_type = 0;
    lc::QuantizationPerTensor q{};
    if (lib.get_quantization_type_id(tensor, &q_type) != lc::kStatusOk || q_type != lc::kQuantizationPerTensor ||
        lib.get_per_tensor_quantization(tensor, &q) != lc::kStatusOk || !(q.scale > 0.0f)) {
      return fail(IB_ERROR_INPUT, std::string("the .tflite's ") + what + " is " + element_name(type) +
                                      " without per-tensor quantisation; inferbench cannot map it to real values");
    }
    out->scale = q.scale;
    out->zero_point = q.zero_point;
  }
  return IB_OK;
}

// A buffer in our aligned host memory, as large as the model's own buffer requirement.
ib_status make_buffer(ib_backend& b, const TensorInfo& tensor, size_t required, lc::TensorBuffer* buffer) {
  const size_t size = std::max(tensor.bytes(), required);
  b.memory.push_back(allocate(size));
  if (const lc::Status s = b.lib->create_tensor_buffer_from_host_memory(&tensor.type, b.memory.back().get(), size,
                                                                       nullptr, buffer);
      s != lc::kStatusOk) {
    return fail(IB_ERROR_BACKEND, "LiteRtCreateTensorBufferFromHostMemory failed: " + lc::status_text(s));
  }
  return IB_OK;
}

size_t required_size(const lc::Library& lib, lc::TensorBufferRequirements requirements) {
  size_t size = 0;
  if (requirements && lib.get_requirements_buffer_size(requirements, &size) == lc::kStatusOk) return size;
  return 0;
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded([&]() -> ib_status {
    const std::string path = args->artefact_path;
    if (std::string(args->device) != "cpu") {
      return fail(IB_ERROR_UNAVAILABLE, std::string("the LiteRT plugin runs on the cpu, not ") + args->device);
    }
    const std::string precision = args->precision;
    if (precision != "fp32" && precision != "int8") {
      return fail(IB_ERROR_UNAVAILABLE, "the LiteRT plugin runs fp32 or int8 models, not " + precision);
    }
    std::string why;
    const lc::Library* lib = lc::library(&why);
    if (lib == nullptr) return fail(IB_ERROR_UNAVAILABLE, why);

    auto b = std::make_unique<ib_backend>();
    b->lib = lib;
    if (const lc::Status s = lib->create_environment(0, nullptr, &b->env); s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtCreateEnvironment failed: " + lc::status_text(s));
    }
    if (const lc::Status s = lib->create_model_from_file(b->env, path.c_str(), &b->model); s != lc::kStatusOk) {
      return fail(IB_ERROR_INPUT, "cannot load .tflite model " + path + ": " + lc::status_text(s) +
                                      " (a truncated or non-.tflite file; re-export it)");
    }
    lc::ParamIndex signatures = 0;
    lc::Signature signature = nullptr;
    if (lib->get_num_model_signatures(b->model, &signatures) != lc::kStatusOk || signatures == 0 ||
        lib->get_model_signature(b->model, 0, &signature) != lc::kStatusOk) {
      return fail(IB_ERROR_INPUT, "the .tflite model " + path + " has no signature LiteRT can run");
    }
    // A damaged file can still open (the library maps it and reads lazily): every query below
    // is checked, and a model whose signature makes no sense is reported as malformed.
    const std::string malformed = "cannot load .tflite model " + path + ": it is malformed";
    const std::string reexport = " (a truncated or non-.tflite file; re-export it)";
    lc::ParamIndex num_inputs = 0, num_outputs = 0;
    if (const lc::Status s = lib->get_num_signature_inputs(signature, &num_inputs); s != lc::kStatusOk) {
      return fail(IB_ERROR_INPUT, malformed + ": cannot read its inputs: " + lc::status_text(s) + reexport);
    }
    if (const lc::Status s = lib->get_num_signature_outputs(signature, &num_outputs); s != lc::kStatusOk) {
      return fail(IB_ERROR_INPUT, malformed + ": cannot read its outputs: " + lc::status_text(s) + reexport);
    }
    if (num_inputs != 1 || num_outputs < 1) {
      return fail(IB_ERROR_INPUT, "the .tflite model " + path + " has " + std::to_string(num_inputs) + " inputs and " +
                                      std::to_string(num_outputs) + " outputs; inferbench feeds one input and reads output 0");
    }
    lc::Tensor input_tensor = nullptr;
    if (const lc::Status s = lib->get_signature_input_tensor(signature, 0, &input_tensor); s != lc::kStatusOk) {
      return fail(IB_ERROR_INPUT, malformed + ": cannot read input 0: " + lc::status_text(s) + reexport);
    }
    if (auto s = read_tensor(*lib, input_tensor, "input", &b->input); s != IB_OK) return s;
    std::vector<TensorInfo> outputs(num_outputs);
    for (lc::ParamIndex i = 0; i < num_outputs; ++i) {
      lc::Tensor tensor = nullptr;
      if (const lc::Status s = lib->get_signature_output_tensor(signature, i, &tensor); s != lc::kStatusOk) {
        return fail(IB_ERROR_INPUT, malformed + ": cannot read output " + std::to_string(i) + ": " +
                                        lc::status_text(s) + reexport);
      }
      if (auto s = read_tensor(*lib, tensor, "output", &outputs[i]); s != IB_OK) return s;
    }
    if (b->input.dims.empty() || outputs[0].dims.empty()) {
      return fail(IB_ERROR_INPUT, malformed + ": its input or output has no dimensions" + reexport);
    }
    b->output0 = outputs[0];

    // The batch comes NCHW; a .tflite converted from PyTorch keeps NCHW, one from TensorFlow
    // takes NHWC. A .tflite has a fixed shape, so the requested one must be either.
    const std::vector<int64_t> shape(args->input_shape, args->input_shape + args->input_rank);
    if (b->input.dims != shape) {
      const bool nhwc = shape.size() == 4 && b->input.dims.size() == 4 && b->input.dims[0] == shape[0] &&
                        b->input.dims[1] == shape[2] && b->input.dims[2] == shape[3] && b->input.dims[3] == shape[1];
      if (!nhwc) {
        return fail(IB_ERROR_INVALID_ARGUMENT,
                    "the .tflite input is " + shape_text(b->input.dims) + " and does not accept " + shape_text(shape) +
                        " (NCHW) or its NHWC form; a .tflite has a fixed shape: give --batch and --input-shape to "
                        "match it, or re-export");
      }
      b->nhwc = true;
    }

    // Compile: options with the CPU accelerator, the compiled model (XNNPACK applied to the
    // graph), then the tensor buffers.
    if (const lc::Status s = lib->create_options(&b->options); s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtCreateOptions failed: " + lc::status_text(s));
    }
    if (const lc::Status s = lib->set_options_hardware_accelerators(b->options, lc::kHwAcceleratorCpu);
        s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtSetOptionsHardwareAccelerators(CPU) failed: " + lc::status_text(s));
    }
    // The thread count goes to the CPU accelerator as its TOML options; without them XNNPACK
    // would run one thread and no pool. --threads 0 gives it one per usable CPU, as the other
    // CPU backends run by default, so that a default run compares like with like.
    const int threads = args->threads > 0 ? args->threads : usable_cpus();
    const std::string toml = "num_threads = " + std::to_string(threads) + "\n";
    char* payload = ::strdup(toml.c_str());  // POSIX, from <cstring> on glibc; freed by LiteRT
    lc::OpaqueOptions cpu = nullptr;
    if (const lc::Status s = lib->create_opaque_options(lc::kCpuOptionsIdentifier, payload, std::free, &cpu);
        s != lc::kStatusOk) {
      std::free(payload);
      return fail(IB_ERROR_BACKEND, "LiteRtCreateOpaqueOptions(xnnpack) failed: " + lc::status_text(s));
    }
    if (const lc::Status s = lib->add_opaque_options(b->options, cpu); s != lc::kStatusOk) {
      lib->destroy_opaque_options(cpu);  // not taken over by the options: it frees the payload too
      return fail(IB_ERROR_BACKEND, "LiteRtAddOpaqueOptions(xnnpack) failed: " + lc::status_text(s));
    }
    if (const lc::Status s = lib->create_compiled_model(b->env, b->model, b->options, &b->compiled);
        s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtCreateCompiledModel(CPU) failed for " + path + ": " + lc::status_text(s));
    }
    lc::TensorBufferRequirements requirements = nullptr;
    lib->get_input_buffer_requirements(b->compiled, 0, 0, &requirements);
    b->input_buffers.push_back(nullptr);
    if (auto s = make_buffer(*b, b->input, required_size(*lib, requirements), &b->input_buffers[0]); s != IB_OK) {
      return s;
    }
    for (lc::ParamIndex i = 0; i < num_outputs; ++i) {
      requirements = nullptr;
      lib->get_output_buffer_requirements(b->compiled, 0, i, &requirements);
      b->output_buffers.push_back(nullptr);
      if (auto s = make_buffer(*b, outputs[i], required_size(*lib, requirements), &b->output_buffers.back());
          s != IB_OK) {
        return s;
      }
    }

    bool fully_accelerated = false;
    const bool known = lib->is_fully_accelerated(b->compiled, &fully_accelerated) == lc::kStatusOk;
    auto& e = b->effective;
    // A graph XNNPACK does not fully take runs in pieces, the rest on TFLite's built-in kernels.
    e.set("isa", known && !fully_accelerated ? "XNNPACK + TFLite kernels" : "XNNPACK");
    if (known && !fully_accelerated) e.set("kernels_outside_delegate", "TFLite built-in kernels");
    e.set("delegate", "XNNPACK (LiteRT CPU accelerator)");
    e.set("fully_accelerated", known ? (fully_accelerated ? "yes" : "no") : "unknown");
    e.set("threads", std::to_string(threads));
    e.set("cpu_options", "xnnpack: num_threads = " + std::to_string(threads) +
                             (args->threads > 0 ? "" : " (--threads 0: one per usable CPU)"));
    e.set("model_input", std::string(element_name(b->input.type.element_type)) + " " + shape_text(b->input.dims) +
                             (b->nhwc ? " NHWC (the batch is transposed from NCHW at set_input)" : " NCHW"));
    if (b->input.quantized()) {
      e.set("input_quantization", "scale " + std::to_string(b->input.scale) + ", zero point " +
                                      std::to_string(b->input.zero_point) + " (quantised at set_input)");
    }
    e.set("model_output", std::string(element_name(b->output0.type.element_type)) + " " + shape_text(b->output0.dims));
    e.set("litert", lib->version + " (" + lib->path + ")");
    e.set("graph", "LiteRtCreateModelFromFile + LiteRtCreateCompiledModel(CPU) + host-memory tensor buffers");
    *out = b.release();
    return IB_OK;
  });
}

template <typename Q>
Q quantize(float value, float scale, int64_t zero_point) {
  const float q = std::nearbyint(value / scale) + static_cast<float>(zero_point);
  const float lo = static_cast<float>(std::numeric_limits<Q>::min());
  const float hi = static_cast<float>(std::numeric_limits<Q>::max());
  return static_cast<Q>(std::clamp(q, lo, hi));
}

// Writes the NCHW batch into the model's input memory in its layout, converting each value.
template <typename T, typename Convert>
void fill(const ib_backend& b, const float* nchw, T* dst, Convert convert) {
  const auto& d = b.input.dims;
  if (!b.nhwc) {
    const size_t count = b.input.elements();
    for (size_t k = 0; k < count; ++k) dst[k] = convert(nchw[k]);
    return;
  }
  const size_t n = d[0], h = d[1], w = d[2], c = d[3];
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t y = 0; y < h; ++y)
      for (size_t x = 0; x < w; ++x)
        for (size_t ch = 0; ch < c; ++ch) dst[k++] = convert(nchw[((i * c + ch) * h + y) * w + x]);
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    const TensorInfo& in = b->input;
    if (count != in.elements()) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "input has " + std::to_string(count) + " values, the model input " + std::to_string(in.elements()));
    }
    void* memory = b->memory[0].get();
    switch (in.type.element_type) {
      case lc::ElementType::kFloat32:
        fill(*b, data, static_cast<float*>(memory), [](float v) { return v; });
        break;
      case lc::ElementType::kInt8:
        fill(*b, data, static_cast<int8_t*>(memory),
             [&](float v) { return quantize<int8_t>(v, in.scale, in.zero_point); });
        break;
      case lc::ElementType::kUInt8:
        fill(*b, data, static_cast<uint8_t*>(memory),
             [&](float v) { return quantize<uint8_t>(v, in.scale, in.zero_point); });
        break;
      default:
        return fail(IB_ERROR_BACKEND, "unsupported input type");
    }
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  const lc::Status s = b->lib->run_compiled_model(b->compiled, 0, b->input_buffers.size(), b->input_buffers.data(),
                                                  b->output_buffers.size(), b->output_buffers.data());
  if (s != lc::kStatusOk) return fail(IB_ERROR_BACKEND, "LiteRtRunCompiledModel failed: " + lc::status_text(s));
  return IB_OK;
}

ib_status sync(ib_backend*) { return IB_OK; }  // the CPU accelerator runs synchronously

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape, size_t* rank) {
  return guarded([&]() -> ib_status {
    const TensorInfo& out0 = b->output0;
    const size_t n = out0.elements();
    const void* memory = b->memory[1].get();
    b->host_output.resize(n);
    switch (out0.type.element_type) {
      case lc::ElementType::kFloat32:
        std::memcpy(b->host_output.data(), memory, n * sizeof(float));
        break;
      case lc::ElementType::kInt8: {
        const auto* q = static_cast<const int8_t*>(memory);
        for (size_t i = 0; i < n; ++i) b->host_output[i] = out0.scale * static_cast<float>(q[i] - out0.zero_point);
        break;
      }
      case lc::ElementType::kUInt8: {
        const auto* q = static_cast<const uint8_t*>(memory);
        for (size_t i = 0; i < n; ++i) b->host_output[i] = out0.scale * static_cast<float>(q[i] - out0.zero_point);
        break;
      }
      default:
        return fail(IB_ERROR_BACKEND, "unsupported output type");
    }
    *data = b->host_output.data();
    *count = n;
    *shape = out0.dims.data();
    *rank = out0.dims.size();
    return IB_OK;
  });
}

const ib_backend_api kApi =
    inferbench::plugin::api_table({describe, is_available, prepare, set_input, run, sync, output});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
