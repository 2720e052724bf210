// SPDX-License-Identifier: Apache-2.0
// One row from several instances' rows: merged samples and totals, and failures that name the
// instance that failed.
#include "driver/instances.h"

#include <gtest/gtest.h>

#include "core/stats/timed_window.h"

namespace inferbench {
namespace {

Row instance_row(std::vector<double> samples, double wall_ms, double compile_ms, double rss_mb) {
  Row row;
  row.framework = "PyTorch (Native)";
  row.device = "cpu";
  row.precision = "fp32";
  row.batch = 4;
  row.scenario = "sync";
  row.instances = 2;
  row.status = RowStatus::Ok;
  row.compile_ms = compile_ms;
  row.first_inference_ms = compile_ms / 10;
  row.peak_rss_mb = rss_mb;
  set_timed_window(row, std::move(samples), wall_ms, false);
  return row;
}

const MeasurementContext kContext{.iterations_requested = 8, .budget_exhausted = false,
                                  .build_type = "Release", .governor = std::nullopt};

TEST(MergeInstances, SamplesTogetherThroughputOverTheLongestWindow) {
  Row a = instance_row({10, 11, 10, 12}, 44, 100, 300);
  Row b = instance_row({20, 21, 20, 22}, 84, 150, 310);
  a.warnings = {"no parity: reference missing", "instance-only note"};
  b.warnings = {"no parity: reference missing"};
  const Row merged = merge_instances({a, b}, kContext, 2);
  EXPECT_EQ(merged.status, RowStatus::Ok);
  EXPECT_EQ(merged.instances, 2);
  EXPECT_EQ(merged.samples, 8);
  EXPECT_EQ(merged.latency_samples_ms, (std::vector<double>{10, 11, 10, 12, 20, 21, 20, 22}));
  EXPECT_DOUBLE_EQ(merged.latency_ms->p50, 16.0);        // between 12 and 20
  EXPECT_DOUBLE_EQ(*merged.wall_ms, 84.0);               // the longer window
  EXPECT_DOUBLE_EQ(*merged.throughput, 4 * 8 / 0.084);   // batch x all samples / 84 ms
  EXPECT_DOUBLE_EQ(*merged.fps, *merged.throughput);     // requests overlap: fps is throughput
  EXPECT_DOUBLE_EQ(*merged.compile_ms, 150.0);           // ready when the last instance is
  EXPECT_DOUBLE_EQ(*merged.first_inference_ms, 15.0);
  EXPECT_DOUBLE_EQ(*merged.peak_rss_mb, 610.0);          // the deployment's memory
  // Judged on the merged samples (8 samples: the tail warning), then each instance's notes.
  ASSERT_GE(merged.warnings.size(), 3u);
  EXPECT_NE(merged.warnings.front().find("P99 rests on 0.1 sample(s) above it (n=8)"), std::string::npos)
      << merged.warnings.front();
  const auto has = [&](const std::string& text) {
    return std::find(merged.warnings.begin(), merged.warnings.end(), text) != merged.warnings.end();
  };
  EXPECT_TRUE(has("no parity: reference missing"));
  EXPECT_TRUE(has("instance 0 of 2: instance-only note"));
}

TEST(MergeInstances, TheCommonWindowRunsFromTheFirstOpeningToTheLastClosing) {
  Row a = instance_row({10, 11, 10, 12}, 44, 100, 300);
  Row b = instance_row({20, 21, 20, 22}, 84, 150, 310);
  a.effective["window_start_ns"] = "1000000000";
  a.effective["window_end_ns"] = "1044000000";
  b.effective["window_start_ns"] = "1000500000";  // opened 0.5 ms later
  b.effective["window_end_ns"] = "1090000000";    // and closed last: the window is 90 ms
  const Row merged = merge_instances({a, b}, kContext, 2);
  EXPECT_DOUBLE_EQ(*merged.wall_ms, 90.0);
  EXPECT_DOUBLE_EQ(*merged.throughput, 4 * 8 / 0.090);
  EXPECT_EQ(merged.effective.at("instances_start_spread_ms"), "0.500");
  EXPECT_EQ(merged.effective.count("window_start_ns"), 0u);  // machine clock readings: not kept
  EXPECT_EQ(merged.effective.count("window_end_ns"), 0u);
  // One instance that did not say: the longest window, no spread.
  b.effective.erase("window_end_ns");
  const Row fallback = merge_instances({a, b}, kContext, 2);
  EXPECT_DOUBLE_EQ(*fallback.wall_ms, 84.0);
  EXPECT_EQ(fallback.effective.count("instances_start_spread_ms"), 0u);
}

TEST(MergeInstances, FewerSamplesThanAskedMeansTheBudgetCutThemShort) {
  const Row merged = merge_instances({instance_row({10, 11, 10}, 31, 1, 1), instance_row({10, 11}, 21, 1, 1)},
                                     kContext, 2);
  EXPECT_NE(merged.warnings.front().find("stopped at the time budget after 5 of 8 timed iterations"),
            std::string::npos)
      << merged.warnings.front();
}

TEST(MergeInstances, InstancesThatWaitedForEachOthersCoresAreWarnedAbout) {
  const auto using_cpus = [](const char* used, const char* threads) {
    Row row = instance_row({10, 11}, 21, 1, 1);
    row.effective["cpus_used"] = used;
    row.effective["threads"] = threads;
    return row;
  };
  const auto waited = [](const Row& merged) {
    for (const std::string& w : merged.warnings) {
      if (w.find("waited for each other's cores") != std::string::npos) return w;
    }
    return std::string();
  };
  // Two one-thread instances on 2 CPUs kept only one busy between them (pinned to one core).
  EXPECT_EQ(waited(merge_instances({using_cpus("0.52", "1"), using_cpus("0.49", "1")}, kContext, 2)),
            "the 2 instances kept 1.01 CPUs busy of the 2 their 2 threads could use: they waited for "
            "each other's cores. A framework that pins its threads pins every instance to the same "
            "cores (OpenVINO does by default on Linux: --backend-option openvino:cpu_pinning=off)");
  EXPECT_EQ(merge_instances({using_cpus("0.52", "1"), using_cpus("0.49", "1")}, kContext, 2).effective.at("cpus_used"),
            "1.01");  // the instances' together
  // Each kept its core busy: nothing to say. 1.5 of 2 is the threshold (kInstancesBusyShare).
  EXPECT_EQ(waited(merge_instances({using_cpus("0.98", "1"), using_cpus("0.97", "1")}, kContext, 2)), "");
  EXPECT_EQ(waited(merge_instances({using_cpus("0.75", "1"), using_cpus("0.75", "1")}, kContext, 2)), "");
  // More threads than CPUs: the CPUs are what could be busy.
  EXPECT_NE(waited(merge_instances({using_cpus("0.6", "2"), using_cpus("0.6", "2")}, kContext, 2)), "");
  EXPECT_EQ(waited(merge_instances({using_cpus("1.0", "2"), using_cpus("1.0", "2")}, kContext, 2)), "");
  // Two requests in flight of one thread each per instance (LibTorch, LiteRT): each instance could
  // keep two CPUs busy, so two instances that kept one each on 4 CPUs waited.
  Row two_requests = using_cpus("1.0", "1");
  two_requests.effective[kThreadsTotal] = "2";
  EXPECT_EQ(waited(merge_instances({two_requests, two_requests}, kContext, 4)),
            "the 2 instances kept 2.00 CPUs busy of the 4 their 4 threads could use: they waited for "
            "each other's cores. A framework that pins its threads pins every instance to the same "
            "cores (OpenVINO does by default on Linux: --backend-option openvino:cpu_pinning=off)");
  // Unknown for one instance, or not a CPU row: nothing said.
  EXPECT_EQ(waited(merge_instances({using_cpus("0.5", "1"), instance_row({10, 11}, 21, 1, 1)}, kContext, 2)), "");
  Row gpu_a = using_cpus("0.1", "1"), gpu_b = using_cpus("0.1", "1");
  gpu_a.device = gpu_b.device = "cuda";
  EXPECT_EQ(waited(merge_instances({gpu_a, gpu_b}, kContext, 2)), "");
}

TEST(MergeInstances, AFailedInstanceFailsTheRowAndIsNamed) {
  Row ok = instance_row({10, 11}, 21, 1, 300);
  Row stopped = ok;
  stopped.status = RowStatus::Failed;
  stopped.error = "worker was stopped after 2.0 s because another instance failed";
  stopped.peak_rss_mb = 200;
  Row crashed = ok;
  crashed.status = RowStatus::Failed;
  crashed.error = "worker was killed by signal 11 (SIGSEGV)";
  crashed.peak_rss_mb = 100;
  Row merged = merge_instances({stopped, crashed, ok}, kContext, 2);
  EXPECT_EQ(merged.status, RowStatus::Failed);
  EXPECT_EQ(merged.error, "instance 1 of 3: worker was killed by signal 11 (SIGSEGV)");
  EXPECT_DOUBLE_EQ(*merged.peak_rss_mb, 600.0);
  EXPECT_EQ(merged.instances, 3);
  // Only stopped instances: the first of them speaks.
  merged = merge_instances({ok, stopped}, kContext, 2);
  EXPECT_EQ(merged.error, "instance 1 of 2: " + stopped.error);
  Row unavailable = ok;
  unavailable.status = RowStatus::Unavailable;
  unavailable.error = "no GPU";
  EXPECT_EQ(merge_instances({unavailable, unavailable}, kContext, 2).status, RowStatus::Unavailable);
}

}  // namespace
}  // namespace inferbench
