// SPDX-License-Identifier: Apache-2.0
// The real LibTorch plugin, end to end through the CLI: tiny model, MobileNetV2 smoke run, a
// user's own TorchScript file, the store round trip and report re-rendering; the AOTInductor
// variant on the CPU (FP32 and BF16, exported, run and checked against the FP32 reference), a
// user's own package, two request slots in flight on the CPU (async, eager and AOTInductor), and
// what the CUDA rows and the CUDA export say on a machine without a GPU.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

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
  EXPECT_EQ(row["variant"], "eager");
  EXPECT_EQ(row["device_label"], "CPU");
  // The CPU measures no device time or device memory of its own.
  EXPECT_TRUE(row["device_time_ms"].is_null());
  EXPECT_TRUE(row["device_time_samples_ms"].empty());
  EXPECT_TRUE(row["peak_device_memory_mb"].is_null());
  EXPECT_GT(row["fps"].get<double>(), 0);
  EXPECT_NE(row["target_hardware"].get<std::string>().find(" thread"), std::string::npos);
  EXPECT_EQ(row["latency_samples_ms"].size(), row["samples"].get<size_t>());
}

TEST_F(TorchBackend, TinyModelRowCarriesEveryField) {
  const auto dir = fresh_dir("torch-tiny");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
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
                             "torch", "--devices", "cpu", "--batch", "3", "--warmup", "1", "--iters", "3", "--out",
                             dir2.string(), "--no-store"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const auto own_row = read_json(dir2 / "results.json")["rows"][0];
  EXPECT_EQ(own_row["status"], "ok");
  EXPECT_EQ(own_row["batch"], 3);
  EXPECT_FALSE(own_row["parity"].is_null());
}

TEST_F(TorchBackend, ThreadSweepMeasuresEachCountAndTheGuideScalesThem) {
  const auto dir = fresh_dir("torch-threads");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                             "--batch", "8", "--warmup", "2", "--iters", "10", "--threads", "1,2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  ASSERT_EQ(results["rows"].size(), 2u);
  EXPECT_EQ(results["run"]["request"]["threads"], nlohmann::json::array({1, 2}));
  for (int i = 0; i < 2; ++i) {
    const auto& row = results["rows"][i];
    const std::string threads = std::to_string(i + 1);
    EXPECT_EQ(row["status"], "ok") << row.dump();
    EXPECT_EQ(row["requested"]["threads"], threads);
    EXPECT_EQ(row["effective"]["threads"], threads);  // LibTorch ran with the count asked for
    EXPECT_GE(row["parity"]["cosine"].get<double>(), 0.9999);
  }
  EXPECT_NE(results["rows"][0]["target_hardware"].get<std::string>().find("1 thread)"), std::string::npos);
  EXPECT_NE(run.err.find("torch:eager cpu fp32 sync batch 8 threads 2"), std::string::npos) << run.err;
  // The guide sets the two points against each other.
  const std::string guide = read_file(dir / "guide.md");
  EXPECT_NE(guide.find("### Scaling with threads"), std::string::npos) << guide;
  EXPECT_NE(guide.find("| PyTorch (Native) CPU FP32 batch 8, 1 thread | 1 | "), std::string::npos) << guide;
  EXPECT_NE(guide.find("| PyTorch (Native) CPU FP32 batch 8, 2 threads | 2 | "), std::string::npos) << guide;
}

TEST_F(TorchBackend, InstancesRunTogetherAndMakeOneRow) {
  const auto dir = fresh_dir("torch-instances");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                             "--batch", "4", "--warmup", "3", "--iters", "12", "--instances", "1,2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto results = read_json(dir / "results.json");
  ASSERT_EQ(results["rows"].size(), 2u);
  EXPECT_EQ(results["run"]["request"]["instances"], nlohmann::json::array({1, 2}));
  const auto& one = results["rows"][0];
  const auto& two = results["rows"][1];
  EXPECT_EQ(one["instances"], 1);
  EXPECT_EQ(one["requested"]["threads"], "default");
  expect_complete_ok_row(two);
  EXPECT_EQ(two["instances"], 2);
  EXPECT_EQ(two["samples"], 24);  // both instances' timed iterations
  // With --threads 0 the instances share the CPUs out: each runs with what it was given.
  const std::string threads = two["requested"]["threads"];
  EXPECT_NE(threads, "default");
  EXPECT_EQ(two["effective"]["threads"], threads);
  EXPECT_DOUBLE_EQ(two["fps"].get<double>(), two["throughput"].get<double>());
  EXPECT_NEAR(two["throughput"].get<double>(), 4 * 24 / (two["wall_ms"].get<double>() / 1000), 1e-6);
  // The two windows opened together (the gate polls every 200 us; generous for a loaded machine).
  EXPECT_LT(std::stod(two["effective"]["instances_start_spread_ms"].get<std::string>()), 20.0)
      << two["effective"].dump();
  EXPECT_FALSE(two["effective"].contains("window_start_ns"));
  // Two workers ran it: one log each, the second one's parity agrees too.
  EXPECT_TRUE(std::filesystem::exists(dir / "work" / "logs" / "cell-1-torch-eager-cpu-fp32-sync-b4-i0.log"));
  EXPECT_TRUE(std::filesystem::exists(dir / "work" / "logs" / "cell-1-torch-eager-cpu-fp32-sync-b4-i1.log"));
  EXPECT_NE(read_file(dir / "results.md").find("| sync, 2 instances |"), std::string::npos);
  EXPECT_NE(read_file(dir / "guide.md").find("### One process or several"), std::string::npos);
  EXPECT_NE(run.err.find("torch:eager cpu fp32 sync batch 4 threads " + threads + " instances 2"),
            std::string::npos)
      << run.err;
}

TEST_F(TorchBackend, InstancesOfTheReferenceConfigurationLeaveTheReferenceToAHiddenCell) {
  // torch:eager cpu fp32 with two instances only: no one-process cell writes the reference, so a
  // hidden cell does, before the instances read it.
  const auto dir = fresh_dir("torch-instances-reference");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                             "--batch", "2", "--warmup", "2", "--iters", "5", "--instances", "2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  ASSERT_EQ(results["rows"].size(), 1u);
  EXPECT_EQ(results["rows"][0]["status"], "ok") << results["rows"][0].dump();
  EXPECT_GE(results["rows"][0]["parity"]["cosine"].get<double>(), 0.9999);
  EXPECT_NE(run.err.find("[reference] torch:eager cpu fp32 sync batch 2"), std::string::npos) << run.err;
}

TEST_F(TorchBackend, WeightsFromACheckpoint) {
  const auto dir = fresh_dir("torch-weights");
  const auto checkpoint = dir / "tiny.pth";
  const std::string save = std::string(INFERBENCH_PYTHON) + " -c \"import sys, torch; sys.path.insert(0, '" +
                           INFERBENCH_SOURCE_DIR + "/tools/export'); import models; m, _ = models.build('tiny_cnn', 123, None); "
                           "torch.save(m.state_dict(), '" + checkpoint.string() + "')\"";
  ASSERT_EQ(std::system(save.c_str()), 0);
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--weights", checkpoint.string(), "--backends",
                             "torch:eager", "--devices", "cpu", "--batch", "2", "--warmup", "1", "--iters", "3", "--out", dir.string(), "--no-store"});
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

// --input: the model runs on the user's samples, a batch taking them in turn. The reference output
// the FP32 cell writes is compared with plain PyTorch's output for the same samples.
TEST_F(TorchBackend, InputDataFromANpyArrayIsWhatTheModelRuns) {
  const auto dir = fresh_dir("torch-input-npy");
  const auto data = dir / "samples.npy";
  const auto expected = dir / "expected.f32";
  const std::string make = std::string(INFERBENCH_PYTHON) + " -c \"import sys, numpy, torch; sys.path.insert(0, '" +
                           INFERBENCH_SOURCE_DIR + "/tools/export'); import models; m, _ = models.build('tiny_cnn', 0, None); "
                           "x = numpy.random.default_rng(5).standard_normal((3, 3, 32, 32)).astype('float32'); "
                           "numpy.save('" + data.string() + "', x); "
                           "y = m(torch.from_numpy(x)).detach().numpy().astype('<f4'); "
                           "open('" + expected.string() + "', 'wb').write(y.tobytes())\"";
  ASSERT_EQ(std::system(make.c_str()), 0);
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu", "--batch", "4",
                             "--warmup", "1", "--iters", "3", "--input", data.string(), "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  const auto& described = results["run"]["request"]["input_data"][0];
  EXPECT_EQ(described["samples"], 3);
  EXPECT_EQ(described["available"], 3);
  EXPECT_EQ(described["source"], "npy");
  EXPECT_EQ(described["sample_shape"], nlohmann::json::array({3, 32, 32}));
  const auto& row = results["rows"][0];
  EXPECT_EQ(row["status"], "ok");
  EXPECT_EQ(row["requested"]["input"], data.string());
  EXPECT_NE(row["warnings"].dump().find("the batch of 4 repeats the 3 samples of --input"), std::string::npos);
  // Parity counts each sample once, although the batch repeats one.
  EXPECT_EQ(row["parity"]["samples"], 3);
  EXPECT_TRUE(row["accuracy"].is_null());
  const auto read = [](const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
  };
  const std::vector<float> ours = read(dir / "work" / "reference-m0-b4.f32");
  const std::vector<float> python = read(expected);
  ASSERT_EQ(ours.size(), python.size());
  ASSERT_EQ(ours.size(), 30u);  // 3 samples x 10 classes
  for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_NEAR(ours[i], python[i], 1e-4) << i;

  // An array of another sample shape stops the run before anything runs, with one line.
  const std::string wrong = std::string(INFERBENCH_PYTHON) + " -c \"import numpy; numpy.save('" +
                            (dir / "wrong.npy").string() + "', numpy.zeros((2, 3, 16, 16), 'float32'))\"";
  ASSERT_EQ(std::system(wrong.c_str()), 0);
  auto refused = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                                 "--input", (dir / "wrong.npy").string(), "--no-store"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("has shape (2, 3, 16, 16), but the model takes samples of 3x32x32: give an array "
                             "shaped (N, 3, 32, 32)"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
}

// --input with a folder of images: each one preprocessed for the model's sample shape; only the
// samples the parity pass runs are read (--eval-samples).
TEST_F(TorchBackend, InputDataFromAFolderOfImages) {
  const auto dir = fresh_dir("torch-input-images");
  const auto images = dir / "images";
  std::filesystem::create_directories(images);
  const std::string make = std::string(INFERBENCH_PYTHON) + " -c \"from PIL import Image; import numpy; "
                           "rng = numpy.random.default_rng(1); "
                           "[Image.fromarray(rng.integers(0, 255, (48 + 8 * i, 40, 3), dtype='uint8')).save('" +
                           images.string() + "/' + str(i) + '.png') for i in range(3)]\"";
  ASSERT_EQ(std::system(make.c_str()), 0);
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu", "--batch", "2",
                             "--warmup", "1", "--iters", "3", "--input", images.string(), "--eval-samples", "2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(results["run"]["request"]["input_data"][0]["source"], "images");
  EXPECT_EQ(results["run"]["request"]["input_data"][0]["samples"], 2);
  EXPECT_EQ(results["rows"][0]["parity"]["samples"], 2);
  EXPECT_EQ(results["run"]["request"]["input_data"][0]["available"], 3);
  EXPECT_NE(results["run"]["request"]["input_data"][0]["preprocess"].get<std::string>().find(
                "resize shorter side to 37 (bilinear, antialiased), centre crop 32x32"),
            std::string::npos);
  EXPECT_EQ(results["rows"][0]["status"], "ok");
  EXPECT_EQ(results["rows"][0]["warnings"].dump().find("repeats"), std::string::npos);
  std::ifstream page(dir / "report.html");
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("Each row's output on the same input, " + images.string() + " (--input)"), std::string::npos);
  // A folder without images is one clear line.
  std::filesystem::create_directories(dir / "empty");
  auto refused = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                                 "--input", (dir / "empty").string(), "--no-store"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("has no images"), std::string::npos) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
}

// The parity pass: every sample of --input (20 here, batch 8: the last batch partial) runs once
// after the timed window, and each row's accuracy against --labels stands beside the FP32
// reference's. Checked against plain PyTorch's outputs for the same samples and labels.
TEST_F(TorchBackend, ParityPassRunsEverySampleOnceAndScoresTheLabels) {
  const auto dir = fresh_dir("torch-parity-pass");
  const auto data = dir / "samples.npy";
  const auto labels = dir / "labels.npy";
  const auto expected = dir / "expected.json";
  const std::string make =
      std::string(INFERBENCH_PYTHON) + " -c \"import sys, json, numpy, torch; sys.path.insert(0, '" +
      INFERBENCH_SOURCE_DIR + "/tools/export'); import models; m, _ = models.build('tiny_cnn', 0, None); "
      "rng = numpy.random.default_rng(7); x = rng.standard_normal((20, 3, 32, 32)).astype('float32'); "
      "y = m(torch.from_numpy(x)).detach(); labels = rng.integers(0, 10, 20); "
      "labels[:6] = y.argmax(1).numpy()[:6]; numpy.save('" + data.string() + "', x); "
      "numpy.save('" + labels.string() + "', labels); t = torch.from_numpy(labels); "
      "top5 = (y.topk(5, 1).indices == t[:, None]).any(1).double().mean().item(); "
      "json.dump({'top1': (y.argmax(1) == t).double().mean().item(), 'top5': top5, "
      "'top1_12': (y[:12].argmax(1) == t[:12]).double().mean().item()}, open('" + expected.string() + "', 'w'))\"";
  ASSERT_EQ(std::system(make.c_str()), 0);
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager,torch:aoti", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", "8", "--warmup", "1", "--iters", "3", "--rounds", "2",
                             "--input", data.string(), "--labels", labels.string(), "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto want = read_json(expected);
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(results["run"]["request"]["eval_samples"], 1000);
  EXPECT_EQ(results["run"]["request"]["labels"], labels.string());
  EXPECT_EQ(results["run"]["request"]["input_data"][0]["labels"]["source"], labels.string());
  ASSERT_EQ(results["rows"].size(), 2u) << results["rows"].dump();
  for (const auto& row : results["rows"]) {
    ASSERT_EQ(row["status"], "ok") << row.dump();
    const auto& parity = row["parity"];
    EXPECT_EQ(parity["samples"], 20) << row.dump();
    EXPECT_GE(parity["cosine"].get<double>(), 0.9999);
    EXPECT_EQ(row["accuracy"]["samples"], 20);
    EXPECT_NEAR(row["accuracy"]["reference_top1"].get<double>(), want["top1"].get<double>(), 1e-9);
    EXPECT_NEAR(row["accuracy"]["reference_top5"].get<double>(), want["top5"].get<double>(), 1e-9);
    EXPECT_NEAR(row["accuracy"]["top1"].get<double>(), want["top1"].get<double>(), 1e-9);
    EXPECT_GE(row["accuracy"]["top1"].get<double>(), 0.3);  // the six labels set to the model's answer
    // Round 2 runs no parity pass: the row keeps round 1's, without a "no parity" warning.
    EXPECT_EQ(row["warnings"].dump().find("no parity"), std::string::npos) << row["warnings"].dump();
  }
  // The CSV and the table name the accuracy.
  std::ifstream csv(dir / "results.csv");
  const std::string csv_text((std::istreambuf_iterator<char>(csv)), std::istreambuf_iterator<char>());
  EXPECT_NE(csv_text.find("accuracy_top1"), std::string::npos);

  // --eval-samples 12: two batches, parity and accuracy on the first 12.
  auto fewer = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                               "--precisions", "fp32", "--batch", "8", "--warmup", "1", "--iters", "2", "--input",
                               data.string(), "--labels", labels.string(), "--eval-samples", "12", "--out",
                               (dir / "fewer").string(), "--no-store"});
  ASSERT_EQ(fewer.exit_code, 0) << fewer.err;
  const auto fewer_row = read_json(dir / "fewer" / "results.json")["rows"][0];
  EXPECT_EQ(fewer_row["parity"]["samples"], 12);
  EXPECT_NEAR(fewer_row["accuracy"]["reference_top1"].get<double>(), want["top1_12"].get<double>(), 1e-9);

  // A label beyond the model's classes leaves the rows measured, without accuracy, and says why.
  const std::string beyond = std::string(INFERBENCH_PYTHON) + " -c \"import numpy; numpy.save('" +
                             (dir / "beyond.npy").string() + "', numpy.full(20, 10))\"";
  ASSERT_EQ(std::system(beyond.c_str()), 0);
  auto unscored = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                                  "--precisions", "fp32", "--batch", "8", "--warmup", "1", "--iters", "2", "--input",
                                  data.string(), "--labels", (dir / "beyond.npy").string(), "--out",
                                  (dir / "beyond").string(), "--no-store"});
  ASSERT_EQ(unscored.exit_code, 0) << unscored.err;
  const auto unscored_row = read_json(dir / "beyond" / "results.json")["rows"][0];
  EXPECT_EQ(unscored_row["status"], "ok");
  EXPECT_EQ(unscored_row["parity"]["samples"], 20);
  EXPECT_TRUE(unscored_row["accuracy"].is_null());
  EXPECT_NE(unscored_row["warnings"].dump().find("no accuracy: label 10 of sample 0 is not a class of the model's 10 "
                                                 "outputs"),
            std::string::npos)
      << unscored_row["warnings"].dump();

  // --dry-run says what the pass would run.
  auto planned = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu", "--input",
                                 data.string(), "--labels", labels.string(), "--eval-samples", "12", "--dry-run",
                                 "--no-store"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_NE(planned.out.find("After its timed window each row would run up to the first 12 samples of " + data.string() +
                             " once for parity and accuracy against " + labels.string()),
            std::string::npos)
      << planned.out;

  // Labels that do not fit, or no --input to label, are one line each before anything runs.
  const std::string short_labels = std::string(INFERBENCH_PYTHON) + " -c \"import numpy; numpy.save('" +
                                   (dir / "short.npy").string() + "', numpy.arange(5))\"";
  ASSERT_EQ(std::system(short_labels.c_str()), 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--input", data.string(), "--labels", (dir / "short.npy").string()},
           {"--labels", labels.string()},
           {"--input", data.string(), "--eval-samples", "0"}}) {
    std::vector<std::string> argv = {"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                                     "--no-store"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto refused = run_inferbench(argv);
    EXPECT_EQ(refused.exit_code, 2) << refused.err;
    EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  }
}

// A folder of class folders (torchvision's ImageFolder layout) labels each image by its folder, and
// the samples are taken from each class in turn.
TEST_F(TorchBackend, ClassFoldersLabelTheImages) {
  const auto dir = fresh_dir("torch-class-folders");
  const auto images = dir / "images";
  const std::string make = std::string(INFERBENCH_PYTHON) + " -c \"from PIL import Image; import numpy, os; "
                           "rng = numpy.random.default_rng(3); "
                           "[(os.makedirs('" + images.string() + "/' + c, exist_ok=True), "
                           "Image.fromarray(rng.integers(0, 255, (40, 40, 3), dtype='uint8')).save('" +
                           images.string() + "/' + c + '/' + str(i) + '.png')) for c, n in (('a', 3), ('b', 2)) "
                           "for i in range(n)]\"";
  ASSERT_EQ(std::system(make.c_str()), 0);
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu", "--batch",
                             "2", "--warmup", "1", "--iters", "2", "--input", images.string(), "--out", dir.string(),
                             "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  const auto& described = results["run"]["request"]["input_data"][0];
  EXPECT_EQ(described["samples"], 5);
  EXPECT_EQ(described["labels"]["classes"], 2);
  EXPECT_NE(described["preprocess"].get<std::string>().find("2 class folders (a to b), one image of each in turn"),
            std::string::npos);
  std::ifstream in(dir / "work" / "input-0.f32.labels", std::ios::binary);
  std::vector<std::int32_t> labels(5);
  in.read(reinterpret_cast<char*>(labels.data()), 5 * sizeof(std::int32_t));
  EXPECT_EQ(labels, (std::vector<std::int32_t>{0, 1, 0, 1, 0}));
  const auto& row = results["rows"][0];
  ASSERT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["parity"]["samples"], 5);
  EXPECT_EQ(row["accuracy"]["samples"], 5);
}

TEST_F(TorchBackend, MobileNetV2Smoke) {
  const auto dir = fresh_dir("torch-mv2");
  auto run = run_inferbench({"run", "--backends", "torch:eager", "--devices", "cpu", "--batch", "2",
                             "--warmup", "1", "--iters", "3", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  expect_complete_ok_row(row);
  EXPECT_EQ(row["params"], 3504872);
  EXPECT_EQ(row["model"], "mobilenet_v2");
  EXPECT_EQ(row["batch"], 2);
}

// Another model of the catalogue goes the same way as MobileNetV2: exported by name, counted
// (parameters and multiply-adds from the exporter) and checked against its own FP32 reference.
TEST_F(TorchBackend, AnotherCatalogueModelRunsByName) {
  const auto dir = fresh_dir("torch-mv3");
  auto run = run_inferbench({"run", "--model", "mobilenet_v3_small", "--backends", "torch:eager", "--devices",
                             "cpu", "--batch", "2", "--warmup", "1", "--iters", "3", "--out", dir.string(),
                             "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  expect_complete_ok_row(row);
  EXPECT_EQ(row["model"], "mobilenet_v3_small");
  EXPECT_EQ(row["params"], 2542856);
  EXPECT_EQ(row["macs_per_sample"], 56510400);
  EXPECT_GE(row["parity"]["cosine"].get<double>(), 0.9999);
}

// Several models in one run: each runs the whole matrix, each row is checked against its own
// model's FP32 reference (two instances leave the reference to a hidden cell per model: a
// reference of the other model would not even have the same number of outputs), and the
// reports give each model its own ranking and guide.
TEST_F(TorchBackend, SeveralModelsInOneRunEachAgainstItsOwnReference) {
  const auto dir = fresh_dir("torch-models");
  auto run = run_inferbench({"run", "--model", "tiny_cnn,mobilenet_v3_small", "--backends", "torch:eager",
                             "--devices", "cpu", "--batch", "2", "--instances", "2", "--warmup", "1",
                             "--iters", "3", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(results["run"]["request"]["model"], nlohmann::json::array({"tiny_cnn", "mobilenet_v3_small"}));
  ASSERT_EQ(results["rows"].size(), 2u);
  EXPECT_EQ(results["rows"][0]["model"], "tiny_cnn");
  EXPECT_EQ(results["rows"][1]["model"], "mobilenet_v3_small");
  EXPECT_EQ(results["rows"][1]["params"], 2542856);
  for (const auto& row : results["rows"]) {
    ASSERT_EQ(row["status"], "ok") << row.dump();
    ASSERT_FALSE(row["parity"].is_null()) << row.dump();
    EXPECT_GE(row["parity"]["cosine"].get<double>(), 0.9999) << row.dump();
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "work" / "reference-m0-b2.f32"));
  EXPECT_TRUE(std::filesystem::exists(dir / "work" / "reference-m1-b2.f32"));
  EXPECT_NE(run.out.find("Model 1 of 2: tiny_cnn"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Model 2 of 2: mobilenet_v3_small"), std::string::npos) << run.out;
  const std::string guide = read_file(dir / "guide.md");
  EXPECT_NE(guide.find("### Across models"), std::string::npos) << guide;
  EXPECT_NE(guide.find("### mobilenet_v3_small: Winners"), std::string::npos) << guide;
}

// Rounds: the matrix twice in turn, each cell's rounds merged into its row (every round's
// samples, each round's throughput), a worker log per round.
TEST_F(TorchBackend, RoundsMeasureTheMatrixInTurnAndMergeEachCell) {
  const auto dir = fresh_dir("torch-rounds");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager,noop", "--devices", "cpu",
                             "--scenarios", "sync", "--batch", "2", "--warmup", "1", "--iters", "4", "--rounds", "2",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Round 2 starts after round 1 of every cell.
  const auto torch_round_2 = run.err.find("round 2/2 torch:eager");
  const auto noop_round_1 = run.err.find("round 1/2 noop");
  ASSERT_NE(torch_round_2, std::string::npos) << run.err;
  ASSERT_NE(noop_round_1, std::string::npos) << run.err;
  EXPECT_LT(noop_round_1, torch_round_2) << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(results["run"]["request"]["rounds"], 2);
  ASSERT_EQ(results["rows"].size(), 2u);
  for (const auto& row : results["rows"]) {
    ASSERT_EQ(row["status"], "ok") << row.dump();
    EXPECT_EQ(row["samples"], 8);
    EXPECT_EQ(row["latency_samples_ms"].size(), 8u);
    ASSERT_EQ(row["round_throughput"].size(), 2u);
    EXPECT_FALSE(row["parity"].is_null());
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "work" / "logs" / "cell-0-torch-eager-cpu-fp32-sync-b2-r1.log"));
  EXPECT_TRUE(std::filesystem::exists(dir / "work" / "logs" / "cell-0-torch-eager-cpu-fp32-sync-b2-r2.log"));
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

// The AOTInductor variant on the CPU: one package per precision and batch, exported by
// tools/export (its compile time is export_ms), loaded by AOTIModelPackageLoader (compile_ms),
// and as close to the FP32 reference as its precision allows. The eager row of the same run
// produces the reference.
TEST_F(TorchBackend, AotiCpuRowsFp32AndBf16AgainstTheReference) {
  const auto dir = fresh_dir("torch-aoti");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch", "--devices", "cpu",
                             "--precisions", "fp32,bf16", "--batch", "2", "--warmup", "2", "--iters", "5",
                             "--threads", "1", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("PyTorch (AOTInductor)"), std::string::npos) << run.out;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto rows = read_json(dir / "results.json")["rows"];
  // Eager runs fp32 only; no variant pads the table with an eager bf16 row.
  ASSERT_EQ(rows.size(), 3u) << rows.dump();
  std::set<std::string> seen;
  for (const auto& row : rows) {
    const std::string variant = row["variant"], precision = row["precision"];
    SCOPED_TRACE(variant + " " + precision);
    seen.insert(variant + " " + precision);
    if (variant == "eager") continue;
    if (precision == "bf16" && row["status"] != "ok") {
      // A CPU without native BF16: the export refuses, and the row says why.
      EXPECT_NE(row["error"].get<std::string>().find("native BF16"), std::string::npos) << row.dump();
      continue;
    }
    ASSERT_EQ(row["status"], "ok") << row.dump();
    EXPECT_EQ(row["framework"], "PyTorch (AOTInductor)");
    for (const char* key : {"compile_ms", "export_ms", "first_inference_ms", "fps", "latency_ms", "parity",
                            "artefact_bytes", "params"}) {
      EXPECT_FALSE(row[key].is_null()) << key << " is null";
    }
    EXPECT_TRUE(row["artefact"].get<std::string>().ends_with(".pt2")) << row["artefact"];
    EXPECT_NE(row["artefact"].get<std::string>().find("-aoti-" + precision + "-cpu-b2-"), std::string::npos)
        << row["artefact"];
    EXPECT_EQ(row["effective"]["graph"], "AOTInductor package (cpu)");
    EXPECT_EQ(row["effective"]["inductor_mode"], "default");
    EXPECT_EQ(row["effective"]["dtype"], precision == "fp32" ? "Float" : "BFloat16");
    EXPECT_EQ(row["effective"]["threads"], "1");
    EXPECT_NE(row["target_hardware"].get<std::string>().find("Inductor"), std::string::npos) << row["target_hardware"];
    EXPECT_EQ(row["parity"]["reference"], "PyTorch (Native) CPU FP32");
    // BF16 keeps 8 bits of mantissa: close, not equal.
    EXPECT_GE(row["parity"]["cosine"].get<double>(), precision == "fp32" ? 0.9999 : 0.99);
    if (precision == "fp32") {
      EXPECT_EQ(row["parity"]["top1_agreement"], 1.0);
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{"eager fp32", "aoti fp32", "aoti bf16"}));

  // The package is a user's artefact too: --model FILE.pt2 runs it with the aoti variant only,
  // and the eager reference cannot load it, so the row says there is no parity.
  std::string package;
  for (const auto& row : rows) {
    if (row["variant"] == "aoti" && row["precision"] == "fp32") package = row["artefact"];
  }
  const auto own_dir = fresh_dir("torch-aoti-file");
  auto own = run_inferbench({"run", "--model", package, "--input-shape", "3x32x32", "--backends", "torch",
                             "--devices", "cpu", "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters",
                             "2", "--out", own_dir.string(), "--no-store"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const auto own_rows = read_json(own_dir / "results.json")["rows"];
  ASSERT_EQ(own_rows.size(), 1u) << own_rows.dump();
  EXPECT_EQ(own_rows[0]["variant"], "aoti");
  EXPECT_EQ(own_rows[0]["status"], "ok") << own_rows[0].dump();
  // A package runs the precision it was compiled for; asking for another is a clear failure.
  auto wrong = run_inferbench({"run", "--model", package, "--input-shape", "3x32x32", "--backends", "torch:aoti",
                               "--devices", "cpu", "--precisions", "bf16", "--batch", "2", "--warmup", "1",
                               "--iters", "2", "--out", (own_dir / "wrong").string(), "--no-store"});
  const auto wrong_row = read_json(own_dir / "wrong" / "results.json")["rows"][0];
  EXPECT_EQ(wrong_row["status"], "failed") << wrong_row.dump();
  EXPECT_NE(wrong_row["error"].get<std::string>().find("was compiled for fp32, not bf16"), std::string::npos)
      << wrong_row["error"];
}

// Without a GPU every CUDA row is unavailable with the reason the CUDA runtime gives, before
// anything is exported; and the exporter refuses a CUDA package in one clear line.
// Two requests in flight on the CPU: each slot's forward on a thread of its own with its share of
// --threads 2 (one OpenMP thread each); the AOTInductor package with a runner per slot. Slot 0's
// output agrees with the FP32 reference like a sync row's.
TEST_F(TorchBackend, AsyncRunsTwoRequestsInFlightOnTheCpu) {
  const auto dir = fresh_dir("torch-async");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager,torch:aoti", "--devices", "cpu",
                             "--precisions", "fp32", "--scenarios", "async", "--requests", "2", "--threads", "2",
                             "--batch", "4", "--warmup", "3", "--iters", "10", "--out", dir.string(), "--no-store"});
  const auto rows = backend_rows(run, dir, "torch");
  ASSERT_EQ(rows.size(), 2u) << run.out;
  std::set<std::string> seen;
  for (const auto& row : rows) {
    const std::string variant = row["variant"];
    SCOPED_TRACE(variant);
    seen.insert(variant);
    expect_measured_cpu_row(row, variant == "eager" ? "PyTorch (Native)" : "PyTorch (AOTInductor)", 10);
    EXPECT_EQ(row["scenario"], "async");
    const auto& effective = row["effective"];
    EXPECT_EQ(effective["requests"], "2");
    EXPECT_EQ(effective["requests_in_flight"], "2");
    EXPECT_EQ(effective["threads"], "1");
    EXPECT_EQ(effective["threads_total"], "2");  // both requests' threads: what the row keeps busy
    if (variant == "aoti") {
      EXPECT_EQ(effective["package_runners"], "2");
    }
    expect_parity(row, 0.9999);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"eager", "aoti"}));
}

TEST_F(TorchBackend, CudaRowsAndTheCudaExportSayWhyWithoutAGpu) {
  auto listed = run_inferbench({"backends", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto backends = nlohmann::json::parse(listed.out);
  nlohmann::json torch;
  for (const auto& b : backends) {
    if (b["name"] == "torch") torch = b;
  }
  ASSERT_FALSE(torch.is_null()) << listed.out;
  if (!torch["unavailable_devices"].contains("cuda")) GTEST_SKIP() << "this machine has a CUDA device";
  std::vector<std::string> selectors;
  for (const auto& v : torch["variants"]) selectors.push_back(v["selector"]);
  EXPECT_EQ(selectors,
            (std::vector<std::string>{"torch:eager", "torch:cuda_graph", "torch:aoti", "torch:aoti_cuda_graph"}));

  const auto dir = fresh_dir("torch-no-cuda");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch", "--devices", "cuda",
                             "--precisions", "fp32,fp16", "--batch", "2", "--warmup", "1", "--iters", "2",
                             "--out", dir.string(), "--no-store"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;  // no row could be measured
  const auto results = read_json(dir / "results.json");
  const auto& rows = results["rows"];
  // No cell ran on the CPU, so the run did not spend time measuring the CPU's peaks.
  EXPECT_FALSE(results["run"]["env"]["cpu"].contains("peak_multiply_adds")) << results["run"]["env"].dump();
  // Without a driver library the CUDA runtime says "driver version is insufficient"; the row
  // says what is really missing.
  void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (driver) dlclose(driver);
  std::vector<std::string> names;
  for (const auto& row : rows) {
    names.push_back(row["framework"].get<std::string>() + " " + row["precision"].get<std::string>());
    EXPECT_EQ(row["status"], "unavailable") << row.dump();
    const std::string error = row["error"];
    EXPECT_NE(error.find("no CUDA device visible"), std::string::npos) << error;
    if (!driver) {
      EXPECT_NE(error.find("no NVIDIA driver on this machine: libcuda.so.1 was not found"), std::string::npos) << error;
    }
    EXPECT_EQ(row["device_label"], "CUDA GPU");
  }
  // The four GPU rows and the package replayed in a CUDA graph, each named for what runs.
  EXPECT_EQ(names, (std::vector<std::string>{"PyTorch (Native) fp32", "PyTorch (Native) fp16",
                                             "PyTorch (CUDA graph) fp16", "PyTorch (AOTInductor) fp16",
                                             "PyTorch (AOTInductor + CUDA graph) fp16"}));

  const auto out = fresh_dir("torch-no-cuda-export");
  const std::string command = std::string(INFERBENCH_PYTHON) + " " + INFERBENCH_SOURCE_DIR +
                              "/tools/export/export.py --model tiny_cnn --format aoti --precision fp16 --device cuda "
                              "--batch 2 --out " + (out / "pkg").string() + " 2>&1";
  int status = 0;
  const std::string output = shell(command, status);
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("an aoti cuda package needs a CUDA device"), std::string::npos) << output;
}

// aoti_autotune=max is the exporter's: a package of its own (its own cache folder), compiled
// with Inductor's max-autotune, which the row says it ran.
TEST_F(TorchBackend, AotiAutotuneMaxCompilesAPackageOfItsOwn) {
  const auto dir = fresh_dir("torch-aoti-autotune");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:aoti", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "1", "--iters", "3", "--threads", "1",
                             "--backend-option", "torch:aoti_autotune=max", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  ASSERT_EQ(row["status"], "ok") << row.dump();
  EXPECT_EQ(row["effective"]["inductor_mode"], "max-autotune");
  EXPECT_EQ(row["requested"]["aoti_autotune"], "max");
  EXPECT_NE(row["artefact"].get<std::string>().find("-aoti-fp32-cpu-b2-max-"), std::string::npos) << row["artefact"];
  const auto manifest = first_artefact_manifest(dir).second;
  EXPECT_EQ(manifest["inductor_configs"]["max_autotune"], true) << manifest.dump();
  expect_parity(row, 0.9999);
}

// bench/gpu_compare.py over a results.json and a reference.json; its JSON report lands in `json`.
// Returns what it printed; fails the test on a non-zero exit.
std::string run_gpu_compare(const std::filesystem::path& results, const std::filesystem::path& reference,
                            const std::filesystem::path& json, const std::string& flags = "") {
  int status = 0;
  const std::string output = shell(std::string(INFERBENCH_PYTHON) + " " + INFERBENCH_SOURCE_DIR +
                                       "/bench/gpu_compare.py " + results.string() + " " + reference.string() +
                                       flags + " --json " + json.string() + " 2>&1",
                                   status);
  EXPECT_EQ(status, 0) << output;
  return output;
}

// The GPU run's comparison (bench/gpu_compare.py) reads a real inferbench run and a real run of
// the Python reference; on the CPU the one pair both sides measure is eager FP32.
TEST_F(TorchBackend, TheGpuComparisonPairsARunWithItsPythonReference) {
  const auto dir = fresh_dir("torch-gpu-compare");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu",
                             "--precisions", "fp32", "--batch", "2", "--warmup", "2", "--iters", "5",
                             "--out", (dir / "ib").string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string python = std::string(INFERBENCH_PYTHON) + " " + INFERBENCH_SOURCE_DIR + "/bench/";
  int status = 0;
  std::string output = shell(python + "torch_cuda_reference.py --device cpu --model tiny_cnn --batch 2 --warmup 2 "
                                      "--iters 5 --configs eager_fp32 --out " + (dir / "py").string() + " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << output;
  output = run_gpu_compare(dir / "ib" / "results.json", dir / "py" / "reference.json", dir / "compare.json",
                           " --device cpu");
  ASSERT_FALSE(HasFailure()) << output;
  const auto compare = read_json(dir / "compare.json");
  ASSERT_EQ(compare["pairs"].size(), 5u) << compare.dump();
  const auto& eager = compare["pairs"][0];
  EXPECT_EQ(eager["reference"], "eager_fp32");
  EXPECT_GT(eager["ratio"].get<double>(), 0) << eager.dump();
  EXPECT_NEAR(eager["ratio"].get<double>(), eager["fps"].get<double>() / eager["reference_fps"].get<double>(), 1e-9);
  // The FP16 pairs have no CPU row: each says so instead of a ratio.
  for (size_t i = 1; i < compare["pairs"].size(); ++i) {
    EXPECT_TRUE(compare["pairs"][i]["ratio"].is_null()) << compare["pairs"][i].dump();
    EXPECT_EQ(compare["pairs"][i]["why_no_ratio"], "no inferbench row");
  }
  EXPECT_EQ(compare["best"]["vs_fastest_python"]["config"], "eager_fp32");
  EXPECT_NE(output.find("PyTorch (Native) fp32"), std::string::npos) << output;
  // The reference measured the device's matrix-product rate; the row's multiply-adds per second
  // (tiny_cnn: 129,184 per sample, from the exporter) are set against it.
  const auto& limits = compare["limits"];
  ASSERT_GT(limits["device"]["matmul_fp32_tmacs"].get<double>(), 0) << limits.dump();
  ASSERT_EQ(limits["rows"].size(), 1u) << limits.dump();
  const auto& row = limits["rows"][0];
  EXPECT_NEAR(row["achieved_tmacs"].get<double>(), 129184 * eager["fps"].get<double>() / 1e12, 1e-12) << row.dump();
  EXPECT_NEAR(row["utilisation"].get<double>(),
              row["achieved_tmacs"].get<double>() / limits["device"]["matmul_fp32_tmacs"].get<double>(), 1e-12);
  EXPECT_NE(output.find("physical limits:"), std::string::npos) << output;
  // The memory-traffic bound: tiny_cnn's two convolutions and linear layer read and write
  // 3072 + 2048, 2048 + 1024 and 16 + 10 activation elements per sample and hold 216 + 1152 + 170
  // weights, so an FP32 image at batch 2 moves 4 x (8218 + 1538 / 2) = 35,948 bytes.
  const auto& traffic = compare["memory_traffic"];
  EXPECT_EQ(traffic["counts"]["activation_elements_per_sample"], 8218) << traffic.dump();
  EXPECT_EQ(traffic["counts"]["weight_elements"], 1538) << traffic.dump();
  EXPECT_EQ(traffic["counts"]["layers"], 3) << traffic.dump();
  ASSERT_EQ(traffic["rows"].size(), 1u) << traffic.dump();
  const auto& memory = traffic["rows"][0];
  EXPECT_NEAR(memory["mb_per_image"].get<double>(), 0.035948, 1e-12) << memory.dump();
  EXPECT_NEAR(memory["fps_bound"].get<double>(), limits["device"]["copy_gb_per_s"].get<double>() * 1e9 / 35948, 1e-6);
  EXPECT_NE(output.find("memory traffic:"), std::string::npos) << output;
}

// On the H100 (results/h100-cuda), Python's aoti_load_package crashed, so the AOTInductor row had
// no Python counterpart: the comparison holds it to torch.compile reduce-overhead instead and says
// so, while every other pair keeps its own counterpart. Read from the committed run's two files.
TEST_F(TorchBackend, TheGpuComparisonHoldsARowWhoseCounterpartCrashedToAStandIn) {
  const auto dir = fresh_dir("torch-gpu-compare-stand-in");
  const std::filesystem::path run = std::filesystem::path(INFERBENCH_SOURCE_DIR) / "results" / "h100-cuda";
  const std::string output = run_gpu_compare(run / "results.json", run / "reference.json", dir / "compare.json");
  ASSERT_FALSE(HasFailure()) << output;
  const auto compare = read_json(dir / "compare.json");
  ASSERT_EQ(compare["pairs"].size(), 5u) << compare.dump();
  const auto& aoti = compare["pairs"][3];
  EXPECT_EQ(aoti["variant"], "aoti");
  EXPECT_EQ(aoti["reference"], "aoti_fp16");
  EXPECT_EQ(aoti["stand_in"], "compile_reduce_overhead_fp16");
  EXPECT_NE(aoti["why_no_ratio"].get<std::string>().find("SIGSEGV"), std::string::npos) << aoti.dump();
  const auto reference = read_json(run / "reference.json");
  double stand_in_fps = 0;
  for (const auto& row : reference["rows"]) {
    if (row["config"] == "compile_reduce_overhead_fp16") stand_in_fps = row["fps"].get<double>();
  }
  ASSERT_GT(stand_in_fps, 0);
  EXPECT_DOUBLE_EQ(aoti["reference_fps"].get<double>(), stand_in_fps);
  EXPECT_NEAR(aoti["ratio"].get<double>(), aoti["fps"].get<double>() / stand_in_fps, 1e-12);
  EXPECT_NE(output.find("compile_reduce_overhead_fp16*"), std::string::npos) << output;
  for (int i : {0, 1, 2, 4}) {
    EXPECT_TRUE(compare["pairs"][i]["stand_in"].is_null()) << compare["pairs"][i].dump();
    EXPECT_TRUE(compare["pairs"][i]["why_no_ratio"].is_null()) << compare["pairs"][i].dump();
  }
}

// The cuDNN option is declared with its values, and a value outside them is bad input, refused
// before anything runs.
TEST_F(TorchBackend, TheCudnnBenchmarkOptionTakesOnOrOff) {
  auto listed = run_inferbench({"backends", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  nlohmann::json option;
  for (const auto& b : nlohmann::json::parse(listed.out)) {
    if (b["name"] != "torch") continue;
    for (const auto& o : b["options"]) {
      if (o["name"] == "cudnn_benchmark") option = o;
    }
  }
  ASSERT_FALSE(option.is_null()) << listed.out;
  EXPECT_EQ(option["type"], "enum:on|off");
  EXPECT_EQ(option["default"], "on");
  auto wrong = run_inferbench({"run", "--backends", "torch", "--backend-option", "torch:cudnn_benchmark=maybe",
                               "--no-store"});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("option torch:cudnn_benchmark is one of on, off, not 'maybe'"), std::string::npos)
      << wrong.err;
}

TEST_F(TorchBackend, VariantSelectorsAreChecked) {
  auto unknown = run_inferbench({"run", "--backends", "torch:jit", "--no-store"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("backend 'torch' has no variant 'jit'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("torch:eager, torch:cuda_graph, torch:aoti, torch:aoti_cuda_graph"), std::string::npos)
      << unknown.err;
  auto none = run_inferbench({"run", "--backends", "openvino:fast", "--no-store"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("backend 'openvino' has no variants"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace inferbench::testing
