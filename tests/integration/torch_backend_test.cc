// SPDX-License-Identifier: Apache-2.0
// The real LibTorch plugin, end to end through the CLI: tiny model, MobileNetV2 smoke run, a
// user's own TorchScript file, the store round trip and report re-rendering.
#include <gtest/gtest.h>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

class TorchBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!INFERBENCH_TORCH_BUILT) GTEST_SKIP() << "the torch plugin was not built (LibTorch not found at configure time)";
  }
};

void expect_complete_ok_row(const nlohmann::json& row) {
  EXPECT_EQ(row["status"], "ok") << row.dump();
  for (const char* key : {"compile_ms", "export_ms", "first_inference_ms", "fps", "throughput",
                          "p99_over_p50", "peak_rss_mb", "artefact_bytes", "params", "parity",
                          "latency_ms", "p50_ci_ms", "p99_ci_ms", "wall_ms"}) {
    EXPECT_FALSE(row[key].is_null()) << key << " is null in " << row.dump();
  }
  EXPECT_EQ(row["framework"], "PyTorch (Native)");
  EXPECT_EQ(row["device_label"], "CPU");
  EXPECT_GT(row["fps"].get<double>(), 0);
  EXPECT_NE(row["target_hardware"].get<std::string>().find("threads"), std::string::npos);
  EXPECT_EQ(row["latency_samples_ms"].size(), row["samples"].get<size_t>());
}

TEST_F(TorchBackend, TinyModelRowCarriesEveryField) {
  const auto dir = fresh_dir("torch-tiny");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch", "--devices", "cpu",
                             "--batch", "2", "--warmup", "2", "--iters", "5", "--threads", "1",
                             "--out", dir.string(), "--db", (dir / "history.sqlite").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("PyTorch (Native)"), std::string::npos);
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto results = read_json(dir / "results.json");
  ASSERT_EQ(results["rows"].size(), 1u);
  const auto& row = results["rows"][0];
  expect_complete_ok_row(row);
  EXPECT_EQ(row["samples"], 5);
  EXPECT_EQ(row["effective"]["threads"], "1");
  EXPECT_GE(row["parity"]["cosine"].get<double>(), 0.9999);
  EXPECT_TRUE(std::filesystem::exists(dir / "results.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "results.md"));

  // The stored run re-renders to the same rows, and history lists it.
  const std::string run_id = results["run"]["id"];
  auto report = run_inferbench({"report", run_id, "--format", "json", "--db", (dir / "history.sqlite").string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto stored = nlohmann::json::parse(report.out);
  EXPECT_EQ(stored["rows"], results["rows"]);
  auto history = run_inferbench({"history", "--db", (dir / "history.sqlite").string()});
  EXPECT_EQ(history.exit_code, 0);
  EXPECT_NE(history.out.find(run_id), std::string::npos);

  // A user's own TorchScript file works with --model FILE.
  const std::string artefact = row["artefact"];
  const auto dir2 = fresh_dir("torch-file");
  auto own = run_inferbench({"run", "--model", artefact, "--input-shape", "3x32x32", "--backends",
                             "torch", "--batch", "3", "--warmup", "1", "--iters", "3", "--out",
                             dir2.string(), "--no-store"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const auto own_row = read_json(dir2 / "results.json")["rows"][0];
  EXPECT_EQ(own_row["status"], "ok");
  EXPECT_EQ(own_row["batch"], 3);
  EXPECT_FALSE(own_row["parity"].is_null());
}

TEST_F(TorchBackend, WeightsFromACheckpoint) {
  const auto dir = fresh_dir("torch-weights");
  const auto checkpoint = dir / "tiny.pth";
  const std::string save = std::string(INFERBENCH_PYTHON) + " -c \"import sys, torch; sys.path.insert(0, '" +
                           INFERBENCH_SOURCE_DIR + "/tools/export'); import models; m, _ = models.build('tiny_cnn', 123, None); "
                           "torch.save(m.state_dict(), '" + checkpoint.string() + "')\"";
  ASSERT_EQ(std::system(save.c_str()), 0);
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--weights", checkpoint.string(), "--backends", "torch",
                             "--batch", "2", "--warmup", "1", "--iters", "3", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(results["run"]["request"]["weights"], checkpoint.string());
  EXPECT_EQ(results["rows"][0]["status"], "ok");
  // A missing checkpoint is one clear line, before anything runs.
  auto missing = run_inferbench({"run", "--model", "tiny_cnn", "--weights", (dir / "nope.pth").string(),
                                 "--backends", "torch", "--no-store"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.pth"), std::string::npos) << missing.err;
}

TEST_F(TorchBackend, MobileNetV2Smoke) {
  const auto dir = fresh_dir("torch-mv2");
  auto run = run_inferbench({"run", "--backends", "torch", "--devices", "cpu", "--batch", "2",
                             "--warmup", "1", "--iters", "3", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  expect_complete_ok_row(row);
  EXPECT_EQ(row["params"], 3504872);
  EXPECT_EQ(row["model"], "mobilenet_v2");
  EXPECT_EQ(row["batch"], 2);
}

TEST_F(TorchBackend, ParityAgainstTheReferenceWhenTorchIsNotInTheMatrix) {
  // The noop plugin's output is a slice of the input; the FP32 reference from a hidden torch
  // run has the same shape for tiny_cnn (10 classes), so parity is computed and far from 1.
  const auto dir = fresh_dir("noop-parity");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--batch", "4",
                             "--warmup", "1", "--iters", "3", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  ASSERT_FALSE(row["parity"].is_null()) << row.dump();
  EXPECT_LT(row["parity"]["cosine"].get<double>(), 0.9);
  EXPECT_EQ(row["parity"]["reference"], "PyTorch (Native) CPU FP32");
}

}  // namespace
}  // namespace inferbench::testing
