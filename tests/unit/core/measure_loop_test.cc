// SPDX-License-Identifier: Apache-2.0
// The protocol's counting rules: warm-up includes the first inference, failures stop the
// loop, the budget cuts it short but leaves at least one sample.
#include "core/timing/measure_loop.h"
#include "core/timing/async_loop.h"

#include <gtest/gtest.h>

#include <thread>

namespace inferbench {
namespace {

LoopSpec spec(int warmup, int iterations, Nanos budget) {
  LoopSpec s;
  s.warmup = warmup;
  s.iterations = iterations;
  s.budget = budget;
  return s;
}

TEST(MeasureLoop, TheGateSitsBetweenWarmUpAndTheTimedWindow) {
  int calls = 0;
  int calls_at_gate = -1;
  LoopSpec gated = spec(3, 4, std::chrono::seconds(60));
  gated.before_timed = [&] {
    calls_at_gate = calls;
    return true;
  };
  auto r = measure_loop(gated, [&] { ++calls; return true; });
  EXPECT_EQ(calls_at_gate, 3);  // after the first inference and 2 more warm-up iterations
  EXPECT_EQ(r.samples.size(), 4u);
  EXPECT_FALSE(r.gate_failed);
  // A gate that refuses: no timed window at all.
  gated.before_timed = [] { return false; };
  r = measure_loop(gated, [&] { return true; });
  EXPECT_TRUE(r.gate_failed);
  EXPECT_TRUE(r.samples.empty());
  EXPECT_EQ(r.failed_at, -1);
  // The asynchronous loop passes the same gate.
  calls = 0;
  gated.before_timed = [&] {
    calls_at_gate = calls;
    return true;
  };
  r = measure_async_loop(gated, 2, [&](int) { ++calls; return true; }, [](int) { return true; });
  EXPECT_EQ(calls_at_gate, 3);
  EXPECT_EQ(r.samples.size(), 4u);
}

TEST(MeasureLoop, CountsWarmupAndSamples) {
  int calls = 0;
  const auto r = measure_loop(spec(5, 20, std::chrono::seconds(60)), [&] { ++calls; return true; });
  EXPECT_EQ(calls, 25);  // first inference + 4 warm-up + 20 timed
  EXPECT_EQ(r.warmup_done, 5);
  EXPECT_EQ(r.samples.size(), 20u);
  EXPECT_FALSE(r.budget_exhausted);
  EXPECT_EQ(r.failed_at, -1);
}

TEST(MeasureLoop, ZeroWarmupStillTimesTheFirstInferenceSeparately) {
  int calls = 0;
  const auto r = measure_loop(spec(0, 3, std::chrono::seconds(60)), [&] { ++calls; return true; });
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(r.samples.size(), 3u);
}

TEST(MeasureLoop, FailureStopsAndSaysWhere) {
  int calls = 0;
  const auto r = measure_loop(spec(2, 10, std::chrono::seconds(60)), [&] { return ++calls != 5; });
  EXPECT_EQ(r.failed_at, 4);
  EXPECT_EQ(r.samples.size(), 2u);
}

TEST(MeasureLoop, BudgetLeavesAtLeastOneSample) {
  const auto r = measure_loop(spec(1, 1000, std::chrono::milliseconds(5)), [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return true;
  });
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_FALSE(r.warmup_cut);
  EXPECT_GE(r.samples.size(), 1u);
  EXPECT_LT(r.samples.size(), 1000u);
}

// A warm-up longer than the budget: the loop says so (the remedy is --warmup, not --iters).
TEST(MeasureLoop, ABudgetSpentInTheWarmUpSaysSo) {
  const auto r = measure_loop(spec(1000, 100, std::chrono::milliseconds(5)), [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return true;
  });
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_TRUE(r.warmup_cut);
  EXPECT_LT(r.warmup_done, 1000);
  EXPECT_EQ(r.samples.size(), 1u);
}

struct Report {
  LoopPhase phase;
  int done;
  int total;
  bool operator==(const Report&) const = default;
};

TEST(MeasureLoop, ReportsEachPhaseStartAndTheEnd) {
  std::vector<Report> reports;
  LoopProgress progress;
  progress.report = [&](LoopPhase phase, int done, int total) { reports.push_back({phase, done, total}); };
  progress.interval = std::chrono::hours(1);  // no periodic report in this short loop
  const auto r = measure_loop(spec(3, 5, std::chrono::seconds(60)), [] { return true; }, &progress);
  EXPECT_EQ(r.samples.size(), 5u);
  EXPECT_EQ(reports, (std::vector<Report>{{LoopPhase::WarmUp, 0, 3},
                                          {LoopPhase::Measure, 0, 5},
                                          {LoopPhase::Measure, 5, 5}}));
}

TEST(MeasureLoop, ReportsPeriodicallyBetweenIterationsOnly) {
  // Interval 0: a report after every iteration but the last of each phase.
  std::vector<Report> reports;
  int calls = 0;
  bool inside_iteration = false;
  LoopProgress progress;
  progress.report = [&](LoopPhase phase, int done, int total) {
    EXPECT_FALSE(inside_iteration);
    reports.push_back({phase, done, total});
  };
  progress.interval = Nanos(0);
  measure_loop(spec(3, 3, std::chrono::seconds(60)), [&] {
    inside_iteration = true;
    ++calls;
    inside_iteration = false;
    return true;
  }, &progress);
  EXPECT_EQ(calls, 6);
  EXPECT_EQ(reports, (std::vector<Report>{{LoopPhase::WarmUp, 0, 3},
                                          {LoopPhase::WarmUp, 1, 3},
                                          {LoopPhase::WarmUp, 2, 3},
                                          {LoopPhase::Measure, 0, 3},
                                          {LoopPhase::Measure, 1, 3},
                                          {LoopPhase::Measure, 2, 3},
                                          {LoopPhase::Measure, 3, 3}}));
}

TEST(MeasureLoop, TimeSpentReportingIsInNoSampleAndNotInTheWallTime) {
  // A report that takes 20 ms after every iteration of a 1 ms body: the samples and the wall
  // time must still show about 1 ms per iteration.
  LoopProgress progress;
  progress.report = [](LoopPhase, int, int) { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };
  progress.interval = Nanos(0);
  const auto r = measure_loop(spec(1, 5, std::chrono::seconds(60)), [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  }, &progress);
  ASSERT_EQ(r.samples.size(), 5u);
  Nanos total{0};
  for (auto s : r.samples) {
    EXPECT_LT(to_ms(s), 15.0);
    total += s;
  }
  EXPECT_EQ(total, r.wall);
}

TEST(MeasureLoop, SamplesSumToWallTime) {
  const auto r = measure_loop(spec(1, 5, std::chrono::seconds(60)), [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  });
  Nanos total{0};
  for (auto s : r.samples) total += s;
  EXPECT_EQ(total, r.wall);
  EXPECT_GE(to_ms(r.samples.front()), 1.0);
}

}  // namespace
}  // namespace inferbench

// The throughput protocol.

namespace inferbench {
namespace {

TEST(AsyncLoop, KeepsSlotsInFlightAndWaitsInOrder) {
  std::vector<int> started_count(3, 0), waited_count(3, 0);
  std::vector<int> order;
  int in_flight = 0, max_in_flight = 0;
  const auto r = measure_async_loop(
      spec(4, 10, std::chrono::seconds(60)), 3,
      [&](int s) {
        ++started_count[s];
        max_in_flight = std::max(max_in_flight, ++in_flight);
        return true;
      },
      [&](int s) {
        ++waited_count[s];
        --in_flight;
        order.push_back(s);
        return true;
      });
  EXPECT_EQ(r.samples.size(), 10u);
  EXPECT_EQ(r.warmup_done, 4);
  EXPECT_EQ(max_in_flight, 3);
  EXPECT_EQ(in_flight, 0);  // drained
  // 1 first + 3 warm-up + 10 timed = 14 requests, each started and waited once.
  EXPECT_EQ(started_count[0] + started_count[1] + started_count[2], 14);
  EXPECT_EQ(started_count, waited_count);
  // Timed window: slots waited round-robin.
  const std::vector<int> tail(order.end() - 10, order.end());
  EXPECT_EQ(tail, (std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}));
}

TEST(AsyncLoop, ReportsPhasesAndCountsTheFirstInferenceAsWarmUp) {
  std::vector<Report> reports;
  LoopProgress progress;
  progress.report = [&](LoopPhase phase, int done, int total) { reports.push_back({phase, done, total}); };
  progress.interval = Nanos(0);
  measure_async_loop(spec(3, 4, std::chrono::seconds(60)), 2, [](int) { return true; },
                     [](int) { return true; }, &progress);
  EXPECT_EQ(reports, (std::vector<Report>{{LoopPhase::WarmUp, 0, 3},
                                          {LoopPhase::WarmUp, 2, 3},
                                          {LoopPhase::Measure, 0, 4},
                                          {LoopPhase::Measure, 1, 4},
                                          {LoopPhase::Measure, 2, 4},
                                          {LoopPhase::Measure, 3, 4},
                                          {LoopPhase::Measure, 4, 4}}));
}

TEST(AsyncLoop, FailureSaysWhichRequest) {
  int calls = 0;
  const auto r = measure_async_loop(spec(1, 10, std::chrono::seconds(60)), 2,
                                    [&](int) { return ++calls != 4; }, [](int) { return true; });
  EXPECT_GE(r.failed_at, 1);
}

}  // namespace
}  // namespace inferbench

namespace inferbench {
namespace {

TEST(MeasureLoop, AdaptiveRulesEndWarmUpAndTheWindowAndTheirTimeIsNotMeasured) {
  LoopSpec s = spec(50, 1'000'000, std::chrono::seconds(60));
  int warm_calls = 0;
  s.warmed_up = [&](Nanos latency) {
    EXPECT_GE(latency.count(), 0);
    return ++warm_calls == 3;
  };
  s.enough = [&](const std::vector<Nanos>& samples, Nanos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow look, between samples
    return samples.size() == 7;
  };
  int calls = 0;
  auto r = measure_loop(s, [&] { ++calls; return true; });
  EXPECT_EQ(r.warmup_done, 4);  // the first inference and three more
  EXPECT_TRUE(r.warmed_up);
  EXPECT_EQ(r.samples.size(), 7u);
  EXPECT_TRUE(r.enough);
  EXPECT_EQ(calls, 11);
  for (Nanos sample : r.samples) EXPECT_LT(sample, std::chrono::milliseconds(2));
  EXPECT_LT(r.wall, std::chrono::milliseconds(2));

  // The asynchronous loop: requests still in flight when the rule stops are drained, not samples.
  warm_calls = 0;
  int started = 0;
  r = measure_async_loop(s, 3, [&](int) { ++started; return true; }, [](int) { return true; });
  EXPECT_TRUE(r.warmed_up);
  EXPECT_TRUE(r.enough);
  EXPECT_EQ(r.samples.size(), 7u);
  EXPECT_GE(started, 7 + 4);
  EXPECT_EQ(r.drained, 2);  // three in flight: the seventh completed, two more to drain
}

TEST(MeasureLoop, AWindowOutgrowingItsReservationKeepsEverySample) {
  LoopSpec s = spec(1, 1'000'000, std::chrono::seconds(60));
  s.enough = [](const std::vector<Nanos>& samples, Nanos) { return samples.size() == kReservedSamples + 10; };
  const auto r = measure_loop(s, [] { return true; });
  EXPECT_EQ(r.samples.size(), static_cast<std::size_t>(kReservedSamples + 10));
}

}  // namespace
}  // namespace inferbench
