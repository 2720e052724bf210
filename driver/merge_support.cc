// SPDX-License-Identifier: Apache-2.0
// Samples, effective numbers and warnings of the rows merged into one.
#include "driver/merge_support.h"

#include <algorithm>
#include <exception>

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

std::optional<double> summed_cpus_used(const std::vector<Row>& rows) {
  double used = 0;
  for (const Row& row : rows) {
    const std::optional<double> own = effective_number(row, kCpusUsed);
    if (!own) return std::nullopt;
    used += *own;
  }
  return used;
}

}  // namespace inferbench
