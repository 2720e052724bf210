// SPDX-License-Identifier: Apache-2.0
// The harness end to end with the no-op test plugin (it fakes a system under test, never a
// framework): both scenarios, backend options, a batch sweep, and the rows they produce.
#include <gtest/gtest.h>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

TEST(Harness, SyncAndAsyncScenariosAndASweep) {
  const auto dir = fresh_dir("harness");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--batch", "1,4",
                             "--warmup", "3", "--iters", "20", "--backend-option", "noop:spin_us=200",
                             "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  ASSERT_EQ(results["rows"].size(), 4u);  // {sync, async} x {1, 4}
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  int async_rows = 0;
  for (const auto& row : results["rows"]) {
    EXPECT_EQ(row["status"], "ok") << row.dump();
    EXPECT_EQ(row["samples"], 20);
    EXPECT_EQ(row["warmup"], 3);
    EXPECT_EQ(row["requested"]["spin_us"], "200");
    // Each iteration busy-waits 200 us, so no latency can be shorter.
    EXPECT_GE(row["latency_ms"]["min"].get<double>(), 0.2);
    if (row["scenario"] == "async") {
      ++async_rows;
      EXPECT_EQ(row["effective"]["requests_in_flight"], "2");
      // In throughput mode FPS is the measured throughput.
      EXPECT_DOUBLE_EQ(row["fps"].get<double>(), row["throughput"].get<double>());
    } else {
      EXPECT_NEAR(row["fps"].get<double>(),
                  row["batch"].get<double>() / (row["latency_ms"]["p50"].get<double>() / 1000), 1e-6);
    }
  }
  EXPECT_EQ(async_rows, 2);
  EXPECT_NE(run.out.find("async x2"), std::string::npos) << run.out;
}

TEST(Harness, AsyncRunsOnEveryBuiltBackendWithRequestSlots) {
  // TensorRT has no request slots, so no async row; it is not built here either, and its row says
  // that first. Every built plugin has request slots: noop's async row is measured.
  const auto dir = fresh_dir("harness-scenario");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop,tensorrt", "--scenarios", "async",
                             "--batch", "1", "--warmup", "1", "--iters", "2", "--out", dir.string(), "--no-store"});
  const auto results = read_json(dir / "results.json");
  bool saw_tensorrt = false, saw_noop = false;
  for (const auto& row : results["rows"]) {
    if (row["backend"] == "noop") {
      saw_noop = true;
      EXPECT_EQ(row["status"], "ok") << row.dump();
      EXPECT_EQ(row["effective"]["requests_in_flight"], "2");
    }
    if (row["backend"] != "tensorrt") continue;
    saw_tensorrt = true;
    EXPECT_EQ(row["status"], "unavailable");
  }
  EXPECT_TRUE(saw_tensorrt);
  EXPECT_TRUE(saw_noop);
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

}  // namespace
}  // namespace inferbench::testing
