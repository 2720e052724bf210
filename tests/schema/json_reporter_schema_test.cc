// SPDX-License-Identifier: Apache-2.0
// The json reporter's output against docs/results.schema.json, checked by validate_results.py
// in the project's Python; and documents the schema must reject, so the check can fail.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "report/reporter.h"
#include "tests/unit/report/sample_run.h"

#ifndef INFERBENCH_PYTHON
#error "INFERBENCH_PYTHON must name the project's Python (tests/schema/CMakeLists.txt)"
#endif
#ifndef INFERBENCH_SCHEMA
#error "INFERBENCH_SCHEMA must name docs/results.schema.json (tests/schema/CMakeLists.txt)"
#endif
#ifndef INFERBENCH_SCHEMA_VALIDATOR
#error "INFERBENCH_SCHEMA_VALIDATOR must name validate_results.py (tests/schema/CMakeLists.txt)"
#endif

namespace inferbench {
namespace {

namespace fs = std::filesystem;

// The validator's exit codes (validate_results.py).
constexpr int kValid = 0;
constexpr int kInvalid = 1;

// Single-quoted for /bin/sh, so paths with blanks or quotes survive std::system.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

struct Outcome {
  int exit_code = -1;  // -1 when the command did not exit normally
  std::string output;  // stdout and stderr together
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class JsonReporterSchemaTest : public ::testing::Test {
 protected:
  // Whether the validator can run at all, asked once: importing jsonschema takes a while.
  static void SetUpTestSuite() {
    const std::string python = INFERBENCH_PYTHON;
    if (python.empty()) {
      skip_reason_ = "INFERBENCH_PYTHON is empty: configure with -DINFERBENCH_PYTHON=<a Python "
                     "with jsonschema> (tools/setup/setup.sh)";
      return;
    }
    const std::string probe = shell_quoted(python) + " -c 'import jsonschema' > /dev/null 2>&1";
    const int status = std::system(probe.c_str());
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      skip_reason_ = "the jsonschema package cannot be imported by INFERBENCH_PYTHON=" + python +
                     ": run tools/setup/setup.sh or pip install jsonschema";
    }
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("inferbench_schema_" + std::to_string(::getpid()) + "_" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
  }

  // Runs validate_results.py on `document` with the project's Python.
  Outcome validate(const fs::path& document) const {
    const fs::path log = dir_ / "validator.log";
    const std::string command = shell_quoted(INFERBENCH_PYTHON) + " " +
                                shell_quoted(INFERBENCH_SCHEMA_VALIDATOR) + " " +
                                shell_quoted(INFERBENCH_SCHEMA) + " " +
                                shell_quoted(document.string()) + " > " +
                                shell_quoted(log.string()) + " 2>&1";
    const int status = std::system(command.c_str());
    Outcome outcome;
    if (status != -1 && WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    outcome.output = read_file(log);
    return outcome;
  }

  // Writes `run` through the json reporter, as `inferbench run --format json` would.
  fs::path write_with_reporter(const RunResult& run, const std::string& name) const {
    const fs::path path = dir_ / name;
    std::ofstream out(path);
    Result<std::unique_ptr<Reporter>> reporter = make_reporter("json", out);
    EXPECT_TRUE(reporter.is_ok());
    if (reporter) report_run(**reporter, run);
    out.close();
    EXPECT_TRUE(out.good()) << "cannot write " << path;
    return path;
  }

  // Writes a document edited after the reporter, for drift the C++ types cannot produce.
  fs::path write_document(const nlohmann::json& document, const std::string& name) const {
    const fs::path path = dir_ / name;
    std::ofstream(path) << document.dump(2) << '\n';
    return path;
  }

  static inline std::string skip_reason_;
  fs::path dir_;
};

TEST_F(JsonReporterSchemaTest, SampleRunIsValid) {
  const Outcome outcome = validate(write_with_reporter(sample_run::make(), "sample.json"));
  EXPECT_EQ(outcome.exit_code, kValid) << outcome.output;
  EXPECT_EQ(outcome.output, "");
}

TEST_F(JsonReporterSchemaTest, RunWithoutRowsIsValid) {
  RunResult run = sample_run::make();
  run.rows.clear();
  const Outcome outcome = validate(write_with_reporter(run, "empty.json"));
  EXPECT_EQ(outcome.exit_code, kValid) << outcome.output;
}

TEST_F(JsonReporterSchemaTest, VariantAndDeviceMeasurementsAreValid) {
  RunResult run = sample_run::make();
  Row& row = run.rows[sample_run::kFastRow];
  row.backend = "torch";
  row.variant = "cuda_graph";
  row.device = "cuda";
  row.device_time_samples_ms = {2.5, 2.75};
  row.device_time_ms = LatencySummary{2.625, 2.725, 2.7375, 2.7476, 2.74975, 2.5, 2.75, 2.625, 0.177, 0.067};
  row.peak_device_memory_mb = 412.76;
  const Outcome outcome = validate(write_with_reporter(run, "gpu_row.json"));
  EXPECT_EQ(outcome.exit_code, kValid) << outcome.output;
  EXPECT_EQ(outcome.output, "");
}

TEST_F(JsonReporterSchemaTest, PhysicalLimitsAreValid) {
  const Outcome outcome = validate(write_with_reporter(sample_run::with_compute_bound(), "limits.json"));
  EXPECT_EQ(outcome.exit_code, kValid) << outcome.output;
  EXPECT_EQ(outcome.output, "");
}

TEST_F(JsonReporterSchemaTest, ServingRowsAreValidAndASearchWithoutAValidRateHasNoFps) {
  const Outcome outcome = validate(write_with_reporter(sample_run::with_serving(), "serving.json"));
  EXPECT_EQ(outcome.exit_code, kValid) << outcome.output;
  EXPECT_EQ(outcome.output, "");
}

TEST_F(JsonReporterSchemaTest, RejectsAServingRowWithAValueButNoFps) {
  RunResult run = sample_run::with_serving();
  run.rows[0].fps.reset();  // its search found 120 QPS VALID
  const Outcome outcome = validate(write_with_reporter(run, "serving-no-fps.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[0].fps"), std::string::npos) << outcome.output;
}

TEST_F(JsonReporterSchemaTest, RejectsAnUnknownServingMetric) {
  RunResult run = sample_run::with_serving();
  run.rows[1].serving->metric = "throughput";
  const Outcome outcome = validate(write_with_reporter(run, "serving-metric.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[1].serving.metric"), std::string::npos) << outcome.output;
}

TEST_F(JsonReporterSchemaTest, RejectsAPhysicalLimitWithoutItsPeak) {
  RunResult run = sample_run::with_compute_bound();
  run.rows[sample_run::kFastRow].compute_bound->peak_gmacs = 0;
  const Outcome outcome = validate(write_with_reporter(run, "limits-zero-peak.json"));
  EXPECT_NE(outcome.exit_code, kValid) << outcome.output;
}

TEST_F(JsonReporterSchemaTest, RejectsOkRowWithoutFps) {
  RunResult run = sample_run::make();
  run.rows[sample_run::kFastRow].fps.reset();
  const Outcome outcome = validate(write_with_reporter(run, "ok_without_fps.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[2].fps: None is not of type 'number'"), std::string::npos)
      << outcome.output;
}

TEST_F(JsonReporterSchemaTest, RejectsOkRowWithoutMeasurement) {
  RunResult run = sample_run::make();
  Row& row = run.rows[sample_run::kSlowRow];
  row.latency_ms.reset();
  row.throughput.reset();
  row.compile_ms.reset();
  row.first_inference_ms.reset();
  row.samples = 0;
  const Outcome outcome = validate(write_with_reporter(run, "ok_without_measurement.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  for (const char* key : {"latency_ms", "throughput", "compile_ms", "first_inference_ms",
                          "samples"}) {
    EXPECT_NE(outcome.output.find(std::string("$.rows[0].") + key + ":"), std::string::npos)
        << key << " not reported in:\n"
        << outcome.output;
  }
}

TEST_F(JsonReporterSchemaTest, RejectsFailedOrUnavailableRowWithoutError) {
  RunResult run = sample_run::make();
  run.rows[sample_run::kFailedRow].error.clear();
  run.rows[sample_run::kUnavailableRow].error = "  ";
  const Outcome outcome = validate(write_with_reporter(run, "failed_without_error.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[1].error:"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[3].error:"), std::string::npos) << outcome.output;
}

TEST_F(JsonReporterSchemaTest, RejectsUnknownMissingAndMistypedKeys) {
  nlohmann::json document = sample_run::make();
  document["rows"][0]["gpu_memory_mb"] = 12.0;  // a field added to Row but not to the schema
  document["rows"][1].erase("latency_samples_ms");
  document["rows"][2]["status"] = "skipped";
  document["rows"][3]["latency_ms"] = {{"p50", 1.0}};
  const Outcome outcome = validate(write_document(document, "drift.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("'gpu_memory_mb' was unexpected"), std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("'latency_samples_ms' is a required property"), std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[2].status:"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("$.rows[3].latency_ms: 'p90' is a required property"),
            std::string::npos)
      << outcome.output;
}

TEST_F(JsonReporterSchemaTest, RejectsRunWithoutId) {
  nlohmann::json document = sample_run::make();
  document["run"].erase("id");
  const Outcome outcome = validate(write_document(document, "no_run_id.json"));
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("$.run: 'id' is a required property"), std::string::npos)
      << outcome.output;
}

TEST_F(JsonReporterSchemaTest, ReportsAFileThatIsNotJson) {
  const fs::path path = dir_ / "truncated.json";
  std::ofstream(path) << "{\"run\": ";
  const Outcome outcome = validate(path);
  EXPECT_EQ(outcome.exit_code, kInvalid) << outcome.output;
  EXPECT_NE(outcome.output.find("not JSON"), std::string::npos) << outcome.output;
}

}  // namespace
}  // namespace inferbench
