// SPDX-License-Identifier: Apache-2.0
// ExecuTorch plugin: a .pte program (operators delegated to XNNPACK) loaded with the C++ Module
// API of the executorch wheel's SDK and run on the CPU, with ExecuTorch's thread pool — which
// XNNPACK runs on — sized by --threads. README.md says what the compile timer covers.
#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor.h>
#include <executorch/runtime/core/error.h>
#include <executorch/runtime/platform/runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"

// The wheel ships libexecutorch_threadpool.so but not its header
// (extension/threadpool/threadpool.h). These two declarations mirror that header of ExecuTorch
// 1.5; the library exports both symbols. The class is only ever used through the pointer the
// library returns, so its members are not needed here.
namespace executorch::extension::threadpool {
class ThreadPool {
 public:
  size_t get_thread_count() const;
  bool _unsafe_reset_threadpool(uint32_t num_threads);
};
ThreadPool* get_threadpool();
}  // namespace executorch::extension::threadpool

namespace {

namespace et = ::executorch;
using et::extension::Module;
using et::runtime::Error;
using inferbench::plugin::fail;
using inferbench::plugin::guarded;
using inferbench::plugin::shape_text;

constexpr const char* kForward = "forward";
constexpr const char* kLoadMode = "load_mode";

const ib_option_desc kOptions[] = {
    {kLoadMode, "enum:file|mmap", "file",
     "how Module reads the .pte: file (read into memory, counted in compile time) or mmap "
     "(pages mapped, read on first use)"},
};

const ib_backend_info kInfo = {
    "executorch",
    "ExecuTorch",
#ifdef IB_EXECUTORCH_VERSION
    IB_EXECUTORCH_VERSION,
#else
    "unknown",
#endif
    "cpu",
    "fp32,int8",
    "pte",
    ".pte",
    "sync",
    kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]),
    nullptr,  // one way of running: no variants
    0,
};

// "InvalidProgram (0x23)": ExecuTorch reports errors as codes, never as exceptions.
std::string error_text(Error error) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%x", static_cast<unsigned>(error));
  return std::string(et::runtime::to_string(error)) + " (" + code + ")";
}

std::string dtype_text(et::aten::ScalarType type) {
  return et::runtime::toString(type);
}

}  // namespace

struct ib_backend {
  std::unique_ptr<Module> module;
  // The Method the Module owns for "forward": run() calls Method::execute() on it, because
  // Module::execute() builds a vector of outputs on every call and the timed path must not
  // allocate. Valid while `module` lives.
  et::runtime::Method* method = nullptr;
  // The input lives here; the tensor `input` views it without a copy (from_blob).
  std::vector<float> input_data;
  et::extension::TensorPtr input;
  std::vector<float> host_output;
  std::vector<int64_t> output_shape;
  inferbench::plugin::KeyValues effective;
};

namespace {

const ib_backend_info* describe() { return &kInfo; }

int is_available(const char* device, const char** reason) {
  if (std::string(device) == "cpu") return 1;
  *reason = "the ExecuTorch plugin runs on the cpu only (XNNPACK delegate)";
  return 0;
}

// Sizes ExecuTorch's process-wide thread pool, which the XNNPACK delegate and the optimized
// kernels run on. It must happen before load_method: XNNPACK binds the pool when it builds its
// runtime there, and resetting the pool afterwards would leave that runtime a stale pool.
ib_status size_thread_pool(int threads, inferbench::plugin::KeyValues& effective) {
  auto* pool = et::extension::threadpool::get_threadpool();
  if (pool == nullptr) return fail(IB_ERROR_BACKEND, "ExecuTorch has no thread pool (get_threadpool() returned null)");
  if (threads > 0 && pool->get_thread_count() != static_cast<size_t>(threads)) {
    if (!pool->_unsafe_reset_threadpool(static_cast<uint32_t>(threads))) {
      return fail(IB_ERROR_BACKEND, "ExecuTorch could not resize its thread pool to " + std::to_string(threads) +
                                        " threads; run with --threads 0 (its default)");
    }
  }
  effective.set("threads", std::to_string(pool->get_thread_count()));
  return IB_OK;
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded([&]() -> ib_status {
    const std::string path = args->artefact_path;
    if (std::string(args->device) != "cpu") {
      return fail(IB_ERROR_UNAVAILABLE, std::string("the ExecuTorch plugin runs on the cpu, not ") + args->device);
    }
    const std::string precision = args->precision;
    if (precision != "fp32" && precision != "int8") {
      return fail(IB_ERROR_UNAVAILABLE, "the ExecuTorch plugin runs fp32 or int8 programs, not " + precision);
    }
    auto options = inferbench::plugin::options_map(args);
    Module::LoadMode load_mode = Module::LoadMode::File;
    if (auto it = options.find(kLoadMode); it != options.end()) {
      if (it->second == "mmap") {
        load_mode = Module::LoadMode::Mmap;
      } else if (it->second != "file") {
        return fail(IB_ERROR_INVALID_ARGUMENT, "option load_mode=" + it->second + " is not file or mmap");
      }
    }

    et::runtime::runtime_init();  // idempotent: registers the PAL; kernels registered at load
    auto b = std::make_unique<ib_backend>();
    if (auto status = size_thread_pool(args->threads, b->effective); status != IB_OK) return status;

    b->module = std::make_unique<Module>(path, load_mode);
    if (const Error error = b->module->load(); error != Error::Ok) {
      return fail(IB_ERROR_INPUT, "cannot load ExecuTorch program " + path + ": " + error_text(error) +
                                      " (a truncated or non-.pte file; re-export it)");
    }
    auto names = b->module->method_names();
    if (!names.ok() || names->count(kForward) == 0) {
      return fail(IB_ERROR_INPUT, "ExecuTorch program " + path + " has no 'forward' method; inferbench runs forward");
    }
    if (const Error error = b->module->load_method(kForward); error != Error::Ok) {
      return fail(IB_ERROR_BACKEND,
                  "cannot initialise the forward method of " + path + ": " + error_text(error) +
                      (error == Error::OperatorMissing
                           ? " (an operator outside the XNNPACK delegate has no kernel in this build)"
                           : error == Error::NotFound ? " (a delegate the program needs is not registered)" : ""));
    }
    auto meta = b->module->method_meta(kForward);
    if (!meta.ok()) return fail(IB_ERROR_BACKEND, "cannot read the forward method's metadata: " + error_text(meta.error()));
    if (meta->num_inputs() != 1 || meta->num_outputs() < 1) {
      return fail(IB_ERROR_INPUT, "ExecuTorch program " + path + " has " + std::to_string(meta->num_inputs()) +
                                      " inputs and " + std::to_string(meta->num_outputs()) +
                                      " outputs; inferbench feeds one input and reads output 0");
    }
    auto input_meta = meta->input_tensor_meta(0);
    if (!input_meta.ok()) return fail(IB_ERROR_INPUT, "input 0 of " + path + " is not a tensor");
    if (input_meta->scalar_type() != et::aten::ScalarType::Float) {
      return fail(IB_ERROR_INPUT, "input 0 of " + path + " is " + dtype_text(input_meta->scalar_type()) +
                                      "; inferbench feeds float32 (export the program with a float input)");
    }
    const std::vector<int64_t> program_shape(input_meta->sizes().begin(), input_meta->sizes().end());
    const std::vector<int64_t> shape(args->input_shape, args->input_shape + args->input_rank);

    // The input stays in our buffer; the tensor views it (no copy). Method::set_input binds it
    // once here: a program whose input is memory-planned copies it into its arena at that call
    // (set_input() below repeats that once), a program without a planned input keeps a pointer.
    size_t count = 1;
    for (int64_t d : shape) count *= static_cast<size_t>(d);
    b->input_data.assign(count, 0.0f);
    std::vector<et::aten::SizesType> sizes(shape.begin(), shape.end());
    b->input = et::extension::from_blob(b->input_data.data(), sizes, et::aten::ScalarType::Float);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // Deprecated for end users, kept public "to allow composability of module in apis that
    // operate on method" — which is what a benchmark's allocation-free loop is.
    auto method = b->module->method(kForward);
#pragma GCC diagnostic pop
    if (!method.ok()) return fail(IB_ERROR_BACKEND, "cannot get the forward method: " + error_text(method.error()));
    b->method = *method;
    if (const Error error = b->method->set_input(et::runtime::EValue(*b->input), 0); error != Error::Ok) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "ExecuTorch program input is " + shape_text(program_shape) + " and does not accept " +
                      shape_text(shape) + " (" + error_text(error) +
                      "); a .pte has a fixed shape: give --batch and --input-shape to match it, or re-export");
    }

    // What the runtime executes per inference: the program's instructions (a delegate call, or
    // an operator run by ExecuTorch's own kernels outside the delegate).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // ET_EXPERIMENTAL marks it deprecated
    const size_t instructions = meta->num_instructions();
#pragma GCC diagnostic pop
    // One instruction is the whole program in one XNNPACK call; more are operators the
    // partitioner left to ExecuTorch's own kernels (or, rarely, further delegate calls).
    const bool xnnpack = meta->uses_backend("XnnpackBackend");
    auto& e = b->effective;
    e.set("isa", !xnnpack ? "ExecuTorch kernels" : instructions > 1 ? "XNNPACK + ExecuTorch kernels" : "XNNPACK");
    e.set("delegate", xnnpack ? "XNNPACK" : "none");
    e.set("instructions", std::to_string(instructions));
    if (xnnpack && instructions > 1) e.set("kernels_outside_delegate", "ExecuTorch kernels");
    e.set("program_input", shape_text(program_shape));
    e.set("input_binding", input_meta->is_memory_planned()
                               ? "copied once into the program's planned input at set_input"
                               : "bound by pointer (input not memory-planned)");
    e.set("load_mode", load_mode == Module::LoadMode::Mmap ? "mmap" : "file");
    e.set("graph", "Module::load + load_method(forward)");
    *out = b.release();
    return IB_OK;
  });
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    if (count != b->input_data.size()) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) + " values, model input " +
                                                 std::to_string(b->input_data.size()));
    }
    std::memcpy(b->input_data.data(), data, count * sizeof(float));
    // A planned input holds its own copy: refresh it from the buffer.
    if (const Error error = b->method->set_input(et::runtime::EValue(*b->input), 0); error != Error::Ok) {
      return fail(IB_ERROR_BACKEND, "ExecuTorch set_input failed: " + error_text(error));
    }
    return IB_OK;
  });
}

ib_status run(ib_backend* b) {
  const Error error = b->method->execute();
  if (error != Error::Ok) return fail(IB_ERROR_BACKEND, "ExecuTorch execute(forward) failed: " + error_text(error));
  return IB_OK;
}

ib_status sync(ib_backend*) { return IB_OK; }  // execute() returns when the CPU has finished

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  return guarded([&]() -> ib_status {
    const et::runtime::EValue& value = b->method->get_output(0);
    if (!value.isTensor()) return fail(IB_ERROR_BACKEND, "ExecuTorch output 0 is not a tensor");
    const auto& tensor = value.toTensor();
    if (tensor.scalar_type() != et::aten::ScalarType::Float) {
      return fail(IB_ERROR_BACKEND, "ExecuTorch output 0 is " + dtype_text(tensor.scalar_type()) +
                                        ", inferbench compares float32 outputs");
    }
    const float* values = tensor.const_data_ptr<float>();
    b->host_output.assign(values, values + tensor.numel());
    b->output_shape.assign(tensor.sizes().begin(), tensor.sizes().end());
    *data = b->host_output.data();
    *count = b->host_output.size();
    *shape = b->output_shape.data();
    *rank = b->output_shape.size();
    return IB_OK;
  });
}

const ib_backend_api kApi =
    inferbench::plugin::api_table({describe, is_available, prepare, set_input, run, sync, output});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
