// SPDX-License-Identifier: Apache-2.0
// The deployment guide on hand-made rows: winners (ties, failed rows, a single row, async rows,
// the parity reference), break-even numbers against hand computation, and the Markdown
// ("guide" format) line by line.
#include "report/guide.h"

#include <gtest/gtest.h>

#include <tuple>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/stats/summary.h"
#include "report/format.h"
#include "report/guide_document.h"
#include "report/reporter.h"
#include "tests/unit/report/sample_run.h"

namespace inferbench::report {
namespace {

// An ok row with every field the guide reads.
Row ok_row(std::string framework, std::string precision, int batch, double compile_ms,
           double throughput, double p99, double p99_over_p50, double rss_mb) {
  Row row;
  row.framework = std::move(framework);
  row.backend = "test";
  row.device = "cpu";
  row.device_label = "CPU";
  row.precision = std::move(precision);
  row.model = "mobilenet_v2";
  row.batch = batch;
  row.scenario = "sync";
  row.status = RowStatus::Ok;
  row.compile_ms = compile_ms;
  row.throughput = throughput;
  row.fps = throughput;
  row.latency_ms = LatencySummary{.p50 = p99 / p99_over_p50, .p99 = p99};
  row.p99_over_p50 = p99_over_p50;
  row.peak_rss_mb = rss_mb;
  return row;
}

constexpr std::string_view kBreakEvenTitle = "Break-even: when a slower start-up pays for itself";

// The section of `document` titled `title`; throws (failing the test) when there is none.
const GuideSection& section_titled(const GuideDocument& document, std::string_view title) {
  for (const GuideSection& section : document.sections) {
    if (section.title == title) return section;
  }
  throw std::runtime_error("no guide section titled " + std::string(title));
}

Row with_parity(Row row, double cosine, double max_abs_err) {
  row.parity = Parity{.max_abs_err = max_abs_err,
                      .cosine = cosine,
                      .top1_agreement = 1.0,
                      .reference = "PyTorch (Native) CPU FP32",
                      .samples = std::nullopt};
  return row;
}

Row failed_row(std::string framework, RowStatus status, std::string error) {
  Row row;
  row.framework = std::move(framework);
  row.device = "cuda";
  row.device_label = "CUDA GPU";
  row.precision = "fp16";
  row.batch = 64;
  row.scenario = "sync";
  row.status = status;
  row.error = std::move(error);
  // Numbers a failed row may still carry (compile time before a crash) must not make it win.
  row.compile_ms = 0.5;
  row.throughput = 1e9;
  return row;
}

const Winner& winner_of(const Guide& guide, Criterion criterion) {
  for (const Winner& w : guide.winners) {
    if (w.criterion == criterion) return w;
  }
  ADD_FAILURE() << "no winner entry for " << criterion_name(criterion);
  return guide.winners.front();
}

using sample_run::lines_of;


// --- serving ---------------------------------------------------------------------------------

TEST(GuideServing, RanksServerSearchesUnderTheirBoundAndKeepsThemOutOfCapacityCriteria) {
  const std::vector<Row> rows = sample_run::with_serving().rows;
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.serving.size(), 1u);
  const ServingRanking& ranking = guide.serving[0];
  EXPECT_EQ(ranking.bound_ms, 100.0);
  EXPECT_EQ(ranking.percentile, 99.0);
  EXPECT_EQ(ranking.rows, std::vector<std::size_t>{0});
  EXPECT_EQ(ranking.none_valid, std::vector<std::size_t>{2});
  // A server row's throughput is what LoadGen offered it: only the offline row measures capacity.
  EXPECT_FALSE(measures_capacity(rows[0]));
  EXPECT_TRUE(measures_capacity(rows[1]));
  EXPECT_EQ(winner_of(guide, Criterion::PeakThroughput).rows, std::vector<std::size_t>{1});
  EXPECT_EQ(winner_of(guide, Criterion::PeakThroughput).candidates, 1u);
  EXPECT_EQ(guide.latency_frontier, std::vector<std::size_t>{1});
  ASSERT_EQ(guide.no_break_even.size(), 2u);
  EXPECT_EQ(guide.no_break_even[0].reason, "a server row completes what LoadGen offered it, not all it can");
}

TEST(GuideServing, TheServingSectionComesFirstWithEachRateBesideItsOfflineTwin) {
  const std::vector<Row> rows = sample_run::with_serving().rows;
  const GuideDocument document = guide_document(rows, compute_guide(rows));
  ASSERT_FALSE(document.sections.empty());
  const GuideSection& serving = document.sections[0];
  EXPECT_EQ(serving.title, "Serving: highest request rate at P99 <= 100 ms");
  ASSERT_TRUE(serving.table.has_value());
  ASSERT_EQ(serving.table->rows.size(), 1u);
  // 120 QPS under the bound of the 150 samples/s it completes offline: 80%.
  EXPECT_EQ(serving.table->rows[0],
            (std::vector<std::string>{"1", "OpenVINO CPU FP32 server x2 batch 8", "120.0", "80.000", "31.2", "2",
                                      "150.0", "80.0", "3"}));
  ASSERT_EQ(serving.bullets.size(), 1u);
  EXPECT_EQ(serving.bullets[0],
            "PyTorch (Native) CPU FP32 server x2 batch 8: no rate met the bound (no rate found VALID: the lowest "
            "tried, 5.00 QPS, was INVALID, and a slower test would not fit --max-seconds).");
}

TEST(GuideServing, ASweepOfServingSettingsSaysWhichServesEachConfigurationBest) {
  std::vector<Row> rows = sample_run::with_serving().rows;
  // The OpenVINO server row (index 0: 2 requests, batch 8, 120 QPS) measured at two more settings,
  // and the PyTorch one again at its own settings (a second round: nothing to compare).
  Row one_request = rows[0];
  one_request.batch = 4;
  one_request.serving->requests_in_flight = 1;
  one_request.effective["requests_in_flight"] = "1";
  one_request.serving->value = 150.0;
  Row small_batch = rows[0];
  small_batch.batch = 4;
  small_batch.serving->value = std::nullopt;
  small_batch.serving->valid = false;
  const Row again = rows[2];
  rows.push_back(one_request);
  rows.push_back(small_batch);
  rows.push_back(again);
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.serving.size(), 1u);
  const ServingRanking& ranking = guide.serving[0];
  ASSERT_EQ(ranking.settings.size(), 1u);
  EXPECT_EQ(ranking.settings[0].rows, (std::vector<std::size_t>{3, 0, 4}));
  EXPECT_EQ(ranking.settings[0].labels,
            (std::vector<std::string>{"1 request, batch 4", "2 requests, batch 8", "2 requests, batch 4"}));
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& serving = document.sections[0];
  EXPECT_NE(std::find(serving.bullets.begin(), serving.bullets.end(),
                      "OpenVINO CPU FP32 by setting: 1 request, batch 4: 150.0 QPS, the best, 1.25x the next; "
                      "2 requests, batch 8: 120.0 QPS; 2 requests, batch 4: none VALID."),
            serving.bullets.end())
      << fmt::format("{}", fmt::join(serving.bullets, "\n"));
}

TEST(GuideServing, ALeadWithinTheSearchsPrecisionIsATie) {
  std::vector<Row> rows = sample_run::with_serving().rows;
  Row close = rows[0];
  close.batch = 4;
  close.serving->value = 117.0;  // 120 / 117 = 1.026: inside the search's 5% bracket
  rows.push_back(close);
  const Guide guide = compute_guide(rows);
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& serving = document.sections[0];
  EXPECT_NE(std::find(serving.bullets.begin(), serving.bullets.end(),
                      "OpenVINO CPU FP32 by setting: batch 8: 120.0 QPS, the best, 1.03x the next (within the "
                      "searches' 5% precision: a tie); batch 4: 117.0 QPS."),
            serving.bullets.end())
      << fmt::format("{}", fmt::join(serving.bullets, "\n"));
}

TEST(GuideServing, AConfigurationThatMeetsTheBoundAtOneSettingOnlySaysSo) {
  std::vector<Row> rows = sample_run::with_serving().rows;
  Row timed_out = rows[0];
  timed_out.serving->batch_timeout_ms = 5.0;
  timed_out.serving->value = std::nullopt;
  rows.push_back(timed_out);
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.serving[0].settings.size(), 1u);
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& serving = document.sections[0];
  EXPECT_NE(std::find(serving.bullets.begin(), serving.bullets.end(),
                      "OpenVINO CPU FP32 by setting: batch timeout 0 ms: 120.0 QPS, the only setting that met the "
                      "bound; batch timeout 5 ms: none VALID."),
            serving.bullets.end())
      << fmt::format("{}", fmt::join(serving.bullets, "\n"));
}

TEST(GuideServing, RowsThatDifferInDispatchPollingAreNamedByIt) {
  std::vector<Row> rows = sample_run::with_serving().rows;
  Row polled = rows[0];
  polled.serving->dispatch_poll_us = 10000;
  polled.serving->value = 60.0;
  rows.push_back(polled);
  const Guide guide = compute_guide(rows);
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& serving = document.sections[0];
  EXPECT_NE(std::find(serving.bullets.begin(), serving.bullets.end(),
                      "OpenVINO CPU FP32 by setting: no dispatch poll: 120.0 QPS, the best, 2.00x the next; "
                      "dispatch poll 10000 µs: 60.0 QPS."),
            serving.bullets.end())
      << fmt::format("{}", fmt::join(serving.bullets, "\n"));
}

// --- winners ---------------------------------------------------------------------------------

TEST(GuideWinners, EachCriterionPicksItsField) {
  const std::vector<Row> rows = {
      with_parity(ok_row("A", "fp32", 64, 100, 50, 30, 1.5, 900), 0.999999, 1e-6),
      with_parity(ok_row("B", "int8", 64, 900, 400, 20, 1.1, 300), 0.998, 0.05),
      with_parity(ok_row("C", "fp16", 64, 40, 200, 10, 1.3, 600), 0.9999, 0.002),
  };
  std::vector<Row> metered = rows;
  for (auto [k, per_joule] : {std::pair{0, 10.0}, std::pair{1, 30.0}, std::pair{2, 20.0}}) {
    Energy energy;
    energy.source = "rapl";
    energy.energy_j = 64 / per_joule;
    energy.samples = 64;
    energy.samples_per_joule = per_joule;
    metered[static_cast<std::size_t>(k)].energy = energy;
  }
  const Guide guide = compute_guide(metered);
  ASSERT_EQ(guide.winners.size(), all_criteria().size());
  EXPECT_EQ(winner_of(guide, Criterion::Energy).rows, std::vector<std::size_t>{1});
  EXPECT_DOUBLE_EQ(*winner_of(guide, Criterion::Energy).value, 30);
  EXPECT_EQ(winner_of(guide, Criterion::PeakThroughput).rows, std::vector<std::size_t>{1});
  EXPECT_DOUBLE_EQ(*winner_of(guide, Criterion::PeakThroughput).value, 400);
  EXPECT_EQ(winner_of(guide, Criterion::TailLatency).rows, std::vector<std::size_t>{2});
  EXPECT_EQ(winner_of(guide, Criterion::Stability).rows, std::vector<std::size_t>{1});
  EXPECT_EQ(winner_of(guide, Criterion::StartUp).rows, std::vector<std::size_t>{2});
  EXPECT_EQ(winner_of(guide, Criterion::Memory).rows, std::vector<std::size_t>{1});
  EXPECT_EQ(winner_of(guide, Criterion::Accuracy).rows, std::vector<std::size_t>{0});
  for (const Winner& w : guide.winners) EXPECT_EQ(w.candidates, 3u) << criterion_name(w.criterion);
}

TEST(GuideWinners, EnergyOfDifferentSourcesIsNeverRankedTogether) {
  // A CUDA row's NVML counts its GPU board alone; the CPU rows' RAPL their packages and DRAM.
  std::vector<Row> rows = {ok_row("A", "fp32", 64, 100, 50, 30, 1.5, 900), ok_row("B", "int8", 64, 900, 400, 20, 1.1, 300),
                           ok_row("C", "fp16", 64, 40, 200, 10, 1.3, 600)};
  for (auto [k, source, per_joule] : {std::tuple{0, "rapl", 10.0}, std::tuple{1, "rapl", 30.0}, std::tuple{2, "nvml", 90.0}}) {
    Energy energy;
    energy.source = source;
    energy.scope = std::string(source) == "nvml" ? "GPU 0 board (NVIDIA H100 80GB HBM3)" : "CPU package-0";
    energy.energy_j = 64 / per_joule;
    energy.samples = 64;
    energy.samples_per_joule = per_joule;
    rows[static_cast<std::size_t>(k)].energy = energy;
  }
  const Guide guide = compute_guide(rows);
  const Winner& overall = winner_of(guide, Criterion::Energy);
  EXPECT_TRUE(overall.rows.empty());
  EXPECT_EQ(overall.candidates, 3u);
  EXPECT_NE(overall.no_winner_reason.find("2 sources (CPU packages and DRAM (RAPL); GPU board (NVML))"),
            std::string::npos)
      << overall.no_winner_reason;
  ASSERT_EQ(guide.energy_by_source.size(), 2u);
  EXPECT_EQ(guide.energy_by_source[0].energy_source, "rapl");  // in the order of their first rows
  EXPECT_EQ(guide.energy_by_source[0].rows, std::vector<std::size_t>{1});
  EXPECT_EQ(guide.energy_by_source[0].candidates, 2u);
  EXPECT_EQ(guide.energy_by_source[1].energy_source, "nvml");
  EXPECT_EQ(guide.energy_by_source[1].rows, std::vector<std::size_t>{2});

  const GuideDocument document = guide_document(rows, guide);
  const GuideTable& winners = *document.sections.at(0).table;
  std::vector<std::string> energy_rows;
  for (const auto& row : winners.rows) {
    if (row.at(0).starts_with("energy")) energy_rows.push_back(row.at(0) + " | " + row.at(1));
  }
  EXPECT_EQ(energy_rows, (std::vector<std::string>{
                             "energy (most inferences per joule), CPU packages and DRAM (RAPL) | B CPU INT8 batch 64",
                             "energy (most inferences per joule), GPU board (NVML) | C CPU FP16 batch 64"}));

  // One source: one winner, as before, and no per-source list.
  rows[2].energy->source = "rapl";
  const Guide one = compute_guide(rows);
  EXPECT_EQ(winner_of(one, Criterion::Energy).rows, std::vector<std::size_t>{2});
  EXPECT_EQ(winner_of(one, Criterion::Energy).energy_source, "rapl");
  EXPECT_TRUE(one.energy_by_source.empty());
}

TEST(GuideWinners, ValuesEqualAtThePrintedPrecisionAreATie) {
  // 100.004 and 100.001 both print as 100.00; 99.99 does not.
  std::vector<Row> rows = {ok_row("A", "fp32", 1, 10, 100.004, 5, 1.2, 100),
                           ok_row("B", "fp32", 1, 10, 99.99, 5, 1.2, 100),
                           ok_row("C", "fp32", 1, 10, 100.001, 5, 1.2, 100)};
  Guide guide = compute_guide(rows);
  EXPECT_EQ(winner_of(guide, Criterion::PeakThroughput).rows, (std::vector<std::size_t>{0, 2}));
  // Identical compile times, latencies and memory: all three tie.
  EXPECT_EQ(winner_of(guide, Criterion::StartUp).rows, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(winner_of(guide, Criterion::TailLatency).rows, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(winner_of(guide, Criterion::Memory).rows, (std::vector<std::size_t>{0, 1, 2}));

  // 10.004 ms vs 10.0049 ms compile: both print 10.00 -> tie; 10.006 prints 10.01 -> no tie.
  rows[0].compile_ms = 10.004;
  rows[1].compile_ms = 10.0049;
  rows[2].compile_ms = 10.006;
  guide = compute_guide(rows);
  EXPECT_EQ(winner_of(guide, Criterion::StartUp).rows, (std::vector<std::size_t>{0, 1}));
}

TEST(GuideWinners, ATieIsWrittenAsATie) {
  const std::vector<Row> rows = {ok_row("A", "fp32", 1, 10, 100, 5, 1.2, 100),
                                 ok_row("B", "fp16", 1, 20, 100, 6, 1.3, 200)};
  const Guide guide = compute_guide(rows);
  const GuideDocument document = guide_document(rows, guide);
  const GuideTable& winners = *document.sections.at(0).table;
  EXPECT_EQ(winners.rows.at(0).at(0), "peak throughput");
  EXPECT_EQ(winners.rows.at(0).at(1), "tie: A CPU FP32 batch 1; B CPU FP16 batch 1");
  EXPECT_EQ(winners.rows.at(0).at(2), "100.00 inputs/s");
}

TEST(GuideWinners, FailedAndUnavailableRowsNeverWinAndAreListedWithTheirReason) {
  const std::vector<Row> rows = {
      failed_row("TensorRT", RowStatus::Failed, "worker was killed by signal 11 (SIGSEGV)"),
      ok_row("A", "fp32", 64, 100, 50, 30, 1.5, 900),
      failed_row("LiteRT", RowStatus::Unavailable, "not built: no litert plugin\nsecond line"),
  };
  const Guide guide = compute_guide(rows);
  for (const Winner& w : guide.winners) {
    if (w.criterion == Criterion::Accuracy || w.criterion == Criterion::Energy) continue;  // no parity, no energy
    EXPECT_EQ(w.rows, std::vector<std::size_t>{1}) << criterion_name(w.criterion);
    EXPECT_EQ(w.candidates, 1u);
  }
  EXPECT_EQ(guide.total_rows, 3u);
  EXPECT_EQ(guide.ok_rows, 1u);
  ASSERT_EQ(guide.not_ok.size(), 2u);
  EXPECT_EQ(guide.not_ok[0].row, 0u);
  EXPECT_EQ(guide.not_ok[0].reason, "failed: worker was killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(guide.not_ok[1].row, 2u);
  EXPECT_EQ(guide.not_ok[1].reason, "unavailable: not built: no litert plugin second line");

  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& left_out = section_titled(document, "Rows left out");
  EXPECT_EQ(left_out.title, "Rows left out");
  EXPECT_EQ(left_out.bullets,
            (std::vector<std::string>{
                "TensorRT CUDA GPU FP16 batch 64 — failed: worker was killed by "
                "signal 11 (SIGSEGV)",
                "LiteRT CUDA GPU FP16 batch 64 — unavailable: not built: no litert "
                "plugin second line",
            }));
}

TEST(GuideWinners, RowsLeftOutForTheSameReasonShareABullet) {
  const std::vector<Row> rows = {
      failed_row("LiteRT", RowStatus::Unavailable, "not built"),
      failed_row("TensorRT", RowStatus::Failed, "crash"),
      failed_row("LiteRT", RowStatus::Unavailable, "not built"),
  };
  const GuideDocument document = guide_document(rows, compute_guide(rows));
  EXPECT_EQ(section_titled(document, "Rows left out").bullets,
            (std::vector<std::string>{
                "LiteRT CUDA GPU FP16 batch 64; LiteRT CUDA GPU FP16 batch 64 — unavailable: not built",
                "TensorRT CUDA GPU FP16 batch 64 — failed: crash"}));
}

// Rows whose delegate left part of the model to the framework's own kernels get a section of
// their own, saying what the framework reported; fully delegated rows do not appear in it.
TEST(GuidePartlyDelegated, ListsTheRowsAndWhatTheFrameworkSaid) {
  Row whole = ok_row("TFLite (LiteRT)", "fp32", 1, 10, 700, 2, 1.2, 30);
  whole.effective = {{"fully_accelerated", "yes"}};
  Row litert = ok_row("TFLite (LiteRT)", "int8", 1, 10, 170, 9, 1.7, 20);
  litert.effective = {{"fully_accelerated", "no"}, {kKernelsOutsideDelegate, "TFLite built-in kernels"}};
  Row executorch = ok_row("ExecuTorch", "fp32", 1, 18, 520, 3, 1.7, 28);
  executorch.effective = {{kKernelsOutsideDelegate, "ExecuTorch kernels"},
                          {"instructions", "19"},
                          {"delegation", "XNNPACK took 217 operators in 1 call; outside it: 18 copies"}};
  const std::vector<Row> rows = {whole, litert, executorch};
  const Guide guide = compute_guide(rows);
  EXPECT_EQ(guide.partly_delegated, (std::vector<std::size_t>{1, 2}));
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& section = section_titled(document, "Models the delegate did not take whole");
  ASSERT_TRUE(section.table);
  EXPECT_EQ(section.table->rows,
            (std::vector<std::vector<std::string>>{
                {"TFLite (LiteRT) CPU INT8 batch 1", "TFLite built-in kernels",
                 "not fully accelerated (LiteRtCompiledModelIsFullyAccelerated); "
                 "tools/results/tflite_partitions.py names the operators"},
                {"ExecuTorch CPU FP32 batch 1", "ExecuTorch kernels",
                 "XNNPACK took 217 operators in 1 call; outside it: 18 copies; 19 instructions in the execution plan"}}));
  // Without such rows the section is not there.
  const std::vector<Row> whole_only = {whole};
  EXPECT_THROW(section_titled(guide_document(whole_only, compute_guide(whole_only)),
                              "Models the delegate did not take whole"),
               std::runtime_error);
}

TEST(GuideWinners, ASingleRowWinsWhatItHasAndHasNoPairs) {
  const std::vector<Row> rows = {ok_row("A", "fp32", 8, 100, 50, 30, 1.5, 900)};
  const Guide guide = compute_guide(rows);
  for (const Winner& w : guide.winners) {
    if (w.criterion == Criterion::Accuracy) {
      EXPECT_TRUE(w.rows.empty());
      EXPECT_EQ(w.no_winner_reason, "no ok row was compared with the FP32 reference");
    } else if (w.criterion == Criterion::Energy) {
      EXPECT_TRUE(w.rows.empty());
      EXPECT_EQ(w.no_winner_reason, "no ok row has an energy number (each row's energy.reason says why)");
    } else {
      EXPECT_EQ(w.rows, std::vector<std::size_t>{0}) << criterion_name(w.criterion);
    }
  }
  EXPECT_TRUE(guide.break_even.empty());
  EXPECT_EQ(guide.never_pays_off, 0u);
  const GuideDocument document = guide_document(rows, guide);
  EXPECT_EQ(section_titled(document, kBreakEvenTitle).paragraphs.back(),
            "No pair qualifies: fewer than two ok rows have both a start-up time and a throughput.");
  EXPECT_FALSE(section_titled(document, kBreakEvenTitle).table.has_value());
  EXPECT_EQ(section_titled(document, "Rows left out").paragraphs,
            std::vector<std::string>{"None: every row was measured and compared."});
}

TEST(GuideWinners, NoRowMeasuredMeansNoWinnerWithAReason) {
  const std::vector<Row> rows = {failed_row("X", RowStatus::Failed, "boom")};
  const Guide guide = compute_guide(rows);
  for (const Winner& w : guide.winners) {
    EXPECT_TRUE(w.rows.empty());
    EXPECT_FALSE(w.value.has_value());
    EXPECT_EQ(w.no_winner_reason, "no row was measured (every row failed or is unavailable)");
  }
  const GuideDocument document = guide_document(rows, guide);
  EXPECT_EQ(document.sections.at(0).table->rows.at(0).at(1),
            "none: no row was measured (every row failed or is unavailable)");
  EXPECT_EQ(document.sections.at(0).table->rows.at(0).at(2), "n/a");
}

TEST(GuideWinners, TailLatencyAndStabilityCompareSyncRowsOnly) {
  Row async_row = ok_row("A", "fp32", 64, 100, 500, 1, 1.01, 900);
  async_row.scenario = "async";
  std::vector<Row> rows = {async_row, ok_row("B", "fp32", 64, 100, 50, 30, 1.5, 900)};
  Guide guide = compute_guide(rows);
  EXPECT_EQ(winner_of(guide, Criterion::TailLatency).rows, std::vector<std::size_t>{1});
  EXPECT_EQ(winner_of(guide, Criterion::Stability).rows, std::vector<std::size_t>{1});
  EXPECT_EQ(winner_of(guide, Criterion::PeakThroughput).rows, std::vector<std::size_t>{0});

  rows.pop_back();
  guide = compute_guide(rows);
  EXPECT_TRUE(winner_of(guide, Criterion::TailLatency).rows.empty());
  EXPECT_EQ(winner_of(guide, Criterion::TailLatency).no_winner_reason,
            "no ok sync row: async latencies include time queued behind other requests in "
            "flight, so they are not compared");
}

// A sync row timed with `samples` (ms per batch of 64, in measurement order): its throughput is
// batch over their mean, as a timed window without gaps gives.
Row timed_row(std::string framework, std::vector<double> samples) {
  const LatencySummary summary = summarize(samples);
  Row row = ok_row(std::move(framework), "fp32", 64, 10, 64000.0 / summary.mean, summary.p99,
                   summary.p99 / summary.p50, 100);
  row.latency_ms = summary;
  row.latency_samples_ms = std::move(samples);
  return row;
}

std::vector<double> repeated(std::vector<double> pattern, int times) {
  std::vector<double> out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), pattern.begin(), pattern.end());
  return out;
}

TEST(GuideThroughputInterval, FromTheMeanAndTheEffectiveSampleCount) {
  // 9, 11, 9, 11, ...: mean 10, std sqrt(20/19), r = -0.95 so n_eff = n = 20:
  // h = 1.96 x 1.02598 / (10 sqrt 20) = 0.04496 around 6400 inputs/s.
  const auto a = throughput_interval(timed_row("A", repeated({9, 11}, 10)));
  ASSERT_TRUE(a);
  EXPECT_NEAR(a->lo, 6124.6091, 1e-3);
  EXPECT_NEAR(a->hi, 6701.3227, 1e-3);
  // The same values in two runs of ten (r = 0.85, n_eff = 1.62): the mean is as uncertain as
  // with under two independent samples.
  std::vector<double> blocks(10, 9.0);
  blocks.insert(blocks.end(), 10, 11.0);
  const auto b = throughput_interval(timed_row("A", blocks));
  ASSERT_TRUE(b);
  EXPECT_NEAR(b->lo, 5527.1966, 1e-3);
  EXPECT_NEAR(b->hi, 7600.1440, 1e-3);
  // One sample, or none: no interval.
  EXPECT_FALSE(throughput_interval(timed_row("A", {10.0})));
  EXPECT_FALSE(throughput_interval(ok_row("A", "fp32", 64, 10, 6400, 11, 1.1, 100)));
}

TEST(GuideThroughputInterval, TheLeadIsJudgedAgainstTheNoise) {
  const Row winner = timed_row("A", repeated({9, 11}, 10));          // 6124.6-6701.3 inputs/s
  const Row clear = timed_row("B", repeated({10.5, 12.5}, 10));      // 5355.8-5791.7
  std::vector<double> blocks(10, 9.0);
  blocks.insert(blocks.end(), 10, 11.0);
  const Row correlated = timed_row("A", blocks);                     // 5527.2-7600.1

  const std::vector<Row> separate = {clear, winner};
  Guide guide = compute_guide(separate);
  const Winner& peak = guide.winners.front();
  ASSERT_EQ(peak.rows, std::vector<std::size_t>{1});
  EXPECT_EQ(peak.runner_up, 0u);
  EXPECT_EQ(peak.lead_beyond_noise, true);
  EXPECT_EQ(guide_document(separate, guide).sections.front().bullets,
            std::vector<std::string>{
                "Peak throughput: A CPU FP32 batch 64 leads B CPU FP32 batch 64 by 15.0% (6400.00 "
                "vs 5565.22 inputs/s); their 95% intervals, 6124.61–6701.32 and 5355.81–5791.67 "
                "inputs/s (from each row's mean latency and its effective number of independent "
                "samples), do not overlap: the lead is beyond the noise inside the two timed windows; "
                "a change of the machine's speed between the two cells is not in that (--rounds "
                "measures it)."});

  // The same values measured in runs: the winner's interval now reaches below the runner-up's.
  const std::vector<Row> overlapping = {clear, correlated};
  guide = compute_guide(overlapping);
  EXPECT_EQ(guide.winners.front().lead_beyond_noise, false);
  const auto bullets = guide_document(overlapping, guide).sections.front().bullets;
  ASSERT_EQ(bullets.size(), 1u);
  EXPECT_NE(bullets[0].find("overlap: the lead is within this run's noise, so either could be the "
                            "faster; raise --iters or --rounds, or rerun on a quieter machine, "
                            "before choosing on throughput alone."),
            std::string::npos)
      << bullets[0];
  // Adaptive rows get more samples from a longer window: the remedy names its flag.
  std::vector<Row> adaptive = overlapping;
  for (Row& row : adaptive) row.effective["protocol"] = "adaptive";
  const auto adaptive_bullets = guide_document(adaptive, compute_guide(adaptive)).sections.front().bullets;
  EXPECT_NE(adaptive_bullets.at(0).find("raise --max-window or --rounds"), std::string::npos) << adaptive_bullets[0];

  // A row without samples cannot be judged; a tie has no runner-up.
  const std::vector<Row> unjudged = {ok_row("C", "fp32", 64, 10, 5000, 11, 1.1, 100), winner};
  guide = compute_guide(unjudged);
  EXPECT_FALSE(guide.winners.front().lead_beyond_noise);
  EXPECT_NE(guide_document(unjudged, guide).sections.front().bullets.at(0).find(
                "; C CPU FP32 batch 64 has no throughput interval (fewer than 2 timed samples, or "
                "noise as large as the mean), so the lead cannot be judged against the noise."),
            std::string::npos);
  const std::vector<Row> tied = {winner, winner};
  guide = compute_guide(tied);
  EXPECT_FALSE(guide.winners.front().runner_up);
  EXPECT_TRUE(guide_document(tied, guide).sections.front().bullets.empty());
}

TEST(GuideFrontier, RowsBeatenOnBothLatencyAndThroughputAreLeftOut) {
  Row async_row = ok_row("E", "fp32", 64, 10, 520, 400, 1.5, 100);
  async_row.scenario = "async";
  const std::vector<Row> rows = {
      ok_row("A", "fp32", 64, 10, 300, 100, 1.1, 100),  // beaten by G: same throughput, lower P99
      ok_row("B", "fp32", 64, 10, 280, 150, 1.1, 100),  // beaten by A and G
      ok_row("C", "fp32", 64, 10, 500, 200, 1.1, 100),
      ok_row("D", "fp32", 64, 10, 450, 200, 1.1, 100),  // same P99 as C, less throughput
      async_row,                                        // async rows count: 520 at P99 400
      failed_row("F", RowStatus::Failed, "crash"),
      ok_row("G", "fp32", 64, 10, 300, 50, 1.1, 100),
  };
  const Guide guide = compute_guide(rows);
  EXPECT_EQ(guide.latency_frontier, (std::vector<std::size_t>{6, 2, 4}));
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection* section = &section_titled(document, "Latency against throughput");
  EXPECT_EQ(section->paragraphs.at(0).rfind("The 3 of 6 measured rows that no other row beats on both", 0), 0u);
  ASSERT_TRUE(section->table);
  EXPECT_EQ(section->table->rows,
            (std::vector<std::vector<std::string>>{
                {"G CPU FP32 batch 64", "50.000", "300.00", "50.000 to 200.000"},
                {"C CPU FP32 batch 64", "200.000", "500.00", "200.000 to 400.000"},
                {"E CPU FP32 async batch 64", "400.000", "520.00", "400.000 or more"}}));
  EXPECT_EQ(section->bullets,
            std::vector<std::string>{"No row meets a P99 budget below 50.000 ms: a smaller batch, "
                                     "fewer requests in flight or another runtime would have to be "
                                     "measured."});
}

TEST(GuideFrontier, OneRowBestOnBothLeavesNoTradeOffAndOneRowAloneNoSection) {
  const Row a = ok_row("A", "fp32", 64, 10, 300, 100, 1.1, 100);
  const Row b = ok_row("B", "fp32", 64, 10, 300, 100, 1.1, 100);
  EXPECT_EQ(latency_frontier({a, b}), std::vector<std::size_t>{0});  // equal: the first
  EXPECT_EQ(latency_frontier({b, a}), std::vector<std::size_t>{0});
  const std::vector<Row> both = {a, ok_row("C", "fp32", 64, 10, 200, 150, 1.1, 100)};
  const GuideDocument document = guide_document(both, compute_guide(both));
  const GuideSection& section = section_titled(document, "Latency against throughput");
  EXPECT_EQ(section.paragraphs,
            std::vector<std::string>{"A CPU FP32 batch 64 has both the lowest P99 latency (100.000 ms "
                                     "per iteration) and the highest throughput (300.00 inputs/s) of "
                                     "the 2 measured rows: no trade-off between latency and "
                                     "throughput to make here."});
  EXPECT_FALSE(section.table);
  const std::vector<Row> alone = {a};
  for (const GuideSection& s : guide_document(alone, compute_guide(alone)).sections) {
    EXPECT_NE(s.title, "Latency against throughput");
  }
}

TEST(GuideInstances, EachConfigurationAgainstItsFewestInstances) {
  const auto at = [](Row row, int instances, const char* threads) {
    row.instances = instances;
    row.effective["threads"] = threads;
    row.requested["threads"] = instances > 1 ? threads : "default";
    return row;
  };
  const Row one = at(ok_row("A", "int8", 1, 10, 500, 3, 1.1, 80), 1, "2");
  const Row two = at(ok_row("A", "int8", 1, 10, 600, 5, 1.1, 160), 2, "1");
  const Row other_batch = at(ok_row("A", "int8", 64, 10, 450, 300, 1.1, 240), 2, "1");  // alone in its batch
  const Row b_one = at(ok_row("B", "int8", 1, 10, 400, 3, 1.1, 80), 1, "2");
  const Row b_two = at(ok_row("B", "int8", 1, 10, 200, 9, 1.1, 160), 2, "1");
  const std::vector<Row> rows = {two, other_batch, b_one, one, b_two};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.instance_scaling.size(), 2u);
  EXPECT_EQ(guide.instance_scaling[0].rows, (std::vector<std::size_t>{3, 0}));  // fewest instances first
  EXPECT_EQ(guide.instance_scaling[1].rows, (std::vector<std::size_t>{2, 4}));
  EXPECT_DOUBLE_EQ(instance_speedup(rows, guide.instance_scaling[0], 1), 1.2);
  EXPECT_DOUBLE_EQ(instance_speedup(rows, guide.instance_scaling[1], 1), 0.5);
  // Instances are not threads: no thread sweep is seen in these rows.
  EXPECT_TRUE(guide.thread_scaling.empty());
  const GuideDocument document = guide_document(rows, guide);
  const GuideSection& section = section_titled(document, "One process or several");
  ASSERT_TRUE(section.table);
  EXPECT_EQ(section.table->rows.at(0),
            (std::vector<std::string>{"A CPU INT8 batch 1", "1", "2", "500.00", "2.727", "80.0", "1.00x"}));
  EXPECT_EQ(section.table->rows.at(1), (std::vector<std::string>{"A CPU INT8 batch 1, 2 instances, 1 thread",
                                                                  "2", "1", "600.00", "4.545", "160.0", "1.20x"}));
  EXPECT_EQ(section.table->rows.at(3).back(), "0.50x");
}

TEST(GuideWinners, AccuracySkipsTheReferenceAndBreaksCosineTiesOnMaxAbsError) {
  Row reference =
      with_parity(ok_row("PyTorch (Native)", "fp32", 64, 100, 50, 30, 1.5, 900), 1.0, 0);
  const std::vector<Row> rows = {
      reference,
      with_parity(ok_row("OpenVINO", "fp32", 64, 100, 50, 30, 1.5, 900), 0.9999999, 2.0e-6),
      with_parity(ok_row("OpenVINO", "bf16", 64, 100, 50, 30, 1.5, 900), 0.99999996, 1.0e-6),
  };
  ASSERT_TRUE(is_parity_reference(rows[0]));
  ASSERT_FALSE(is_parity_reference(rows[1]));
  const Guide guide = compute_guide(rows);
  // Both cosines print as 1.000000; the lower max abs error wins.
  EXPECT_EQ(winner_of(guide, Criterion::Accuracy).rows, std::vector<std::size_t>{2});
  EXPECT_EQ(winner_of(guide, Criterion::Accuracy).candidates, 2u);
  EXPECT_EQ(guide.reference_rows, std::vector<std::size_t>{0});

  const std::vector<Row> only_reference = {reference};
  EXPECT_EQ(winner_of(compute_guide(only_reference), Criterion::Accuracy).no_winner_reason,
            "only the FP32 reference configuration itself has parity");
}

// --- break-even --------------------------------------------------------------------------------

TEST(GuideBreakEven, MatchesTheHandComputation) {
  // A compiles in 7835.45 ms and serves 400 inputs/s (2.5 ms per input); B compiles in 12.5 ms
  // and serves 62.5 inputs/s (16 ms per input). By hand:
  //   n*      = (7835.45 - 12.5) / (16 - 2.5)  = 7822.95 / 13.5 = 579.4777... inputs
  //   batches = 579.4777... / 64                = 9.054340...
  //   service = 579.4777... * 2.5 ms            = 1.448694... s
  //   even at = 7.83545 s + 1.448694... s       = 9.284144... s (= 0.0125 + 579.4777 * 0.016)
  const std::vector<Row> rows = {ok_row("B", "fp32", 64, 12.5, 62.5, 1100, 1.1, 900),
                                 ok_row("A", "fp32", 64, 7835.45, 400, 180, 1.2, 500)};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.break_even.size(), 1u);
  const BreakEven& pair = guide.break_even[0];
  EXPECT_EQ(pair.slower_start, 1u);
  EXPECT_EQ(pair.faster_start, 0u);
  EXPECT_NEAR(pair.start_up_gap_ms, 7822.95, 1e-9);
  EXPECT_NEAR(pair.ms_per_input_a, 2.5, 1e-12);
  EXPECT_NEAR(pair.ms_per_input_b, 16.0, 1e-12);
  EXPECT_NEAR(pair.inputs, 579.4777777777778, 1e-9);
  ASSERT_TRUE(pair.inferences.has_value());
  EXPECT_NEAR(*pair.inferences, 9.054340277777778, 1e-9);
  EXPECT_NEAR(pair.service_s, 1.4486944444444444, 1e-12);
  EXPECT_NEAR(pair.elapsed_s, 9.284144444444444, 1e-12);
  EXPECT_NEAR(pair.elapsed_s, (12.5 + pair.inputs * 16.0) / 1000.0, 1e-12);

  const GuideDocument document = guide_document(rows, guide);
  const GuideTable& table = *section_titled(document, kBreakEvenTitle).table;
  EXPECT_EQ(
      table.rows.at(0),
      (std::vector<std::string>{"A CPU FP32 batch 64", "B CPU FP32 batch 64", "7822.95", "2.500000",
                                "16.000000", "579.5", "9.1 of batch 64", "1.449", "9.284"}));
}

// Start-up is the time to the first result, compile plus first inference: on the H100
// (results/h100-cuda) the AOTInductor package loaded in 116.55 ms and then spent 2890.86 ms on its
// first inference (kernel loading), which a compile-only start-up hid. Here the first inference
// decides: A compiles in 100 ms and takes 2900 ms to its first result after that (start-up
// 3000 ms); B compiles in 2000 ms, first inference 5 ms (start-up 2005 ms).
TEST(GuideStartUp, CountsTheFirstInference) {
  std::vector<Row> rows = {ok_row("A", "fp16", 64, 100, 34000, 2.1, 1.1, 1000),
                           ok_row("B", "fp16", 64, 2000, 13000, 4.8, 1.0, 1000)};
  rows[0].first_inference_ms = 2900;
  rows[1].first_inference_ms = 5;
  const Guide guide = compute_guide(rows);
  EXPECT_EQ(start_up_ms(rows[0]), 3000.0);
  const Winner& start = winner_of(guide, Criterion::StartUp);
  EXPECT_EQ(start.rows, std::vector<std::size_t>{1});
  EXPECT_DOUBLE_EQ(*start.value, 2005.0);
  // A starts 995 ms later and serves faster (1000/34000 against 1000/13000 ms per input):
  // n* = 995 / (1000/13000 - 1000/34000) = 995 / 0.04751131... = 20942.57... inputs.
  ASSERT_EQ(guide.break_even.size(), 1u);
  EXPECT_EQ(guide.break_even[0].slower_start, 0u);
  EXPECT_NEAR(guide.break_even[0].start_up_gap_ms, 995.0, 1e-9);
  EXPECT_NEAR(guide.break_even[0].inputs, 995.0 / (1000.0 / 13000 - 1000.0 / 34000), 1e-6);
  const GuideDocument document = guide_document(rows, guide);
  const GuideTable& winners = *section_titled(document, "Winners").table;
  const auto start_row = std::find_if(winners.rows.begin(), winners.rows.end(), [](const auto& cells) {
    return cells.at(0) == "start-up (compile + first inference)";
  });
  ASSERT_NE(start_row, winners.rows.end());
  EXPECT_EQ(start_row->at(2), "2005.00 ms (compile 2000.00 + first inference 5.00)");
  // A row without a first inference starts up in its compile time alone.
  rows[1].first_inference_ms.reset();
  EXPECT_EQ(start_up_ms(rows[1]), 2000.0);
  rows[1].compile_ms.reset();
  EXPECT_FALSE(start_up_ms(rows[1]).has_value());
}

TEST(GuideBreakEven, DifferentBatchesCompareInputsOnly) {
  // A: batch 64, 1280 inputs/s (0.78125 ms/input), compile 900 ms. B: batch 1, 200 inputs/s
  // (5 ms/input), compile 100 ms. n* = 800 / 4.21875 = 189.6296... inputs.
  const std::vector<Row> rows = {ok_row("A", "fp32", 64, 900, 1280, 60, 1.1, 900),
                                 ok_row("B", "fp32", 1, 100, 200, 6, 1.1, 900)};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.break_even.size(), 1u);
  EXPECT_NEAR(guide.break_even[0].inputs, 189.62962962962962, 1e-9);
  EXPECT_FALSE(guide.break_even[0].inferences.has_value());
  const GuideDocument document = guide_document(rows, guide);
  EXPECT_EQ(section_titled(document, kBreakEvenTitle).table->rows.at(0).at(6), "n/a (batch 64 vs 1)");
}

TEST(GuideBreakEven, EveryQualifyingPairQuickestFirstAndTheOthersCounted) {
  // Compile 10 / 100 / 1000 ms; throughput 100 / 200 / 150 inputs/s (10, 5, 6.667 ms/input).
  //   (1 over 0): 90 / (10 - 5)          = 18 inputs
  //   (2 over 0): 990 / (10 - 6.6667)    = 297 inputs
  //   (2 over 1): compiles slower and serves slower: never pays off.
  const std::vector<Row> rows = {ok_row("A", "fp32", 1, 10, 100, 1, 1, 1),
                                 ok_row("B", "fp32", 1, 100, 200, 1, 1, 1),
                                 ok_row("C", "fp32", 1, 1000, 150, 1, 1, 1)};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.break_even.size(), 2u);
  EXPECT_EQ(guide.break_even[0].slower_start, 1u);
  EXPECT_EQ(guide.break_even[0].faster_start, 0u);
  EXPECT_NEAR(guide.break_even[0].inputs, 18.0, 1e-9);
  EXPECT_EQ(guide.break_even[1].slower_start, 2u);
  EXPECT_EQ(guide.break_even[1].faster_start, 0u);
  EXPECT_NEAR(guide.break_even[1].inputs, 297.0, 1e-9);
  EXPECT_EQ(guide.never_pays_off, 1u);
  const GuideDocument document = guide_document(rows, guide);
  EXPECT_EQ(section_titled(document, kBreakEvenTitle).bullets,
            std::vector<std::string>{"1 more pair where the slower-to-start row also serves no "
                                     "faster never pays off and is not listed."});
}

TEST(GuideBreakEven, NoPairWithoutATradeOff) {
  // Equal compile times, or the quicker-to-compile row also serving faster: nothing to weigh.
  const std::vector<Row> rows = {ok_row("A", "fp32", 1, 100, 100, 1, 1, 1),
                                 ok_row("B", "fp32", 1, 100, 200, 1, 1, 1),
                                 ok_row("C", "fp32", 1, 50, 300, 1, 1, 1)};
  const Guide guide = compute_guide(rows);
  EXPECT_TRUE(guide.break_even.empty());
  EXPECT_EQ(guide.never_pays_off, 2u);  // A and B each compile slower than C and serve slower
  const GuideDocument document = guide_document(rows, guide);
  EXPECT_EQ(section_titled(document, kBreakEvenTitle).paragraphs.back(),
            "No pair qualifies: in every pair the row that starts up slower also serves no faster, "
            "so the quicker start-up costs nothing here.");
}

TEST(GuideBreakEven, RowsWithoutCompileTimeOrThroughputAreListed) {
  Row no_compile = ok_row("A", "fp32", 1, 100, 100, 1, 1, 1);
  no_compile.compile_ms.reset();
  Row no_throughput = ok_row("B", "fp32", 1, 100, 100, 1, 1, 1);
  no_throughput.throughput.reset();
  const std::vector<Row> rows = {no_compile, no_throughput};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.no_break_even.size(), 2u);
  EXPECT_EQ(guide.no_break_even[0].reason, "no compile time recorded");
  EXPECT_EQ(guide.no_break_even[1].reason, "no measured throughput");
  EXPECT_FALSE(break_even(rows, 0, 1).has_value());
  EXPECT_FALSE(break_even(rows, 1, 0).has_value());
}

// --- the "guide" format ------------------------------------------------------------------------

// --- headroom against the hardware ------------------------------------------------------

Row with_bound(Row row, double utilisation, double fps_bound, int threads) {
  row.macs_per_sample = 300774272;
  row.compute_bound = ComputeBound{.peak_gmacs = 116.8,
                                   .kernel = "AVX-512 FMA (vfmadd231ps zmm)",
                                   .threads = threads,
                                   .achieved_gmacs = 116.8 * utilisation,
                                   .utilisation = utilisation,
                                   .fps_bound = fps_bound};
  return row;
}

TEST(GuideHeadroom, ThePrecisionsRowClosestToItsLimit) {
  const std::vector<Row> rows = {
      with_bound(ok_row("Slow", "fp32", 64, 10, 80, 900, 1.1, 900), 0.20, 388.3, 2),
      with_bound(ok_row("Fast", "fp32", 64, 10, 200, 350, 1.1, 500), 0.52, 388.3, 2),
      // One thread: a smaller share of the cores, and closer to its own limit.
      with_bound(ok_row("OneThread", "fp32", 64, 10, 110, 700, 1.1, 500), 0.57, 194.2, 1),
      with_bound(ok_row("Int8", "int8", 64, 10, 540, 130, 1.1, 200), 0.35, 1543.3, 2),
      // A row without a physical limit (a GPU row) is not compared.
      ok_row("Gpu", "fp16", 64, 10, 20000, 4, 1.1, 900)};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.headroom.size(), 2u);
  EXPECT_EQ(guide.headroom[0].precision, "fp32");
  EXPECT_EQ(guide.headroom[0].best, 2u);
  EXPECT_EQ(guide.headroom[0].candidates, 3u);
  EXPECT_EQ(guide.headroom[1].precision, "int8");
  EXPECT_EQ(guide.headroom[1].best, 3u);
  EXPECT_EQ(guide.headroom[1].candidates, 1u);

  const GuideDocument document = guide_document(rows, guide);
  ASSERT_EQ(document.sections.size(), 5u);  // with Latency against throughput
  const GuideSection& section = section_titled(document, "Headroom against the hardware");
  EXPECT_EQ(section.title, "Headroom against the hardware");
  ASSERT_TRUE(section.table);
  ASSERT_EQ(section.table->rows.size(), 2u);
  EXPECT_EQ(section.table->rows[0],
            (std::vector<std::string>{"FP32", "OneThread CPU FP32 batch 64", "110.00", "194.20", "57.0",
                                      "AVX-512 FMA (vfmadd231ps zmm), 1 thread", "3"}));
  EXPECT_EQ(section.table->rows[1][1], "Int8 CPU INT8 batch 64");
}

TEST(GuideHeadroom, NoSectionWithoutPhysicalLimits) {
  const std::vector<Row> rows = {ok_row("A", "fp32", 64, 10, 80, 900, 1.1, 900)};
  const Guide guide = compute_guide(rows);
  EXPECT_TRUE(guide.headroom.empty());
  for (const GuideSection& section : guide_document(rows, guide).sections) {
    EXPECT_NE(section.title, "Headroom against the hardware");
  }
}

// --- scaling with threads ------------------------------------------------------------------

Row at_threads(Row row, int threads, bool requested = true) {
  row.effective["threads"] = std::to_string(threads);
  row.requested["threads"] = requested ? std::to_string(threads) : std::string("default");
  return row;
}

TEST(GuideThreadScaling, GroupsTheSweepsPointsFewestThreadsFirst) {
  const std::vector<Row> rows = {
      at_threads(ok_row("A", "fp32", 64, 10, 190, 400, 1.1, 500), 2),
      at_threads(ok_row("B", "fp32", 64, 10, 150, 500, 1.1, 500), 1),
      at_threads(ok_row("A", "fp32", 64, 10, 100, 700, 1.1, 500), 1),
      // Another precision is another configuration, and alone at its thread count: no group.
      at_threads(ok_row("A", "int8", 64, 10, 500, 150, 1.1, 500), 1),
      // The framework's default (here 4 threads) is a point of the sweep too.
      at_threads(ok_row("A", "fp32", 64, 10, 300, 250, 1.1, 500), 4, false),
      // A row without a throughput cannot be scaled; B then has one point and no group.
      [] {
        Row row = at_threads(ok_row("B", "fp32", 64, 10, 150, 500, 1.1, 500), 2);
        row.throughput.reset();
        return row;
      }(),
      // Rows with other backend options are another configuration.
      [] {
        Row row = at_threads(ok_row("A", "fp32", 64, 10, 120, 600, 1.1, 500), 2);
        row.requested.emplace("streams", "2");
        return row;
      }()};
  const Guide guide = compute_guide(rows);
  ASSERT_EQ(guide.thread_scaling.size(), 1u);
  const ThreadScaling& scaling = guide.thread_scaling[0];
  EXPECT_EQ(scaling.rows, (std::vector<std::size_t>{2, 0, 4}));
  EXPECT_EQ(scaling.threads, (std::vector<int>{1, 2, 4}));
  EXPECT_DOUBLE_EQ(scaling_speedup(rows, scaling, 0), 1.0);
  EXPECT_DOUBLE_EQ(scaling_speedup(rows, scaling, 1), 1.9);
  EXPECT_DOUBLE_EQ(scaling_efficiency(rows, scaling, 1), 0.95);
  EXPECT_DOUBLE_EQ(scaling_efficiency(rows, scaling, 2), 0.75);

  const GuideDocument document = guide_document(rows, guide);
  auto section = std::find_if(document.sections.begin(), document.sections.end(),
                              [](const GuideSection& s) { return s.title == "Scaling with threads"; });
  ASSERT_NE(section, document.sections.end());
  ASSERT_TRUE(section->table);
  ASSERT_EQ(section->table->rows.size(), 3u);
  EXPECT_EQ(section->table->rows[0],
            (std::vector<std::string>{"A CPU FP32 batch 64, 1 thread", "1", "100.00", "636.364", "1.00x", "100.0"}));
  EXPECT_EQ(section->table->rows[1][0], "A CPU FP32 batch 64, 2 threads");
  EXPECT_EQ(section->table->rows[1][4], "1.90x");
  EXPECT_EQ(section->table->rows[1][5], "95.0");
  EXPECT_EQ(section->table->rows[2][0], "A CPU FP32 batch 64");  // the default: no thread count asked
  EXPECT_EQ(section->table->rows[2][1], "4");
  EXPECT_EQ(section->table->rows[2][5], "75.0");
}

TEST(GuideThreadScaling, NoSectionWithoutASweep) {
  const std::vector<Row> rows = {at_threads(ok_row("A", "fp32", 64, 10, 80, 900, 1.1, 900), 2),
                                 at_threads(ok_row("B", "fp32", 64, 10, 90, 800, 1.1, 900), 1)};
  const Guide guide = compute_guide(rows);
  EXPECT_TRUE(guide.thread_scaling.empty());
  for (const GuideSection& section : guide_document(rows, guide).sections) {
    EXPECT_NE(section.title, "Scaling with threads");
  }
}

// Several models: an "Across models" table, then each model's own guide (its rows compared only
// with each other), its section titles starting with the model.
TEST(GuideModels, EachModelHasItsOwnGuideAfterATableAcrossModels) {
  auto of_model = [](Row row, const std::string& model, std::int64_t params, std::int64_t macs) {
    row.model = model;
    row.params = params;
    row.macs_per_sample = macs;
    return row;
  };
  Row async = ok_row("OV", "int8", 64, 300, 900, 150, 1.1, 400);
  async.scenario = "async";
  const std::vector<Row> rows = {
      of_model(ok_row("PT", "fp32", 64, 10, 80, 900, 1.2, 900), "mobilenet_v2", 3504872, 300774272),
      of_model(ok_row("PT", "fp32", 64, 10, 20, 3500, 1.2, 1200), "resnet50", 25557032, 4089184256),
      of_model(ok_row("OV", "fp32", 64, 150, 170, 400, 1.1, 500), "mobilenet_v2", 3504872, 300774272),
      of_model(async, "mobilenet_v2", 3504872, 300774272),
      of_model(failed_row("LiteRT", RowStatus::Unavailable, "not built"), "resnet50", 0, 0)};
  const GuideDocument document = run_guide_document(rows, compute_guide(rows));
  EXPECT_NE(document.intro.find("5 rows of 2 models (4 ok, 1 failed or unavailable)"), std::string::npos)
      << document.intro;
  ASSERT_FALSE(document.sections.empty());
  const GuideSection& across = document.sections.front();
  EXPECT_EQ(across.title, "Across models");
  ASSERT_TRUE(across.table);
  ASSERT_EQ(across.table->rows.size(), 2u);
  // The fastest row overall (async INT8), the fastest FP32 row and the lowest sync P99 differ.
  EXPECT_EQ(across.table->rows[0],
            (std::vector<std::string>{"mobilenet_v2", "3504872", "300.8", "OV CPU INT8 async batch 64",
                                      "900.00", "OV CPU FP32 batch 64", "170.00", "OV CPU FP32 batch 64",
                                      "400.000", "3 of 3"}));
  EXPECT_EQ(across.table->rows[1],
            (std::vector<std::string>{"resnet50", "25557032", "4089.2", "PT CPU FP32 batch 64", "20.00",
                                      "PT CPU FP32 batch 64", "20.00", "PT CPU FP32 batch 64",
                                      "3500.000", "1 of 2"}));
  // Each model's winners come from its own rows only.
  const GuideSection& winners = section_titled(document, "resnet50: Winners");
  EXPECT_EQ(winners.paragraphs.front(), "The 2 rows of resnet50 (1 ok, 1 failed or unavailable).");
  ASSERT_TRUE(winners.table);
  EXPECT_EQ(winners.table->rows[0][1], "PT CPU FP32 batch 64");
  EXPECT_EQ(section_titled(document, "mobilenet_v2: Winners").table->rows[0][1], "OV CPU INT8 async batch 64");
  EXPECT_EQ(section_titled(document, "resnet50: Rows left out").bullets.size(), 1u);
  // One model: the guide as before, no table across models.
  const std::vector<Row> one(rows.begin(), rows.begin() + 1);
  EXPECT_EQ(run_guide_document(one, compute_guide(one)).sections.front().title, "Winners");
}

// --- several hosts (a fleet run, docs/fleet.md) --------------------------------------------------

Row on_host(Row row, std::string host, bool lost = false) {
  row.host = RowHost{std::move(host), nlohmann::json::object(), lost};
  return row;
}

TEST(GuideHosts, EnergyWinnersOfDifferentSourcesAreNotRankedAcrossHosts) {
  // Host a's winner reads a GPU board (NVML), host b's CPU packages (RAPL): not one scale.
  const auto metered = [](Row row, const char* source, double per_joule) {
    Energy energy;
    energy.source = source;
    energy.energy_j = 64 / per_joule;
    energy.samples = 64;
    energy.samples_per_joule = per_joule;
    row.energy = energy;
    return row;
  };
  std::vector<Row> rows = {on_host(metered(ok_row("PT", "fp16", 64, 10, 800, 5, 1.1, 900), "nvml", 90), "a"),
                           on_host(metered(ok_row("OV", "int8", 64, 10, 400, 20, 1.1, 400), "rapl", 30), "b")};
  const auto energy_line = [](const std::vector<Row>& rows) {
    const GuideDocument document = run_guide_document(rows, compute_guide(rows));
    for (const std::string& bullet : document.sections.front().bullets) {
      if (bullet.starts_with("Energy")) return bullet;
    }
    return std::string();
  };
  EXPECT_EQ(energy_line(rows),
            "Energy across hosts: not ranked, the hosts' winners measure different devices (GPU board (NVML) and CPU "
            "packages and DRAM (RAPL)); each host's winner is in the table.");
  // One source on both hosts: ranked as any other goal.
  rows[0].energy->source = "rapl";
  EXPECT_TRUE(energy_line(rows).starts_with("Energy (most inferences per joule) across hosts: a ")) << energy_line(rows);
}

// Two hosts: the goals across hosts first (each host's winner of every criterion, the hosts ranked
// per criterion and per precision, the lost host), then each host's own guide.
TEST(GuideHosts, EachHostHasItsOwnGuideAfterTheGoalsAcrossHosts) {
  Row lost = failed_row("PT", RowStatus::Failed, "worker stopped answering");
  lost.model = "mobilenet_v2";
  const std::vector<Row> rows = {
      on_host(ok_row("OV", "fp32", 64, 150, 170, 400, 1.1, 500), "a"),
      on_host(ok_row("PT", "fp32", 64, 10, 80, 900, 1.2, 900), "a"),
      on_host(ok_row("OV", "int8", 64, 300, 500, 150, 1.1, 400), "a"),
      on_host(ok_row("OV", "fp32", 64, 100, 340, 200, 1.1, 500), "b"),
      on_host(ok_row("PT", "fp32", 64, 20, 80, 900, 1.2, 900), "b"),
      on_host(lost, "b", /*lost=*/true),
      failed_row("LiteRT", RowStatus::Unavailable, "no host has the plugin")};
  const GuideDocument document = run_guide_document(rows, compute_guide(rows));
  EXPECT_EQ(document.intro,
            "Computed from this run's 7 rows on 2 hosts, a and b (5 ok, 2 failed or unavailable); every number is a "
            "field of results.json or arithmetic on those fields (docs/metrics.md, \"The guide\").");
  ASSERT_FALSE(document.sections.empty());
  const GuideSection& across = document.sections.front();
  EXPECT_EQ(across.title, "Across hosts");
  ASSERT_TRUE(across.table);
  // One line per criterion and host, the hosts side by side under each criterion; energy left out,
  // since no row has an energy number.
  ASSERT_EQ(across.table->rows.size(), (all_criteria().size() - 1) * 2);
  EXPECT_EQ(across.table->rows[0],
            (std::vector<std::string>{"peak throughput", "a", "OV CPU INT8 batch 64", "500.00 inputs/s", "3"}));
  EXPECT_EQ(across.table->rows[1],
            (std::vector<std::string>{"peak throughput", "b", "OV CPU FP32 batch 64", "340.00 inputs/s", "2"}));
  EXPECT_EQ(across.table->rows[10][2], "none: no ok row was compared with the FP32 reference");
  const std::vector<std::string> expected = {
      "Peak throughput across hosts: a (OV CPU INT8 batch 64, 500.00 inputs/s), then b (OV CPU FP32 batch 64, "
      "340.00 inputs/s).",
      "Tail latency across hosts: a (OV CPU INT8 batch 64, P99 150.000 ms), then b (OV CPU FP32 batch 64, P99 "
      "200.000 ms).",
      // Equal at the printed precision: a tie, between hosts as within one.
      "Stability across hosts: a (tie: OV CPU FP32 batch 64; OV CPU INT8 batch 64, P99/P50 1.100), tied with b "
      "(OV CPU FP32 batch 64, P99/P50 1.100).",
      "Start-up (compile + first inference) across hosts: a (PT CPU FP32 batch 64, 10.00 ms), then b (PT CPU FP32 "
      "batch 64, 20.00 ms).",
      "Memory across hosts: a (OV CPU INT8 batch 64, 400.0 MB peak RSS), then b (OV CPU FP32 batch 64, 500.0 MB "
      "peak RSS).",
      // No accuracy line: neither host has a winner there.
      "Fastest host for FP32 mobilenet_v2: b (OV CPU FP32 batch 64, 340.00 inputs/s), then a (OV CPU FP32 batch "
      "64, 170.00 inputs/s).",
      "Fastest host for INT8 mobilenet_v2: a (OV CPU INT8 batch 64, 500.00 inputs/s), the only host with an ok "
      "INT8 mobilenet_v2 row that measured its throughput.",
      "Host b was lost: 1 of its 3 rows measured nothing (host b's Rows left out lists it), so the lines above are "
      "without it; `run --resume` measures it again.",
  };
  EXPECT_EQ(across.bullets, expected);

  // Each host's guide compares its own rows only.
  const GuideSection& winners_a = section_titled(document, "host a: Winners");
  EXPECT_EQ(winners_a.paragraphs.front(), "The 3 rows measured on host a (3 ok, 0 failed or unavailable).");
  EXPECT_EQ(winners_a.table->rows[0][1], "OV CPU INT8 batch 64");
  EXPECT_EQ(section_titled(document, "host b: Winners").table->rows[0][1], "OV CPU FP32 batch 64");
  section_titled(document, "host a: " + std::string(kBreakEvenTitle));
  // The lost host is named in its failure, though the error does not name it.
  EXPECT_EQ(section_titled(document, "host b: Rows left out").bullets,
            (std::vector<std::string>{"PT CUDA GPU FP16 batch 64 — failed: host b lost: worker stopped answering"}));
  // A row the run placed on no host is listed, not dropped.
  EXPECT_EQ(section_titled(document, "Rows on no host").bullets,
            (std::vector<std::string>{"LiteRT CUDA GPU FP16 batch 64 — unavailable: no host has the plugin"}));
  EXPECT_TRUE(std::none_of(document.sections.begin(), document.sections.end(),
                           [](const GuideSection& section) { return section.title == "Winners"; }));
}

// A fleet run on one host reads as the run of one machine it is: the same guide, word for word.
TEST(GuideHosts, OneHostIsTheGuideOfARunOnOneMachine) {
  const std::vector<Row> plain = {ok_row("OV", "fp32", 64, 150, 170, 400, 1.1, 500),
                                  ok_row("PT", "fp32", 64, 10, 80, 900, 1.2, 900),
                                  failed_row("T", RowStatus::Failed, "crash")};
  std::vector<Row> hosted;
  for (const Row& row : plain) hosted.push_back(on_host(row, "a"));
  const GuideDocument want = run_guide_document(plain, compute_guide(plain));
  const GuideDocument got = run_guide_document(hosted, compute_guide(hosted));
  EXPECT_EQ(got.intro, want.intro);
  ASSERT_EQ(got.sections.size(), want.sections.size());
  for (std::size_t i = 0; i < want.sections.size(); ++i) {
    EXPECT_EQ(got.sections[i].title, want.sections[i].title);
    EXPECT_EQ(got.sections[i].paragraphs, want.sections[i].paragraphs);
    EXPECT_EQ(got.sections[i].bullets, want.sections[i].bullets);
    ASSERT_EQ(got.sections[i].table.has_value(), want.sections[i].table.has_value());
    if (want.sections[i].table) {
      EXPECT_EQ(got.sections[i].table->rows, want.sections[i].table->rows);
    }
  }
}

// Several models on several hosts: the goals across hosts per model, then each host's guide with its
// own models' table.
TEST(GuideHosts, SeveralModelsOnSeveralHostsGoAcrossHostsModelByModel) {
  auto of = [](Row row, std::string model, std::string host) {
    row.model = std::move(model);
    return on_host(std::move(row), std::move(host));
  };
  const std::vector<Row> rows = {of(ok_row("OV", "fp32", 64, 150, 170, 400, 1.1, 500), "mobilenet_v2", "a"),
                                 of(ok_row("OV", "fp32", 64, 150, 20, 4000, 1.1, 900), "resnet50", "a"),
                                 of(ok_row("OV", "fp32", 64, 150, 340, 200, 1.1, 500), "mobilenet_v2", "b"),
                                 of(ok_row("OV", "fp32", 64, 150, 40, 2000, 1.1, 900), "resnet50", "b")};
  const GuideDocument document = run_guide_document(rows, compute_guide(rows));
  EXPECT_NE(document.intro.find("4 rows of 2 models on 2 hosts, a and b"), std::string::npos) << document.intro;
  ASSERT_GE(document.sections.size(), 3u);
  EXPECT_EQ(document.sections[0].title, "mobilenet_v2: Across hosts");
  EXPECT_EQ(document.sections[1].title, "resnet50: Across hosts");
  EXPECT_EQ(document.sections[1].bullets.front(),
            "Peak throughput across hosts: b (OV CPU FP32 batch 64, 40.00 inputs/s), then a (OV CPU FP32 batch 64, "
            "20.00 inputs/s).");
  EXPECT_EQ(document.sections[2].title, "host a: Across models");
  section_titled(document, "host b: resnet50: Winners");
}

// Rows measured in rounds (--rounds): the lead is also judged round by round.
TEST(GuideThroughputInterval, TheLeadIsAlsoJudgedRoundByRound) {
  Row fast = ok_row("A", "int8", 64, 10, 110, 600, 1.1, 500);
  Row slow = ok_row("B", "int8", 64, 10, 100, 650, 1.1, 500);
  fast.round_throughput = {120, 95, 115};
  slow.round_throughput = {100, 100, 100};
  // The intervals come from the rounds: 110 ± 4.303 × 13.229 / √3 (t for 2 degrees of freedom,
  // the sample standard deviation of 120, 95, 115); rounds that agree have no width.
  const auto interval = throughput_interval(fast);
  ASSERT_TRUE(interval);
  EXPECT_NEAR(interval->lo, 110 - 4.303 * std::sqrt(175.0) / std::sqrt(3.0), 1e-9);
  EXPECT_NEAR(interval->hi, 110 + 4.303 * std::sqrt(175.0) / std::sqrt(3.0), 1e-9);
  EXPECT_DOUBLE_EQ(throughput_interval(slow)->lo, 100);
  EXPECT_DOUBLE_EQ(throughput_interval(slow)->hi, 100);
  const Guide guide = compute_guide({fast, slow});
  const Winner& winner = guide.winners.front();
  EXPECT_FALSE(*winner.lead_beyond_noise);  // 77.1–142.9 holds 100
  ASSERT_TRUE(winner.rounds_won);
  EXPECT_EQ(*winner.rounds_won, 2);
  EXPECT_EQ(winner.rounds_compared, 3);
  const GuideDocument document = guide_document({fast, slow}, guide);
  const std::string& lead = section_titled(document, "Winners").bullets.front();
  EXPECT_NE(lead.find("(from the spread of each row's round throughputs), overlap"), std::string::npos) << lead;
  EXPECT_NE(lead.find("Round by round (--rounds 3, every cell measured in each), A CPU INT8 batch 64 was "
                      "faster in 2 of 3: the lead did not hold in every round"),
            std::string::npos)
      << lead;
  fast.round_throughput = {120, 105, 115};
  const Guide held = compute_guide({fast, slow});
  EXPECT_EQ(*held.winners.front().rounds_won, 3);
  EXPECT_NE(section_titled(guide_document({fast, slow}, held), "Winners").bullets.front().find(
                "faster in 3 of 3: the lead held in every round"),
            std::string::npos);
  // Rows measured once: nothing to say round by round.
  slow.round_throughput.clear();
  EXPECT_FALSE(compute_guide({fast, slow}).winners.front().rounds_won);
}

// After --rounds: each row's rank in every round, and the rows each one beat in every round.
TEST(GuideRounds, RanksInEveryRoundAndWhatHeldInAll) {
  Row a = ok_row("A", "int8", 64, 10, 580, 600, 1.1, 500);
  Row b = ok_row("B", "int8", 64, 10, 551, 650, 1.1, 500);
  Row c = ok_row("C", "int8", 64, 10, 480, 700, 1.1, 500);
  a.round_throughput = {577, 628, 555};
  b.round_throughput = {549, 528, 604};
  c.round_throughput = {466, 528, 481};
  const Row failed = failed_row("D", RowStatus::Failed, "crash");
  const std::vector<Row> rows = {c, failed, a, b};
  const std::vector<RoundRanks> ranks = round_ranks(rows);
  ASSERT_EQ(ranks.size(), 3u);  // the failed row is not ranked
  EXPECT_EQ(ranks[0].row, 2u);  // highest throughput first
  EXPECT_EQ(ranks[0].ranks, (std::vector<int>{1, 1, 2}));
  EXPECT_EQ(ranks[1].ranks, (std::vector<int>{2, 2, 1}));  // round 2: B and C tie at 528
  EXPECT_EQ(ranks[2].ranks, (std::vector<int>{3, 2, 3}));
  const GuideDocument document = guide_document(rows, compute_guide(rows));
  const GuideSection& section = section_titled(document, "Round by round");
  ASSERT_TRUE(section.table);
  EXPECT_EQ(section.table->rows[0],
            (std::vector<std::string>{"A CPU INT8 batch 64", "580.00", "1, 1, 2", "1", "2"}));
  EXPECT_EQ(section.bullets, (std::vector<std::string>{
                                 "A CPU INT8 batch 64 beat in every round: C CPU INT8 batch 64.",
                                 "0 of 3 rows kept their rank in every round."}));
  // Rows measured once: no such section.
  EXPECT_TRUE(round_ranks({ok_row("A", "int8", 64, 10, 580, 600, 1.1, 500), c}).empty());
}

// A run that ended before its last rounds (interrupted): rows measured in rounds compare over the
// rounds every one of them has, and the guide says so; a row measured once is not ranked.
TEST(GuideRounds, ARunThatEndedEarlyComparesTheRoundsEveryRowHas) {
  Row a = ok_row("A", "int8", 64, 10, 580, 600, 1.1, 500);
  Row b = ok_row("B", "int8", 64, 10, 551, 650, 1.1, 500);
  Row c = ok_row("C", "int8", 64, 10, 480, 700, 1.1, 500);
  a.round_throughput = {577, 628, 555};
  b.round_throughput = {549, 630};
  c.round_throughput = {466};
  const std::vector<Row> rows = {a, b, c};
  const std::vector<RoundRanks> ranks = round_ranks(rows);
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_EQ(ranks[0].ranks, (std::vector<int>{1, 2}));
  EXPECT_EQ(ranks[1].ranks, (std::vector<int>{2, 1}));
  const Guide guide = compute_guide(rows);
  const Winner& winner = guide.winners.front();
  ASSERT_TRUE(winner.rounds_won);
  EXPECT_EQ(*winner.rounds_won, 1);
  EXPECT_EQ(winner.rounds_compared, 2);
  const GuideDocument document = guide_document(rows, guide);
  EXPECT_NE(section_titled(document, "Winners").bullets.front().find(
                "Round by round (the first 2, which both rows were measured in before the run ended), A CPU "
                "INT8 batch 64 was faster in 1 of 2"),
            std::string::npos)
      << section_titled(document, "Winners").bullets.front();
  EXPECT_NE(section_titled(document, "Round by round").paragraphs.front().find(
                "The run ended before every cell's last round; these rows were all measured in the first 2 rounds"),
            std::string::npos)
      << section_titled(document, "Round by round").paragraphs.front();
}

// The Winners section says what the accuracy loss was measured on, and what that allows.
TEST(GuideWinners, TheAccuracyLossSaysWhatItWasMeasuredOn) {
  Row fp32 = ok_row("A", "fp32", 64, 10, 100, 600, 1.1, 500);
  Row int8 = ok_row("B", "int8", 64, 10, 300, 200, 1.1, 500);
  fp32.parity = Parity{0, 1.0, 1.0, "PyTorch (Native) CPU FP32", std::nullopt};
  int8.parity = Parity{0.01, 0.9999, 1.0, "PyTorch (Native) CPU FP32", std::nullopt};
  int8.effective["calibration"] = "synthetic: standard-normal float32 images; 300 samples, seed 1; nncf.quantize";
  const auto bullets = [](const std::vector<Row>& rows) {
    return section_titled(guide_document(rows, compute_guide(rows)), "Winners").bullets;
  };
  const auto has = [](const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  auto lines = bullets({fp32, int8});
  EXPECT_TRUE(has(lines, "Accuracy loss: measured on seeded random input, which tells whether a row computes the same "
                         "function as the FP32 reference, not how often it gives your model's answer. The INT8 rows were "
                         "calibrated on a seeded synthetic set (each row's effective.calibration). For that, rerun with"));
  fp32.requested["input"] = int8.requested["input"] = "/data/val";
  int8.effective["calibration"] = "user data (images; ...); 500 samples, sha256 ab; nncf.quantize";
  lines = bullets({fp32, int8});
  EXPECT_TRUE(has(lines, "Accuracy loss: measured on your data, /data/val (--input): top-1 agreement is how often each "
                         "row gave the FP32 model's answer on it"));
  EXPECT_TRUE(has(lines, "The INT8 rows were calibrated on your data (--calibration)"));
  // FP32 rows only: nothing to say.
  EXPECT_FALSE(has(bullets({fp32}), "Accuracy loss"));

  // The parity pass's count, and with labels the reference's accuracy and the largest fall.
  fp32.parity->samples = int8.parity->samples = 1000;
  fp32.accuracy = LabelAccuracy{1000, 0.718, 0.905, 0.718, 0.905};
  int8.accuracy = LabelAccuracy{1000, 0.7105, 0.9, 0.718, 0.905};
  lines = bullets({fp32, int8});
  EXPECT_TRUE(has(lines, "measured on your data, /data/val (--input, 1000 samples, each run once by every row)"));
  EXPECT_TRUE(has(lines, "Against your labels, the FP32 reference is right on 71.80% of them; the largest fall in "
                         "top-1 accuracy is B CPU INT8 batch 64 at 71.05% (-0.75 points;"));
  const std::vector<Row> rows = {fp32, int8};
  const GuideSection winners = section_titled(guide_document(rows, compute_guide(rows)), "Winners");
  ASSERT_TRUE(winners.table);
  EXPECT_TRUE(std::any_of(winners.table->rows.begin(), winners.table->rows.end(), [](const auto& cells) {
    return cells[2].find(", top-1 accuracy 71.80% (FP32 71.80%)") != std::string::npos;  // A, cosine 1.0
  }));
  int8.accuracy->top1 = 0.72;  // better than the reference: no fall to name
  EXPECT_TRUE(has(bullets({fp32, int8}), "and no row is right less often"));

  // Rows with no reference (a user's artefact files) are named with their own accuracy.
  Row own_a = ok_row("C", "int8", 64, 10, 300, 200, 1.1, 500), own_b = ok_row("D", "int8", 64, 10, 300, 200, 1.1, 500);
  own_a.accuracy = LabelAccuracy{539, 0.98, std::nullopt, std::nullopt, std::nullopt};
  own_b.accuracy = LabelAccuracy{539, 0.99, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_TRUE(has(bullets({own_a, own_b}), "Top-1 accuracy against your labels of the rows with no FP32 reference to "
                                           "compare with (your own artefact files): D CPU INT8 batch 64 99.00% of 539; "
                                           "C CPU INT8 batch 64 98.00% of 539."));
  EXPECT_FALSE(has(bullets({fp32, int8}), "no FP32 reference to compare with"));
}

// With labels: the rows no other beats on both throughput and accuracy, fastest first.
TEST(GuideAccuracyFrontier, FastestFirstEachNextMoreAccurate) {
  Row fp32 = ok_row("A", "fp32", 64, 10, 100, 600, 1.1, 500);
  Row bf16 = ok_row("B", "bf16", 64, 10, 200, 300, 1.1, 500);
  Row int8 = ok_row("C", "int8", 64, 10, 400, 150, 1.1, 500);
  Row worse = ok_row("D", "int8", 64, 10, 300, 180, 1.1, 500);  // slower than C and no more accurate
  Row unscored = ok_row("E", "int8", 64, 10, 900, 50, 1.1, 500);
  fp32.accuracy = LabelAccuracy{539, 0.9944, 1.0, 0.9944, 1.0};
  bf16.accuracy = LabelAccuracy{539, 0.9944, 1.0, 0.9944, 1.0};
  int8.accuracy = LabelAccuracy{539, 0.9907, 1.0, 0.9944, 1.0};
  worse.accuracy = LabelAccuracy{539, 0.9907, 1.0, 0.9944, 1.0};
  const std::vector<Row> rows = {fp32, bf16, int8, worse, unscored};
  EXPECT_EQ(accuracy_frontier(rows), (std::vector<std::size_t>{2, 1}));  // C, then B (A: slower, no better)
  const GuideDocument document = guide_document(rows, compute_guide(rows));
  const GuideSection& section = section_titled(document, "Accuracy against throughput");
  ASSERT_TRUE(section.table);
  ASSERT_EQ(section.table->rows.size(), 2u);
  EXPECT_EQ(section.table->rows[0], (std::vector<std::string>{"C CPU INT8 batch 64", "400.00", "99.07", "-0.37"}));
  EXPECT_EQ(section.table->rows[1], (std::vector<std::string>{"B CPU BF16 batch 64", "200.00", "99.44", "+0.00"}));
  EXPECT_NE(section.paragraphs.front().find("a difference of one sample is 0.19 points"), std::string::npos);
  // Without labels there is no such section.
  const std::vector<Row> plain = {ok_row("A", "fp32", 64, 10, 100, 600, 1.1, 500)};
  const GuideDocument none = guide_document(plain, compute_guide(plain));
  EXPECT_TRUE(std::none_of(none.sections.begin(), none.sections.end(),
                           [](const GuideSection& s) { return s.title == "Accuracy against throughput"; }));
}

TEST(GuideReporter, WritesTheGuideAsMarkdown) {
  RunResult run;
  run.run.id = "run-1";
  run.run.host = "bench-01";
  run.run.started_at = "2026-11-26T13:05:01Z";
  run.rows = {ok_row("B", "fp32", 64, 12.5, 62.5, 1100, 1.1, 900),
              ok_row("A", "fp32", 64, 7835.45, 400, 180, 1.2, 500),
              failed_row("T|RT", RowStatus::Failed, "crash")};
  std::ostringstream out;
  auto reporter = make_reporter("guide", out);
  ASSERT_TRUE(reporter.is_ok());
  report_run(**reporter, run);
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 34u) << out.str();
  EXPECT_EQ(lines[0], "## inferbench deployment guide: run run-1");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(
      lines[2],
      "Host: bench-01, started 2026-11-26T13:05:01Z. Computed from this run's 3 rows (2 ok, 1 "
      "failed or unavailable); every number is a field of results.json or arithmetic on "
      "those fields (docs/metrics.md, \"The guide\").");
  EXPECT_EQ(lines[4], "### Winners");
  EXPECT_EQ(lines[8], "| Criterion | Winner | Value | Rows compared | Decided by |");
  EXPECT_EQ(lines[9], "|---|---|---:|---:|---|");
  EXPECT_EQ(
      lines[10].rfind("| peak throughput | A CPU FP32 batch 64 | 400.00 inputs/s | 2 | highest", 0),
      0u)
      << lines[10];
  EXPECT_EQ(
      lines[13].rfind("| start-up (compile + first inference) | B CPU FP32 batch 64 | compile 12.50 ms | 2 |", 0), 0u)
      << lines[13];
  EXPECT_EQ(
      lines[15].rfind(
          "| accuracy loss | none: no ok row was compared with the FP32 reference | n/a | 0 |", 0),
      0u)
      << lines[15];
  EXPECT_EQ(lines[17],
            "- Peak throughput: A CPU FP32 batch 64 leads B CPU FP32 batch 64 by 540.0% (400.00 vs "
            "62.50 inputs/s); A CPU FP32 batch 64 has no throughput interval (fewer than 2 timed "
            "samples, or noise as large as the mean), so the lead cannot be judged against the "
            "noise.");
  EXPECT_EQ(lines[19], "### Latency against throughput");
  EXPECT_EQ(lines[21].rfind("A CPU FP32 batch 64 has both the lowest P99 latency (180.000 ms", 0), 0u) << lines[21];
  EXPECT_EQ(lines[23], "### Break-even: when a slower start-up pays for itself");
  EXPECT_EQ(lines[27],
            "| A: slower start-up, faster service | B: faster start-up | Start-up gap (ms) | t A "
            "(ms/input) | t B (ms/input) | Break-even n* (inputs) | Inferences | A's service (s) "
            "| Even at (s from start) |");
  EXPECT_EQ(
      lines[29],
      "| A CPU FP32 batch 64 | B CPU FP32 batch 64 | 7822.95 | 2.500000 | 16.000000 | 579.5 | "
      "9.1 of batch 64 | 1.449 | 9.284 |");
  EXPECT_EQ(lines[31], "### Rows left out");
  // A bullet is not a table cell: its pipe needs no escape.
  EXPECT_EQ(lines[33], "- T|RT CUDA GPU FP16 batch 64 — failed: crash");
}

// A row with a profile of these categories (id, ms per inference).
Row profiled(Row row, std::vector<std::pair<std::string, double>> categories) {
  Profile profile;
  profile.available = true;
  double total = 0;
  for (const auto& [id, ms] : categories) total += ms;
  for (const auto& [id, ms] : categories) profile.categories.push_back({id, ms, ms / total, 1});
  profile.op_ms = total;
  row.profile = profile;
  return row;
}

TEST(GuideProfile, EachRowAgainstTheFastestOfItsPrecisionInItsWidestCategory) {
  const std::vector<Row> rows = {
      profiled(ok_row("Fast", "fp32", 4, 10, 400, 12, 1.1, 100),
               {{"pointwise_convolution", 4}, {"depthwise_convolution", 2}, {"activation", 0}}),
      profiled(ok_row("Slow", "fp32", 4, 10, 100, 50, 1.1, 100),
               {{"pointwise_convolution", 6}, {"depthwise_convolution", 8}, {"activation", 2}}),
      profiled(ok_row("Twin", "fp32", 4, 10, 300, 14, 1.1, 100), {{"pointwise_convolution", 4.1}, {"depthwise_convolution", 2}}),
      // Another precision has its own fastest row: INT8 is never set against FP32.
      profiled(ok_row("Quantized", "int8", 4, 10, 900, 5, 1.1, 100), {{"pointwise_convolution", 1}, {"quantize", 0.2}}),
      // No weight shapes: every convolution in one category, so convolutions are compared as one.
      profiled(ok_row("Unsplit", "fp32", 4, 10, 50, 90, 1.1, 100), {{"convolution", 12}, {"activation", 1}}),
      // More depthwise time than its whole extra time: it spends less on the 1x1 convolutions.
      profiled(ok_row("Lopsided", "fp32", 4, 10, 40, 95, 1.1, 100), {{"pointwise_convolution", 2}, {"depthwise_convolution", 6}}),
  };
  const GuideDocument document = guide_document(rows, compute_guide(rows));
  const GuideSection& section = section_titled(document, "Where the time goes");
  ASSERT_EQ(section.bullets.size(), 6u);
  // The precisions in the order of their fastest rows; each fastest row first, then the others
  // fastest first.
  EXPECT_EQ(section.bullets[0].rfind("Fastest INT8 row: Quantized CPU INT8 batch 4", 0), 0u) << section.bullets[0];
  EXPECT_EQ(section.bullets[1].rfind("Fastest FP32 row: Fast CPU FP32 batch 4, its operator time per input (1.500 ms)", 0), 0u)
      << section.bullets[1];
  EXPECT_NE(section.bullets[2].find("Twin CPU FP32 batch 4's operators take about the time per input"), std::string::npos)
      << section.bullets[2];
  // Slow: depthwise 8 against 2 per inference (2.000 against 0.500 per input), 1.5 of the 2.5 more.
  EXPECT_EQ(section.bullets[3],
            "Slow CPU FP32 batch 4 spends 4.0x Fast CPU FP32 batch 4's time in depthwise convolution (2.000 against "
            "0.500 ms per input), 60% of the 2.500 ms more operator time it spends per input.");
  EXPECT_NE(section.bullets[4].find("convolution (every kind) (3.000 against 1.500 ms per input), 86% of the 1.750 ms"),
            std::string::npos)
      << section.bullets[4];
  EXPECT_NE(section.bullets[4].find("Unsplit CPU FP32 batch 4 does not tell their kinds apart"), std::string::npos)
      << section.bullets[4];
  EXPECT_NE(section.bullets[5].find("depthwise convolution (1.500 against 0.500 ms per input), more than the 0.500 ms more "
                                    "operator time it spends per input in all (it spends less elsewhere)"),
            std::string::npos)
      << section.bullets[5];
}

TEST(GuideProfile, NoSectionWithoutProfiles) {
  const std::vector<Row> rows = {ok_row("A", "fp32", 4, 10, 400, 12, 1.1, 100)};
  EXPECT_THROW(section_titled(guide_document(rows, compute_guide(rows)), "Where the time goes"), std::runtime_error);
}

}  // namespace
}  // namespace inferbench::report
