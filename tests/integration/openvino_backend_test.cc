// SPDX-License-Identifier: Apache-2.0
// The real OpenVINO plugin, end to end through the CLI on the tiny model: FP32 and INT8 (NNCF)
// in the sync and async scenarios with parity and schema checks, the cached compile time, an
// ONNX file read directly, and a truncated .bin that must give a failed row with a clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

class OpenvinoBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!INFERBENCH_OPENVINO_BUILT) {
      GTEST_SKIP() << "the openvino plugin was not built (the openvino wheel was not found at configure time)";
    }
  }
};

void expect_measured_openvino_row(const nlohmann::json& row) {
  ASSERT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["framework"], "OpenVINO");
  for (const char* key : {"compile_ms", "cached_compile_ms", "export_ms", "first_inference_ms", "fps",
                          "throughput", "latency_ms", "artefact_bytes", "params", "parity"}) {
    EXPECT_FALSE(row[key].is_null()) << key << " is null in " << row.dump();
  }
  const auto& effective = row["effective"];
  for (const char* key : {"inference_precision", "threads", "threads_total", "streams", "hint", "isa", "requests"}) {
    EXPECT_TRUE(effective.contains(key)) << key << " missing from effective: " << effective.dump();
  }
  EXPECT_EQ(row["latency_samples_ms"].size(), row["samples"].get<size_t>());
  EXPECT_GT(row["cached_compile_ms"].get<double>(), 0);
}

TEST_F(OpenvinoBackend, TinyModelFp32AndInt8SyncAndAsync) {
  const auto dir = fresh_dir("openvino-tiny");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "openvino,torch:eager", "--devices", "cpu",
                             "--precisions", "fp32,int8", "--batch", "4", "--warmup", "3", "--iters", "10",
                             "--threads", "1", "--out", dir.string(), "--no-store"});
  // torch has no int8: that row is unavailable, which is not a failure (exit 0).
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto rows = read_json(dir / "results.json")["rows"];
  std::set<std::string> seen;
  for (const auto& row : rows) {
    if (row["backend"] != "openvino") continue;
    const std::string precision = row["precision"], scenario = row["scenario"];
    SCOPED_TRACE(precision + " " + scenario);
    seen.insert(precision + " " + scenario);
    expect_measured_openvino_row(row);
    const auto& effective = row["effective"];
    EXPECT_EQ(effective["threads"], "1");
    EXPECT_EQ(effective["hint"], scenario == "sync" ? "LATENCY" : "THROUGHPUT");
    if (scenario == "async") {
      EXPECT_EQ(effective["requests_in_flight"], effective["requests"]);
    } else {
      EXPECT_EQ(effective["requests"], "1");
    }
    if (precision == "fp32") {
      // Forced: the CPU plugin would lower to bf16 by default on CPUs with native bf16.
      EXPECT_EQ(effective["inference_precision"], "f32");
      EXPECT_NE(effective["isa"].get<std::string>().find("f32"), std::string::npos) << effective.dump();
      EXPECT_GE(row["parity"]["cosine"].get<double>(), 0.9999);
      EXPECT_EQ(row["parity"]["top1_agreement"], 1.0);
    } else {
      // INT8 reports its parity (no pass/fail), its calibration and the int8 kernels that ran.
      EXPECT_GT(row["parity"]["cosine"].get<double>(), 0.9);
      EXPECT_NE(effective["calibration"].get<std::string>().find("300 samples"), std::string::npos);
      const std::string kernels = effective["kernel_precision"];
      EXPECT_TRUE(kernels.find("u8") != std::string::npos || kernels.find("i8") != std::string::npos) << kernels;
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{"fp32 sync", "fp32 async", "int8 sync", "int8 async"}));
  // The CSV carries the cached compile time as its own column.
  std::ifstream csv(dir / "results.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find(",compile_ms,cached_compile_ms,"), std::string::npos) << header;
}

// --requests N sizes the THROUGHPUT hint's streams for N requests in flight: one request gets one
// stream (with every thread), not one of the hint's own streams with the others left idle.
TEST_F(OpenvinoBackend, RequestsSizeTheThroughputHintsStreams) {
  const auto dir = fresh_dir("openvino-requests");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "openvino", "--devices", "cpu",
                             "--precisions", "fp32", "--scenarios", "async", "--requests", "1,2", "--batch", "2",
                             "--warmup", "3", "--iters", "10", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto results = read_json(dir / "results.json");
  std::set<std::string> requests;
  for (const auto& row : results["rows"]) {
    if (row["backend"] != "openvino" || row["status"] == "unavailable") continue;
    ASSERT_EQ(row["status"], "ok") << row.dump();
    const auto& effective = row["effective"];
    SCOPED_TRACE(effective.dump());
    EXPECT_EQ(effective["hint"], "THROUGHPUT");
    EXPECT_EQ(effective["streams"], effective["requests"]);
    requests.insert(effective["requests"].get<std::string>());
  }
  EXPECT_EQ(requests, (std::set<std::string>{"1", "2"}));
}

TEST_F(OpenvinoBackend, ReadsAnOnnxFileDirectly) {
  const auto dir = fresh_dir("openvino-onnx");
  const std::string exporter = std::string(INFERBENCH_SOURCE_DIR) + "/tools/export/export.py";
  const std::string command = std::string(INFERBENCH_PYTHON) + " " + exporter +
                              " --model tiny_cnn --format onnx --precision fp32 --out " +
                              (dir / "onnx").string() + " > " + (dir / "export.log").string() + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "see " << (dir / "export.log");
  auto run = run_inferbench({"run", "--model", (dir / "onnx" / "model.onnx").string(), "--input-shape", "3x32x32",
                             "--backends", "openvino", "--devices", "cpu", "--precisions", "fp32", "--scenarios", "sync",
                             "--batch", "2", "--warmup", "1", "--iters", "3", "--out", (dir / "out").string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto row = read_json(dir / "out" / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["effective"]["inference_precision"], "f32");
}

TEST_F(OpenvinoBackend, TruncatedBinIsAFailedRowWithAClearError) {
  // Export (or reuse) the tiny IR through a normal run, then truncate a copy of its .bin.
  const auto dir = fresh_dir("openvino-bad-ir");
  auto good = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "openvino", "--devices", "cpu",
                              "--precisions", "fp32", "--scenarios", "sync", "--batch", "1", "--warmup", "1",
                              "--iters", "1", "--out", (dir / "good").string(), "--no-store"});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  const fs::path xml = read_json(dir / "good" / "results.json")["rows"][0]["artefact"].get<std::string>();
  const fs::path bad = dir / "bad";
  fs::create_directories(bad);
  fs::copy_file(xml, bad / "model.xml");
  const auto bin_size = fs::file_size(fs::path(xml).replace_extension(".bin"));
  fs::copy_file(fs::path(xml).replace_extension(".bin"), bad / "model.bin");
  fs::resize_file(bad / "model.bin", bin_size / 3);

  auto run = run_inferbench({"run", "--model", (bad / "model.xml").string(), "--input-shape", "3x32x32",
                             "--backends", "openvino", "--devices", "cpu", "--precisions", "fp32", "--scenarios", "sync",
                             "--batch", "2", "--warmup", "1", "--iters", "2", "--out", (dir / "out").string(), "--no-store"});
  const std::string error = failed_row_error(run, dir / "out" / "results.json");
  EXPECT_NE(error.find("cannot read OpenVINO model"), std::string::npos) << error;
  EXPECT_NE(error.find("bin"), std::string::npos) << error;
  EXPECT_EQ(error.find("Exception from"), std::string::npos) << "SDK source locations leak: " << error;
}

}  // namespace
}  // namespace inferbench::testing
