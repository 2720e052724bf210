// SPDX-License-Identifier: Apache-2.0
// The harness end to end with the no-op test plugin (it fakes a system under test, never a
// framework): both scenarios, backend options, a batch sweep, and the rows they produce; a driver
// whose coordinator or own process ends abruptly.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

TEST(Harness, AFleetCoordinatorThatEndsIsAnErrorLineNotASignal) {
  // A stand-in for the coordinator's Python: it says it is ready and closes its input, so the
  // driver's next message finds no reader (a coordinator that died mid-run).
  const auto dir = fresh_dir("fleet-coordinator-gone");
  const auto python = dir / "python";
  {
    std::ofstream out(python);
    out << "#!/bin/sh\nexec 0<&-\necho '{\"op\": \"ready\"}'\nsleep 5\n";
  }
  std::filesystem::permissions(python, std::filesystem::perms::owner_all);
  auto run = run_inferbench({"run", "--cluster", "127.0.0.1:6379", "--model", "tiny_cnn", "--backends", "noop",
                             "--no-store", "--out", (dir / "out").string()},
                            120, {"INFERBENCH_FLEET_PYTHON=" + python.string()});
  EXPECT_GE(run.exit_code, 0);
  EXPECT_LT(run.exit_code, 128) << "inferbench was killed by signal " << run.exit_code - 128 << "\n" << run.err;
  EXPECT_NE(run.err.find("the fleet coordinator ended"), std::string::npos) << run.err;
}

TEST(Harness, AChildDiesWithADriverKilledOutright) {
  // SIGKILL reaches no handler: the worker must still not outlive the driver (on a fleet host, a
  // task force-cancelled in `export-artefact` would leave its exporter running beside the next cell).
  // Its first inference hangs, so it writes nothing the driver's end could make fail.
  const auto dir = fresh_dir("driver-killed");
  int status = 0;
  const std::string driver = shell(std::string(INFERBENCH_BINARY) +
                                       " run --model tiny_cnn --backends hang --backend-option hang:hang_after=0 "
                                       "--no-store --out " + (dir / "out").string() + " > " +
                                       (dir / "log").string() + " 2>&1 & echo $!",
                                   status);
  ASSERT_EQ(status, 0);
  const std::string pid = driver.substr(0, driver.find('\n'));
  std::string children;
  for (int tries = 0; tries < 300 && children.empty(); ++tries) {
    // The hanging cell's worker (not the FP32 reference's, which ends by itself).
    children = shell("pgrep -P " + pid + " -f 'cell-[0-9]*-hang' || true", status);
    if (children.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(children.empty()) << "the driver started no hang worker in 30 s: " << read_file(dir / "log");
  shell("kill -9 " + pid, status);
  std::string left;
  for (int tries = 0; tries < 50; ++tries) {
    left.clear();
    std::istringstream in(children);
    for (std::string child; std::getline(in, child);) {
      shell("kill -0 " + child + " 2>/dev/null", status);
      if (status == 0) left += child + " ";
    }
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(left.empty()) << "still running 5 s after the driver was killed: " << left;
  if (!left.empty()) shell("kill -9 " + left, status);
}

}  // namespace
}  // namespace inferbench::testing
