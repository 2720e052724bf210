// SPDX-License-Identifier: Apache-2.0
// Optional C++ helpers for implementing the C ABI of inferbench_backend.h: the plugin-owned
// last-error string, exception-to-status conversion at the boundary, and owned key/value
// lists. Header-only so a plugin links nothing of ours.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "backends/api/inferbench_backend.h"

// Marks the one exported symbol of a plugin.
#define IB_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

namespace inferbench::plugin {

// The message behind last_error(); one per thread (the worker calls from one thread).
inline std::string& last_error_storage() {
  thread_local std::string message;
  return message;
}

inline const char* last_error() { return last_error_storage().c_str(); }

// Records `message` and returns `code`: `return fail(IB_ERROR_INPUT, "...")`.
inline ib_status fail(ib_status code, std::string message) {
  last_error_storage() = std::move(message);
  return code;
}

// Runs `body` (returning ib_status) and converts any exception into IB_ERROR_BACKEND with
// its message, so that no exception crosses the C boundary.
template <typename Body>
ib_status guarded(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    std::string what = e.what();
    // SDK messages can span many lines (backtraces); the first line says what went wrong.
    if (auto eol = what.find('\n'); eol != std::string::npos) what.resize(eol);
    return fail(IB_ERROR_BACKEND, what);
  } catch (...) {
    return fail(IB_ERROR_BACKEND, "unknown exception from the framework");
  }
}

// Key/value pairs the plugin owns, exposed as an ib_key_value array.
class KeyValues {
 public:
  void set(std::string key, std::string value) {
    for (auto& [k, v] : entries_) {
      if (k == key) {
        v = std::move(value);
        rebuild();
        return;
      }
    }
    entries_.emplace_back(std::move(key), std::move(value));
    rebuild();
  }
  const ib_key_value* data() const { return view_.data(); }
  size_t size() const { return view_.size(); }

 private:
  void rebuild() {
    view_.clear();
    for (const auto& [k, v] : entries_) view_.push_back({k.c_str(), v.c_str()});
  }
  std::vector<std::pair<std::string, std::string>> entries_;
  std::vector<ib_key_value> view_;
};

// The entry points that differ between plugins. The four request-slot entries stay null for a
// plugin without request slots, the device-measurement three for a plugin without a device
// that measures itself, the profile two for a plugin without per-operator profiles.
struct EntryPoints {
  const ib_backend_info* (*describe)(void);
  int (*is_available)(const char* device, const char** reason);
  ib_status (*prepare)(const ib_prepare_args* args, ib_backend** out);
  ib_status (*set_input)(ib_backend* b, const float* data, size_t count);
  ib_status (*run)(ib_backend* b);
  ib_status (*sync)(ib_backend* b);
  ib_status (*output)(ib_backend* b, const float** data, size_t* count, const int64_t** shape, size_t* rank);
  int (*request_slots)(ib_backend* b) = nullptr;
  ib_status (*start_request)(ib_backend* b, int slot) = nullptr;
  ib_status (*wait_request)(ib_backend* b, int slot) = nullptr;
  ib_status (*record_device_times)(ib_backend* b, size_t count) = nullptr;
  ib_status (*device_times)(ib_backend* b, const double** ms, size_t* count) = nullptr;
  ib_status (*peak_device_memory)(ib_backend* b, double* mib) = nullptr;
  ib_status (*set_request_samples)(ib_backend* b, int slot, const float* const* samples, size_t n,
                                   size_t sample_values) = nullptr;
  ib_status (*profile_begin)(ib_backend* b) = nullptr;
  ib_status (*profile_end)(ib_backend* b, size_t runs, const char* native_dir, const ib_profile_op** ops,
                           size_t* count, const ib_key_value** facts, size_t* num_facts) = nullptr;
  ib_status (*stage_request_samples)(ib_backend* b, int slot, const float* const* samples, size_t n,
                                     size_t sample_values) = nullptr;
};

// effective() and destroy() for a plugin whose ib_backend keeps what ran in a KeyValues member
// named `effective` and is deleted whole. Templates, so that they are instantiated where the
// plugin has defined ib_backend.
template <typename Backend = ib_backend>
ib_status effective_pairs(Backend* b, const ib_key_value** pairs, size_t* count) {
  *pairs = b->effective.data();
  *count = b->effective.size();
  return IB_OK;
}

template <typename Backend = ib_backend>
void destroy(Backend* b) {
  delete b;
}

// The plugin's function table, from its entry points in EntryPoints' order:
// `const ib_backend_api kApi = api_table({describe, is_available, prepare, set_input, run, sync, output});`
template <typename Backend = ib_backend>
constexpr ib_backend_api api_table(const EntryPoints& f) {
  return {IB_BACKEND_API_VERSION, f.describe,       f.is_available,     f.prepare,       f.set_input,
          f.run,                  f.sync,           f.output,           effective_pairs<Backend>,
          f.request_slots,        f.start_request,  f.wait_request,     last_error,      destroy<Backend>,
          f.record_device_times,  f.device_times,   f.peak_device_memory, f.set_request_samples,
          f.profile_begin,        f.profile_end,    f.stage_request_samples};
}

// "[64,3,224,224]": a tensor shape as plugins write it into messages and effective() values.
inline std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

// Whether a prepared model is asked for several requests in flight (ib_prepare_args.scenario):
// "async" and LoadGen's multi-stream, server and offline; "sync", "single-stream" and NULL run
// one request at a time.
inline bool scenario_has_requests_in_flight(const char* scenario) {
  if (scenario == nullptr) return false;
  const std::string s(scenario);
  return s == "async" || s == "multi-stream" || s == "server" || s == "offline";
}

// Whether the worker's dispatcher may stage batches on the prepared model
// (stage_request_samples, which needs a standby input per slot): LoadGen's multi-stream, server
// and offline, whose queued samples are batched onto the request slots.
inline bool scenario_stages_batches(const char* scenario) {
  return scenario_has_requests_in_flight(scenario) && std::string(scenario) != "async";
}

// What every set_request_samples() checks: the slot exists (0 <= slot < slots), and its `n`
// samples of `sample_values` values are 1 to `batch` rows of a model input of `input_values`
// values in `batch` rows. IB_OK, or IB_ERROR_INVALID_ARGUMENT saying which.
inline ib_status check_request_samples(int slot, int slots, size_t n, size_t sample_values, size_t batch,
                                       size_t input_values) {
  if (slot < 0 || slot >= slots) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  if (batch == 0 || n < 1 || n > batch || sample_values * batch != input_values) {
    return fail(IB_ERROR_INVALID_ARGUMENT, std::to_string(n) + " samples of " + std::to_string(sample_values) +
                                               " values do not fit a model input of " + std::to_string(batch) +
                                               " samples of " + std::to_string(batch ? input_values / batch : 0) +
                                               " values");
  }
  return IB_OK;
}

// One operator of a profile as a plugin collects it, owning its strings (ProfileOps).
struct ProfileOp {
  std::string name;
  std::string op_type;
  std::string kernel;
  std::string fused;  // comma list of the model layers fused into it
  std::string shape;  // "[32,1,3,3]": the weight's, else the first input's
  std::string category;  // empty: inferbench's table decides
  double time_ms = 0;    // mean per inference
  double start_ms = -1;  // mean start from the inference's start; -1 when unknown
  int in_delegate = -1;
  int on_device = 0;
};

// What profile_end() hands over: the ops and the facts, owned by the plugin until its next
// profile_end(). `publish` fills both views from the records:
// `return profile.publish(std::move(records), ops, count, facts, num_facts);`
class ProfileOps {
 public:
  KeyValues facts;

  ib_status publish(std::vector<ProfileOp> records, const ib_profile_op** ops, size_t* count,
                    const ib_key_value** facts_out, size_t* num_facts) {
    records_ = std::move(records);
    view_.clear();
    for (const ProfileOp& r : records_) {
      view_.push_back({r.name.c_str(), r.op_type.c_str(), r.kernel.c_str(), r.fused.c_str(), r.shape.c_str(),
                       r.category.empty() ? nullptr : r.category.c_str(), r.time_ms, r.start_ms, r.in_delegate,
                       r.on_device});
    }
    *ops = view_.data();
    *count = view_.size();
    *facts_out = facts.data();
    *num_facts = facts.size();
    return IB_OK;
  }

 private:
  std::vector<ProfileOp> records_;
  std::vector<ib_profile_op> view_;
};

inline std::map<std::string, std::string> options_map(const ib_prepare_args* args) {
  std::map<std::string, std::string> result;
  for (size_t i = 0; i < args->num_options; ++i) {
    result[args->options[i].key] = args->options[i].value;
  }
  return result;
}

}  // namespace inferbench::plugin
