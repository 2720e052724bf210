// SPDX-License-Identifier: Apache-2.0
// --profile end to end through the CLI, the harness's side of it with the testing plugin (whose
// profile is a few stand-in operators at known shares of its service time): the row's profile,
// its Chrome trace, a plugin whose pass crashes the worker (the measured row stands), and the
// flags' bad values; then every framework's own profiler on the tiny model (two convolutions and a
// fully connected layer), each as its plugin reports it through the same row fields.
#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>
#include <utility>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

TEST(Profile, RowCarriesTheProfileAndItsTrace) {
  const auto dir = fresh_dir("profile-noop");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--scenarios", "sync", "--batch", "2",
                             "--warmup", "2", "--iters", "10", "--backend-option", "noop:spin_us=2000", "--profile",
                             "--profile-runs", "4", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto rows = read_json(dir / "results.json")["rows"];
  ASSERT_EQ(rows.size(), 1u);
  const auto& profile = rows[0]["profile"];
  ASSERT_TRUE(profile["available"].get<bool>()) << profile.dump();
  EXPECT_EQ(profile["runs"], 4);
  EXPECT_GE(profile["warmup"].get<int>(), 5);  // and until 2 s have passed
  EXPECT_GT(profile["pass_s"].get<double>(), 0);
  EXPECT_EQ(profile["op_count"], 3);
  // The stand-ins take 50%, 20% and 20% of each 2 ms inference: 1.8 ms of operators.
  EXPECT_NEAR(profile["op_ms"].get<double>(), 1.8, 1e-9);
  EXPECT_NEAR(profile["coverage"].get<double>(), 0.9, 0.2);  // against the worker's own clock
  ASSERT_EQ(profile["categories"].size(), 3u);
  EXPECT_EQ(profile["categories"][0]["category"], "depthwise_convolution");
  EXPECT_NEAR(profile["categories"][0]["share"].get<double>(), 1.0 / 1.8, 1e-9);
  EXPECT_EQ(profile["ops"][0]["name"], "stand_in.conv_dw");
  // The trace opens in Perfetto: complete events of the operators and the inference.
  const std::string trace = profile["trace"];
  EXPECT_EQ(trace.rfind("profiles/", 0), 0u) << trace;
  const auto events = read_json(dir / trace)["traceEvents"];
  int complete = 0;
  for (const auto& e : events) complete += e["ph"] == "X";
  EXPECT_EQ(complete, 4);
  // The plugin wrote no native trace: no empty folder is left.
  EXPECT_EQ(profile["native_trace"], "");
  const std::string native = trace.substr(0, trace.size() - std::string(".trace.json").size());
  EXPECT_TRUE(fs::exists(dir / trace));
  EXPECT_FALSE(fs::exists(dir / native)) << native;
  // The Markdown report has the section.
  EXPECT_NE(read_file(dir / "results.md").find("Where the time goes"), std::string::npos);
}

TEST(Profile, CrashingPassKeepsTheMeasuredRow) {
  const auto dir = fresh_dir("profile-abort");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--scenarios", "sync", "--batch", "2",
                             "--warmup", "2", "--iters", "10", "--backend-option", "noop:profile_abort=true",
                             "--profile", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto rows = read_json(dir / "results.json")["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["status"], "ok") << rows[0].dump();
  EXPECT_EQ(rows[0]["samples"], 10);
  const auto& profile = rows[0]["profile"];
  EXPECT_FALSE(profile["available"].get<bool>());
  const std::string reason = profile["reason"];
  EXPECT_NE(reason.find("the profiling pass did not finish: worker was killed by signal 6 (SIGABRT)"), std::string::npos)
      << reason;
}

// The rows of `backend` in `rows` (ok and profiled on the CPU), counted into `seen`.
void expect_tiny_model_profiles(const nlohmann::json& rows, const fs::path& dir, const std::string& backend, int& seen) {
  for (const auto& row : rows) {
    if (row["backend"] != backend || row["status"] != "ok") continue;
    SCOPED_TRACE(backend + " " + row["variant"].get<std::string>() + " " + row["precision"].get<std::string>() + " " +
                 row["scenario"].get<std::string>());
    ++seen;
    const auto& profile = row["profile"];
    ASSERT_TRUE(profile["available"].get<bool>()) << profile.dump();
    EXPECT_FALSE(profile["source"].get<std::string>().empty());
    EXPECT_FALSE(profile["coverage_note"].get<std::string>().empty());
    int convolutions = 0, matmuls = 0;
    for (const auto& c : profile["categories"]) {
      const std::string category = c["category"];
      if (category.find("convolution") != std::string::npos) convolutions += c["ops"].get<int>();
      if (category == "matmul") matmuls += c["ops"].get<int>();
    }
    // tiny_cnn: Conv2d(3, 8, 3), Conv2d(8, 16, 3), Linear(16, 10).
    EXPECT_EQ(convolutions, 2) << profile["categories"].dump();
    EXPECT_EQ(matmuls, 1) << profile["categories"].dump();
    EXPECT_GT(profile["op_ms"].get<double>(), 0);
    // Coverage is the ops' time over the profiled call's: a unit slip (us read as ms) puts it 1000x
    // off. The tiny model's ops take microseconds, so a framework's fixed cost per call weighs:
    // LiteRT's INT8 ops are 0.014 ms of a profiled call of 0.143 ms, whose buffer registration and
    // sync around Invoke take 0.065 ms (coverage 0.098 in a full-suite run), OpenVINO BF16's
    // 0.014 ms of 0.033.
    EXPECT_GT(profile["coverage"].get<double>(), 0.02);
    EXPECT_LT(profile["coverage"].get<double>(), 1.5);
    EXPECT_TRUE(fs::exists(dir / profile["trace"].get<std::string>()));
    if (const std::string native = profile["native_trace"]; !native.empty()) {
      EXPECT_TRUE(fs::exists(dir / native));
    }
  }
}

TEST(Profile, EveryFrameworkOnTheTinyModel) {
  std::string backends;
  for (auto [built, name] : {std::pair{INFERBENCH_TORCH_BUILT, "torch:eager,torch:aoti"},
                             std::pair{INFERBENCH_OPENVINO_BUILT, "openvino"},
                             std::pair{INFERBENCH_EXECUTORCH_BUILT, "executorch"},
                             std::pair{INFERBENCH_LITERT_BUILT, "litert"}}) {
    if (!built) continue;
    if (!backends.empty()) backends += ",";
    backends += name;
  }
  if (backends.empty()) GTEST_SKIP() << "no framework plugin was built";
  const auto dir = fresh_dir("profile-frameworks");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", backends, "--devices", "cpu", "--scenarios",
                             "sync", "--batch", "4", "--warmup", "2", "--iters", "5", "--threads", "1", "--profile",
                             "--profile-runs", "3", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  const auto rows = read_json(dir / "results.json")["rows"];
  for (auto [built, backend, least] : {std::tuple{INFERBENCH_TORCH_BUILT, "torch", 2},  // eager fp32, aoti fp32
                                       std::tuple{INFERBENCH_OPENVINO_BUILT, "openvino", 2},
                                       std::tuple{INFERBENCH_EXECUTORCH_BUILT, "executorch", 2},
                                       std::tuple{INFERBENCH_LITERT_BUILT, "litert", 2}}) {
    if (!built) continue;
    int seen = 0;
    expect_tiny_model_profiles(rows, dir, backend, seen);
    EXPECT_GE(seen, least) << backend;
  }
  // The AOTInductor rows are profiled on a package exported with profiler markers; the guide sets
  // each profiled row against the fastest of its precision.
  if (INFERBENCH_TORCH_BUILT) {
    for (const auto& row : rows) {
      if (row["variant"] == "aoti" && row["status"] == "ok") {
        EXPECT_NE(row["profile"]["source"].get<std::string>().find("profile markers"), std::string::npos)
            << row["profile"].dump();
        // The package's metadata names its convolutions' layers (features.0, features.3).
        int named = 0;
        for (const auto& op : row["profile"]["ops"]) named += op["name"].get<std::string>().rfind("features.", 0) == 0;
        EXPECT_EQ(named, 2) << row["profile"]["ops"].dump();
      }
    }
  }
  EXPECT_NE(read_file(dir / "guide.md").find("### Where the time goes"), std::string::npos);
}

TEST(Profile, BadFlagsGetOneLine) {
  auto runs = run_inferbench({"run", "--backends", "noop", "--profile", "--profile-runs", "0"});
  EXPECT_EQ(runs.exit_code, 2);
  EXPECT_NE(runs.err.find("--profile-runs 0 is not a number of runs"), std::string::npos) << runs.err;
  auto alone = run_inferbench({"run", "--backends", "noop", "--profile-runs", "5"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("no --profile was given"), std::string::npos) << alone.err;
}

}  // namespace
}  // namespace inferbench
