// SPDX-License-Identifier: Apache-2.0
// OpenVINO plugin: an IR (.xml + .bin) or ONNX file read with ov::Core::read_model, reshaped to
// the run's static input shape and compiled for CPU (or an Intel GPU) with an explicit inference
// precision; one infer request (sync and single-stream, LATENCY hint) or --requests requests,
// by default optimal_number_of_infer_requests (async, multi-stream, server, offline: THROUGHPUT
// hint). README.md says what the compile timer covers. An instance prepared with profile = 1 on
// the CPU is compiled with the CPU plugin's performance counters on, for per-operator profiles.
#include <openvino/core/version.hpp>
#include <openvino/openvino.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;

constexpr const char* kModelCache = "model_cache";
constexpr const char* kStreams = "streams";
constexpr const char* kCpuPinning = "cpu_pinning";

const ib_option_desc kOptions[] = {
    {kModelCache, "string", "",
     "folder for OpenVINO's compiled-model cache (ov::cache_dir); empty = no cache. Unset, the "
     "worker measures cached_compile_ms with a private folder"},
    {kStreams, "string", "hint",
     "ov::num_streams: hint (the performance hint decides), auto, or a number"},
    {kCpuPinning, "enum:default|on|off", "default",
     "CPU: ov::hint::enable_cpu_pinning, whether OpenVINO pins its threads to cores (default: "
     "OpenVINO decides; it pins on Linux). Several processes (--instances) each pin to the same "
     "cores: use off"},
};

const std::string& framework_version() {
  // get_openvino_version() only reads a constant of the loaded runtime; no device is touched.
  static const std::string version = ov::get_openvino_version().buildNumber;
  return version;
}

const ib_backend_info& info() {
  static const ib_backend_info kInfo = {
      "openvino",
      "OpenVINO",
      framework_version().c_str(),
      "cpu,gpu",
      "fp32,bf16,int8",
      "openvino-ir",
      ".xml,.onnx",
      "sync,async",
      kOptions,
      sizeof(kOptions) / sizeof(kOptions[0]),
      nullptr,  // one way of running: no variants
      0,
  };
  return kInfo;
}

// inferbench device name -> OpenVINO device name.
std::string ov_device(const std::string& device) {
  if (device == "cpu") return "CPU";
  if (device == "gpu") return "GPU";
  return "";
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// OpenVINO's messages start with "Exception from src/...cpp:LINE:" and often a "Check '...'
// failed at ..." line; the line after them says what is wrong.
std::string ov_message(const std::exception& e) {
  std::istringstream in(e.what());
  std::string line, first;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (first.empty()) first = line;
    if (line.rfind("Exception from ", 0) == 0 || line.rfind("Check '", 0) == 0) continue;
    if (line.rfind("[ GENERAL_ERROR ]", 0) == 0) line = line.substr(17);
    line.erase(0, line.find_first_not_of(" \t"));
    if (!line.empty()) return line;
  }
  return first;
}

// guarded() for OpenVINO: an ov::Exception becomes IB_ERROR_BACKEND with its meaningful line.
template <typename Body>
ib_status guarded_ov(Body&& body) noexcept {
  return guarded([&]() -> ib_status {
    try {
      return body();
    } catch (const ov::Exception& e) {
      return fail(IB_ERROR_BACKEND, "OpenVINO: " + ov_message(e));
    }
  });
}

std::string element_name(const ov::element::Type& type) { return type.get_type_name(); }

// "a x3, b x1" from counts, most frequent first.
std::string counts_text(const std::map<std::string, int>& counts) {
  std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text;
  for (const auto& [name, n] : sorted) text += (text.empty() ? "" : ", ") + name + " x" + std::to_string(n);
  return text;
}

std::string rt_string(const ov::Node& node, const char* key) {
  const auto& rt = node.get_rt_info();
  auto it = rt.find(key);
  return it == rt.end() ? "" : it->second.as<std::string>();
}

}  // namespace

struct ib_backend {
  ov::Core core;
  ov::CompiledModel compiled;
  std::vector<ov::InferRequest> requests;  // 1 in the sync scenario
  size_t input_count = 0;
  size_t batch = 0;  // rows of the input
  std::vector<float> host_output;
  std::vector<int64_t> output_shape;
  inferbench::plugin::KeyValues effective;

  // run() calls since prepare(). The CPU plugin's counters are means over every inference since
  // compile, so a profile needs the count at profile_begin() and at profile_end() (see profile_end).
  uint64_t inferences = 0;

  // Per-operator profiles (ib_prepare_args.profile = 1).
  bool profile = false;
  std::string profile_unavailable;  // why profile_begin() fails on this instance; empty when it can
  std::map<std::string, std::string> model_layers;  // the model's non-constant layers: name -> op type
  bool profile_started = false;
  uint64_t inferences_at_begin = 0;
  std::map<std::string, int64_t> means_at_begin_us;  // node name -> the plugin's mean at profile_begin()
  inferbench::plugin::ProfileOps profile_ops;
};

namespace {

const ib_backend_info* describe() { return &info(); }

int is_available(const char* device, const char** reason) {
  static thread_local std::string why;
  const std::string name = ov_device(device);
  if (name.empty()) {
    why = std::string("OpenVINO plugin has no device '") + device + "'";
    *reason = why.c_str();
    return 0;
  }
  try {
    ov::Core core;
    const auto devices = core.get_available_devices();
    for (const auto& d : devices) {
      if (d.rfind(name, 0) == 0) return 1;
    }
    why = name == "GPU" ? "no Intel GPU visible to OpenVINO (available devices: " + join(devices) +
                              "); the iGPU row needs an Intel GPU and its compute runtime"
                        : "OpenVINO sees no " + name + " device (available devices: " + join(devices) + ")";
  } catch (const std::exception& e) {
    why = "OpenVINO cannot list its devices: " + ov_message(e);
  }
  *reason = why.c_str();
  return 0;
}

// The precision the row asks for -> OpenVINO's inference precision hint. FP32 is forced: with
// the default execution_mode=PERFORMANCE the CPU plugin otherwise lowers to bf16 on CPUs with
// native bf16 (this includes AVX512-BF16 CPUs without AMX), and the row would not be FP32. The
// INT8 IR runs its quantised operations in int8 and the rest in f32.
ov::element::Type inference_precision(const std::string& precision) {
  return precision == "bf16" ? ov::element::bf16 : ov::element::f32;
}

// Why `precision` cannot run on `device`, or empty when it can: BF16 needs native bf16 in the
// device (OPTIMIZATION_CAPABILITIES BF16; on a CPU, AVX512-BF16 or AMX), since OpenVINO would
// otherwise emulate it slowly or refuse.
std::string precision_unavailable(ov::Core& core, const std::string& device, const std::string& precision) {
  const auto capabilities = core.get_property(device, ov::device::capabilities);
  auto has = [&](const std::string& c) {
    return std::find(capabilities.begin(), capabilities.end(), c) != capabilities.end();
  };
  if (precision == "bf16" && !has(ov::device::capability::BF16)) {
    return "OpenVINO " + device + " has no native bf16 (its capabilities: " + join(capabilities) +
           "); bf16 needs a CPU with AVX512-BF16 or AMX";
  }
  if (precision == "int8" && !has(ov::device::capability::INT8)) {
    return "OpenVINO " + device + " has no int8 capability (its capabilities: " + join(capabilities) + ")";
  }
  return "";
}

// Describes the kernels the compiled model runs, from its runtime model: the primitive of each
// convolution (for example "brgconv_avx512_1x1_f32") and the precision it runs in.
void describe_kernels(const ov::CompiledModel& compiled, inferbench::plugin::KeyValues& effective) {
  const auto runtime = compiled.get_runtime_model();
  std::map<std::string, int> primitives, precisions;
  for (const auto& op : runtime->get_ops()) {
    const std::string type = rt_string(*op, "layerType");
    if (type != "Convolution" && type != "FullyConnected" && type != "MatMul") continue;
    ++primitives[rt_string(*op, "primitiveType")];
    ++precisions[rt_string(*op, "runtimePrecision")];
  }
  if (primitives.empty()) return;
  effective.set("kernels", counts_text(primitives));
  effective.set("kernel_precision", counts_text(precisions));
  // The ISA is the token of the most frequent primitive's name that names one (oneDNN names
  // its kernels <algorithm>_<isa>_..._<precision>).
  std::string top = primitives.begin()->first;
  int top_count = 0;
  for (const auto& [name, n] : primitives) {
    if (n > top_count) top = name, top_count = n;
  }
  std::string isa;
  std::istringstream tokens(top);
  for (std::string token; std::getline(tokens, token, '_');) {
    for (const char* known : {"amx", "avx512", "avx2", "avx", "sse41"}) {
      if (token == known && isa.empty()) isa = token;
    }
  }
  // The precision most of these kernels ran in is the honest one for the row.
  std::string main_precision;
  int main_count = 0;
  for (const auto& [name, n] : precisions) {
    if (n > main_count) main_precision = name, main_count = n;
  }
  effective.set("isa", "oneDNN " + (isa.empty() ? top : isa) + " " + main_precision);
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded_ov([&]() -> ib_status {
    const std::string device = ov_device(args->device);
    const std::string precision = args->precision;
    const bool async = inferbench::plugin::scenario_has_requests_in_flight(args->scenario);
    if (device.empty()) {
      return fail(IB_ERROR_UNAVAILABLE, std::string("OpenVINO plugin has no device '") + args->device + "'");
    }
    if (precision != "fp32" && precision != "bf16" && precision != "int8") {
      return fail(IB_ERROR_UNAVAILABLE, "OpenVINO plugin runs fp32, bf16 or int8, not " + precision);
    }
    auto options = inferbench::plugin::options_map(args);
    auto b = std::make_unique<ib_backend>();
    if (auto why = precision_unavailable(b->core, device, precision); !why.empty()) {
      return fail(IB_ERROR_UNAVAILABLE, why);
    }

    std::shared_ptr<ov::Model> model;
    try {
      model = b->core.read_model(args->artefact_path);
    } catch (const std::exception& e) {
      return fail(IB_ERROR_INPUT, std::string("cannot read OpenVINO model ") + args->artefact_path +
                                      ": " + ov_message(e) + " (re-export it or check the .xml/.bin pair)");
    }
    if (model->inputs().size() != 1 || model->outputs().empty()) {
      return fail(IB_ERROR_INPUT, "OpenVINO model " + std::string(args->artefact_path) + " has " +
                                      std::to_string(model->inputs().size()) + " inputs and " +
                                      std::to_string(model->outputs().size()) +
                                      " outputs; inferbench feeds one input and reads output 0");
    }
    if (model->input().get_element_type() != ov::element::f32) {
      return fail(IB_ERROR_INPUT, "OpenVINO model input is " + element_name(model->input().get_element_type()) +
                                      "; inferbench feeds f32 (export the model with an f32 input)");
    }
    // A static shape lets the CPU plugin pick its kernels once at compile time, as benchmark_app
    // does with -shape; the IR's batch dimension is dynamic.
    const ov::Shape shape(args->input_shape, args->input_shape + args->input_rank);
    if (!model->input().get_partial_shape().compatible(ov::PartialShape(shape))) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "OpenVINO model input shape " + model->input().get_partial_shape().to_string() +
                      " does not accept " + ov::PartialShape(shape).to_string() +
                      " (give --input-shape to match the model)");
    }
    model->reshape(ov::PartialShape(shape));

    ov::AnyMap config = {
        ov::hint::performance_mode(async ? ov::hint::PerformanceMode::THROUGHPUT
                                         : ov::hint::PerformanceMode::LATENCY),
        ov::hint::inference_precision(inference_precision(precision)),
    };
    if (args->threads > 0) config.emplace(ov::inference_num_threads(args->threads));
    // --requests N: the THROUGHPUT hint then sizes its streams for N requests in flight (one
    // request gets one stream with every thread), not for its own optimal number, which would
    // leave the streams beyond N idle.
    if (async && args->requests > 0) config.emplace(ov::hint::num_requests(static_cast<uint32_t>(args->requests)));
    if (auto it = options.find(kCpuPinning); it != options.end() && it->second != "default" && device == "CPU") {
      config.emplace(ov::hint::enable_cpu_pinning(it->second == "on"));
    }
    if (auto it = options.find(kStreams); it != options.end() && it->second != "hint") {
      if (it->second == "auto") {
        config.emplace(ov::num_streams(ov::streams::AUTO));
      } else {
        try {
          config.emplace(ov::num_streams(std::stoi(it->second)));
        } catch (const std::exception&) {
          return fail(IB_ERROR_INVALID_ARGUMENT, "option streams=" + it->second + " is not hint, auto or a number");
        }
      }
    }
    if (auto it = options.find(kModelCache); it != options.end() && !it->second.empty()) {
      b->core.set_property(ov::cache_dir(it->second));
      b->effective.set("model_cache", it->second);
    }
    // The performance counters can only be switched on at compile time, and only a profiled
    // instance has them: a normal instance compiles exactly as before.
    b->profile = args->profile != 0;
    if (b->profile && device == "CPU") {
      config.emplace(ov::enable_profiling(true));
      for (const auto& op : model->get_ops()) {
        const std::string type = op->get_type_name();
        if (type != "Constant") b->model_layers[op->get_friendly_name()] = type;
      }
    } else if (b->profile) {
      b->profile_unavailable = "OpenVINO per-operator profiles are read from the CPU plugin's performance counters; " +
                               device + " profiles are not implemented";
    }
    b->compiled = b->core.compile_model(model, device, config);

    const uint32_t optimal = b->compiled.get_property(ov::optimal_number_of_infer_requests);
    const int count = async ? (args->requests > 0 ? args->requests : static_cast<int>(optimal)) : 1;
    for (int i = 0; i < count; ++i) b->requests.push_back(b->compiled.create_infer_request());
    if (b->profile && b->profile_unavailable.empty() && count != 1) {
      b->profile_unavailable = "an OpenVINO profile is taken on one infer request (scenario sync); this instance has " +
                               std::to_string(count);
    }
    b->input_count = ov::shape_size(shape);
    b->batch = shape.empty() ? 0 : shape[0];

    auto& e = b->effective;
    e.set("inference_precision", element_name(b->compiled.get_property(ov::hint::inference_precision)));
    // INFERENCE_NUM_THREADS is the compiled model's, shared by all its streams and requests.
    const std::string threads = std::to_string(b->compiled.get_property(ov::inference_num_threads));
    e.set("threads", threads);
    e.set("threads_total", threads);
    e.set("streams", std::to_string(b->compiled.get_property(ov::num_streams).num));
    if (device == "CPU") e.set("cpu_pinning", b->compiled.get_property(ov::hint::enable_cpu_pinning) ? "on" : "off");
    {
      std::ostringstream hint;
      hint << b->compiled.get_property(ov::hint::performance_mode);
      e.set("hint", hint.str());
    }
    e.set("optimal_requests", std::to_string(optimal));
    e.set("requests", std::to_string(count));
    e.set("execution_devices", join(b->compiled.get_property(ov::execution_devices)));
    e.set("device_name", b->core.get_property(device, ov::device::full_name));
    e.set("graph", "read_model, reshaped to " + ov::PartialShape(shape).to_string());
    if (precision == "int8") {
      e.set("int8", "the IR's quantised operations run in int8 (kernel_precision), the others in " +
                        element_name(inference_precision(precision)));
    }
    if (model->has_rt_info("inferbench", "calibration")) {
      e.set("calibration", model->get_rt_info<std::string>("inferbench", "calibration"));
    }
    if (device == "CPU") {
      describe_kernels(b->compiled, e);
    } else {
      e.set("target_hardware", b->core.get_property(device, ov::device::full_name));
    }
    *out = b.release();
    return IB_OK;
  });
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded_ov([&]() -> ib_status {
    if (count != b->input_count) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) + " values, model input " +
                                                 std::to_string(b->input_count));
    }
    // Every request gets its own copy, so that requests in flight never share a buffer.
    for (auto& request : b->requests) {
      ov::Tensor tensor = request.get_input_tensor();
      std::memcpy(tensor.data<float>(), data, count * sizeof(float));
    }
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  return guarded_ov([&]() -> ib_status {
    b->requests[0].infer();
    ++b->inferences;  // for profile_end(); one increment on every instance, so that run() never branches
    return IB_OK;
  });
}

ib_status sync(ib_backend*) { return IB_OK; }  // infer() returns when the request has finished

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  return guarded_ov([&]() -> ib_status {
    const ov::Tensor tensor = b->requests[0].get_output_tensor(0);
    if (tensor.get_element_type() != ov::element::f32) {
      return fail(IB_ERROR_BACKEND, "OpenVINO output 0 is " + element_name(tensor.get_element_type()) +
                                        ", inferbench compares f32 outputs");
    }
    const float* values = tensor.data<const float>();
    b->host_output.assign(values, values + tensor.get_size());
    b->output_shape.assign(tensor.get_shape().begin(), tensor.get_shape().end());
    *data = b->host_output.data();
    *count = b->host_output.size();
    *shape = b->output_shape.data();
    *rank = b->output_shape.size();
    return IB_OK;
  });
}

int request_slots(ib_backend* b) { return static_cast<int>(b->requests.size()); }

ib_status start_request(ib_backend* b, int slot) {
  return guarded_ov([&]() -> ib_status {
    if (slot < 0 || slot >= static_cast<int>(b->requests.size())) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "no infer request slot " + std::to_string(slot));
    }
    b->requests[static_cast<size_t>(slot)].start_async();
    return IB_OK;
  });
}

ib_status wait_request(ib_backend* b, int slot) {
  return guarded_ov([&]() -> ib_status {
    if (slot < 0 || slot >= static_cast<int>(b->requests.size())) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "no infer request slot " + std::to_string(slot));
    }
    b->requests[static_cast<size_t>(slot)].wait();
    return IB_OK;
  });
}

// Copies each sample into its row of the request's own input tensor (the tensor's memory, no
// reallocation); rows after the n-th keep earlier samples.
ib_status set_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  return guarded_ov([&]() -> ib_status {
    if (auto checked = inferbench::plugin::check_request_samples(slot, static_cast<int>(b->requests.size()), n,
                                                                  sample_values, b->batch, b->input_count);
        checked != IB_OK) {
      return checked;
    }
    float* input = b->requests[static_cast<size_t>(slot)].get_input_tensor().data<float>();
    for (size_t i = 0; i < n; ++i) std::memcpy(input + i * sample_values, samples[i], sample_values * sizeof(float));
    return IB_OK;
  });
}

// Each executed node's mean time in whole microseconds, as the CPU plugin reports it, by node name.
std::map<std::string, int64_t> node_means_us(ov::InferRequest& request) {
  std::map<std::string, int64_t> means;
  for (const auto& node : request.get_profiling_info()) means[node.node_name] = node.real_time.count();
  return means;
}

// "a,b": the model layers among `layers` (the runtime node's originalLayersNames), leaving out the
// node's own name and the names the plugin made up while compiling (its dequantisation Multiply
// nodes, whose numbers change from one compile to the next).
std::string fused_layers(const std::string& layers, const std::string& own_name,
                         const std::map<std::string, std::string>& model_layers) {
  std::string fused;
  std::istringstream names(layers);
  for (std::string name; std::getline(names, name, ',');) {
    if (name == own_name || !model_layers.count(name)) continue;
    fused += (fused.empty() ? "" : ",") + name;
  }
  return fused;
}

// What the profile says about one runtime node besides its time: the model layers fused into
// it, its weight shape (else its first input's) and, where inferbench's table cannot know it, its
// category.
struct NodeFacts {
  std::string fused;
  std::string shape;
  std::string category;
};

std::map<std::string, NodeFacts> runtime_node_facts(const ov::CompiledModel& compiled,
                                                    const std::map<std::string, std::string>& model_layers) {
  std::map<std::string, NodeFacts> facts;
  for (const auto& op : compiled.get_runtime_model()->get_ordered_ops()) {
    const std::string type = rt_string(*op, "layerType");
    if (type == "Const") continue;
    NodeFacts& f = facts[op->get_friendly_name()];
    f.fused = fused_layers(rt_string(*op, "originalLayersNames"), op->get_friendly_name(), model_layers);
    // The weights are input 1 of a convolution or fully connected node, fed by a constant.
    const bool weighted = (type == "Convolution" || type == "Deconvolution" || type == "FullyConnected") &&
                          op->get_input_size() > 1 &&
                          rt_string(*op->get_input_node_shared_ptr(1), "layerType") == "Const";
    if (weighted || op->get_input_size() > 0) {
      auto shape = op->get_input_partial_shape(weighted ? 1 : 0);
      // A group convolution's weights are [groups, out/groups, in/groups, kh, kw]; written as
      // [out, in/groups, kh, kw], as the other frameworks write them, a depthwise one reads
      // [C,1,3,3] and inferbench's table tells it apart from a dense convolution.
      if (weighted && type == "Convolution" && shape.rank().is_static() && shape.size() == 5 &&
          shape[0].is_static() && shape[1].is_static()) {
        std::vector<ov::Dimension> dims = {shape[0] * shape[1], shape[2], shape[3], shape[4]};
        shape = ov::PartialShape(dims);
      }
      f.shape = shape.to_string();
      f.shape.erase(std::remove(f.shape.begin(), f.shape.end(), ' '), f.shape.end());
    }
    // A Snippets subgraph can hold anything; one that only quantises (the int8 model's input
    // FakeQuantize) is a quantize op, which its type does not say.
    if (type == "Subgraph") {
      int quantize = 0, other = 0;
      std::istringstream names(rt_string(*op, "originalLayersNames"));
      for (std::string name; std::getline(names, name, ',');) {
        auto it = model_layers.find(name);
        if (it != model_layers.end()) ++(it->second == "FakeQuantize" ? quantize : other);
      }
      if (quantize > 0 && other == 0) f.category = "quantize";
    }
  }
  return facts;
}

ib_status profile_begin(ib_backend* b) {
  return guarded_ov([&]() -> ib_status {
    if (!b->profile) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "profile_begin: this OpenVINO instance was prepared without profile = 1 (its performance "
                  "counters are off; they can only be switched on at compile time)");
    }
    if (!b->profile_unavailable.empty()) return fail(IB_ERROR_UNAVAILABLE, b->profile_unavailable);
    b->means_at_begin_us = node_means_us(b->requests[0]);
    b->inferences_at_begin = b->inferences;
    b->profile_started = true;
    return IB_OK;
  });
}

// The CPU plugin keeps, per node, the sum of its whole-microsecond times and their count over every
// inference since compile (warm-up and first inference included, never reset), and reports
// sum / count: with OpenVINO 2026.4 the reported times follow the running mean of the runs, not the
// last run. From that mean a after n1 inferences (at profile_begin) and b after n2 (now), the mean
// over the runs between is (b * n2 - a * n1) / (n2 - n1); as both means are truncated to whole
// microseconds, it is off by less than n2 / runs µs per node.
ib_status profile_end(ib_backend* b, size_t runs, const char* /*native_dir*/, const ib_profile_op** ops,
                      size_t* count, const ib_key_value** facts, size_t* num_facts) {
  return guarded_ov([&]() -> ib_status {
    if (!b->profile || !b->profile_started) {
      const char* why = b->profile ? "profile_begin() was not called"
                                   : "this OpenVINO instance was prepared without profile = 1";
      return fail(IB_ERROR_INVALID_ARGUMENT, std::string("profile_end: ") + why);
    }
    const uint64_t n1 = b->inferences_at_begin;
    const uint64_t n2 = b->inferences;
    if (runs == 0 || n2 - n1 != runs) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "profile_end: told " + std::to_string(runs) +
                                                 " runs, but run() was called " + std::to_string(n2 - n1) +
                                                 " times since profile_begin()");
    }
    b->profile_started = false;
    const auto nodes = runtime_node_facts(b->compiled, b->model_layers);
    std::vector<inferbench::plugin::ProfileOp> records;
    for (const auto& node : b->requests[0].get_profiling_info()) {
      // Nodes that did no work (inputs, outputs, in-place reshapes, layers fused into another
      // node) report NOT_RUN or OPTIMIZED_OUT with no time; the fused ones are named by their node.
      if (node.status != ov::ProfilingInfo::Status::EXECUTED) continue;
      auto begin = b->means_at_begin_us.find(node.node_name);
      const double before = begin == b->means_at_begin_us.end() ? 0.0 : static_cast<double>(begin->second);
      const double total_us = static_cast<double>(node.real_time.count()) * static_cast<double>(n2) -
                              before * static_cast<double>(n1);
      inferbench::plugin::ProfileOp op;
      op.name = node.node_name;
      op.op_type = node.node_type;
      op.kernel = node.exec_type;
      if (auto it = nodes.find(node.node_name); it != nodes.end()) {
        op.fused = it->second.fused;
        op.shape = it->second.shape;
        op.category = it->second.category;
      }
      op.time_ms = std::max(0.0, total_us / static_cast<double>(runs)) / 1000.0;
      records.push_back(std::move(op));
    }
    auto& f = b->profile_ops.facts;
    f.set("source",
          "OpenVINO CPU plugin performance counters (ov::enable_profiling, InferRequest::get_profiling_info)");
    f.set("timeline", "synthesized");
    f.set("coverage",
          "Each graph node's wall time with its threads inside, in whole microseconds per run; the infer "
          "request's work outside the nodes (input and output handling, the step from node to node) and nodes "
          "under 1 us are left out, and layers fused into a node are timed inside it.");
    return b->profile_ops.publish(std::move(records), ops, count, facts, num_facts);
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
                                                            .profile_end = profile_end});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
