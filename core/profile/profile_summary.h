// SPDX-License-Identifier: Apache-2.0
// A row's profile from the operators a framework's profiler reported: categories, the longest
// operators, coverage, and a Chrome-trace JSON of one inference (docs/metrics.md, "Where the time
// goes").
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/row.h"

namespace inferbench {

// One operator as a plugin reported it (ib_profile_op), in execution order.
struct ProfiledOp {
  std::string name;
  std::string op_type;
  std::string kernel;
  std::string fused;
  std::string shape;
  std::string category;  // the plugin's category id; empty: the table decides
  double time_ms = 0;    // mean per inference
  double start_ms = -1;  // mean start from the inference's start; -1 when unknown
  int in_delegate = -1;  // 1, 0, or -1 for a framework without delegates
  int on_device = 0;
};

// The operators a row's `ops` lists by name; the rest are summed.
inline constexpr std::size_t kProfileTopOps = 20;

// The profile of `ops` (a pass of `runs` runs after `warmup` more, whose run() + sync() took
// `latency_ms` on average), with the plugin's `facts` ("source", "timeline", "coverage"). The
// trace paths are left for the caller.
Profile summarize_profile(const std::vector<ProfiledOp>& ops, const std::map<std::string, std::string>& facts,
                          double latency_ms, int warmup, int runs);

// The category id of one operator: the plugin's when it gave a known one, else the table's.
std::string op_category(const ProfiledOp& op);

// A Chrome-trace JSON (opens in Perfetto UI and chrome://tracing) of one mean inference of the
// profile: the inference on thread 0, operators outside a delegate on thread 1 and those inside
// it (or on the device) on thread 2, each at its mean start, or back to back in execution order
// when the framework gives no start times. `label` names the process ("OpenVINO fp32 sync, b64"),
// `about` goes into otherData.
nlohmann::json chrome_trace(const std::vector<ProfiledOp>& ops, const Profile& profile, const std::string& label,
                            const nlohmann::json& about);

}  // namespace inferbench
