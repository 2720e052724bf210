// SPDX-License-Identifier: Apache-2.0
// JSON of the run request, recorded with every run.
#include "driver/run_request.h"

#include <algorithm>

#include "core/support/number_text.h"

namespace inferbench {

bool changed(const RunRequest& request, std::string_view flag) {
  return std::find(request.changed.begin(), request.changed.end(), flag) != request.changed.end();
}

Status check_protocol(const RunRequest& request) {
  if (request.protocol != kStudyProtocol && request.protocol != kAdaptiveProtocol) {
    return Status(StatusCode::Usage, "--protocol " + request.protocol + " is not a protocol",
                  "use study (fixed --warmup and --iters) or adaptive (stop on precision)");
  }
  const bool adaptive = request.protocol == kAdaptiveProtocol;
  for (const char* flag : {"--warmup", "--iters"}) {
    if (adaptive && changed(request, flag)) {
      return Status(StatusCode::Usage, std::string(flag) + " sets the study protocol's fixed counts, and --protocol adaptive has none",
                    "drop it, or bound the adaptive protocol with --warmup-max, --target-precision, --tail-precision and --max-window");
    }
  }
  for (const char* flag : {"--warmup-max", "--target-precision", "--tail-precision", "--max-window"}) {
    if (!adaptive && changed(request, flag)) {
      return Status(StatusCode::Usage, std::string(flag) + " belongs to the adaptive protocol, and this run uses study",
                    "add --protocol adaptive, or use --warmup and --iters");
    }
  }
  if (request.warmup_max < 1) return Status(StatusCode::Usage, "--warmup-max must be at least 1", "");
  const auto check_precision = [](double fraction, const char* flag) {
    if (fraction > 0 && fraction < 1) return Status::ok();
    return Status(StatusCode::Usage, std::string(flag) + " " + shortest_number(fraction * 100) + "% is not a precision",
                  "give a percentage above 0 and below 100, e.g. 1 for +/-1%");
  };
  IB_RETURN_IF_ERROR(check_precision(request.targets.p50, "--target-precision"));
  IB_RETURN_IF_ERROR(check_precision(request.targets.p99, "--tail-precision"));
  if (adaptive && (!(request.targets.max_window_s > 0) || request.targets.max_window_s > request.max_seconds)) {
    return Status(StatusCode::Usage, "--max-window " + shortest_number(request.targets.max_window_s) + " s is not within the cell's --max-seconds " +
                                         shortest_number(request.max_seconds) + " s",
                  "give a window above 0 and at most --max-seconds");
  }
  return Status::ok();
}


nlohmann::json to_json(const RunRequest& r) {
  auto list_or_all = [](const std::vector<std::string>& items) {
    return items.empty() ? nlohmann::json("all") : nlohmann::json(items);
  };
  return {
      {"model", r.models},
      {"weights", r.weights ? nlohmann::json(r.weights->string()) : nlohmann::json(nullptr)},
      {"input_shape", r.sample_shape},
      {"backends", list_or_all(r.backends)},
      {"devices", list_or_all(r.devices)},
      {"precisions", list_or_all(r.precisions)},
      {"scenarios", list_or_all(r.scenarios)},
      {"batch", r.batches},
      {"warmup", r.warmup},
      {"iters", r.iterations},
      {"protocol", r.protocol},
      {"warmup_max", r.warmup_max},
      {"target_precision_pct", r.targets.p50 * 100},
      {"tail_precision_pct", r.targets.p99 * 100},
      {"max_window_s", r.targets.max_window_s},
      {"max_seconds", r.max_seconds},
      {"timeout_seconds", r.timeout_seconds},
      {"threads", r.threads},
      {"instances", r.instances},
      {"requests", r.requests},
      {"serving", r.serving},
      {"rounds", r.rounds},
      {"seed", r.seed},
      {"min_energy_window_s", r.min_energy_window_s ? nlohmann::json(*r.min_energy_window_s) : nlohmann::json(nullptr)},
      {"profile_runs", r.profile ? nlohmann::json(r.profile_runs) : nlohmann::json(nullptr)},
      {"input", r.input ? nlohmann::json(r.input->string()) : nlohmann::json(nullptr)},
      {"eval_samples", r.eval_samples > 0 ? nlohmann::json(r.eval_samples) : nlohmann::json("all")},
      {"labels", r.labels ? nlohmann::json(r.labels->string()) : nlohmann::json(nullptr)},
      {"calibration", r.calibration ? nlohmann::json(r.calibration->string()) : nlohmann::json(nullptr)},
      {"backend_options", r.backend_options},
      {"out", r.out_dir ? nlohmann::json(r.out_dir->string()) : nlohmann::json(nullptr)},
      {"cluster", r.cluster ? nlohmann::json(*r.cluster) : nlohmann::json(nullptr)},
      {"hosts", list_or_all(r.hosts)},
      {"changed", r.changed},
  };
}

// The adaptive protocol's settings in a row's `requested` (docs/metrics.md, "The adaptive protocol").
void add_adaptive_requested(const RunRequest& request, std::map<std::string, std::string>& requested) {
  requested["protocol"] = request.protocol;
  requested["warmup_max"] = std::to_string(request.warmup_max);
  requested["target_precision"] = shortest_number(request.targets.p50 * 100) + "%";
  requested["tail_precision"] = shortest_number(request.targets.p99 * 100) + "%";
  requested["max_window"] = shortest_number(request.targets.max_window_s) + " s";
}

}  // namespace inferbench
