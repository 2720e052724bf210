// SPDX-License-Identifier: Apache-2.0
// Reading LoadGen's detail log.
#include "worker/serving/loadgen_log.h"

#include <cmath>
#include <cstdio>
#include <fstream>

namespace inferbench {

namespace {
constexpr std::string_view kPrefix = ":::MLLOG ";
}  // namespace

std::optional<double> LoadgenLog::number(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  if (it->second.is_number()) return it->second.get<double>();
  if (it->second.is_string()) {
    const std::string& s = it->second.get_ref<const std::string&>();
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return value;
  }
  return std::nullopt;
}

std::optional<std::string> LoadgenLog::text(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end() || !it->second.is_string()) return std::nullopt;
  return it->second.get<std::string>();
}

std::optional<bool> LoadgenLog::flag(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end() || !it->second.is_boolean()) return std::nullopt;
  return it->second.get<bool>();
}

LoadgenLog parse_loadgen_log(std::istream& in) {
  LoadgenLog log;
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const auto entry = nlohmann::json::parse(line.substr(kPrefix.size()), nullptr, false);
    if (entry.is_discarded() || !entry.is_object() || !entry.contains("key") || !entry["key"].is_string()) continue;
    const std::string key = entry["key"].get<std::string>();
    const nlohmann::json value = entry.value("value", nlohmann::json());
    const auto metadata = entry.value("metadata", nlohmann::json::object());
    if (metadata.is_object() && metadata.value("is_error", false)) {
      log.errors.push_back(key + ": " + (value.is_string() ? value.get<std::string>() : value.dump()));
    }
    log.values[key] = value;
  }
  return log;
}

Result<LoadgenLog> read_loadgen_log(const std::filesystem::path& dir) {
  const auto file = dir / "mlperf_log_detail.txt";
  std::ifstream in(file);
  if (!in) return Status(StatusCode::Io, "LoadGen wrote no detail log " + file.string());
  LoadgenLog log = parse_loadgen_log(in);
  if (!log.text("result_validity")) {
    return Status(StatusCode::Io, "LoadGen's detail log " + file.string() + " has no verdict (result_validity): the "
                                  "test did not finish");
  }
  return log;
}

std::optional<std::string> loadgen_percentile_key(double percentile, bool per_query) {
  for (double logged : {50.0, 90.0, 95.0, 97.0, 99.0, 99.9}) {
    if (std::abs(percentile - logged) < 1e-9) {
      char key[64];
      std::snprintf(key, sizeof key, "result_%.2f_percentile_%slatency_ns", logged, per_query ? "per_query_" : "");
      return std::string(key);
    }
  }
  return std::nullopt;
}

}  // namespace inferbench
