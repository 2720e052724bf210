// SPDX-License-Identifier: Apache-2.0
// Samples, effective numbers and warnings of the rows merged into one.
#include "driver/merge_support.h"

#include <algorithm>
#include <exception>

#include "core/energy/energy.h"

namespace inferbench {

JoinedSamples join_samples(const std::vector<Row>& rows) {
  JoinedSamples joined;
  for (const Row& row : rows) {
    joined.latency_ms.insert(joined.latency_ms.end(), row.latency_samples_ms.begin(), row.latency_samples_ms.end());
    joined.device_time_ms.insert(joined.device_time_ms.end(), row.device_time_samples_ms.begin(),
                                 row.device_time_samples_ms.end());
  }
  if (joined.device_time_ms.size() != joined.latency_ms.size()) joined.device_time_ms.clear();
  return joined;
}

std::optional<double> effective_number(const Row& row, const std::string& key) {
  const auto it = row.effective.find(key);
  if (it == row.effective.end()) return std::nullopt;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void add_member_warnings(std::vector<std::string>& out, const std::vector<std::vector<std::string>>& members,
                         const std::function<std::string(std::size_t)>& label) {
  std::vector<std::string> seen;
  for (std::size_t k = 0; k < members.size(); ++k) {
    for (const std::string& warning : members[k]) {
      const bool everywhere = std::all_of(members.begin(), members.end(), [&](const auto& list) {
        return std::find(list.begin(), list.end(), warning) != list.end();
      });
      const std::string text = everywhere ? warning : label(k) + ": " + warning;
      if (std::find(seen.begin(), seen.end(), text) == seen.end()) {
        seen.push_back(text);
        out.push_back(text);
      }
    }
  }
}

std::optional<Energy> instances_energy(const std::vector<Row>& rows) {
  const Row* chosen = nullptr;
  std::int64_t inputs = 0;
  std::optional<double> idle;
  for (const Row& row : rows) {
    if (!row.energy) continue;
    inputs += row.energy->samples;
    if (row.energy->idle_power_w) idle = std::min(idle.value_or(*row.energy->idle_power_w), *row.energy->idle_power_w);
    const auto window = [](const Row* r) { return r->energy->energy_j ? r->energy->window_s.value_or(0) : -1.0; };
    if (!chosen || window(&row) > window(chosen)) chosen = &row;
  }
  if (!chosen) return std::nullopt;
  Energy merged = *chosen->energy;
  merged.samples = inputs;
  if (idle) merged.idle_power_w = idle;
  set_energy_rates(merged);
  return merged;
}

std::optional<Energy> rounds_energy(const std::vector<Row>& rows, const std::function<std::string(std::size_t)>& label) {
  if (std::none_of(rows.begin(), rows.end(), [](const Row& row) { return row.energy.has_value(); })) return std::nullopt;
  Energy merged;
  double joules = 0, window = 0, idle = 0;
  int idle_rounds = 0;
  double sampled_power_by_window = 0;  // sum of sampled_power_w x window_s, while every round has one
  bool every_round_sampled = true;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::optional<Energy>& own = rows[k].energy;
    if (!own || !own->energy_j) {
      merged = own ? *own : Energy{};
      merged.reason = label(k) + ": " + (own ? own->reason : std::string("no energy recorded"));
      if (!own) merged.source = "none";
      merged.energy_j.reset();
      merged.window_s.reset();
      set_energy_rates(merged);
      return merged;
    }
    if (k == 0) merged = *own;
    joules += *own->energy_j;
    window += own->window_s.value_or(0);
    if (k > 0) merged.samples += own->samples;
    if (own->sampled_power_w) {
      sampled_power_by_window += *own->sampled_power_w * own->window_s.value_or(0);
    } else {
      every_round_sampled = false;
    }
    if (own->idle_power_w) {
      idle += *own->idle_power_w;
      ++idle_rounds;
    }
  }
  merged.energy_j = joules;
  merged.window_s = window;
  merged.sampled_power_w.reset();
  if (every_round_sampled && window > 0) merged.sampled_power_w = sampled_power_by_window / window;
  merged.idle_power_w.reset();
  if (idle_rounds > 0) merged.idle_power_w = idle / idle_rounds;
  set_energy_rates(merged);
  return merged;
}

std::optional<double> summed_cpus_used(const std::vector<Row>& rows) {
  double used = 0;
  for (const Row& row : rows) {
    const std::optional<double> own = effective_number(row, kCpusUsed);
    if (!own) return std::nullopt;
    used += *own;
  }
  return used;
}

bool stopped_at_budget(const std::vector<Row>& rows, int samples, int iterations_requested, bool adaptive) {
  if (!adaptive) return samples < iterations_requested;
  return std::any_of(rows.begin(), rows.end(), [](const Row& row) {
    const auto it = row.effective.find("stop");
    return it != row.effective.end() && it->second == "max-seconds";
  });
}

void merge_adaptive_record(const std::vector<Row>& rows, Row& merged) {
  const auto protocol = merged.effective.find("protocol");
  if (protocol == merged.effective.end() || protocol->second != "adaptive" || rows.size() < 2) return;
  for (const char* key : {"stop", "precision"}) {
    std::string joined;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const auto it = rows[k].effective.find(key);
      joined += (k ? "; " : "") + std::string("round ") + std::to_string(k + 1) + ": " +
                (it == rows[k].effective.end() ? std::string("?") : it->second);
    }
    merged.effective[key] = joined;
  }
}

}  // namespace inferbench
