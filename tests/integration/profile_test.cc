// SPDX-License-Identifier: Apache-2.0
// --profile end to end through the CLI, the harness's side of it with the testing plugin (whose
// profile is a few stand-in operators at known shares of its service time): the row's profile,
// its Chrome trace, a plugin whose pass crashes the worker (the measured row stands), and the
// flags' bad values. Each framework's own profile path is tested in its backend's test.
#include <gtest/gtest.h>

#include <filesystem>

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
