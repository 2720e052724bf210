// SPDX-License-Identifier: Apache-2.0
// JSON mapping of the worker's progress messages.
#include "core/result/progress_message.h"

#include <nlohmann/json.hpp>

namespace inferbench {

std::string format_progress_message(const ProgressMessage& message) {
  const nlohmann::json line = {
      {"phase", message.phase}, {"done", message.done}, {"total", message.total}};
  return line.dump() + "\n";
}

std::optional<ProgressMessage> parse_progress_message(std::string_view line) {
  const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  const auto phase = json.find("phase");
  if (phase == json.end() || !phase->is_string()) return std::nullopt;
  ProgressMessage message;
  message.phase = phase->get<std::string>();
  const auto done = json.find("done");
  const auto total = json.find("total");
  if (done != json.end() && done->is_number_integer()) message.done = done->get<int>();
  if (total != json.end() && total->is_number_integer()) message.total = total->get<int>();
  return message;
}

}  // namespace inferbench
