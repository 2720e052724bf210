// SPDX-License-Identifier: Apache-2.0
// The LibTorch plugin on a CUDA GPU (label gpu): the four GPU rows on the tiny model —
// eager FP32, eager FP16 channels-last, the FP16 module replayed in a CUDA graph, an AOTInductor
// FP16 package — and that package replayed in a CUDA graph, each ok, named for what ran, on the GPU it names, with the device's own time
// per iteration and the allocator's peak, and close to the CPU FP32 reference. Skipped, with the
// CUDA runtime's reason, where no GPU is visible.
#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

class TorchCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!INFERBENCH_TORCH_BUILT) GTEST_SKIP() << "the torch plugin was not built (LibTorch not found at configure time)";
    auto listed = run_inferbench({"backends", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    for (const auto& backend : nlohmann::json::parse(listed.out)) {
      if (backend["name"] != "torch") continue;
      if (backend["unavailable_devices"].contains("cuda")) {
        GTEST_SKIP() << "needs a CUDA GPU: " << backend["unavailable_devices"]["cuda"].get<std::string>();
      }
      gpu_ = true;
    }
    ASSERT_TRUE(gpu_) << "inferbench backends lists no torch backend: " << listed.out;
  }
  bool gpu_ = false;
};

TEST_F(TorchCuda, TheGpuRowsOnTheTinyModel) {
  const auto dir = fresh_dir("torch-cuda");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch", "--devices", "cuda",
                             "--precisions", "fp32,fp16", "--batch", "8", "--warmup", "5", "--iters", "20",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto rows = read_json(dir / "results.json")["rows"];
  std::vector<std::string> names;
  for (const auto& row : rows) {
    const std::string name = row["framework"].get<std::string>() + " " + row["precision"].get<std::string>();
    SCOPED_TRACE(name);
    names.push_back(name);
    ASSERT_EQ(row["status"], "ok") << row.dump();
    EXPECT_EQ(row["device_label"], "CUDA GPU");
    // target_hardware is the GPU's name as CUDA reports it ("NVIDIA H100 80GB HBM3").
    EXPECT_NE(row["target_hardware"].get<std::string>().find("NVIDIA"), std::string::npos) << row["target_hardware"];
    EXPECT_EQ(row["device_time_samples_ms"].size(), row["samples"].get<size_t>());
    ASSERT_FALSE(row["device_time_ms"].is_null());
    // The device's time of an iteration lies inside the host's time of it, which ends after
    // the stream was synchronised.
    EXPECT_GT(row["device_time_ms"]["p50"].get<double>(), 0);
    EXPECT_LE(row["device_time_ms"]["min"].get<double>(), row["latency_ms"]["max"].get<double>());
    EXPECT_GT(row["peak_device_memory_mb"].get<double>(), 0);
    EXPECT_EQ(row["effective"]["memory_format"], row["precision"] == "fp16" ? "channels_last" : "contiguous");
    EXPECT_EQ(row["parity"]["reference"], "PyTorch (Native) CPU FP32");
    EXPECT_EQ(row["effective"]["cudnn_benchmark"], "on");
    const bool replayed = row["variant"] == "cuda_graph" || row["variant"] == "aoti_cuda_graph";
    EXPECT_EQ(row["effective"].contains("replay"), replayed) << row["effective"].dump();
    EXPECT_GE(row["parity"]["cosine"].get<double>(), row["precision"] == "fp16" ? 0.999 : 0.9999);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"PyTorch (Native) fp32", "PyTorch (Native) fp16",
                                             "PyTorch (CUDA graph) fp16", "PyTorch (AOTInductor) fp16",
                                             "PyTorch (AOTInductor + CUDA graph) fp16"}));
  // The markdown report lists the device's own measurements under Table B.
  const std::string text = read_file(dir / "results.md");
  EXPECT_NE(text.find("Measured by the device itself"), std::string::npos) << text;
}

// cuDNN's algorithm search is on by default for the CUDA rows and the option turns it off.
TEST_F(TorchCuda, CudnnBenchmarkCanBeTurnedOff) {
  const auto dir = fresh_dir("torch-cuda-no-benchmark");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cuda",
                             "--precisions", "fp16", "--batch", "8", "--warmup", "2", "--iters", "5",
                             "--backend-option", "torch:cudnn_benchmark=off", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto rows = read_json(dir / "results.json")["rows"];
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["status"], "ok") << rows[0].dump();
  EXPECT_EQ(rows[0]["effective"]["cudnn_benchmark"], "off");
}

}  // namespace
}  // namespace inferbench::testing
