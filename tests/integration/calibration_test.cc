// SPDX-License-Identifier: Apache-2.0
// --calibration: the INT8 artefacts of OpenVINO (NNCF), ExecuTorch and LiteRT (PT2E) calibrated
// on the user's data instead of the seeded synthetic set, through the real exporters and plugins.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

// Saves `count` seeded standard-normal samples for tiny_cnn (3x32x32) as a .npy array.
std::filesystem::path calibration_set(const std::filesystem::path& dir, const std::string& name, int seed, int count) {
  const auto file = dir / name;
  const std::string save = std::string(INFERBENCH_PYTHON) + " -c \"import numpy; numpy.save('" + file.string() +
                           "', numpy.random.default_rng(" + std::to_string(seed) + ").standard_normal((" +
                           std::to_string(count) + ", 3, 32, 32)).astype('float32'))\"";
  EXPECT_EQ(std::system(save.c_str()), 0);
  return file;
}

std::vector<std::string> int8_run(const std::string& backends, const std::filesystem::path& dir) {
  return {"run", "--model", "tiny_cnn", "--backends", backends, "--devices", "cpu", "--precisions", "int8",
          "--scenarios", "sync", "--batch", "4", "--warmup", "1", "--iters", "3", "--out", dir.string(), "--no-store"};
}

TEST(Calibration, Int8ArtefactsAreCalibratedOnTheUsersData) {
  std::vector<std::string> built;
  if (INFERBENCH_OPENVINO_BUILT) built.push_back("openvino");
  if (INFERBENCH_EXECUTORCH_BUILT) built.push_back("executorch");
  if (INFERBENCH_LITERT_BUILT) built.push_back("litert");
  if (built.empty()) GTEST_SKIP() << "no plugin with INT8 artefacts was built (OpenVINO, ExecuTorch, LiteRT)";
  std::string backends;
  for (const auto& name : built) backends += (backends.empty() ? "" : ",") + name;

  const auto dir = fresh_dir("calibration");
  const auto data = calibration_set(dir, "calibration.npy", 3, 10);
  std::vector<std::string> args = int8_run(backends, dir / "run");
  args.insert(args.end(), {"--calibration", data.string()});
  const auto run = run_inferbench(args);
  const auto rows = backend_rows(run, dir / "run", built.front());
  const auto results = read_json(dir / "run" / "results.json");
  const auto& described = results["run"]["request"]["calibration_data"][0];
  EXPECT_EQ(described["samples"], 10);
  const std::string sha = described["sha256"].get<std::string>();
  for (const auto& name : built) {
    const auto row = backend_rows(run, dir / "run", name).at(0);
    ASSERT_EQ(row["status"], "ok") << row.dump();
    const std::string calibration = row["effective"]["calibration"].get<std::string>();
    // Every sample once, in whole batches of the artefact's where the batch is static (12 of 10).
    EXPECT_EQ(calibration.rfind("user data (npy; ", 0), 0u) << name << ": " << calibration;
    EXPECT_NE(calibration.find(name == "openvino" ? "; 10 samples, sha256 " + sha : "; 12 samples, sha256 " + sha),
              std::string::npos)
        << name << ": " << calibration;
    EXPECT_NE(row["artefact"].get<std::string>().find("-int8-"), std::string::npos);
    EXPECT_NE(row["artefact"].get<std::string>().find("-calibrated-"), std::string::npos) << row["artefact"];
    EXPECT_GT(row["parity"]["cosine"].get<double>(), 0.99) << row["parity"].dump();
  }

  // Other data makes another artefact; no --calibration, the synthetic set's.
  args = int8_run(built.front(), dir / "other");
  args.insert(args.end(), {"--calibration", calibration_set(dir, "other.npy", 4, 10).string()});
  const auto other = backend_rows(run_inferbench(args), dir / "other", built.front()).at(0);
  EXPECT_NE(other["artefact"], rows.at(0)["artefact"]);
  const auto synthetic = backend_rows(run_inferbench(int8_run(built.front(), dir / "synthetic")), dir / "synthetic",
                                      built.front()).at(0);
  EXPECT_EQ(synthetic["artefact"].get<std::string>().find("-calibrated-"), std::string::npos);
  EXPECT_EQ(synthetic["effective"]["calibration"].get<std::string>().rfind("synthetic: ", 0), 0u)
      << synthetic["effective"].dump();
}

// The parity pass (--input, --labels) through every plugin's set_input/run/output: 10 samples at
// batch 4 (the last batch partial), each row's outputs on all of them against the FP32 reference's.
TEST(Calibration, TheParityPassRunsTheUsersDataOnEveryBackend) {
  std::vector<std::string> built;
  if (INFERBENCH_OPENVINO_BUILT) built.push_back("openvino");
  if (INFERBENCH_EXECUTORCH_BUILT) built.push_back("executorch");
  if (INFERBENCH_LITERT_BUILT) built.push_back("litert");
  if (built.empty() || !INFERBENCH_TORCH_BUILT) GTEST_SKIP() << "needs the torch plugin and another one";
  std::string backends = "torch:eager";
  for (const auto& name : built) backends += "," + name;
  const auto dir = fresh_dir("parity-pass");
  const auto data = calibration_set(dir, "input.npy", 5, 10);
  {
    std::ofstream labels(dir / "labels.txt");
    for (int label : {3, 1, 4, 1, 5, 9, 2, 6, 5, 3}) labels << label << '\n';
  }
  const auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", backends, "--devices", "cpu",
                                   "--precisions", "fp32,int8", "--scenarios", "sync", "--batch", "4", "--warmup", "1",
                                   "--iters", "2", "--input", data.string(), "--labels", (dir / "labels.txt").string(),
                                   "--out", (dir / "run").string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "run" / "results.json");
  std::set<double> reference_accuracy;
  int checked = 0;
  for (const auto& row : results["rows"]) {
    if (row["status"] == "unavailable") continue;
    ASSERT_EQ(row["status"], "ok") << row.dump();
    const auto& parity = row["parity"];
    EXPECT_EQ(parity["samples"], 10) << row["framework"] << " " << row["precision"];
    ASSERT_FALSE(row["accuracy"].is_null()) << row.dump();
    EXPECT_EQ(row["accuracy"]["samples"], 10);
    reference_accuracy.insert(row["accuracy"]["reference_top1"].get<double>());
    EXPECT_GT(parity["cosine"].get<double>(), row["precision"] == "fp32" ? 0.99999 : 0.99) << row.dump();
    if (row["precision"] == "fp32") {
      EXPECT_EQ(parity["top1_agreement"], 1.0) << row.dump();
    }
    ++checked;
  }
  EXPECT_EQ(checked, 1 + 2 * static_cast<int>(built.size()));  // torch FP32, each backend's FP32 and INT8
  EXPECT_EQ(reference_accuracy.size(), 1u);  // one reference, the same samples

  // A user's own artefact file has no PyTorch model to compare with, but the labels still score it.
  std::string artefact;
  for (const auto& row : results["rows"]) {
    if (row["backend"] == built.front() && row["precision"] == "int8") artefact = row["artefact"].get<std::string>();
  }
  ASSERT_FALSE(artefact.empty());
  const auto own = run_inferbench({"run", "--model", artefact, "--input-shape", "3x32x32", "--backends", built.front(),
                                   "--devices", "cpu", "--precisions", "int8", "--scenarios", "sync", "--batch", "4",
                                   "--warmup", "1", "--iters", "2", "--input", data.string(), "--labels",
                                   (dir / "labels.txt").string(), "--out", (dir / "own").string(), "--no-store"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const auto own_row = read_json(dir / "own" / "results.json")["rows"].at(0);
  ASSERT_EQ(own_row["status"], "ok") << own_row.dump();
  EXPECT_TRUE(own_row["parity"].is_null());
  EXPECT_EQ(own_row["accuracy"]["samples"], 10);
  EXPECT_TRUE(own_row["accuracy"]["reference_top1"].is_null());
  const auto same = std::find_if(results["rows"].begin(), results["rows"].end(), [&](const auto& row) {
    return row["artefact"] == artefact;
  });
  EXPECT_EQ(own_row["accuracy"]["top1"], (*same)["accuracy"]["top1"]);  // the same artefact, the same answers
}

// Calibration data that does not fit the model stops the run before anything runs, with one line.
TEST(Calibration, DataOfAnotherShapeIsOneClearLine) {
  const auto dir = fresh_dir("calibration-shape");
  const auto wrong = dir / "wrong.npy";
  const std::string save = std::string(INFERBENCH_PYTHON) + " -c \"import numpy; numpy.save('" + wrong.string() +
                           "', numpy.zeros((5, 3, 64, 64), 'float32'))\"";
  ASSERT_EQ(std::system(save.c_str()), 0);
  const auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--calibration", wrong.string(),
                                   "--no-store"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--calibration: " + wrong.string() + " has shape (5, 3, 64, 64), but the model takes samples "
                         "of 3x32x32"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

}  // namespace
}  // namespace inferbench::testing
