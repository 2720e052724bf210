// SPDX-License-Identifier: Apache-2.0
// Test-only plugins built from one source: noop (measures harness overhead), abort (crashes
// in the third run), hang (never returns from run), bad_output (returns NaN). They stand in
// for a system under test to exercise the harness; they never stand in for a framework.
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

namespace {

using inferbench::plugin::fail;
using inferbench::plugin::guarded;

constexpr int64_t kClasses = 10;

const ib_option_desc kOptions[] = {
    {"spin_us", "int", "0", "busy-wait this many microseconds in each run()"},
};

const ib_backend_info kInfo = {
    IB_TESTING_NAME,  "Testing (" IB_TESTING_NAME ")", "1", "cpu", "fp32", "none", "", "sync,async", kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]), nullptr, 0,
};

}  // namespace

struct ib_backend {
  std::vector<float> input;
  std::vector<float> output;
  std::vector<int64_t> output_shape;
  int64_t batch = 0;
  long spin_us = 0;
  int runs = 0;
  inferbench::plugin::KeyValues effective;
};

namespace {

const ib_backend_info* describe() { return &kInfo; }

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
    if (auto it = options.find("spin_us"); it != options.end()) b->spin_us = std::stol(it->second);
    size_t count = 1;
    for (size_t i = 0; i < args->input_rank; ++i) count *= static_cast<size_t>(args->input_shape[i]);
    b->input.assign(count, 0.0f);
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
  return IB_OK;
}

ib_status run(ib_backend* b) {
  ++b->runs;
#if defined(IB_TESTING_ABORT)
  if (b->runs == 3) std::abort();
#elif defined(IB_TESTING_HANG)
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
#endif
  if (b->spin_us > 0) {
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(b->spin_us);
    while (std::chrono::steady_clock::now() < until) {
    }
  }
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

// The asynchronous path of the test plugins: two slots, each "inference" is run() done at
// submission, so waiting returns at once.
int request_slots(ib_backend*) { return 2; }
ib_status start_request(ib_backend* b, int slot) {
  if (slot < 0 || slot >= 2) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
  return run(b);
}
ib_status wait_request(ib_backend*, int) { return IB_OK; }

const ib_backend_api kApi = inferbench::plugin::api_table(
    {describe, is_available, prepare, set_input, run, sync, output, request_slots, start_request, wait_request});

}  // namespace

IB_PLUGIN_EXPORT const ib_backend_api* inferbench_backend_entry(void) { return &kApi; }
