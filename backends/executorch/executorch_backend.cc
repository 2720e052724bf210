// SPDX-License-Identifier: Apache-2.0
// ExecuTorch plugin: a .pte program (operators delegated to XNNPACK) loaded with the C++ Module
// API of the executorch wheel's SDK and run on the CPU, with ExecuTorch's thread pool — which
// XNNPACK runs on — sized by --threads. Request slots for serving: one Module per slot, each run
// on a thread of its own. A profiling instance gives the forward method an event tracer, which
// times each operator (XNNPACK's and those outside the delegate). README.md says what the compile
// timer covers.
#include <executorch/extension/module/module.h>
#include <executorch/extension/tensor/tensor.h>
#include <executorch/runtime/backend/interface.h>
#include <executorch/runtime/backend/options.h>
#include <executorch/runtime/core/error.h>
#include <executorch/runtime/platform/platform.h>
#include <executorch/runtime/platform/runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/api/request_threads.h"
#include "backends/executorch/operator_tracer.h"

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
using inferbench::plugin::RequestThreads;
using inferbench::plugin::shape_text;
using inferbench::executorch_plugin::OperatorTracer;

constexpr const char* kForward = "forward";
// Request slots when the run names no count (--requests 0); see prepare().
constexpr int kDefaultRequests = 1;
// The XNNPACK delegate's name and its two load options that decide whether several loaded
// programs can execute at the same time (backends/xnnpack/runtime/XNNPACKBackend.h of ExecuTorch,
// not shipped in the wheel): a workspace shared by all programs (mode 2, the wheel's default) and
// the weight cache are each held under one lock for the whole of every execution, so that the
// programs that use them run one at a time.
constexpr const char kXnnpackBackend[] = "XnnpackBackend";
constexpr const char kWorkspaceSharing[] = "workspace_sharing_mode";
constexpr const char kWeightCache[] = "weight_cache_enabled";
constexpr int kWorkspacePerProgram = 0;  // WorkspaceSharingMode::Disabled: one per delegate call
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

// One request slot: a Module of its own (the program read from the .pte, its forward method with
// its own planned memory and its own XNNPACK runtime) and the input that method reads.
struct Slot {
  std::unique_ptr<Module> module;
  // The profiling instance's event tracer, owned by `module`; null for every other instance, and
  // for every slot but 0 (run() executes slot 0, and profiling instances have one request).
  OperatorTracer* tracer = nullptr;
  // The Method the Module owns for "forward": execution calls Method::execute() on it, because
  // Module::execute() builds a vector of outputs on every call and the timed path must not
  // allocate. Valid while `module` lives.
  et::runtime::Method* method = nullptr;
  // The input lives here; the tensor `input` views it without a copy (from_blob).
  std::vector<float> input_data;
  et::extension::TensorPtr input;
  // Where the method reads its input: the program's planned input in its arena (a copy made at
  // Method::set_input), or `input_data` itself for an input that is not planned. Serving batches
  // are written here directly, one copy of each sample.
  float* method_input = nullptr;
  // The standby input (LoadGen's scenarios only): stage_request_samples() writes the next batch
  // here while the method runs on `input_data`; start_request() swaps the two and binds the new
  // one (a pointer for an unplanned input, a copy into the arena for a planned one).
  std::vector<float> standby_data;
  et::extension::TensorPtr standby;
  bool staged = false;
};

}  // namespace

struct ib_backend {
  // Slot 0 also serves run() and output(), the sync path.
  std::vector<Slot> slots;
  bool planned_input = false;  // the program copies its input into its arena at set_input
  size_t batch = 0;            // rows of the input
  std::vector<float> host_output;
  std::vector<int64_t> output_shape;
  // The slots' threads. Declared after `slots`, so that they are joined before the slots go.
  std::unique_ptr<RequestThreads> threads;
  inferbench::plugin::KeyValues effective;
  inferbench::plugin::ProfileOps profile;  // profile_end()'s ops and facts
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

// The XNNPACK delegate's process-wide defaults for the two options above, as text for the row
// ("workspace_sharing_mode 2, weight_cache_enabled false"); empty when the delegate does not say.
std::string xnnpack_defaults() {
  et::runtime::BackendOptions<2> options;
  if (options.set_option(kWorkspaceSharing, -1) != Error::Ok || options.set_option(kWeightCache, false) != Error::Ok) {
    return "";
  }
  auto view = options.view();
  if (et::runtime::get_option(kXnnpackBackend, view) != Error::Ok) return "";
  const int* sharing = std::get_if<int>(&view[0].value);
  const bool* cache = std::get_if<bool>(&view[1].value);
  if (sharing == nullptr || *sharing < 0 || cache == nullptr) return "";
  return std::string(kWorkspaceSharing) + " " + std::to_string(*sharing) + ", " + kWeightCache + " " +
         (*cache ? "true" : "false");
}

// Loads slot `slot` from `path`: its Module, its forward method and its input, bound with
// Method::set_input. `xnnpack` (may be null) is given to load_method for the XNNPACK delegate.
// With `profile`, the Module gets an OperatorTracer, which load_method hands to the method: the
// runtime and the XNNPACK delegate report events only to a method that has one. The checks on
// the program's methods and input are made on slot 0 only: every slot loads the same file.
// With `serving` (a LoadGen scenario), the slot also gets a standby input for staging.
ib_status load_slot(ib_backend& b, size_t slot, const std::string& path, Module::LoadMode load_mode,
                    const std::vector<int64_t>& shape, const et::runtime::LoadBackendOptionsMap* xnnpack,
                    bool profile, bool serving) {
  Slot& s = b.slots[slot];
  if (profile) {
    auto tracer = std::make_unique<OperatorTracer>();
    s.tracer = tracer.get();
    s.module = std::make_unique<Module>(path, load_mode, std::move(tracer));
  } else {
    s.module = std::make_unique<Module>(path, load_mode);
  }
  if (const Error error = s.module->load(); error != Error::Ok) {
    return fail(IB_ERROR_INPUT, "cannot load ExecuTorch program " + path + ": " + error_text(error) +
                                    " (a truncated or non-.pte file; re-export it)");
  }
  if (slot == 0) {
    auto names = s.module->method_names();
    if (!names.ok() || names->count(kForward) == 0) {
      return fail(IB_ERROR_INPUT, "ExecuTorch program " + path + " has no 'forward' method; inferbench runs forward");
    }
  }
  if (const Error error = s.module->load_method(kForward, nullptr, nullptr, xnnpack); error != Error::Ok) {
    return fail(IB_ERROR_BACKEND,
                "cannot initialise the forward method of " + path + ": " + error_text(error) +
                    (error == Error::OperatorMissing
                         ? " (an operator outside the XNNPACK delegate has no kernel in this build)"
                         : error == Error::NotFound ? " (a delegate the program needs is not registered)" : ""));
  }
  auto meta = s.module->method_meta(kForward);
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
  b.planned_input = input_meta->is_memory_planned();

  // The input stays in our buffer; the tensor views it (no copy). Method::set_input binds it
  // once here: a program whose input is memory-planned copies it into its arena at that call
  // (set_input() and set_request_samples() below repeat that), a program without a planned input
  // keeps a pointer.
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  s.input_data.assign(count, 0.0f);
  std::vector<et::aten::SizesType> sizes(shape.begin(), shape.end());
  s.input = et::extension::from_blob(s.input_data.data(), sizes, et::aten::ScalarType::Float);
  if (serving) {
    s.standby_data.assign(count, 0.0f);
    s.standby = et::extension::from_blob(s.standby_data.data(), sizes, et::aten::ScalarType::Float);
  }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  // Deprecated for end users, kept public "to allow composability of module in apis that
  // operate on method" — which is what a benchmark's allocation-free loop is.
  auto method = s.module->method(kForward);
#pragma GCC diagnostic pop
  if (!method.ok()) return fail(IB_ERROR_BACKEND, "cannot get the forward method: " + error_text(method.error()));
  s.method = *method;
  if (const Error error = s.method->set_input(et::runtime::EValue(*s.input), 0); error != Error::Ok) {
    const std::vector<int64_t> program_shape(input_meta->sizes().begin(), input_meta->sizes().end());
    return fail(IB_ERROR_INVALID_ARGUMENT,
                "ExecuTorch program input is " + shape_text(program_shape) + " and does not accept " +
                    shape_text(shape) + " (" + error_text(error) +
                    "); a .pte has a fixed shape: give --batch and --input-shape to match it, or re-export");
  }
  et::runtime::EValue bound;
  if (const Error error = s.method->get_inputs(&bound, 1); error != Error::Ok || !bound.isTensor()) {
    return fail(IB_ERROR_BACKEND, "cannot read back the forward method's input" +
                                      (error != Error::Ok ? ": " + error_text(error) : std::string(" (not a tensor)")));
  }
  s.method_input = bound.toTensor().mutable_data_ptr<float>();
  return IB_OK;
}

ib_status execute(Slot& slot) {
  const Error error = slot.method->execute();
  if (error != Error::Ok) return fail(IB_ERROR_BACKEND, "ExecuTorch execute(forward) failed: " + error_text(error));
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
    // One request by default: ExecuTorch's thread pool is one per process and runs one parallel
    // call at a time, so two requests sharing a pool of two threads took turns and served 0.85x
    // the throughput of one (MobileNetV2 FP32, batch 8, async, this 2-core machine).
    const int slot_count = inferbench::plugin::request_count(args, kDefaultRequests);
    // With several requests, the pool gets each request's share of the threads: a pool of one
    // thread runs every call inline on the request's own thread, so that requests of one thread
    // each compute side by side (2.11x one such request); larger shares still take turns.
    const int pool_size = slot_count > 1 ? inferbench::plugin::threads_per_request(args->threads, slot_count) : args->threads;
    if (auto status = size_thread_pool(pool_size, b->effective); status != IB_OK) return status;
    const std::string pool_threads = std::to_string(et::extension::threadpool::get_threadpool()->get_thread_count());

    // Several requests in flight need XNNPACK runtimes that do not wait for each other: each
    // slot's gets a workspace of its own and no weight cache, through its own load_method. The
    // delegate's process-wide defaults stay as they are, and a single slot loads with them, as
    // the sync path always has.
    const std::string defaults = xnnpack_defaults();
    et::runtime::BackendOptions<2> xnnpack_options;
    et::runtime::LoadBackendOptionsMap xnnpack_map;
    if (slot_count > 1) {
      if (xnnpack_options.set_option(kWorkspaceSharing, kWorkspacePerProgram) != Error::Ok ||
          xnnpack_options.set_option(kWeightCache, false) != Error::Ok ||
          xnnpack_map.set_options(kXnnpackBackend, xnnpack_options.view()) != Error::Ok) {
        return fail(IB_ERROR_BACKEND, "cannot build the XNNPACK load options for " + std::to_string(slot_count) + " requests");
      }
    }

    const std::vector<int64_t> shape(args->input_shape, args->input_shape + args->input_rank);
    b->batch = shape.empty() ? 0 : static_cast<size_t>(shape[0]);
    b->slots.resize(static_cast<size_t>(slot_count));
    for (size_t i = 0; i < b->slots.size(); ++i) {
      if (auto status = load_slot(*b, i, path, load_mode, shape, slot_count > 1 ? &xnnpack_map : nullptr,
                                  args->profile == 1 && i == 0,
                                  inferbench::plugin::scenario_stages_batches(args->scenario));
          status != IB_OK) {
        return status;
      }
    }
    ib_backend* raw = b.get();
    b->threads = std::make_unique<RequestThreads>(slot_count, [raw](int slot) {
      return execute(raw->slots[static_cast<size_t>(slot)]);
    });

    // What the runtime executes per inference: the program's instructions (a delegate call, or
    // an operator run by ExecuTorch's own kernels outside the delegate).
    auto meta = b->slots[0].module->method_meta(kForward);
    if (!meta.ok()) return fail(IB_ERROR_BACKEND, "cannot read the forward method's metadata: " + error_text(meta.error()));
    auto input_meta = meta->input_tensor_meta(0);
    if (!input_meta.ok()) return fail(IB_ERROR_INPUT, "input 0 of " + path + " is not a tensor");
    const std::vector<int64_t> program_shape(input_meta->sizes().begin(), input_meta->sizes().end());
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // ET_EXPERIMENTAL marks it deprecated
    const size_t instructions = meta->num_instructions();
#pragma GCC diagnostic pop
    // One instruction is the whole program in one XNNPACK call; more are operators the
    // partitioner left to ExecuTorch's own kernels (or, rarely, further delegate calls).
    const bool xnnpack = meta->uses_backend(kXnnpackBackend);
    auto& e = b->effective;
    e.set("isa", !xnnpack ? "ExecuTorch kernels" : instructions > 1 ? "XNNPACK + ExecuTorch kernels" : "XNNPACK");
    e.set("delegate", xnnpack ? "XNNPACK" : "none");
    e.set("instructions", std::to_string(instructions));
    if (xnnpack && instructions > 1) e.set("kernels_outside_delegate", "ExecuTorch kernels");
    e.set("program_input", shape_text(program_shape));
    const bool staging = inferbench::plugin::scenario_stages_batches(args->scenario);
    e.set("input_binding",
          std::string(b->planned_input ? "copied once into the program's planned input at set_input; serving samples written there directly"
                                       : "bound by pointer (input not memory-planned)") +
              (!staging ? ""
               : b->planned_input ? "; a staged batch is copied into the planned input at its start"
                                  : "; a staged batch's buffer is bound by pointer at its start"));
    e.set("load_mode", load_mode == Module::LoadMode::Mmap ? "mmap" : "file");
    e.set("graph", "Module::load + load_method(forward)" +
                       (slot_count > 1 ? ", once per request (" + std::to_string(slot_count) + " Modules)" : std::string()));
    e.set("requests", std::to_string(slot_count));
    // A pool of one thread runs every call inline on its caller: the requests then compute side
    // by side. A larger pool runs one parallel call at a time, so the requests take turns on it.
    const std::string pool = pool_threads == "1" ? "1 thread, which runs each call inline on the request's own thread"
                                                 : pool_threads + " threads, on which their operators take turns";
    // What the requests keep busy together: each its own thread with a pool of one, else the pool.
    e.set("threads_total", pool_threads == "1" ? std::to_string(slot_count) : pool_threads);
    e.set("request_threads", slot_count > 1 ? "the " + std::to_string(slot_count) +
                                                  " requests, each on a thread of its own, share ExecuTorch's one "
                                                  "thread pool of " + pool
                                            : "one request, on ExecuTorch's thread pool of " + pool_threads +
                                                  (pool_threads == "1" ? " thread" : " threads"));
    if (slot_count > 1) {
      e.set("xnnpack_load_options", std::string(kWorkspaceSharing) + " " + std::to_string(kWorkspacePerProgram) +
                                        " (a workspace per request), " + kWeightCache + " false" +
                                        (defaults.empty() ? "" : "; process defaults: " + defaults));
    } else if (!defaults.empty()) {
      e.set("xnnpack_load_options", "process defaults: " + defaults);
    }
    *out = b.release();
    return IB_OK;
  });
}

// After a slot's input buffer changed: a planned input holds its own copy, refreshed from the
// buffer; an unplanned one reads the buffer through its pointer.
ib_status refresh_input(Slot& slot, bool planned) {
  if (!planned) return IB_OK;
  if (const Error error = slot.method->set_input(et::runtime::EValue(*slot.input), 0); error != Error::Ok) {
    return fail(IB_ERROR_BACKEND, "ExecuTorch set_input failed: " + error_text(error));
  }
  return IB_OK;
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  return guarded([&]() -> ib_status {
    const size_t expected = b->slots[0].input_data.size();
    if (count != expected) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input has " + std::to_string(count) + " values, model input " +
                                                 std::to_string(expected));
    }
    // Every slot its own copy, so that requests in flight never share an input.
    for (Slot& slot : b->slots) {
      slot.staged = false;
      std::memcpy(slot.input_data.data(), data, count * sizeof(float));
      if (auto status = refresh_input(slot, b->planned_input); status != IB_OK) return status;
    }
    return IB_OK;
  });
}

ib_status run(ib_backend* b) { return execute(b->slots[0]); }

ib_status sync(ib_backend*) { return IB_OK; }  // execute() returns when the CPU has finished

// Output 0 of slot 0: of the last run(), or of slot 0's last request.
ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  return guarded([&]() -> ib_status {
    const et::runtime::EValue& value = b->slots[0].method->get_output(0);
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

// Request slots: each slot's Method::execute() runs on that slot's own thread (RequestThreads),
// since execute() blocks its caller; start_request hands it over and returns.
int request_slots(ib_backend* b) { return static_cast<int>(b->slots.size()); }

// A staged batch becomes the slot's input here, before its thread runs it.
ib_status start_request(ib_backend* b, int slot) {
  if (slot < 0 || static_cast<size_t>(slot) >= b->slots.size()) {
    return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  }
  Slot& s = b->slots[static_cast<size_t>(slot)];
  if (s.staged) {
    s.staged = false;
    std::swap(s.input_data, s.standby_data);
    std::swap(s.input, s.standby);
    if (const Error error = s.method->set_input(et::runtime::EValue(*s.input), 0); error != Error::Ok) {
      return fail(IB_ERROR_BACKEND, "ExecuTorch set_input of the staged batch failed: " + error_text(error));
    }
    if (!b->planned_input) s.method_input = s.input_data.data();
  }
  return b->threads->start(slot);
}

ib_status wait_request(ib_backend* b, int slot) { return b->threads->wait(slot); }

// Copies the samples into rows 0..n-1 of what the slot's method reads (its planned input in the
// arena, or the slot's buffer); rows after the n-th keep earlier samples.
ib_status set_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  if (auto checked = inferbench::plugin::check_request_samples(slot, static_cast<int>(b->slots.size()), n, sample_values,
                                                                b->batch, b->slots[0].input_data.size());
      checked != IB_OK) {
    return checked;
  }
  Slot& s = b->slots[static_cast<size_t>(slot)];
  s.staged = false;
  // Straight into what the method reads (the planned input, or our buffer): one copy per sample.
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(s.method_input + i * sample_values, samples[i], sample_values * sizeof(float));
  }
  return IB_OK;
}

// Into the slot's standby input, while its method may be running on the other.
ib_status stage_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  if (auto checked = inferbench::plugin::check_request_samples(slot, static_cast<int>(b->slots.size()), n, sample_values,
                                                                b->batch, b->slots[0].input_data.size());
      checked != IB_OK) {
    return checked;
  }
  Slot& s = b->slots[static_cast<size_t>(slot)];
  if (s.standby_data.empty()) {
    return fail(IB_ERROR_UNAVAILABLE, "this ExecuTorch instance was not prepared for a LoadGen scenario, and has no standby input");
  }
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(s.standby_data.data() + i * sample_values, samples[i], sample_values * sizeof(float));
  }
  s.staged = true;
  return IB_OK;
}

// Per-operator profiles. The tracer collects; what follows turns its records into the ABI's ops.

// "Convolution (NHWC, F32) IGEMM #3" -> op type "Convolution (NHWC, F32)", kernel "IGEMM": XNNPACK
// names an operator by its type with its layout and data types in parentheses, then the kind of
// microkernel it runs (none for most), and ExecuTorch's delegate appends " #k", the k-th operator
// of that name.
struct XnnpackName {
  std::string op_type;
  std::string kernel;
};

XnnpackName split_xnnpack_name(std::string name) {
  if (const size_t hash = name.rfind(" #"); hash != std::string::npos) name.resize(hash);
  const size_t close = name.rfind(')');
  if (close == std::string::npos) return {name, ""};
  std::string kernel = name.substr(close + 1);
  kernel.erase(0, kernel.find_first_not_of(' '));
  return {name.substr(0, close + 1), kernel};
}

bool is_one_of(const std::string& word, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return word == w; });
}

// The common category of the XNNPACK operators of one delegate call, read in execution order;
// "" where the name alone does not say, for inferbench's own table to decide.
//
// XNNPACK turns a 1x1 convolution (stride 1, no padding) into a "Fully Connected" operator on the
// NHWC feature map: MobileNetV2's 34 pointwise convolutions and its classifier are all 35 "Fully
// Connected (NC, F32) GEMM". What tells them apart is where they run: a fully connected operator
// is a matmul before the first convolution (a model without any), and after the feature map was
// pooled (Mean) and then reshaped to a vector (the classifier); between the two it runs on a
// feature map, as a 1x1 convolution. A Mean alone does not end the feature map: MobileNetV3's
// squeeze-and-excitation blocks pool, run two 1x1 convolutions on the pooled 1x1 map and scale
// the feature map with the result.
class XnnpackCategories {
 public:
  std::string category(const XnnpackName& name) {
    const std::string type = name.op_type.substr(0, name.op_type.find(" ("));
    if (type == "Convolution") {
      feature_map_ = true;
      pooled_ = false;
      if (name.kernel == "DWConv") return "depthwise_convolution";
      // GEMM runs a 1x1 convolution as one matrix product; IGEMM gathers each output's input
      // window through indirection pointers, for larger kernels.
      if (name.kernel == "GEMM") return "pointwise_convolution";
      if (name.kernel == "IGEMM") return "convolution";
      return "";
    }
    if (type == "Fully Connected" || type == "Dynamic Fully Connected") {
      return feature_map_ ? "pointwise_convolution" : "matmul";
    }
    if (type == "Mean") {
      pooled_ = true;
      return "pooling";
    }
    if (type == "Static Reshape" && pooled_) feature_map_ = false;
    if (type == "Batch Matrix Multiply") return "matmul";
    if (is_one_of(type, {"Average Pooling", "Max Pooling", "ArgMax Pooling"})) return "pooling";
    if (is_one_of(type, {"Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum", "Squared Difference"})) {
      return "elementwise";
    }
    if (is_one_of(type, {"Clamp", "HardSwish", "Sigmoid", "TanH", "LeakyReLU", "PReLU", "ApproxGELU"})) {
      return "activation";
    }
    if (is_one_of(type, {"Copy", "Transpose", "Static Reshape", "Static Expand Dims", "Constant Pad", "Slice",
                         "Fuse Dims", "Split Dims", "Depth To Space", "Space To Depth"})) {
      return "layout";
    }
    if (type == "Convert") return "quantize";  // float <-> int8 at an INT8 program's edges
    return "";
  }

 private:
  bool feature_map_ = false;
  bool pooled_ = false;
};

// An operator outside the delegate, named by its kernel ("_to_dim_order_copy.out"; "" when the
// kernel logged no span of its own).
inferbench::plugin::ProfileOp outside_op(const std::string& kernel, uint32_t instruction) {
  inferbench::plugin::ProfileOp op;
  const std::string at = "instruction " + std::to_string(instruction);
  if (kernel.empty()) {
    op.name = at;
    op.op_type = "OPERATOR_CALL";
  } else {
    op.name = kernel + " (" + at + ")";
    op.op_type = kernel.substr(0, kernel.rfind('.'));  // the operator, without the ".out" variant
    op.kernel = kernel;
    if (op.op_type.find("quantize") != std::string::npos) {
      op.category = "quantize";
    } else if (op.op_type == "_to_dim_order_copy" || op.op_type == "_clone_dim_order") {
      op.category = "layout";
    }
  }
  op.in_delegate = 0;
  return op;
}

std::string milliseconds_text(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", ms);
  return text;
}

ib_status profile_begin(ib_backend* b) {
  return guarded([&]() -> ib_status {
    OperatorTracer* tracer = b->slots[0].tracer;
    if (tracer == nullptr) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "profile_begin: this ExecuTorch instance was prepared without profile = 1; prepare one with it");
    }
    if (tracer->events_seen() == 0) {
      return fail(IB_ERROR_UNAVAILABLE,
                  "this ExecuTorch runtime reported no event while loading the method: it was built without "
                  "ET_EVENT_TRACER_ENABLED, so it reports no operator times");
    }
    tracer->begin();
    return IB_OK;
  });
}

ib_status profile_end(ib_backend* b, size_t runs, const char*, const ib_profile_op** ops, size_t* count,
                      const ib_key_value** facts, size_t* num_facts) {
  return guarded([&]() -> ib_status {
    OperatorTracer* tracer = b->slots[0].tracer;
    if (tracer == nullptr) {
      return fail(IB_ERROR_INVALID_ARGUMENT,
                  "profile_end: this ExecuTorch instance was prepared without profile = 1; prepare one with it");
    }
    tracer->stop();
    if (runs == 0 || tracer->runs() != runs) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "profile_end: " + std::to_string(runs) + " runs announced, but " +
                                                 std::to_string(tracer->runs()) +
                                                 " Method::execute() calls completed since profile_begin");
    }
    if (!tracer->consistent()) {
      return fail(IB_ERROR_BACKEND,
                  "the profiled runs did not all report the same operators in the same order, so their times "
                  "cannot be averaged per operator");
    }
    // Ticks of the platform clock to milliseconds per run.
    const auto ratio = et_pal_ticks_to_ns_multiplier();
    const double ms_per_tick = static_cast<double>(ratio.numerator) / static_cast<double>(ratio.denominator) / 1e6;
    const double per_run = ms_per_tick / static_cast<double>(runs);

    std::vector<inferbench::plugin::ProfileOp> records;
    XnnpackCategories categories;
    double delegate_ops_ms = 0;
    size_t delegate_ops = 0;
    for (const auto& traced : tracer->ops()) {
      inferbench::plugin::ProfileOp op;
      if (traced.in_delegate) {
        const XnnpackName name = split_xnnpack_name(traced.event);
        op.name = traced.event;
        op.op_type = name.op_type;
        op.kernel = name.kernel;
        op.category = categories.category(name);
        op.in_delegate = 1;
        delegate_ops_ms += static_cast<double>(traced.total_ticks) * per_run;
        ++delegate_ops;
      } else {
        op = outside_op(traced.event, traced.instruction);
      }
      op.time_ms = static_cast<double>(traced.total_ticks) * per_run;
      op.start_ms = static_cast<double>(traced.start_ticks) * per_run;
      records.push_back(std::move(op));
    }

    const double method_ms = static_cast<double>(tracer->method_ticks()) * per_run;
    const double delegate_ms = static_cast<double>(tracer->delegate_ticks()) * per_run;
    auto& f = b->profile.facts;
    f.set("source", "ExecuTorch EventTracer on the forward method: the XNNPACK delegate's per-operator events "
                    "and the runtime's OPERATOR_CALL spans");
    // XNNPACK measures each operator's duration only; ExecuTorch's delegate lays the operators
    // back to back from the start of the XNNPACK invoke. Spans outside it are measured.
    f.set("timeline", delegate_ops > 0 ? "synthesized" : "measured");
    std::string coverage;
    if (delegate_ms > 0 && delegate_ops == 0) {
      coverage = "the delegate calls (" + milliseconds_text(delegate_ms) +
                 " ms per run) reported no per-operator event, so their time is in no op";
    } else if (delegate_ops > 0) {
      coverage = "XNNPACK times its operators to the microsecond, back to back through its invoke, so they sum to " +
                 milliseconds_text(delegate_ops_ms) + " ms of the delegate call's " + milliseconds_text(delegate_ms) +
                 " ms per run (the rest: binding inputs and outputs, and reporting these events)";
    } else {
      coverage = "every instruction of the plan is an op";
    }
    coverage += "; Method::execute took " + milliseconds_text(method_ms) +
                " ms per run; batch norms folded and activations fused into convolutions by the XNNPACK lowering "
                "are not listed";
    f.set("coverage", coverage);
    f.set("method_ms", milliseconds_text(method_ms));
    f.set("delegate_ms", milliseconds_text(delegate_ms));
    f.set("delegate_ops_ms", milliseconds_text(delegate_ops_ms));
    return b->profile.publish(std::move(records), ops, count, facts, num_facts);
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
