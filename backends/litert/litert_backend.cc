// SPDX-License-Identifier: Apache-2.0
// LiteRT plugin: a .tflite model run through LiteRT's compiled-model C API on the CPU
// accelerator (XNNPACK), from the libLiteRt.so of the ai-edge-litert wheel, loaded at run time
// (litert_library.cc). Request slots for serving: one compiled model per slot, each run on a
// thread of its own. Per-operator profiles from the compiled model's profiler (litert_profile.cc).
// README.md says what the compile timer covers and how --threads reaches the CPU accelerator.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/api/request_threads.h"
#include "backends/litert/litert_library.h"
#include "backends/litert/litert_profile.h"
#include "backends/litert/tflite_file_check.h"

namespace {

namespace lc = inferbench::litert_c;

// Request slots when the run names no count (--requests 0); see prepare().
constexpr int kDefaultRequests = 1;
using inferbench::plugin::fail;
using inferbench::plugin::guarded;
using inferbench::plugin::RequestThreads;
using inferbench::plugin::shape_text;

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

// One request slot: a compiled model of its own (its own interpreter and XNNPACK runtime) with
// its own input and output tensor buffers over host memory the plugin owns.
struct Slot {
  const lc::Library* lib = nullptr;
  lc::Options options = nullptr;
  lc::CompiledModel compiled = nullptr;
  std::vector<HostMemory> memory;  // [0] the input, then one per output
  std::vector<lc::TensorBuffer> input_buffers;
  std::vector<lc::TensorBuffer> output_buffers;
  // The standby input (LoadGen's scenarios only): stage_request_samples() writes the next batch
  // here while the compiled model runs on input_buffers[0]; start_request() swaps the two.
  HostMemory standby_memory;
  lc::TensorBuffer standby_buffer = nullptr;
  bool staged = false;

  Slot() = default;
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() {
    for (auto* buffer : input_buffers) {
      if (buffer) lib->destroy_tensor_buffer(buffer);
    }
    for (auto* buffer : output_buffers) {
      if (buffer) lib->destroy_tensor_buffer(buffer);
    }
    if (standby_buffer) lib->destroy_tensor_buffer(standby_buffer);
    if (compiled) lib->destroy_compiled_model(compiled);
    if (options) lib->destroy_options(options);
  }
};

// What an instance prepared with ib_prepare_args.profile = 1 keeps for its profile: slot 0's
// profiler (owned by its compiled model) and the model's graph, read once at prepare.
struct Profiling {
  lc::Profiler profiler = nullptr;
  std::string unavailable;  // why there is no profiler, when there is none
  std::vector<lc::ModelNode> nodes;
  bool collecting = false;  // between profile_begin and profile_end
  inferbench::plugin::ProfileOps result;
};

}  // namespace

struct ib_backend {
  const lc::Library* lib = nullptr;
  lc::Environment env = nullptr;
  lc::Model model = nullptr;  // shared by the slots' compiled models, read only
  // Slot 0 also serves run() and output(), the sync path. A slot owns library handles and is
  // never copied or moved: one allocation each.
  std::vector<std::unique_ptr<Slot>> slots;
  TensorInfo input;
  TensorInfo output0;
  bool nhwc = false;  // the model takes NHWC: set_input transposes the NCHW batch
  std::vector<float> host_output;
  // The slots' threads. Declared after `slots`, so that they are joined before the slots go.
  std::unique_ptr<RequestThreads> threads;
  inferbench::plugin::KeyValues effective;
  std::unique_ptr<Profiling> profiling;  // null unless prepared with profile = 1

  ~ib_backend() {
    threads.reset();
    slots.clear();  // the compiled models before the model and environment they were made from
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

// A buffer in aligned host memory of its own (kept in `memory`), as large as the model's own
// buffer requirement.
ib_status make_buffer(const Slot& slot, const TensorInfo& tensor, size_t required, HostMemory& memory,
                      lc::TensorBuffer* buffer) {
  const size_t size = std::max(tensor.bytes(), required);
  memory = allocate(size);
  if (const lc::Status s = slot.lib->create_tensor_buffer_from_host_memory(&tensor.type, memory.get(), size, nullptr, buffer);
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

// Adds the opaque option `identifier` with TOML text `toml` (LiteRT takes the payload over).
ib_status add_toml_options(const lc::Library& lib, lc::Options options, const char* identifier,
                           const std::string& toml) {
  char* payload = ::strdup(toml.c_str());  // POSIX, from <cstring> on glibc; freed by LiteRT
  lc::OpaqueOptions opaque = nullptr;
  if (const lc::Status s = lib.create_opaque_options(identifier, payload, std::free, &opaque); s != lc::kStatusOk) {
    std::free(payload);
    return fail(IB_ERROR_BACKEND,
                std::string("LiteRtCreateOpaqueOptions(") + identifier + ") failed: " + lc::status_text(s));
  }
  if (const lc::Status s = lib.add_opaque_options(options, opaque); s != lc::kStatusOk) {
    lib.destroy_opaque_options(opaque);  // not taken over by the options: it frees the payload too
    return fail(IB_ERROR_BACKEND,
                std::string("LiteRtAddOpaqueOptions(") + identifier + ") failed: " + lc::status_text(s));
  }
  return IB_OK;
}

// Compiles one slot: its options with the CPU accelerator and `threads` XNNPACK threads (and,
// for a profiling instance, the profiler switched on), its compiled model of the shared model
// (XNNPACK applied to the graph, its own interpreter), then its tensor buffers. Each slot gets
// options of its own, so that nothing a compiled model keeps of them is shared with another slot.
// With `serving` (a LoadGen scenario), the slot also gets a standby input for staging.
ib_status compile_slot(const ib_backend& b, Slot& slot, int threads, bool profile, bool serving,
                       const std::vector<TensorInfo>& outputs, const std::string& path) {
  const lc::Library& lib = *b.lib;
  slot.lib = b.lib;
  if (const lc::Status s = lib.create_options(&slot.options); s != lc::kStatusOk) {
    return fail(IB_ERROR_BACKEND, "LiteRtCreateOptions failed: " + lc::status_text(s));
  }
  if (const lc::Status s = lib.set_options_hardware_accelerators(slot.options, lc::kHwAcceleratorCpu);
      s != lc::kStatusOk) {
    return fail(IB_ERROR_BACKEND, "LiteRtSetOptionsHardwareAccelerators(CPU) failed: " + lc::status_text(s));
  }
  // The thread count goes to the CPU accelerator as its TOML options; without them XNNPACK would
  // run one thread and no pool.
  if (auto s = add_toml_options(lib, slot.options, lc::kCpuOptionsIdentifier,
                                "num_threads = " + std::to_string(threads) + "\n");
      s != IB_OK) {
    return s;
  }
  // The profiler must exist when the interpreter is built: XNNPACK switches its per-operator
  // timers on only for a graph compiled with a profiler attached. A normal instance never gets it.
  if (profile) {
    if (auto s = add_toml_options(lib, slot.options, lc::kRuntimeOptionsIdentifier, "enable_profiling = true\n");
        s != IB_OK) {
      return s;
    }
  }
  if (const lc::Status s = lib.create_compiled_model(b.env, b.model, slot.options, &slot.compiled);
      s != lc::kStatusOk) {
    return fail(IB_ERROR_BACKEND, "LiteRtCreateCompiledModel(CPU) failed for " + path + ": " + lc::status_text(s));
  }
  lc::TensorBufferRequirements requirements = nullptr;
  lib.get_input_buffer_requirements(slot.compiled, 0, 0, &requirements);
  const size_t input_size = required_size(lib, requirements);
  slot.input_buffers.push_back(nullptr);
  slot.memory.emplace_back();
  if (auto s = make_buffer(slot, b.input, input_size, slot.memory.back(), &slot.input_buffers[0]); s != IB_OK) {
    return s;
  }
  if (serving) {
    if (auto s = make_buffer(slot, b.input, input_size, slot.standby_memory, &slot.standby_buffer); s != IB_OK) return s;
  }
  for (lc::ParamIndex i = 0; i < outputs.size(); ++i) {
    requirements = nullptr;
    lib.get_output_buffer_requirements(slot.compiled, 0, i, &requirements);
    slot.output_buffers.push_back(nullptr);
    slot.memory.emplace_back();
    if (auto s = make_buffer(slot, outputs[i], required_size(lib, requirements), slot.memory.back(),
                             &slot.output_buffers.back());
        s != IB_OK) {
      return s;
    }
  }
  return IB_OK;
}

ib_status execute(const lc::Library& lib, Slot& slot) {
  const lc::Status s = lib.run_compiled_model(slot.compiled, 0, slot.input_buffers.size(), slot.input_buffers.data(),
                                              slot.output_buffers.size(), slot.output_buffers.data());
  if (s != lc::kStatusOk) return fail(IB_ERROR_BACKEND, "LiteRtRunCompiledModel failed: " + lc::status_text(s));
  return IB_OK;
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
    // LiteRT trusts the file's offsets and crashes on a truncated one: the plugin checks them first.
    if (const auto problem = lc::tflite_file_problem(path)) {
      return fail(IB_ERROR_INPUT, "cannot load .tflite model " + path + ": it is malformed: " + *problem +
                                      " (a truncated or non-.tflite file; re-export it)");
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

    // Compile, once per request slot. --threads 0 gives XNNPACK one thread per usable CPU, as
    // the other CPU backends run by default, so that a default run compares like with like;
    // several requests in flight share them out (an even share each, at least one). One request
    // by default: two of one thread each served 0.94x the throughput of one with both threads
    // (MobileNetV2 FP32, batch 8, async, this 2-core machine), and one request answers a
    // partial serving batch sooner.
    const int slot_count = inferbench::plugin::request_count(args, kDefaultRequests);
    const int threads = inferbench::plugin::threads_per_request(args->threads, slot_count);
    for (int i = 0; i < slot_count; ++i) {
      b->slots.push_back(std::make_unique<Slot>());
      if (auto s = compile_slot(*b, *b->slots.back(), threads, args->profile == 1,
                                   inferbench::plugin::scenario_stages_batches(args->scenario), outputs, path); s != IB_OK) {
        return s;
      }
    }
    ib_backend* raw = b.get();
    b->threads = std::make_unique<RequestThreads>(slot_count, [raw](int slot) {
      return execute(*raw->lib, *raw->slots[static_cast<size_t>(slot)]);
    });

    if (args->profile == 1) {
      b->profiling = std::make_unique<Profiling>();
      Profiling& p = *b->profiling;
      if (lib->get_profiler(b->slots[0]->compiled, &p.profiler) != lc::kStatusOk || p.profiler == nullptr) {
        p.profiler = nullptr;
        p.unavailable = "LiteRT " + lib->version + " made no profiler for this compiled model although its runtime "
                        "options ask for one (enable_profiling)";
      }
      p.nodes = lc::read_model_nodes(*lib, signature);
    }

    bool fully_accelerated = false;
    const bool known = lib->is_fully_accelerated(b->slots[0]->compiled, &fully_accelerated) == lc::kStatusOk;
    auto& e = b->effective;
    // A graph XNNPACK does not fully take runs in pieces, the rest on TFLite's built-in kernels.
    e.set("isa", known && !fully_accelerated ? "XNNPACK + TFLite kernels" : "XNNPACK");
    if (known && !fully_accelerated) e.set("kernels_outside_delegate", "TFLite built-in kernels");
    e.set("delegate", "XNNPACK (LiteRT CPU accelerator)");
    e.set("fully_accelerated", known ? (fully_accelerated ? "yes" : "no") : "unknown");
    e.set("threads", std::to_string(threads));
    e.set("threads_total", std::to_string(threads * slot_count));  // each compiled model has its own
    std::string cpu_options = "xnnpack: num_threads = " + std::to_string(threads);
    if (slot_count > 1) {
      cpu_options += " in each of " + std::to_string(slot_count) + " compiled models (" +
                     (args->threads > 0 ? "--threads " + std::to_string(args->threads) : "one per usable CPU") +
                     ", shared out)";
    } else if (args->threads == 0) {
      cpu_options += " (--threads 0: one per usable CPU)";
    }
    e.set("cpu_options", cpu_options);
    e.set("requests", std::to_string(slot_count));
    e.set("request_threads", slot_count > 1 ? "each of the " + std::to_string(slot_count) +
                                                  " requests is a compiled model of its own whose XNNPACK runs " +
                                                  std::to_string(threads) + (threads == 1 ? " thread" : " threads") +
                                                  ", called from a thread of its own"
                                            : "one request, XNNPACK with " + std::to_string(threads) +
                                                  (threads == 1 ? " thread" : " threads"));
    e.set("model_input", std::string(element_name(b->input.type.element_type)) + " " + shape_text(b->input.dims) +
                             (b->nhwc ? " NHWC (the batch is transposed from NCHW at set_input)" : " NCHW"));
    if (b->input.quantized()) {
      e.set("input_quantization", "scale " + std::to_string(b->input.scale) + ", zero point " +
                                      std::to_string(b->input.zero_point) + " (quantised at set_input)");
    }
    e.set("model_output", std::string(element_name(b->output0.type.element_type)) + " " + shape_text(b->output0.dims));
    e.set("litert", lib->version + " (" + lib->path + ")");
    if (b->profiling) {
      e.set("profiling",
            "LiteRT profiler on (runtime option enable_profiling): XNNPACK times each operator of every run");
    }
    e.set("graph", "LiteRtCreateModelFromFile + LiteRtCreateCompiledModel(CPU) + host-memory tensor buffers" +
                       (slot_count > 1 ? ", compiled once per request (" + std::to_string(slot_count) + " compiled models)"
                                       : std::string()));
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

// Writes samples 0..n-1 (CHW float32 each, `sample(i)` the i-th) into rows 0..n-1 of the model's
// input memory `dst`, in its layout (CHW, or HWC for an NHWC model), converting each value.
template <typename T, typename SampleAt, typename Convert>
void fill_rows(const ib_backend& b, size_t n, SampleAt sample, T* dst, Convert convert) {
  const auto& d = b.input.dims;
  const size_t per_sample = b.input.elements() / static_cast<size_t>(d[0]);
  for (size_t i = 0; i < n; ++i) {
    const float* src = sample(i);
    T* row = dst + i * per_sample;
    if (!b.nhwc) {
      for (size_t k = 0; k < per_sample; ++k) row[k] = convert(src[k]);
      continue;
    }
    const size_t h = d[1], w = d[2], c = d[3];
    size_t k = 0;
    for (size_t y = 0; y < h; ++y)
      for (size_t x = 0; x < w; ++x)
        for (size_t ch = 0; ch < c; ++ch) row[k++] = convert(src[(ch * h + y) * w + x]);
  }
}

// fill_rows() in the input's element type: float32 as is, int8/uint8 quantised with the input's
// scale and zero point.
template <typename SampleAt>
ib_status write_samples(const ib_backend& b, size_t n, SampleAt sample, void* memory) {
  const TensorInfo& in = b.input;
  switch (in.type.element_type) {
    case lc::ElementType::kFloat32:
      fill_rows(b, n, sample, static_cast<float*>(memory), [](float v) { return v; });
      return IB_OK;
    case lc::ElementType::kInt8:
      fill_rows(b, n, sample, static_cast<int8_t*>(memory),
                [&](float v) { return quantize<int8_t>(v, in.scale, in.zero_point); });
      return IB_OK;
    case lc::ElementType::kUInt8:
      fill_rows(b, n, sample, static_cast<uint8_t*>(memory),
                [&](float v) { return quantize<uint8_t>(v, in.scale, in.zero_point); });
      return IB_OK;
    default:
      return fail(IB_ERROR_BACKEND, "unsupported input type");
  }
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    const TensorInfo& in = b->input;
    if (count != in.elements()) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "input has " + std::to_string(count) + " values, the model input " + std::to_string(in.elements()));
    }
    const size_t batch = static_cast<size_t>(in.dims[0]);
    const size_t per_sample = count / batch;
    // Every slot its own copy, so that requests in flight never share an input.
    for (auto& slot : b->slots) {
      slot->staged = false;
      auto sample = [&](size_t i) { return data + i * per_sample; };
      if (auto s = write_samples(*b, batch, sample, slot->memory[0].get()); s != IB_OK) return s;
    }
    return IB_OK;
  });
}

ib_status run(ib_backend* b) { return execute(*b->lib, *b->slots[0]); }

ib_status sync(ib_backend*) { return IB_OK; }  // the CPU accelerator runs synchronously

// Output 0 of slot 0: of the last run(), or of slot 0's last request.
ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape, size_t* rank) {
  return guarded([&]() -> ib_status {
    const TensorInfo& out0 = b->output0;
    const size_t n = out0.elements();
    const void* memory = b->slots[0]->memory[1].get();
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

// Request slots: each slot's LiteRtRunCompiledModel runs on that slot's own thread
// (RequestThreads), since it blocks its caller; start_request hands it over and returns.
int request_slots(ib_backend* b) { return static_cast<int>(b->slots.size()); }

// A staged batch becomes the slot's input here, before its thread runs it.
ib_status start_request(ib_backend* b, int slot) {
  if (slot < 0 || static_cast<size_t>(slot) >= b->slots.size()) {
    return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  }
  Slot& s = *b->slots[static_cast<size_t>(slot)];
  if (s.staged) {
    s.staged = false;
    std::swap(s.input_buffers[0], s.standby_buffer);
    std::swap(s.memory[0], s.standby_memory);
  }
  return b->threads->start(slot);
}

ib_status wait_request(ib_backend* b, int slot) { return b->threads->wait(slot); }

// Converts the samples like set_input() (quantised, transposed to NHWC where the model takes
// it) into rows 0..n-1 of the slot's input memory; rows after the n-th keep earlier samples.
ib_status set_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  if (auto checked = inferbench::plugin::check_request_samples(slot, static_cast<int>(b->slots.size()), n, sample_values,
                                                                static_cast<size_t>(b->input.dims[0]), b->input.elements());
      checked != IB_OK) {
    return checked;
  }
  auto sample = [&](size_t i) { return samples[i]; };
  Slot& s = *b->slots[static_cast<size_t>(slot)];
  s.staged = false;
  return write_samples(*b, n, sample, s.memory[0].get());
}

// Into the slot's standby input (converted like set_request_samples), while its compiled model
// may be running on the other.
ib_status stage_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  if (auto checked = inferbench::plugin::check_request_samples(slot, static_cast<int>(b->slots.size()), n, sample_values,
                                                                static_cast<size_t>(b->input.dims[0]), b->input.elements());
      checked != IB_OK) {
    return checked;
  }
  Slot& s = *b->slots[static_cast<size_t>(slot)];
  if (!s.standby_buffer) {
    return fail(IB_ERROR_UNAVAILABLE, "this LiteRT instance was not prepared for a LoadGen scenario, and has no standby input");
  }
  auto sample = [&](size_t i) { return samples[i]; };
  if (auto status = write_samples(*b, n, sample, s.standby_memory.get()); status != IB_OK) return status;
  s.staged = true;
  return IB_OK;
}

// The profiler records only between start and stop; starting discards what it held, so warm-up
// runs before profile_begin() leave nothing behind.
ib_status profile_begin(ib_backend* b) {
  return guarded([&]() -> ib_status {
    if (!b->profiling) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "profile_begin: this LiteRT instance was not prepared with profile = 1");
    }
    Profiling& p = *b->profiling;
    if (p.profiler == nullptr) return fail(IB_ERROR_UNAVAILABLE, p.unavailable);
    if (const lc::Status s = b->lib->reset_profiler(p.profiler); s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtResetProfiler failed: " + lc::status_text(s));
    }
    if (const lc::Status s = b->lib->start_profiler(p.profiler); s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtStartProfiler failed: " + lc::status_text(s));
    }
    p.collecting = true;
    return IB_OK;
  });
}

// Writes LiteRT's own summary of the profile (the interpreter's op-profiling tables: run order,
// top operators, totals by type) into `native_dir`; the path, or "" when there is none.
std::string write_summary(const ib_backend& b, const char* native_dir) {
  if (native_dir == nullptr) return "";
  const char* summary = nullptr;
  const lc::Status s = b.lib->get_profile_summary(b.profiling->profiler, b.slots[0]->compiled, &summary);
  std::string path;
  if (s == lc::kStatusOk && summary != nullptr) {
    const std::filesystem::path file = std::filesystem::path(native_dir) / "litert_profile_summary.txt";
    std::ofstream out(file);
    out << summary;
    if (out) path = file.string();
  }
  std::free(const_cast<char*>(summary));  // LiteRtGetProfileSummary allocates it with malloc
  return path;
}

ib_status profile_end(ib_backend* b, size_t runs, const char* native_dir, const ib_profile_op** ops, size_t* count,
                      const ib_key_value** facts, size_t* num_facts) {
  return guarded([&]() -> ib_status {
    if (!b->profiling || !b->profiling->collecting) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "profile_end: no profile_begin on this LiteRT instance");
    }
    Profiling& p = *b->profiling;
    p.collecting = false;
    if (const lc::Status s = b->lib->stop_profiler(p.profiler); s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtStopProfiler failed: " + lc::status_text(s));
    }
    int recorded = 0;
    if (const lc::Status s = b->lib->get_num_profiler_events(p.profiler, &recorded); s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtGetNumProfilerEvents failed: " + lc::status_text(s));
    }
    // One poisoned event more than asked for: a library that writes more than the declared
    // 104-byte events would overwrite it, and is caught instead of corrupting memory.
    std::vector<lc::ProfiledEvent> events(static_cast<size_t>(std::max(recorded, 0)) + 1);
    std::memset(static_cast<void*>(&events.back()), 0xA5, sizeof(lc::ProfiledEvent));
    if (const lc::Status s = b->lib->get_profiler_events(p.profiler, static_cast<int>(events.size()), events.data());
        s != lc::kStatusOk) {
      return fail(IB_ERROR_BACKEND, "LiteRtGetProfilerEvents failed: " + lc::status_text(s));
    }
    const auto* tail = reinterpret_cast<const unsigned char*>(&events.back());
    if (std::any_of(tail, tail + sizeof(lc::ProfiledEvent), [](unsigned char c) { return c != 0xA5; })) {
      return fail(IB_ERROR_BACKEND, "LiteRT " + b->lib->version +
                                        " wrote profiler events larger than the 104-byte ProfiledEventData declared in "
                                        "backends/litert/litert_c_api.h: the declarations do not match this library");
    }
    events.pop_back();
    std::vector<inferbench::plugin::ProfileOp> records;
    p.result.facts = {};
    if (auto s = lc::build_profile(events, runs, p.nodes, &records, &p.result.facts); s != IB_OK) return s;
    if (const std::string path = write_summary(*b, native_dir); !path.empty()) p.result.facts.set("native_trace", path);
    return p.result.publish(std::move(records), ops, count, facts, num_facts);
  });
}

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
                                                            .set_request_samples = set_request_samples,
                                                            .profile_begin = profile_begin,
                                                            .profile_end = profile_end,
                                                            .stage_request_samples = stage_request_samples});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
