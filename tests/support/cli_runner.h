// SPDX-License-Identifier: Apache-2.0
// Runs the real inferbench binary from tests and reads what it wrote. Paths come from CMake:
// INFERBENCH_BINARY, INFERBENCH_PYTHON, INFERBENCH_SCHEMA, INFERBENCH_SCHEMA_VALIDATOR.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "driver/spawn.h"

namespace inferbench::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

inline CliRun run_inferbench(const std::vector<std::string>& args, int timeout_s = 600) {
  std::vector<std::string> argv = {INFERBENCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions options;
  options.timeout = std::chrono::seconds(timeout_s);
  options.stderr_tail_bytes = 1 << 20;
  auto outcome = run_child(argv, options);
  CliRun run;
  if (!outcome) {
    run.err = outcome.status().to_string();
    return run;
  }
  run.exit_code = outcome->exited ? outcome->exit_code : 128 + outcome->signal;
  run.out = outcome->stdout_text;
  run.err = outcome->stderr_tail;
  run.seconds = outcome->wall_seconds;
  return run;
}

// A fresh folder per test under the system temp dir.
inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("inferbench-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, false);
}

// Validates a results.json against docs/results.schema.json; returns the validator's output
// and sets `ok`.
inline std::string validate_schema(const std::filesystem::path& results, bool& ok) {
  const std::string command = std::string(INFERBENCH_PYTHON) + " " + INFERBENCH_SCHEMA_VALIDATOR +
                              " " + INFERBENCH_SCHEMA + " " + results.string() + " 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pipe ? pclose(pipe) : -1;
  ok = status == 0;
  return output;
}

}  // namespace inferbench::testing
