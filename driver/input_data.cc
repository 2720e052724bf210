// SPDX-License-Identifier: Apache-2.0
// Preparing the user's input data with tools/export/input_data.py.
#include "driver/input_data.h"

#include <chrono>
#include <string>

#include "driver/artefacts.h"
#include "driver/catalogue.h"
#include "driver/spawn.h"

namespace inferbench {
namespace fs = std::filesystem;

Result<InputData> prepare_input_data(const fs::path& source, const std::vector<std::int64_t>& sample_shape,
                                     const fs::path& file, std::optional<int> limit,
                                     const std::optional<fs::path>& log_file, const std::optional<fs::path>& labels) {
  auto python = usable_project_python("reading " + source.string());
  if (!python) return python.status();
  SpawnOptions options;
  options.timeout = std::chrono::minutes(30);
  options.log_file = log_file;
  std::vector<std::string> argv = {*python, (exporter_dir() / "input_data.py").string(), fs::absolute(source).string(),
                                   "--sample-shape", shape_text(sample_shape), "--out", file.string()};
  if (limit) argv.insert(argv.end(), {"--limit", std::to_string(*limit)});
  fs::path labels_file = file;
  labels_file += ".labels";
  argv.insert(argv.end(), {"--labels-out", labels_file.string()});
  if (labels) argv.insert(argv.end(), {"--labels", fs::absolute(*labels).string()});
  auto outcome = run_child(argv, options);
  if (!outcome) return outcome.status();
  if (!outcome->exited || outcome->exit_code != 0) {
    const std::string why = last_line(outcome->stderr_tail);
    if (why.starts_with("input data: ")) return Status(StatusCode::Input, why.substr(12));
    return Status(StatusCode::Input,
                  "cannot read the input data " + source.string() + " (" + describe_outcome(*outcome) + ")" +
                      (why.empty() ? "" : ": " + why),
                  log_file ? "see " + log_file->string() : "rerun with --out DIR to keep its log");
  }
  InputData data;
  data.file = file;
  data.description = nlohmann::json::parse(last_line(outcome->stdout_text), nullptr, false);
  if (data.description.is_discarded() || !data.description.contains("samples")) {
    return Status(StatusCode::Internal, "input_data.py printed no description of " + source.string(),
                  log_file ? "see " + log_file->string() : "rerun with --out DIR to keep its log");
  }
  data.samples = data.description["samples"].get<int>();
  if (data.description.contains("labels")) data.labels_file = labels_file;
  return data;
}

}  // namespace inferbench
