// SPDX-License-Identifier: Apache-2.0
// OperatorTracer: sums each operator's time from the ExecuTorch runtime's events.
#include "backends/executorch/operator_tracer.h"

#include <executorch/runtime/platform/platform.h>

#include <cstring>

namespace inferbench::executorch_plugin {

namespace rt = ::executorch::runtime;

namespace {

// What an EventTracerEntry's event_id holds: an op's index (>= 0), or one of these.
constexpr int64_t kIgnored = -1;
constexpr int64_t kMethod = -2;
constexpr int64_t kDelegate = -3;

// The kernel registration wrapper names its span "native_call_" + the kernel's name.
constexpr char kKernelPrefix[] = "native_call_";

rt::EventTracerEntry entry(int64_t id, rt::ChainID chain_id, rt::DebugHandle debug_handle) {
  return {id, chain_id, debug_handle, et_pal_current_ticks(), rt::DelegateDebugIdType::kNone};
}

}  // namespace

void OperatorTracer::begin() {
  ops_.clear();
  runs_ = 0;
  consistent_ = true;
  method_ticks_ = 0;
  delegate_ticks_ = 0;
  collecting_ = true;
}

void OperatorTracer::create_event_block(const char*) {}

int64_t OperatorTracer::claim(const char* event, bool in_delegate, uint32_t instruction) {
  const size_t index = position_++;
  if (runs_ == 0 && index == ops_.size()) {
    ops_.push_back({event, in_delegate, instruction, 0, 0});
    return static_cast<int64_t>(index);
  }
  if (index >= ops_.size() || ops_[index].in_delegate != in_delegate || ops_[index].instruction != instruction ||
      (in_delegate && ops_[index].event != event)) {
    consistent_ = false;
    return kIgnored;
  }
  return static_cast<int64_t>(index);
}

rt::EventTracerEntry OperatorTracer::start_profiling(const char* name, rt::ChainID chain_id,
                                                     rt::DebugHandle debug_handle) {
  // The runtime sets the instruction's chain and index on the tracer before it starts the
  // instruction's spans, which name neither.
  if (chain_id == rt::kUnsetChainId) {
    chain_id = chain_id_;
    debug_handle = debug_handle_;
  }
  ++events_seen_;
  if (std::strcmp(name, "Method::execute") == 0) {
    position_ = 0;
    open_operator_ = -1;
    rt::EventTracerEntry e = entry(collecting_ ? kMethod : kIgnored, chain_id, debug_handle);
    run_start_ = e.start_time;
    return e;
  }
  if (!collecting_) return entry(kIgnored, chain_id, debug_handle);
  if (std::strcmp(name, "DELEGATE_CALL") == 0) {
    delegate_instruction_ = debug_handle;
    return entry(kDelegate, chain_id, debug_handle);
  }
  if (std::strcmp(name, "OPERATOR_CALL") == 0) {
    open_operator_ = claim("", false, debug_handle);
    return entry(open_operator_, chain_id, debug_handle);
  }
  // The kernel's own span, inside its OPERATOR_CALL: it names the op (during the first run,
  // which lays out the ops); its time is already in the OPERATOR_CALL's.
  if (open_operator_ >= 0 && runs_ == 0 && std::strncmp(name, kKernelPrefix, sizeof kKernelPrefix - 1) == 0) {
    ops_[static_cast<size_t>(open_operator_)].event = name + (sizeof kKernelPrefix - 1);
  }
  return entry(kIgnored, chain_id, debug_handle);
}

void OperatorTracer::end_profiling(rt::EventTracerEntry e) {
  if (e.event_id == kIgnored || !collecting_) return;
  const uint64_t elapsed = et_pal_current_ticks() - e.start_time;
  if (e.event_id == kMethod) {
    method_ticks_ += elapsed;
    ++runs_;
  } else if (e.event_id == kDelegate) {
    delegate_ticks_ += elapsed;
  } else {
    TracedOp& op = ops_[static_cast<size_t>(e.event_id)];
    op.total_ticks += elapsed;
    op.start_ticks += e.start_time - run_start_;
    if (e.event_id == open_operator_) open_operator_ = -1;
  }
}

// A delegate that times its operators as they run (XNNPACK does not: it logs them afterwards).
rt::EventTracerEntry OperatorTracer::start_profiling_delegate(const char* name, rt::DelegateDebugIntId) {
  if (!collecting_) return entry(kIgnored, chain_id_, debug_handle_);
  return entry(claim(name != nullptr ? name : "", true, delegate_instruction_), chain_id_, debug_handle_);
}

void OperatorTracer::end_profiling_delegate(rt::EventTracerEntry e, const void*, size_t) { end_profiling(e); }

void OperatorTracer::log_profiling_delegate(const char* name, rt::DelegateDebugIntId, et_timestamp_t start_time,
                                            et_timestamp_t end_time, const void*, size_t) {
  if (!collecting_) return;
  const int64_t index = claim(name != nullptr ? name : "", true, delegate_instruction_);
  if (index < 0) return;
  TracedOp& op = ops_[static_cast<size_t>(index)];
  op.total_ticks += end_time - start_time;
  op.start_ticks += start_time - run_start_;
}

}  // namespace inferbench::executorch_plugin
