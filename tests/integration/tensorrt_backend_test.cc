// SPDX-License-Identifier: Apache-2.0
// The TensorRT backend. Where the plugin was not built (no TensorRT SDK at configure time, which
// is every machine this project has: no PyPI wheel ships TensorRT's headers), its rows and
// `inferbench backends` say so and how to enable it. Where it was built and a GPU is visible,
// the tiny model runs through a real engine in FP32 and FP16, checked against the FP32 reference.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

nlohmann::json tensorrt_entry() {
  auto listed = run_inferbench({"backends", "--json"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  for (const auto& backend : nlohmann::json::parse(listed.out)) {
    if (backend["name"] == "tensorrt") return backend;
  }
  ADD_FAILURE() << "inferbench backends lists no tensorrt: " << listed.out;
  return {};
}

TEST(TensorrtBackend, WithoutTheSdkTheRowSaysHowToEnableIt) {
  if (INFERBENCH_TENSORRT_BUILT) GTEST_SKIP() << "the tensorrt plugin was built here (TensorRT SDK found)";
  const auto entry = tensorrt_entry();
  ASSERT_FALSE(entry.is_null());
  EXPECT_EQ(entry["available"], false) << entry.dump();
  const std::string reason = entry["reason"].get<std::string>();
  EXPECT_NE(reason.find("TensorRT SDK not found"), std::string::npos) << reason;
  EXPECT_NE(reason.find("-DTENSORRT_ROOT="), std::string::npos) << reason;

  const auto dir = fresh_dir("tensorrt-unavailable");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "tensorrt", "--devices", "cuda",
                             "--precisions", "fp16", "--batch", "2", "--warmup", "1", "--iters", "2",
                             "--out", dir.string(), "--no-store"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;  // nothing could be measured
  const auto rows = read_json(dir / "results.json")["rows"];
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["framework"], "TensorRT");
  EXPECT_EQ(rows[0]["status"], "unavailable");
  EXPECT_NE(rows[0]["error"].get<std::string>().find("-DTENSORRT_ROOT="), std::string::npos) << rows[0]["error"];
}

TEST(TensorrtBackend, TinyModelFp32AndFp16OnTheGpu) {
  if (!INFERBENCH_TENSORRT_BUILT) GTEST_SKIP() << "the tensorrt plugin was not built (no TensorRT SDK at configure time)";
  const auto entry = tensorrt_entry();
  if (entry["unavailable_devices"].contains("cuda")) {
    GTEST_SKIP() << "needs a CUDA GPU: " << entry["unavailable_devices"]["cuda"].get<std::string>();
  }
  const auto dir = fresh_dir("tensorrt-tiny");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "tensorrt", "--devices", "cuda",
                             "--precisions", "fp32,fp16", "--batch", "8", "--warmup", "3", "--iters", "10",
                             "--out", dir.string(), "--no-store"});
  for (const auto& row : backend_rows(run, dir, "tensorrt")) {
    SCOPED_TRACE(row["precision"].get<std::string>());
    ASSERT_EQ(row["status"], "ok") << row.dump();
    EXPECT_NE(row["target_hardware"].get<std::string>().find("NVIDIA"), std::string::npos);
    EXPECT_EQ(row["device_time_samples_ms"].size(), row["samples"].get<size_t>());
    EXPECT_GE(row["parity"]["cosine"].get<double>(), row["precision"] == "fp16" ? 0.999 : 0.9999);
  }
}

}  // namespace
}  // namespace inferbench::testing
