// SPDX-License-Identifier: Apache-2.0
// JSON of the run request, recorded with every run.
#include "driver/run_request.h"

namespace inferbench {

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
      {"max_seconds", r.max_seconds},
      {"timeout_seconds", r.timeout_seconds},
      {"threads", r.threads},
      {"instances", r.instances},
      {"requests", r.requests},
      {"serving", r.serving},
      {"rounds", r.rounds},
      {"seed", r.seed},
      {"min_energy_window_s", r.min_energy_window_s ? nlohmann::json(*r.min_energy_window_s) : nlohmann::json(nullptr)},
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

}  // namespace inferbench
