// SPDX-License-Identifier: Apache-2.0
// The ExecuTorch plugin's per-operator profiler: an EventTracer given to the forward method of a
// profiling instance, which adds up each operator's time over the profiled runs.
#pragma once

#include <executorch/runtime/core/event_tracer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace inferbench::executorch_plugin {

// One operator of an inference as the runtime reports it, with its times summed over the runs
// since begin().
struct TracedOp {
  // Inside a delegate: the delegate's own event name, "Convolution (NHWC, F32) IGEMM #3" for
  // XNNPACK. Outside: the instruction's kernel, "_to_dim_order_copy.out", or "" when the kernel
  // logs no event of its own.
  std::string event;
  bool in_delegate = false;
  uint32_t instruction = 0;  // index in the method's plan; that of the enclosing delegate call inside one
  uint64_t total_ticks = 0;  // summed over the runs
  uint64_t start_ticks = 0;  // start from the run's start, summed over the runs
};

// Receives the runtime's events. The runtime calls it from the thread that runs
// Method::execute(); begin(), stop() and the accessors are called between runs.
//
// What the wheel's runtime (built with ET_EVENT_TRACER_ENABLED) reports per Method::execute():
// a "Method::execute" span around the run; per instruction of the plan an "OPERATOR_CALL" span
// (a kernel outside any delegate, with a nested "native_call_<kernel>" span from the kernel's
// registration wrapper) or a "DELEGATE_CALL" span; inside the XNNPACK delegate's call, after its
// runtime has finished, one log_profiling_delegate() per XNNPACK operator, whose intervals the
// delegate lays back to back from the invoke's start (XNNPACK measures each operator's duration
// only).
class OperatorTracer final : public ::executorch::runtime::EventTracer {
 public:
  // Forgets what was collected and collects from the next run on.
  void begin();
  // Stops collecting; what was collected stays readable.
  void stop() { collecting_ = false; }

  // The operators of a run, in execution order, as the first run since begin() met them.
  const std::vector<TracedOp>& ops() const { return ops_; }
  // Method::execute() calls completed since begin().
  size_t runs() const { return runs_; }
  // Whether every run since begin() reported the same operators in the same order; when not,
  // the sums are meaningless.
  bool consistent() const { return consistent_; }
  // Summed over the runs: the whole Method::execute(), and the delegate calls.
  uint64_t method_ticks() const { return method_ticks_; }
  uint64_t delegate_ticks() const { return delegate_ticks_; }
  // Spans the runtime has started since the tracer was attached, collecting or not. Loading the
  // method starts two ("Program::load_method", "Method::init"): none after that means that the
  // runtime was built without event tracing and will report no operator either.
  size_t events_seen() const { return events_seen_; }

  void create_event_block(const char* name) override;
  ::executorch::runtime::EventTracerEntry start_profiling(const char* name, ::executorch::runtime::ChainID chain_id,
                                                          ::executorch::runtime::DebugHandle debug_handle) override;
  void end_profiling(::executorch::runtime::EventTracerEntry entry) override;
  ::executorch::runtime::EventTracerEntry start_profiling_delegate(
      const char* name, ::executorch::runtime::DelegateDebugIntId delegate_debug_index) override;
  void end_profiling_delegate(::executorch::runtime::EventTracerEntry entry, const void* metadata,
                              size_t metadata_len) override;
  void log_profiling_delegate(const char* name, ::executorch::runtime::DelegateDebugIntId delegate_debug_index,
                              et_timestamp_t start_time, et_timestamp_t end_time, const void* metadata,
                              size_t metadata_len) override;

  // Allocations, values and intermediate outputs: not collected.
  void track_allocation(::executorch::runtime::AllocatorID, size_t) override {}
  ::executorch::runtime::AllocatorID track_allocator(const char*) override { return 0; }
  ::executorch::runtime::Result<bool> log_evalue(const ::executorch::runtime::EValue&,
                                                 ::executorch::runtime::LoggedEValueType) override {
    return false;
  }
  ::executorch::runtime::Result<bool> log_intermediate_output_delegate(const char*,
                                                                       ::executorch::runtime::DelegateDebugIntId,
                                                                       const ::executorch::aten::Tensor&) override {
    return false;
  }
  ::executorch::runtime::Result<bool> log_intermediate_output_delegate(
      const char*, ::executorch::runtime::DelegateDebugIntId,
      const ::executorch::runtime::ArrayRef<::executorch::aten::Tensor>) override {
    return false;
  }
  ::executorch::runtime::Result<bool> log_intermediate_output_delegate(const char*,
                                                                       ::executorch::runtime::DelegateDebugIntId,
                                                                       const int&) override {
    return false;
  }
  ::executorch::runtime::Result<bool> log_intermediate_output_delegate(const char*,
                                                                       ::executorch::runtime::DelegateDebugIntId,
                                                                       const bool&) override {
    return false;
  }
  ::executorch::runtime::Result<bool> log_intermediate_output_delegate(const char*,
                                                                       ::executorch::runtime::DelegateDebugIntId,
                                                                       const double&) override {
    return false;
  }
  void set_delegation_intermediate_output_filter(::executorch::runtime::EventTracerFilterBase*) override {}

 private:
  // The op at the run's next position: added during the first run since begin(), checked against
  // it after that (a delegate's op by its event name, an instruction by its index). Returns its
  // index, or -1 when the run differs from the first.
  int64_t claim(const char* event, bool in_delegate, uint32_t instruction);

  bool collecting_ = false;
  bool consistent_ = true;
  std::vector<TracedOp> ops_;
  size_t runs_ = 0;
  size_t events_seen_ = 0;
  size_t position_ = 0;          // the next op's index within the current run
  int64_t open_operator_ = -1;   // the OPERATOR_CALL under way, which its kernel's event names
  uint32_t delegate_instruction_ = 0;
  et_timestamp_t run_start_ = 0;
  uint64_t method_ticks_ = 0;
  uint64_t delegate_ticks_ = 0;
};

}  // namespace inferbench::executorch_plugin
