// SPDX-License-Identifier: Apache-2.0
// Test-only plugins built from one source: noop (measures harness overhead), abort (crashes
// in the third inference), hang (never returns from an inference), bad_output (returns NaN).
// They stand in for a system under test to exercise the harness; they never stand in for a
// framework. Each inference can take a known time (spin_us: busy, service_us: asleep, like a
// device computing), so that the serving scenarios have answers to check.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "backends/api/backend_helper.h"
#include "backends/api/request_threads.h"

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;

constexpr int64_t kClasses = 10;

const ib_option_desc kOptions[] = {
    {"spin_us", "int", "0", "busy-wait this many microseconds in each inference"},
    {"service_us", "int", "0",
     "sleep this many microseconds in each inference (a request that takes time without a CPU, as "
     "on a device); with spin_us both apply"},
    {"slow_every", "int", "0",
     "every this many inferences (the 4th, 8th, ... for 4), one takes slow_us microseconds more, asleep "
     "(0 = none): a service time with a slow tail"},
    {"slow_us", "int", "0", "what a slow inference adds (slow_every)"},
    {"first_runs", "int", "0",
     "the first this many inferences each take first_us microseconds more, asleep: a runtime slow "
     "until warm, whose warm-up underestimates its rate"},
    {"first_us", "int", "0", "what each of the first_runs inferences adds"},
    {"hang_after", "int", "0", "hang: inferences that return before one never does (0 = the first hangs)"},
    {"profile_abort", "bool", "false", "abort the process when a profiling pass begins (--profile)"},
    {"staging", "bool", "true",
     "stage the next batch while a request runs (stage_request_samples); false: say it cannot, so that "
     "each batch is given at its start"},
};

// The operators a profile of one inference reports, each a share of its time (spin_us + service_us):
// enough to exercise the harness's categories, coverage and trace. Names say what they stand for.
struct StandInOp {
  const char* name;
  const char* op_type;
  const char* shape;
  double share;
};
constexpr StandInOp kStandInOps[] = {
    {"stand_in.conv_dw", "Convolution", "[8,1,3,3]", 0.5},
    {"stand_in.clamp", "Clamp", "", 0.2},
    {"stand_in.fc", "FullyConnected", "[10,8]", 0.2},
};

// Request slots made when the run names no count.
constexpr int kDefaultRequests = 2;

const ib_backend_info kInfo = {
    IB_TESTING_NAME,  "Testing (" IB_TESTING_NAME ")", "1", "cpu", "fp32", "none", "", "sync,async", kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]), nullptr, 0,
};

}  // namespace

struct ib_backend {
  std::vector<float> input;
  std::vector<std::vector<float>> slot_inputs;  // one per request slot
  // Each slot's standby input and whether it holds a staged batch (stage_request_samples);
  // `staging` false: the instance says it cannot stage.
  std::vector<std::vector<float>> standby_inputs;
  std::vector<char> staged;
  bool staging = true;
  std::vector<float> output;
  std::vector<int64_t> output_shape;
  int64_t batch = 0;
  long spin_us = 0;
  long service_us = 0;
  long slow_every = 0;
  long slow_us = 0;
  long first_runs = 0;
  long first_us = 0;
  long hang_after = 0;
  bool profile = false;        // prepared with ib_prepare_args.profile
  bool profile_abort = false;  // profile_begin() aborts
  int runs_at_profile_begin = 0;
  inferbench::plugin::ProfileOps profile_ops;
  std::atomic<int> runs{0};
  // Threads of the request slots when an inference takes time; empty when it takes none, and a
  // request is then done at submission.
  std::unique_ptr<inferbench::plugin::RequestThreads> threads;
  inferbench::plugin::KeyValues effective;
};

namespace {

const ib_backend_info* describe() { return &kInfo; }

// One inference, on whichever thread asks (run() or a request slot's).
ib_status run(ib_backend* b) {
  const auto start = std::chrono::steady_clock::now();
  [[maybe_unused]] const int run_index = b->runs++;
#if defined(IB_TESTING_ABORT)
  if (run_index == 2) std::abort();
#elif defined(IB_TESTING_HANG)
  if (run_index >= b->hang_after) {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
#endif
  if (b->spin_us > 0) {
    auto until = start + std::chrono::microseconds(b->spin_us);
    while (std::chrono::steady_clock::now() < until) {
    }
  }
  // Until a deadline from the start, so that the service time does not drift with the sleep's
  // own overshoot.
  const long slow = (b->slow_every > 0 && (run_index + 1) % b->slow_every == 0 ? b->slow_us : 0) +
                    (run_index < b->first_runs ? b->first_us : 0);
  if (b->service_us + slow > 0) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(b->spin_us + b->service_us + slow));
  }
  return IB_OK;
}

int is_available(const char* device, const char** reason) {
  if (std::string(device) == "cpu") return 1;
  *reason = "the testing plugins run on cpu only";
  return 0;
}

ib_status prepare(const ib_prepare_args* args, ib_backend** out) {
  return guarded([&] {
    if (args->input_rank < 1 || args->input_shape[0] < 1) {
      return fail(IB_ERROR_INVALID_ARGUMENT, "input shape needs a batch dimension");
    }
    auto b = std::make_unique<ib_backend>();
    b->batch = args->input_shape[0];
    auto options = inferbench::plugin::options_map(args);
    for (auto [key, field] : {std::pair{"spin_us", &ib_backend::spin_us}, std::pair{"service_us", &ib_backend::service_us},
                              std::pair{"slow_every", &ib_backend::slow_every}, std::pair{"slow_us", &ib_backend::slow_us},
                              std::pair{"hang_after", &ib_backend::hang_after}, std::pair{"first_runs", &ib_backend::first_runs},
                              std::pair{"first_us", &ib_backend::first_us}}) {
      if (auto it = options.find(key); it != options.end()) b.get()->*field = std::stol(it->second);
      if (b.get()->*field < 0) return fail(IB_ERROR_INVALID_ARGUMENT, std::string(key) + " must be 0 or more");
    }
    b->profile = args->profile == 1;
    b->profile_abort = options.count("profile_abort") && options["profile_abort"] == "true";
    size_t count = 1;
    for (size_t i = 0; i < args->input_rank; ++i) count *= static_cast<size_t>(args->input_shape[i]);
    b->input.assign(count, 0.0f);
    const int slots = inferbench::plugin::request_count(args, kDefaultRequests);
    b->slot_inputs.assign(static_cast<size_t>(slots), b->input);
    b->staging = !(options.count("staging") && options["staging"] == "false");
    if (b->staging) b->standby_inputs.assign(static_cast<size_t>(slots), b->input);
    b->staged.assign(static_cast<size_t>(slots), 0);
    if (b->spin_us > 0 || b->service_us > 0 || (b->slow_every > 0 && b->slow_us > 0) ||
        (b->first_runs > 0 && b->first_us > 0)) {
      ib_backend* raw = b.get();
      b->threads = std::make_unique<inferbench::plugin::RequestThreads>(slots, [raw](int) { return run(raw); });
    }
    b->effective.set("requests", std::to_string(slots));
    b->output.assign(static_cast<size_t>(b->batch * kClasses), 0.0f);
    b->output_shape = {b->batch, kClasses};
    b->effective.set("threads", "1");
    b->effective.set("target_hardware", "host CPU (no computation)");
    *out = b.release();
    return IB_OK;
  });
}

ib_status set_input(ib_backend* b, const float* data, size_t count) {
  if (count != b->input.size()) return fail(IB_ERROR_INVALID_ARGUMENT, "input size mismatch");
  std::copy(data, data + count, b->input.begin());
  for (auto& slot : b->slot_inputs) std::copy(data, data + count, slot.begin());
  std::fill(b->staged.begin(), b->staged.end(), 0);
  return IB_OK;
}


ib_status sync(ib_backend*) { return IB_OK; }

ib_status output(ib_backend* b, const float** data, size_t* count, const int64_t** shape,
                 size_t* rank) {
  // A deterministic function of the input, so that parity against another noop run holds.
  const size_t per_sample = b->input.size() / static_cast<size_t>(b->batch);
  for (int64_t s = 0; s < b->batch; ++s) {
    for (int64_t k = 0; k < kClasses; ++k) {
      b->output[s * kClasses + k] = b->input[s * per_sample + static_cast<size_t>(k) % per_sample];
    }
  }
#if defined(IB_TESTING_BAD_OUTPUT)
  b->output[0] = std::numeric_limits<float>::quiet_NaN();
#endif
  *data = b->output.data();
  *count = b->output.size();
  *shape = b->output_shape.data();
  *rank = b->output_shape.size();
  return IB_OK;
}

// The request slots of the test plugins (two unless the run names a count). An inference that
// takes time runs on the slot's own thread; one that takes none is done at submission, so that
// the harness's own cost is all that a noop request measures.
int request_slots(ib_backend* b) { return static_cast<int>(b->slot_inputs.size()); }

bool valid_slot(const ib_backend* b, int slot) { return slot >= 0 && slot < static_cast<int>(b->slot_inputs.size()); }

ib_status start_request(ib_backend* b, int slot) {
  if (!valid_slot(b, slot)) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  if (b->staged[static_cast<size_t>(slot)]) {
    b->staged[static_cast<size_t>(slot)] = 0;
    b->slot_inputs[static_cast<size_t>(slot)].swap(b->standby_inputs[static_cast<size_t>(slot)]);
  }
  return b->threads ? b->threads->start(slot) : run(b);
}

ib_status wait_request(ib_backend* b, int slot) {
  if (!valid_slot(b, slot)) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  return b->threads ? b->threads->wait(slot) : IB_OK;
}

ib_status set_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  if (auto checked = inferbench::plugin::check_request_samples(slot, request_slots(b), n, sample_values,
                                                                static_cast<size_t>(b->batch), b->input.size());
      checked != IB_OK) {
    return checked;
  }
  b->staged[static_cast<size_t>(slot)] = 0;
  std::vector<float>& input = b->slot_inputs[static_cast<size_t>(slot)];
  for (size_t i = 0; i < n; ++i) std::copy(samples[i], samples[i] + sample_values, input.begin() + static_cast<std::ptrdiff_t>(i * sample_values));
  return IB_OK;
}

ib_status stage_request_samples(ib_backend* b, int slot, const float* const* samples, size_t n, size_t sample_values) {
  if (auto checked = inferbench::plugin::check_request_samples(slot, request_slots(b), n, sample_values,
                                                                static_cast<size_t>(b->batch), b->input.size());
      checked != IB_OK) {
    return checked;
  }
  if (b->standby_inputs.empty()) return fail(IB_ERROR_UNAVAILABLE, "the testing plugin's staging=false: it cannot stage");
  std::vector<float>& standby = b->standby_inputs[static_cast<size_t>(slot)];
  for (size_t i = 0; i < n; ++i) std::copy(samples[i], samples[i] + sample_values, standby.begin() + static_cast<std::ptrdiff_t>(i * sample_values));
  b->staged[static_cast<size_t>(slot)] = 1;
  return IB_OK;
}

ib_status profile_begin(ib_backend* b) {
  if (!b->profile) return fail(IB_ERROR_INVALID_ARGUMENT, "this instance was not prepared for profiling");
  if (b->profile_abort) std::abort();
  b->runs_at_profile_begin = b->runs;
  return IB_OK;
}

// Each stand-in operator at its share of one inference's time, back to back.
ib_status profile_end(ib_backend* b, size_t runs, const char*, const ib_profile_op** ops, size_t* count,
                      const ib_key_value** facts, size_t* num_facts) {
  if (!b->profile) return fail(IB_ERROR_INVALID_ARGUMENT, "this instance was not prepared for profiling");
  if (runs == 0 || static_cast<size_t>(b->runs - b->runs_at_profile_begin) != runs) {
    return fail(IB_ERROR_INVALID_ARGUMENT, "profile_end after " + std::to_string(b->runs - b->runs_at_profile_begin) +
                                               " profiled runs, told " + std::to_string(runs));
  }
  const double inference_ms = static_cast<double>(b->spin_us + b->service_us) / 1000.0;
  std::vector<inferbench::plugin::ProfileOp> records;
  double start = 0;
  for (const StandInOp& op : kStandInOps) {
    inferbench::plugin::ProfileOp record;
    record.name = op.name;
    record.op_type = op.op_type;
    record.shape = op.shape;
    record.time_ms = op.share * inference_ms;
    record.start_ms = start;
    start += record.time_ms;
    records.push_back(std::move(record));
  }
  b->profile_ops.facts.set("source", "the testing plugin's stand-in operators");
  b->profile_ops.facts.set("timeline", "measured");
  b->profile_ops.facts.set("coverage", "the stand-in operators cover 90% of the service time");
  return b->profile_ops.publish(std::move(records), ops, count, facts, num_facts);
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
