// SPDX-License-Identifier: Apache-2.0
// One row from a cell's rounds: samples of every round, throughput over the rounds' windows,
// each round's throughput, medians of the start-up times, and the round that failed.
#include "driver/rounds.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/stats/diagnostics.h"
#include "core/stats/timed_window.h"

namespace inferbench {
namespace {

Row round_row(std::vector<double> samples, double wall_ms, double compile_ms, double rss_mb,
              std::string scenario = "sync") {
  Row row;
  row.framework = "OpenVINO";
  row.device = "cpu";
  row.precision = "int8";
  row.batch = 4;
  row.scenario = std::move(scenario);
  row.status = RowStatus::Ok;
  row.compile_ms = compile_ms;
  row.first_inference_ms = compile_ms / 10;
  row.peak_rss_mb = rss_mb;
  row.effective = {{"threads", "2"}, {kCpusUsed, "1.50"}};
  set_timed_window(row, std::move(samples), wall_ms, row.scenario == "async");
  return row;
}

const MeasurementContext kContext{.iterations_requested = 12, .budget_exhausted = false,
                                  .build_type = "Release", .governor = std::nullopt};

bool has(const Row& row, const std::string& text) {
  return std::find(row.warnings.begin(), row.warnings.end(), text) != row.warnings.end();
}

TEST(MergeRounds, EveryRoundsSamplesAndTheThroughputOverTheirWindows) {
  Row a = round_row({10, 10, 10, 10}, 40, 300, 100);
  Row b = round_row({20, 20, 20, 20}, 80, 100, 120);
  Row c = round_row({10, 10, 10, 10}, 40, 200, 110);
  a.effective[kCpusUsed] = "1.80";
  a.warnings = {"no parity: reference missing", "round-only note"};
  b.warnings = {"no parity: reference missing"};
  c.warnings = {"no parity: reference missing"};
  const Row merged = merge_rounds({a, b, c}, kContext);
  ASSERT_EQ(merged.status, RowStatus::Ok);
  EXPECT_EQ(merged.samples, 12);
  EXPECT_EQ(merged.latency_samples_ms.size(), 12u);
  EXPECT_EQ(merged.latency_samples_ms[4], 20);           // round 2's samples follow round 1's
  EXPECT_DOUBLE_EQ(*merged.wall_ms, 160.0);              // the rounds' windows, one after another
  EXPECT_DOUBLE_EQ(*merged.throughput, 4 * 12 / 0.160);  // batch x all samples / their windows
  EXPECT_DOUBLE_EQ(*merged.fps, 4 / 0.010);              // sync: batch / P50 of all samples
  EXPECT_EQ(merged.round_throughput, (std::vector<double>{400, 200, 400}));
  EXPECT_DOUBLE_EQ(*merged.compile_ms, 200.0);           // the median round
  EXPECT_DOUBLE_EQ(*merged.first_inference_ms, 20.0);
  EXPECT_DOUBLE_EQ(*merged.peak_rss_mb, 120.0);          // the largest: one process at a time
  EXPECT_EQ(merged.effective.at(kCpusUsed), "1.60");     // the mean
  // The rounds disagree by 100%: the machine drifted. Each round's own notes follow, once when
  // every round has them.
  EXPECT_TRUE(has(merged, "the rounds' throughputs range from 200.00 to 400.00 inputs/s (100% apart): "
                          "the machine's speed drifted between rounds; compare rows round by round "
                          "(round_throughput) and close other programs"));
  EXPECT_TRUE(has(merged, "no parity: reference missing"));
  EXPECT_TRUE(has(merged, "round 1 of 3: round-only note"));
  // A round's judgement of its own 4 samples is superseded by the judgement of all 12.
  const auto tail = [](const std::string& w) { return w.find("P99 rests on") != std::string::npos; };
  EXPECT_EQ(std::count_if(merged.warnings.begin(), merged.warnings.end(), tail), 1);
  EXPECT_TRUE(std::any_of(merged.warnings.begin(), merged.warnings.end(), [](const std::string& w) {
    return w.find("(n=12)") != std::string::npos;
  }));
}

TEST(MergeRounds, AsyncRowsKeepTheThroughputAsFps) {
  const Row merged = merge_rounds({round_row({20, 20}, 20, 50, 100, "async"), round_row({20, 20}, 20, 50, 100, "async")},
                                  {.iterations_requested = 4, .budget_exhausted = false, .build_type = "Release",
                                   .governor = std::nullopt});
  EXPECT_DOUBLE_EQ(*merged.throughput, 4 * 4 / 0.040);
  EXPECT_DOUBLE_EQ(*merged.fps, *merged.throughput);
  EXPECT_EQ(merged.round_throughput, (std::vector<double>{400, 400}));
  // Rounds that agree: no drift warning.
  EXPECT_FALSE(std::any_of(merged.warnings.begin(), merged.warnings.end(), [](const std::string& w) {
    return w.find("rounds' throughputs") != std::string::npos;
  }));
}

TEST(MergeRounds, AFailedRoundIsTheRowAndIsNamed) {
  Row failed;
  failed.framework = "OpenVINO";
  failed.status = RowStatus::Failed;
  failed.error = "worker killed by signal 9";
  const Row merged = merge_rounds({round_row({10, 10}, 20, 100, 100), failed}, kContext);
  EXPECT_EQ(merged.status, RowStatus::Failed);
  EXPECT_EQ(merged.error, "round 2 of 2: worker killed by signal 9");
}

}  // namespace
}  // namespace inferbench

namespace inferbench {
namespace {

TEST(MergeRounds, AdaptiveRoundsSayHowEachStoppedAndCountNoBudgetFromTheirCeiling) {
  Row a = round_row({10, 11, 10, 11}, 42, 300, 100);
  Row b = round_row({10, 11, 10, 11}, 42, 300, 100);
  for (Row* row : {&a, &b}) row->effective["protocol"] = "adaptive";
  a.effective["stop"] = "precision";
  a.effective["precision"] = "P50 +/-0.5% (target +/-1%), P99 +/-4% (target +/-5%)";
  b.effective["stop"] = "max-window";
  b.effective["precision"] = "P50 +/-2% (target +/-1%), P99 unbounded (target +/-5%)";
  MeasurementContext adaptive = kContext;
  adaptive.iterations_requested = 20'000'000;  // two rounds of the adaptive ceiling
  adaptive.adaptive = true;
  Row merged = merge_rounds({a, b}, adaptive);
  EXPECT_EQ(merged.effective.at("stop"), "round 1: precision; round 2: max-window");
  EXPECT_EQ(merged.effective.at("precision"),
            "round 1: P50 +/-0.5% (target +/-1%), P99 +/-4% (target +/-5%); "
            "round 2: P50 +/-2% (target +/-1%), P99 unbounded (target +/-5%)");
  for (const auto& warning : merged.warnings) EXPECT_EQ(warning.find("time budget"), std::string::npos) << warning;
  // A round that the budget stopped says so in the merged row.
  b.effective["stop"] = "max-seconds";
  merged = merge_rounds({a, b}, adaptive);
  EXPECT_TRUE(std::any_of(merged.warnings.begin(), merged.warnings.end(), [](const std::string& w) {
    return w.find("stopped at the time budget (--max-seconds) after 8 timed iterations") != std::string::npos;
  }));
}

}  // namespace
}  // namespace inferbench
