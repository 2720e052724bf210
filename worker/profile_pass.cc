// SPDX-License-Identifier: Apache-2.0
#include "worker/profile_pass.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/profile/profile_summary.h"
#include "core/support/json_text.h"
#include "core/timing/wall_clock.h"

namespace inferbench {
namespace {

constexpr auto kProfileWarmUpTime = std::chrono::seconds(2);
constexpr int kProfileMaxWarmUp = 50;

Profile unavailable(std::string reason) {
  Profile profile;
  profile.reason = std::move(reason);
  return profile;
}

std::string configuration_of(const Cell& cell) {
  if (cell.scenario == "sync" || cell.scenario == "single-stream") return "one request, run() + sync() in a loop";
  return "one request, run() + sync() in a loop (the row's " + cell.scenario +
         " scenario overlaps several requests, whose operators would interleave)";
}

// The native trace's `path` as the row records it: under settings.native_label instead of
// settings.native_dir (relative to the results folder); any other path as it is.
std::string relabel(const std::string& path, const ProfileSettings& settings) {
  if (settings.native_dir.empty() || path.rfind(settings.native_dir, 0) != 0) return path;
  return settings.native_label + path.substr(settings.native_dir.size());
}

}  // namespace

Profile profile_pass(const LoadedPlugin& plugin, ib_prepare_args args, const Cell& cell, const std::vector<float>& input,
                     const std::string& row_label, const ProfileProgress& progress) {
  const ib_backend_api& api = *plugin.api;
  if (!api.profile_begin || !api.profile_end) {
    return unavailable(std::string(plugin.info->framework) + "'s plugin gives no per-operator profile");
  }
  const ProfileSettings& settings = cell.profile;
  if (!settings.artefact.empty()) args.artefact_path = settings.artefact.c_str();
  args.profile = 1;
  args.scenario = "sync";
  args.requests = 1;
  const auto pass_start = Clock::now();
  ib_backend* backend = nullptr;
  if (api.prepare(&args, &backend) != IB_OK) {
    return unavailable("preparing the profiling instance failed: " + plugin_message(plugin));
  }
  // Everything below ends in destroy(), whatever happens.
  Profile profile = [&]() -> Profile {
    if (api.set_input(backend, input.data(), input.size()) != IB_OK) {
      return unavailable("set_input on the profiling instance failed: " + plugin_message(plugin));
    }
    // Warm-up: settings.warmup runs, and more until kProfileWarmUpTime has passed (at most
    // kProfileMaxWarmUp): a large batch's first runs are still settling after five.
    int warmup = 0;
    const auto warmup_start = Clock::now();
    while (warmup < settings.warmup ||
           (Clock::now() - warmup_start < kProfileWarmUpTime && warmup < kProfileMaxWarmUp)) {
      if (progress) progress(warmup, std::max(warmup + 1, settings.warmup) + settings.runs);
      if (api.run(backend) != IB_OK || api.sync(backend) != IB_OK) {
        return unavailable("a warm-up run of the profiling instance failed: " + plugin_message(plugin));
      }
      ++warmup;
    }
    const int total = warmup + settings.runs;
    if (const ib_status began = api.profile_begin(backend); began != IB_OK) {
      return unavailable(began == IB_ERROR_UNAVAILABLE ? plugin_message(plugin)
                                                       : "profile_begin failed: " + plugin_message(plugin));
    }
    Nanos profiled{0};
    for (int i = 0; i < settings.runs; ++i) {
      if (progress) progress(warmup + i, total);
      const auto start = Clock::now();
      if (api.run(backend) != IB_OK || api.sync(backend) != IB_OK) {
        return unavailable("a profiled run failed: " + plugin_message(plugin));
      }
      profiled += Clock::now() - start;
    }
    if (progress) progress(total, total);
    std::error_code ec;
    if (!settings.native_dir.empty()) std::filesystem::create_directories(settings.native_dir, ec);
    const ib_profile_op* reported = nullptr;
    size_t count = 0;
    const ib_key_value* facts = nullptr;
    size_t num_facts = 0;
    if (const ib_status ended =
            api.profile_end(backend, static_cast<size_t>(settings.runs),
                            settings.native_dir.empty() || ec ? nullptr : settings.native_dir.c_str(), &reported, &count,
                            &facts, &num_facts);
        ended != IB_OK) {
      return unavailable(ended == IB_ERROR_UNAVAILABLE ? plugin_message(plugin)
                                                       : "profile_end failed: " + plugin_message(plugin));
    }
    // A folder the framework wrote nothing into is not kept.
    if (!settings.native_dir.empty() && std::filesystem::is_empty(settings.native_dir, ec)) {
      std::filesystem::remove(settings.native_dir, ec);
    }
    if (count == 0) return unavailable("the framework's profiler reported no operators");
    std::vector<ProfiledOp> ops;
    ops.reserve(count);
    const auto text = [](const char* s) { return s ? std::string(s) : std::string(); };
    for (size_t i = 0; i < count; ++i) {
      const ib_profile_op& r = reported[i];
      ops.push_back({text(r.name), text(r.op_type), text(r.kernel), text(r.fused), text(r.shape), text(r.category),
                     r.time_ms, r.start_ms, r.in_delegate, r.on_device});
    }
    std::map<std::string, std::string> fact_map;
    for (size_t i = 0; i < num_facts; ++i) fact_map[text(facts[i].key)] = text(facts[i].value);
    const double latency_ms = to_ms(profiled) / settings.runs;
    Profile summary = summarize_profile(ops, fact_map, latency_ms, warmup, settings.runs);
    summary.configuration = configuration_of(cell);
    if (auto native = fact_map.find("native_trace"); native != fact_map.end()) {
      summary.native_trace = relabel(native->second, settings);
    }
    if (!settings.trace_path.empty()) {
      const nlohmann::json about = {{"framework", row_label}, {"model", cell.model}, {"precision", cell.precision},
                                    {"device", cell.device},  {"batch", cell.batch},  {"configuration", summary.configuration}};
      std::filesystem::create_directories(std::filesystem::path(settings.trace_path).parent_path(), ec);
      std::ofstream out(settings.trace_path, std::ios::trunc);
      out << json_text(chrome_trace(ops, summary, row_label, about), 1) << "\n";
      if (out) summary.trace = settings.trace_label.empty() ? settings.trace_path : settings.trace_label;
    }
    return summary;
  }();
  api.destroy(backend);
  profile.pass_s = std::chrono::duration<double>(Clock::now() - pass_start).count();
  return profile;
}

}  // namespace inferbench
