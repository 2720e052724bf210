// SPDX-License-Identifier: Apache-2.0
// The real ExecuTorch plugin, end to end through the CLI on the tiny model: FP32 and INT8 (PT2E)
// .pte programs lowered to XNNPACK with parity and schema checks, two request slots in flight
// (async), a user's own .pte through --model FILE, and a truncated .pte that must give a failed
// row with a clear error.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <set>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

class ExecutorchBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!INFERBENCH_EXECUTORCH_BUILT) {
      GTEST_SKIP() << "the executorch plugin was not built (configure with CMake >= 3.28 and "
                      "-DINFERBENCH_EXECUTORCH_PYTHON=<ExecuTorch environment>; make does both)";
    }
  }
};

// Runs the tiny model's FP32 program once (exporting it or reusing the cache) and returns its path.
fs::path tiny_fp32_program(const fs::path& dir, int batch) {
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "executorch", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", std::to_string(batch), "--warmup", "1",
                             "--iters", "1", "--out", dir.string(), "--no-store"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  return read_json(dir / "results.json")["rows"][0]["artefact"].get<std::string>();
}

TEST_F(ExecutorchBackend, TinyModelFp32AndInt8) {
  const auto dir = fresh_dir("executorch-tiny");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "executorch,torch:eager", "--devices", "cpu",
                             "--precisions", "fp32,int8", "--batch", "4", "--warmup", "3", "--iters", "10",
                             "--threads", "1", "--out", dir.string(), "--no-store"});
  // torch has no int8: that row is unavailable, which is not a failure (exit 0).
  EXPECT_NE(run.out.find("ExecuTorch"), std::string::npos) << run.out;
  std::set<std::string> seen;
  for (const auto& row : backend_rows(run, dir, "executorch")) {
    const std::string precision = row["precision"];
    SCOPED_TRACE(precision);
    seen.insert(precision);
    expect_measured_cpu_row(row, "ExecuTorch", 10);
    const auto& effective = row["effective"];
    EXPECT_EQ(effective["threads"], "1");
    EXPECT_EQ(effective["delegate"], "XNNPACK");
    EXPECT_EQ(effective["program_input"], "[4,3,32,32]");
    // The exporter leaves the input unplanned, so the plugin's buffer is bound without a copy.
    EXPECT_EQ(effective["input_binding"], "bound by pointer (input not memory-planned)");
    // The row says what executed it: "<CPU> (XNNPACK, 1 thread)": the whole program is one
    // XNNPACK call (only the output getitem stays outside, and it is no instruction).
    const std::string hardware = row["target_hardware"];
    EXPECT_NE(hardware.find("(XNNPACK, 1 thread)"), std::string::npos) << hardware;
    EXPECT_EQ(effective["instructions"], "1");
    EXPECT_NE(effective["delegation"].get<std::string>().find(" in 1 call; outside it: 1 getitem"), std::string::npos)
        << effective.dump();
    EXPECT_EQ(row["artefact"].get<std::string>().substr(row["artefact"].get<std::string>().size() - 4), ".pte");
    expect_parity(row, 0.9999);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"fp32", "int8"}));
}

// A program the partitioner splits: MobileNetV3-Small keeps 18 memory-layout copies outside the
// XNNPACK call, run by ExecuTorch's own kernels, and the row says so.
TEST_F(ExecutorchBackend, PartlyDelegatedProgramSaysWhatRanOutsideXnnpack) {
  const auto dir = fresh_dir("executorch-mv3");
  auto run = run_inferbench({"run", "--model", "mobilenet_v3_small", "--backends", "executorch", "--precisions",
                             "fp32", "--batch", "1", "--warmup", "1", "--iters", "2", "--out", dir.string(),
                             "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "ok") << row.dump();
  EXPECT_NE(row["target_hardware"].get<std::string>().find("(XNNPACK + ExecuTorch kernels, "), std::string::npos)
      << row["target_hardware"];
  EXPECT_EQ(row["effective"]["instructions"], "19");
  EXPECT_NE(row["effective"]["delegation"].get<std::string>().find("18 dim_order_ops__to_dim_order_copy_default"),
            std::string::npos) << row["effective"].dump();
}

TEST_F(ExecutorchBackend, ManifestRecordsExportAndCalibration) {
  // The same export the run above made (cached), read through `inferbench models`'s source:
  // the manifest beside the artefact.
  const auto dir = fresh_dir("executorch-manifest");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "executorch", "--devices", "cpu",
                             "--precisions", "int8", "--batch", "4", "--warmup", "1", "--iters", "2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto [artefact, manifest] = first_artefact_manifest(dir);
  EXPECT_EQ(manifest["format"], "pte");
  EXPECT_EQ(manifest["batch"], 4);
  EXPECT_GT(manifest["export_ms"].get<double>(), 0);
  EXPECT_EQ(manifest["bytes"].get<std::int64_t>(), static_cast<std::int64_t>(fs::file_size(artefact)));
  EXPECT_FALSE(manifest["versions"]["executorch"].is_null()) << manifest.dump();
  EXPECT_FALSE(manifest["versions"]["executorch_torch"].is_null()) << manifest.dump();
  const auto& calibration = manifest["calibration"];
  ASSERT_TRUE(calibration.is_object()) << manifest.dump();
  for (const char* key : {"source", "samples", "seed"}) EXPECT_TRUE(calibration.contains(key)) << key;
  EXPECT_EQ(calibration["seed"], 1);  // --seed 0 + the calibration offset
}

// Two requests in flight: a Module per slot, each executed on a thread of its own and loaded with
// an XNNPACK workspace of its own (the wheel's default shares one workspace between all programs,
// under one lock). Slot 0's output agrees with the FP32 reference like a sync row's.
TEST_F(ExecutorchBackend, AsyncRunsTwoRequestsInFlight) {
  const auto dir = fresh_dir("executorch-async");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "executorch", "--devices", "cpu",
                             "--precisions", "fp32", "--scenarios", "async", "--requests", "2", "--batch", "4",
                             "--warmup", "3", "--iters", "10", "--out", dir.string(), "--no-store"});
  const auto rows = backend_rows(run, dir, "executorch");
  ASSERT_EQ(rows.size(), 1u) << run.out;
  const auto& row = rows[0];
  expect_measured_cpu_row(row, "ExecuTorch", 10);
  EXPECT_EQ(row["scenario"], "async");
  const auto& effective = row["effective"];
  EXPECT_EQ(effective["requests"], "2");
  EXPECT_EQ(effective["requests_in_flight"], "2");
  EXPECT_NE(effective["xnnpack_load_options"].get<std::string>().find("workspace_sharing_mode 0"), std::string::npos)
      << effective.dump();
  EXPECT_NE(effective["request_threads"].get<std::string>().find("share ExecuTorch's one thread pool of "),
            std::string::npos)
      << effective.dump();
  // A pool of one thread runs each request inline on its own thread: two threads busy; a larger
  // pool is shared, the requests taking turns on it.
  EXPECT_EQ(effective["threads_total"], effective["threads"] == "1" ? "2" : effective["threads"].get<std::string>());
  expect_parity(row, 0.9999);
}

TEST_F(ExecutorchBackend, UsersOwnPteFile) {
  const auto dir = fresh_dir("executorch-file");
  const fs::path program = tiny_fp32_program(dir / "export", 2);
  const fs::path own = dir / "own.pte";
  fs::copy_file(program, own);
  auto run = run_inferbench({"run", "--model", own.string(), "--input-shape", "3x32x32", "--backends", "executorch",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters", "3", "--out", (dir / "out").string(),
                             "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto row = read_json(dir / "out" / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["model"], "own.pte");
  // torch cannot load a .pte, so there is no FP32 reference for a user's program: the row says so.
  EXPECT_TRUE(row["parity"].is_null()) << row.dump();
  EXPECT_NE(row["warnings"].dump().find("no parity"), std::string::npos) << row.dump();
  // A .pte has a fixed shape: another batch is one clear line saying what the program takes.
  auto wrong = run_inferbench({"run", "--model", own.string(), "--input-shape", "3x32x32", "--backends", "executorch",
                               "--precisions", "fp32", "--batch", "3", "--warmup", "1", "--iters", "1", "--out", (dir / "wrong").string(),
                               "--no-store"});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out << wrong.err;
  const auto wrong_row = read_json(dir / "wrong" / "results.json")["rows"][0];
  EXPECT_EQ(wrong_row["status"], "failed");
  const std::string error = wrong_row["error"];
  EXPECT_NE(error.find("[2,3,32,32]"), std::string::npos) << error;
  EXPECT_NE(error.find("--batch"), std::string::npos) << error;
}

TEST_F(ExecutorchBackend, TruncatedPteIsAFailedRowWithAClearError) {
  const auto dir = fresh_dir("executorch-bad");
  const fs::path program = tiny_fp32_program(dir / "export", 2);
  const fs::path bad = dir / "truncated.pte";
  fs::copy_file(program, bad);
  fs::resize_file(bad, fs::file_size(program) / 2);

  auto run = run_inferbench({"run", "--model", bad.string(), "--input-shape", "3x32x32", "--backends", "executorch",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters", "2", "--out", (dir / "out").string(),
                             "--no-store"});
  const std::string error = failed_row_error(run, dir / "out" / "results.json");
  EXPECT_NE(error.find("cannot load ExecuTorch program"), std::string::npos) << error;
  EXPECT_NE(error.find("truncated.pte"), std::string::npos) << error;
  EXPECT_NE(error.find("re-export"), std::string::npos) << error;
}

}  // namespace
}  // namespace inferbench::testing
