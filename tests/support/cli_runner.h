// SPDX-License-Identifier: Apache-2.0
// Runs the real inferbench binary from tests and reads what it wrote. Paths come from CMake:
// INFERBENCH_BINARY, INFERBENCH_PYTHON, INFERBENCH_SCHEMA, INFERBENCH_SCHEMA_VALIDATOR.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
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

// Runs inferbench with `args`; `env` holds extra NAME=VALUE settings for it (through env(1)).
inline CliRun run_inferbench(const std::vector<std::string>& args, int timeout_s = 600,
                             const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv.push_back("/usr/bin/env");
    argv.insert(argv.end(), env.begin(), env.end());
  }
  argv.push_back(INFERBENCH_BINARY);
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

// A file's whole text ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, false);
}

// Runs a shell command; returns what it printed on stdout (add 2>&1 for stderr) and sets `status`
// to pclose's (0 when it exited 0).
inline std::string shell(const std::string& command, int& status) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) output += buffer;
  status = pipe ? pclose(pipe) : -1;
  return output;
}

// Validates a results.json against docs/results.schema.json; returns the validator's output
// and sets `ok`.
inline std::string validate_schema(const std::filesystem::path& results, bool& ok) {
  int status = 0;
  const std::string output = shell(std::string(INFERBENCH_PYTHON) + " " + INFERBENCH_SCHEMA_VALIDATOR + " " +
                                       INFERBENCH_SCHEMA + " " + results.string() + " 2>&1",
                                   status);
  ok = status == 0;
  return output;
}

// The rows of `backend` in a run that finished with every row ok or unavailable (exit 0) and a
// schema-valid results.json in `dir`; a test then checks what is particular to that backend.
inline std::vector<nlohmann::json> backend_rows(const CliRun& run, const std::filesystem::path& dir,
                                                const std::string& backend) {
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  std::vector<nlohmann::json> rows;
  const auto results = read_json(dir / "results.json");
  for (const auto& row : results["rows"]) {
    if (row["backend"] == backend) rows.push_back(row);
  }
  return rows;
}

// An ok CPU row of `framework` with every measured field filled and one sample per iteration.
inline void expect_measured_cpu_row(const nlohmann::json& row, const std::string& framework, int iterations) {
  ASSERT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["framework"], framework);
  EXPECT_EQ(row["device_label"], "CPU");
  for (const char* key : {"compile_ms", "export_ms", "first_inference_ms", "fps", "throughput", "latency_ms",
                          "artefact_bytes", "params", "parity", "peak_rss_mb"}) {
    EXPECT_FALSE(row[key].is_null()) << key << " is null in " << row.dump();
  }
  EXPECT_EQ(row["samples"], iterations);
  EXPECT_EQ(row["latency_samples_ms"].size(), row["samples"].get<size_t>());
}

// Parity of a row against the FP32 reference: an FP32 row agrees to at least `fp32_cosine` with
// the same top-1; another precision reports its numbers, checked only to be close.
inline void expect_parity(const nlohmann::json& row, double fp32_cosine) {
  if (row["precision"] == "fp32") {
    EXPECT_GE(row["parity"]["cosine"].get<double>(), fp32_cosine) << row["parity"].dump();
    EXPECT_EQ(row["parity"]["top1_agreement"], 1.0) << row["parity"].dump();
  } else {
    EXPECT_GT(row["parity"]["cosine"].get<double>(), 0.9) << row["parity"].dump();
  }
}

// The artefact of the first row of the run written to `dir`, and the manifest beside it.
inline std::pair<std::filesystem::path, nlohmann::json> first_artefact_manifest(const std::filesystem::path& dir) {
  const std::filesystem::path artefact = read_json(dir / "results.json")["rows"][0]["artefact"].get<std::string>();
  return {artefact, read_json(artefact.parent_path() / "manifest.json")};
}

// A run in which nothing could be measured: exit 3, a schema-valid results.json whose first row
// is failed with a one-line error. Returns that error for the caller's own checks.
inline std::string failed_row_error(const CliRun& run, const std::filesystem::path& results) {
  EXPECT_EQ(run.exit_code, 3) << "no row could be measured: " << run.out << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(results, valid), "");
  EXPECT_TRUE(valid);
  const auto row = read_json(results)["rows"][0];
  EXPECT_EQ(row["status"], "failed") << row.dump();
  const std::string error = row["error"].is_string() ? row["error"].get<std::string>() : row.dump();
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return error;
}

}  // namespace inferbench::testing
