// SPDX-License-Identifier: Apache-2.0
#include "core/profile/profile_summary.h"

#include <algorithm>
#include <numeric>

#include "core/profile/categories.h"

namespace inferbench {
namespace {

std::string fact(const std::map<std::string, std::string>& facts, const char* key) {
  auto it = facts.find(key);
  return it == facts.end() ? std::string() : it->second;
}

}  // namespace

std::string op_category(const ProfiledOp& op) {
  if (category_from_id(op.category)) return op.category;
  return std::string(category_id(categorize({op.op_type, op.kernel, op.name, op.shape})));
}

Profile summarize_profile(const std::vector<ProfiledOp>& ops, const std::map<std::string, std::string>& facts,
                          double latency_ms, int warmup, int runs) {
  Profile profile;
  profile.available = true;
  profile.source = fact(facts, "source");
  profile.timeline = fact(facts, "timeline");
  profile.coverage_note = fact(facts, "coverage");
  profile.warmup = warmup;
  profile.runs = runs;
  profile.op_count = static_cast<int>(ops.size());
  const double total = std::accumulate(ops.begin(), ops.end(), 0.0, [](double sum, const ProfiledOp& op) {
    return sum + op.time_ms;
  });
  if (latency_ms > 0) profile.latency_ms = latency_ms;
  profile.op_ms = total;
  if (latency_ms > 0) profile.coverage = total / latency_ms;
  const auto share = [total](double ms) { return total > 0 ? ms / total : 0.0; };

  std::map<std::string, ProfileCategoryTime> by_category;
  std::vector<ProfileOpTime> listed;
  listed.reserve(ops.size());
  for (const ProfiledOp& op : ops) {
    const std::string category = op_category(op);
    ProfileCategoryTime& sum = by_category[category];
    sum.category = category;
    sum.ms += op.time_ms;
    ++sum.ops;
    ProfileOpTime entry;
    entry.name = op.name;
    entry.op_type = op.op_type;
    entry.kernel = op.kernel;
    entry.category = category;
    entry.fused = op.fused;
    entry.ms = op.time_ms;
    entry.share = share(op.time_ms);
    if (op.in_delegate >= 0) entry.in_delegate = op.in_delegate == 1;
    entry.on_device = op.on_device == 1;
    listed.push_back(std::move(entry));
  }
  for (auto& [id, sum] : by_category) {
    sum.share = share(sum.ms);
    profile.categories.push_back(sum);
  }
  // Largest first; equal times in the table's order, so that the list does not depend on names.
  const auto rank = [](const std::string& id) {
    const auto& all = all_categories();
    const auto category = category_from_id(id);
    return category ? std::find(all.begin(), all.end(), *category) - all.begin() : 0;
  };
  std::sort(profile.categories.begin(), profile.categories.end(),
            [&](const ProfileCategoryTime& a, const ProfileCategoryTime& b) {
              return a.ms != b.ms ? a.ms > b.ms : rank(a.category) < rank(b.category);
            });
  // The longest operators; equal times keep execution order.
  std::stable_sort(listed.begin(), listed.end(), [](const ProfileOpTime& a, const ProfileOpTime& b) { return a.ms > b.ms; });
  if (listed.size() > kProfileTopOps) {
    for (auto it = listed.begin() + kProfileTopOps; it != listed.end(); ++it) {
      ++profile.rest_ops;
      profile.rest_ms += it->ms;
    }
    listed.resize(kProfileTopOps);
  }
  profile.ops = std::move(listed);
  return profile;
}

nlohmann::json chrome_trace(const std::vector<ProfiledOp>& ops, const Profile& profile, const std::string& label,
                            const nlohmann::json& about) {
  using nlohmann::json;
  constexpr int kProcess = 1;
  constexpr int kInference = 0, kHost = 1, kDelegate = 2;
  json events = json::array();
  const auto name_thread = [&](int tid, const std::string& name) {
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", kProcess}, {"tid", tid}, {"args", {{"name", name}}}});
    events.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", kProcess}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
  };
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", kProcess}, {"args", {{"name", label}}}});
  name_thread(kInference, "inference (mean of " + std::to_string(profile.runs) + " profiled runs)");
  name_thread(kHost, "operators");
  name_thread(kDelegate, "operators in the delegate / on the device");

  const bool measured = profile.timeline == "measured";
  // Events on one thread must not overlap, or viewers mis-nest them: a mean start that falls
  // inside the previous operator's mean span is moved to its end.
  double host_end = 0, delegate_end = 0, synthesized = 0;
  for (const ProfiledOp& op : ops) {
    const bool delegate = op.in_delegate == 1 || op.on_device == 1;
    double& thread_end = delegate ? delegate_end : host_end;
    double start = measured && op.start_ms >= 0 ? op.start_ms : synthesized;
    start = std::max(start, thread_end);
    synthesized = start + op.time_ms;
    thread_end = start + op.time_ms;
    json args = {{"op_type", op.op_type}, {"kernel", op.kernel}, {"category", op_category(op)}, {"ms", op.time_ms}};
    if (!op.fused.empty()) args["fused"] = op.fused;
    if (!op.shape.empty()) args["shape"] = op.shape;
    if (op.in_delegate >= 0) args["in_delegate"] = op.in_delegate == 1;
    events.push_back({{"name", op.name.empty() ? op.op_type : op.name},
                      {"cat", op_category(op)},
                      {"ph", "X"},
                      {"ts", start * 1000.0},  // microseconds
                      {"dur", op.time_ms * 1000.0},
                      {"pid", kProcess},
                      {"tid", delegate ? kDelegate : kHost},
                      {"args", args}});
  }
  const double inference_ms = std::max({profile.latency_ms.value_or(0), host_end, delegate_end});
  events.push_back({{"name", "inference"},
                    {"cat", "inference"},
                    {"ph", "X"},
                    {"ts", 0.0},
                    {"dur", inference_ms * 1000.0},
                    {"pid", kProcess},
                    {"tid", kInference},
                    {"args", {{"latency_ms", profile.latency_ms.value_or(0)}, {"op_ms", profile.op_ms.value_or(0)}}}});
  json other = about;
  other["source"] = profile.source;
  other["timeline"] = measured ? "measured: operators at their mean start times"
                               : "synthesized: the framework gives no start times, so operators are laid out back to "
                                 "back in execution order";
  other["coverage"] = profile.coverage_note;
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}, {"otherData", other}};
}

}  // namespace inferbench
