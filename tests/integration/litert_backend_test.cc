// SPDX-License-Identifier: Apache-2.0
// The real LiteRT plugin (libLiteRt.so of the ai-edge-litert wheel), end to end through the CLI
// on the tiny model: FP32 and full-integer INT8 .tflite files from litert-torch with parity and
// schema checks, the export manifest, one artefact per batch, two request slots in flight
// (async), a user's own .tflite through
// --model FILE, a truncated .tflite that must give a failed row with a clear error, and a
// missing library that must give an unavailable row.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

class LitertBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!INFERBENCH_LITERT_BUILT) GTEST_SKIP() << "the litert plugin was not built (INFERBENCH_WITH_LITERT=OFF)";
    if (std::string(INFERBENCH_LITERT_PYTHON).empty()) {
      GTEST_SKIP() << "no LiteRT environment configured (-DINFERBENCH_LITERT_PYTHON=<LiteRT environment>/bin/python; "
                      "make passes it)";
    }
  }
};

TEST_F(LitertBackend, TinyModelFp32AndInt8) {
  const auto dir = fresh_dir("litert-tiny");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "litert,torch:eager", "--devices", "cpu",
                             "--precisions", "fp32,int8", "--batch", "4", "--warmup", "3", "--iters", "10",
                             "--threads", "1", "--out", dir.string(), "--no-store"});
  // torch:eager has no int8: that row is unavailable, which is not a failure (exit 0).
  EXPECT_NE(run.out.find("TFLite (LiteRT)"), std::string::npos) << run.out;
  std::set<std::string> seen;
  for (const auto& row : backend_rows(run, dir, "litert")) {
    const std::string precision = row["precision"];
    SCOPED_TRACE(precision);
    seen.insert(precision);
    expect_measured_cpu_row(row, "TFLite (LiteRT)", 10);
    const auto& effective = row["effective"];
    // --threads reaches the CPU accelerator as its TOML options.
    EXPECT_EQ(effective["threads"], "1");
    EXPECT_EQ(effective["cpu_options"], "xnnpack: num_threads = 1");
    EXPECT_EQ(effective["isa"], "XNNPACK");
    EXPECT_EQ(effective["fully_accelerated"], "yes") << effective.dump();
    // The row says what executed it: "<CPU> (XNNPACK, 1 thread)".
    const std::string hardware = row["target_hardware"];
    EXPECT_NE(hardware.find("XNNPACK"), std::string::npos) << hardware;
    const std::string artefact = row["artefact"];
    EXPECT_EQ(artefact.substr(artefact.size() - 7), ".tflite");
    // Both files keep litert-torch's float32 NCHW interface (the INT8 one quantises inside).
    EXPECT_EQ(effective["model_input"], "float32 [4,3,32,32] NCHW");
    // Parity against the PyTorch FP32 reference also proves the input layout is handled right.
    expect_parity(row, 0.999);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"fp32", "int8"}));
}

// A graph XNNPACK does not take whole: ResNet-18's max-pool padding (a PADV2) stays on TFLite's
// built-in kernels; LiteRT reports the compiled model not fully accelerated and the row says so.
TEST_F(LitertBackend, PartlyDelegatedGraphSaysWhatRanOutsideXnnpack) {
  const auto dir = fresh_dir("litert-resnet18");
  auto run = run_inferbench({"run", "--model", "resnet18", "--backends", "litert", "--precisions", "fp32",
                             "--batch", "1", "--warmup", "1", "--iters", "2", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["effective"]["fully_accelerated"], "no") << row["effective"].dump();
  EXPECT_NE(row["target_hardware"].get<std::string>().find("(XNNPACK + TFLite kernels, "), std::string::npos)
      << row["target_hardware"];
}

TEST_F(LitertBackend, ManifestRecordsExportCalibrationAndInterface) {
  // The same export the run above made (cached), read from the manifest beside the artefact.
  const auto dir = fresh_dir("litert-manifest");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "litert", "--devices", "cpu",
                             "--precisions", "int8", "--batch", "4", "--warmup", "1", "--iters", "2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto [artefact, manifest] = first_artefact_manifest(dir);
  EXPECT_EQ(manifest["format"], "tflite");
  EXPECT_EQ(manifest["precision"], "int8");
  EXPECT_EQ(manifest["batch"], 4);
  EXPECT_GT(manifest["export_ms"].get<double>(), 0);
  EXPECT_EQ(manifest["bytes"].get<std::int64_t>(), static_cast<std::int64_t>(fs::file_size(artefact)));
  for (const char* key : {"litert_torch", "ai_edge_litert", "litert_env_torch"}) {
    EXPECT_FALSE(manifest["versions"][key].is_null()) << key << " in " << manifest.dump();
  }
  const auto& calibration = manifest["calibration"];
  ASSERT_TRUE(calibration.is_object()) << manifest.dump();
  for (const char* key : {"source", "samples", "seed", "method"}) EXPECT_TRUE(calibration.contains(key)) << key;
  EXPECT_EQ(calibration["seed"], 1);  // --seed 0 + the calibration offset
  // The INT8 model keeps the float32 NCHW interface; its int8 boundary is recorded beside it.
  const auto& input = manifest["inputs"][0];
  EXPECT_EQ(input["dtype"], "float32");
  EXPECT_EQ(input["layout"], "NCHW");
  EXPECT_EQ(input["shape"], (std::vector<int>{4, 3, 32, 32}));
  EXPECT_EQ(manifest["outputs"][0]["dtype"], "float32");
  EXPECT_EQ(manifest["outputs"][0]["shape"], (std::vector<int>{4, 10}));
  EXPECT_GT(manifest["quantised_boundary"]["inputs"][0]["scale"].get<double>(), 0) << manifest.dump();
  EXPECT_EQ(manifest["xnnpack"]["whole_graph"], true) << manifest.dump();
}

// An INT8 operator XNNPACK does not take (hard-swish) stays on TFLite's own kernels between
// XNNPACK partitions: the exporter counts them, and the row and the guide name them.
TEST_F(LitertBackend, OperatorsOutsideXnnpackAreNamedInTheRowAndTheGuide) {
  const auto dir = fresh_dir("litert-outside");
  const auto file = dir / "hardswish.py";
  {
    std::ofstream out(file);
    out << "from torch import nn\n\n\ndef model():\n"
           "    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Hardswish(), nn.Conv2d(8, 8, 3, padding=1),\n"
           "                         nn.Hardswish(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))\n";
  }
  auto run = run_inferbench({"run", "--model", file.string(), "--input-shape", "3x16x16", "--backends", "litert",
                             "--devices", "cpu", "--precisions", "int8", "--batch", "2", "--warmup", "1", "--iters", "2",
                             "--out", dir.string(), "--no-store"},
                            600, {"INFERBENCH_CACHE=" + (dir / "cache").string()});  // its file goes with the test
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto [artefact, manifest] = first_artefact_manifest(dir);
  EXPECT_EQ(manifest["xnnpack"]["whole_graph"], false) << manifest.dump();
  EXPECT_EQ(manifest["xnnpack"]["outside"], (nlohmann::json{{"HARD_SWISH", 2}})) << manifest.dump();
  EXPECT_EQ(manifest["xnnpack"]["partitions"], 3);
  const auto row = read_json(dir / "results.json")["rows"][0];
  EXPECT_EQ(row["effective"]["delegation"], "XNNPACK took 7 operators in 3 partitions; outside it: 2 HARD_SWISH");
  std::ifstream guide(dir / "guide.md");
  const std::string text((std::istreambuf_iterator<char>(guide)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("| TFLite (LiteRT) CPU INT8 batch 2 | TFLite built-in kernels | XNNPACK took 7 operators in 3 "
                      "partitions; outside it: 2 HARD_SWISH |"),
            std::string::npos)
      << text;
}

TEST_F(LitertBackend, OneArtefactPerBatch) {
  const auto dir = fresh_dir("litert-batches");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "litert", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", "1,2", "--warmup", "1", "--iters", "2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::set<std::string> artefacts;
  const auto results = read_json(dir / "results.json");
  for (const auto& row : results["rows"]) {
    ASSERT_EQ(row["status"], "ok") << row.dump();
    const fs::path artefact = row["artefact"].get<std::string>();
    artefacts.insert(artefact.string());
    const auto manifest = read_json(artefact.parent_path() / "manifest.json");
    EXPECT_EQ(manifest["batch"], row["batch"]) << manifest.dump();
  }
  EXPECT_EQ(artefacts.size(), 2u);
  // --threads 0 (the default) gives XNNPACK one thread per CPU the process may use, as the other
  // CPU backends run by default, not its own default of one.
  const std::string usable = std::to_string(results["run"]["env"]["cpu"]["usable_cpus"].get<int>());
  for (const auto& row : results["rows"]) {
    EXPECT_EQ(row["effective"]["threads"], usable) << row["effective"].dump();
    EXPECT_EQ(row["effective"]["cpu_options"], "xnnpack: num_threads = " + usable + " (--threads 0: one per usable CPU)");
  }
}

// Runs the tiny model's FP32 .tflite once (exporting it or reusing the cache) and returns its path.
fs::path tiny_fp32_model(const fs::path& dir, int batch) {
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "litert", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", std::to_string(batch), "--warmup", "1",
                             "--iters", "1", "--out", dir.string(), "--no-store"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  return read_json(dir / "results.json")["rows"][0]["artefact"].get<std::string>();
}

TEST_F(LitertBackend, AsyncRunsTwoRequestsInFlight) {
  // Two compiled models, each run on a thread of its own; --threads 2 is shared out, one XNNPACK
  // thread each. Slot 0's output agrees with the FP32 reference like a sync row's.
  const auto dir = fresh_dir("litert-async");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "litert", "--devices", "cpu", "--precisions",
                             "fp32", "--scenarios", "async", "--requests", "2", "--threads", "2", "--batch", "4",
                             "--warmup", "3", "--iters", "10", "--out", dir.string(), "--no-store"});
  const auto rows = backend_rows(run, dir, "litert");
  ASSERT_EQ(rows.size(), 1u) << run.out;
  const auto& row = rows[0];
  expect_measured_cpu_row(row, "TFLite (LiteRT)", 10);
  EXPECT_EQ(row["scenario"], "async");
  const auto& effective = row["effective"];
  EXPECT_EQ(effective["requests"], "2");
  EXPECT_EQ(effective["requests_in_flight"], "2");
  EXPECT_EQ(effective["threads"], "1");
  EXPECT_EQ(effective["threads_total"], "2");  // both compiled models' threads
  EXPECT_EQ(effective["cpu_options"], "xnnpack: num_threads = 1 in each of 2 compiled models (--threads 2, shared out)");
  expect_parity(row, 0.9999);
}

TEST_F(LitertBackend, UsersOwnTfliteFile) {
  const auto dir = fresh_dir("litert-file");
  const fs::path model = tiny_fp32_model(dir / "export", 2);
  const fs::path own = dir / "own.tflite";
  fs::copy_file(model, own);
  auto run = run_inferbench({"run", "--model", own.string(), "--input-shape", "3x32x32", "--backends", "litert",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters", "3", "--out",
                             (dir / "out").string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto row = read_json(dir / "out" / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["model"], "own.tflite");
  // A .tflite has a fixed shape: another batch is one clear line saying what the model takes.
  auto wrong = run_inferbench({"run", "--model", own.string(), "--input-shape", "3x32x32", "--backends", "litert",
                               "--precisions", "fp32", "--batch", "3", "--warmup", "1", "--iters", "1", "--out",
                               (dir / "wrong").string(), "--no-store"});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out << wrong.err;
  const auto wrong_row = read_json(dir / "wrong" / "results.json")["rows"][0];
  EXPECT_EQ(wrong_row["status"], "failed");
  const std::string error = wrong_row["error"];
  EXPECT_NE(error.find("[2,3,32,32]"), std::string::npos) << error;
  EXPECT_NE(error.find("--batch"), std::string::npos) << error;
}

TEST_F(LitertBackend, TruncatedTfliteIsAFailedRowWithAClearError) {
  const auto dir = fresh_dir("litert-bad");
  const fs::path model = tiny_fp32_model(dir / "export", 2);
  const fs::path bad = dir / "truncated.tflite";
  fs::copy_file(model, bad);
  fs::resize_file(bad, fs::file_size(model) / 2);

  auto run = run_inferbench({"run", "--model", bad.string(), "--input-shape", "3x32x32", "--backends", "litert",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters", "2", "--out",
                             (dir / "out").string(), "--no-store"});
  const std::string error = failed_row_error(run, dir / "out" / "results.json");
  EXPECT_NE(error.find("cannot load .tflite model"), std::string::npos) << error;
  EXPECT_NE(error.find("truncated.tflite"), std::string::npos) << error;
  EXPECT_NE(error.find("re-export"), std::string::npos) << error;
}

TEST_F(LitertBackend, MissingLibraryIsAnUnavailableRowNotACrash) {
  const auto dir = fresh_dir("litert-missing");
  const std::string missing = (dir / "no-such" / "libLiteRt.so").string();
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "litert,torch:eager", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters", "2", "--out",
                             dir.string(), "--no-store"},
                            600, {"INFERBENCH_LITERT_LIBRARY=" + missing});
  // The torch row is measured; the LiteRT row is unavailable, which is not a failure.
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  bool litert_seen = false;
  const auto results = read_json(dir / "results.json");
  for (const auto& row : results["rows"]) {
    if (row["backend"] == "torch") {
      EXPECT_EQ(row["status"], "ok") << row.dump();
    }
    if (row["backend"] != "litert") continue;
    litert_seen = true;
    EXPECT_EQ(row["status"], "unavailable") << row.dump();
    const std::string reason = row["error"].is_string() ? row["error"].get<std::string>() : row.dump();
    EXPECT_NE(reason.find(missing), std::string::npos) << reason;
    EXPECT_NE(reason.find("INFERBENCH_LITERT_LIBRARY"), std::string::npos) << reason;
  }
  EXPECT_TRUE(litert_seen);

  auto listed = run_inferbench({"backends"}, 120, {"INFERBENCH_LITERT_LIBRARY=" + missing});
  ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  EXPECT_NE(listed.out.find("litert      unavailable"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("does not exist"), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace inferbench::testing
