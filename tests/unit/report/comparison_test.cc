// SPDX-License-Identifier: Apache-2.0
// Two runs side by side: matching by configuration, relative changes, the confidence-interval
// verdict, rows found in one run only, and the text and Markdown layouts line by line.
#include "report/comparison.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/report/sample_run.h"

namespace inferbench::report {
namespace {

Row measured(std::string backend, int batch, double p50, double lo, double hi, double throughput) {
  Row row;
  row.framework = backend == "openvino" ? "OpenVINO" : "PyTorch (Native)";
  row.backend = std::move(backend);
  row.device = "cpu";
  row.device_label = "CPU";
  row.precision = "fp32";
  row.model = "mobilenet_v2";
  row.batch = batch;
  row.scenario = "sync";
  row.status = RowStatus::Ok;
  row.latency_ms = LatencySummary{.p50 = p50};
  row.p50_ci_ms = QuantileInterval{.lo = lo, .hi = hi, .confidence = 0.95, .effective_samples = std::nullopt};
  row.throughput = throughput;
  return row;
}

RunResult run_of(std::string id, std::vector<Row> rows) {
  RunResult run;
  run.run.id = std::move(id);
  run.run.host = "h";
  run.run.started_at = "2026-11-26T13:05:01Z";
  run.rows = std::move(rows);
  return run;
}

using sample_run::lines_of;

// A server row that failed has no serving block; it is matched with its partner by the bound its
// cell asked for (it read as a configuration of its own, in both "Only in" lists).
TEST(Comparison, AFailedServerRowMatchesItsPartnerByTheBoundAskedFor) {
  const RunResult base = sample_run::with_serving();
  RunResult head = sample_run::with_serving();
  Row& failed = head.rows[0];
  ASSERT_EQ(failed.scenario, "server");
  failed.status = RowStatus::Failed;
  failed.serving.reset();
  failed.requested["latency_bound_ms"] = "100";
  failed.requested["latency_percentile"] = "99";
  RunComparison comparison = compare_runs(base, head);
  EXPECT_EQ(comparison.matched.size(), 3u);
  EXPECT_TRUE(comparison.only_base.empty());
  EXPECT_TRUE(comparison.only_head.empty());
  failed.requested["latency_bound_ms"] = "50";  // another bound: another configuration
  comparison = compare_runs(base, head);
  EXPECT_EQ(comparison.matched.size(), 2u);
  EXPECT_EQ(comparison.only_base.size(), 1u);
}

// Runs of several models: every row is named with its model (three rows read
// "PyTorch (Native) CPU FP32 batch 1" with three different P50s).
TEST(Comparison, RowsOfSeveralModelsAreNamedWithTheirModel) {
  Row small = measured("torch", 1, 6.8, 6.7, 6.9, 147);
  Row large = small;
  large.model = "resnet50";
  *large.latency_ms = LatencySummary{.p50 = 62.7};
  const RunResult base = run_of("a", {small, large});
  const RunResult head = run_of("b", {small, large});
  std::ostringstream text;
  write_comparison(text, base, head, compare_runs(base, head), false);
  EXPECT_NE(text.str().find("mobilenet_v2"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("resnet50"), std::string::npos) << text.str();
  // One model in both runs: named as before, without it.
  const RunResult one = run_of("c", {small});
  std::ostringstream plain;
  write_comparison(plain, one, one, compare_runs(one, one), false);
  EXPECT_EQ(plain.str().find("mobilenet_v2"), std::string::npos) << plain.str();
}

TEST(Comparison, ServingRowsCompareLoadGensMetricAgainstTheSearchPrecision) {
  RunResult base = sample_run::with_serving();
  RunResult head = sample_run::with_serving();
  *head.rows[0].serving->value = 124.0;  // +3.3%: inside the 5% a search's rate is known to
  *head.rows[1].serving->value = 165.0;  // offline +10%: one test each, no interval
  head.rows[2].serving->value = 20.0;    // the hopeless one found a rate
  head.rows[2].serving->valid = true;
  const RunComparison comparison = compare_runs(base, head);
  ASSERT_EQ(comparison.matched.size(), 3u);
  EXPECT_NEAR(*comparison.matched[0].serving_change, 124.0 / 120.0 - 1, 1e-12);
  EXPECT_EQ(comparison.matched[0].serving_verdict, "rate within the searches' 5% precision");
  EXPECT_EQ(comparison.matched[1].serving_verdict, "one LoadGen test each: no interval");
  EXPECT_EQ(comparison.matched[2].serving_verdict, "LoadGen: INVALID -> VALID");
  EXPECT_FALSE(comparison.matched[0].significance);  // no interval verdict for LoadGen rows
  std::ostringstream out;
  write_comparison(out, base, head, comparison, true);
  EXPECT_NE(out.str().find("highest VALID rate (QPS) +3.33%: rate within the searches' 5% precision"), std::string::npos)
      << out.str();
  // A server row under another bound is another configuration.
  head.rows[0].serving->latency_bound_ms = 50.0;
  EXPECT_EQ(compare_runs(base, head).only_head, std::vector<std::size_t>{0});
}

TEST(Comparison, EnergyComparesOnlyOkRowsReadTheSameWayOfTheSameDevice) {
  const auto metered = [](double per_joule, std::string scope, std::string method) {
    Row row = measured("openvino", 64, 10, 9, 11, 6400);
    Energy energy;
    energy.source = "rapl";
    energy.scope = std::move(scope);
    energy.method = std::move(method);
    energy.energy_j = 6400 / per_joule;
    energy.samples = 6400;
    energy.samples_per_joule = per_joule;
    energy.avg_power_w = 50;
    row.energy = energy;
    return row;
  };
  RunResult base = run_of("a", {metered(100, "CPU package-0", "energy counter")});
  RunResult head = run_of("b", {metered(110, "CPU package-0", "energy counter")});
  EXPECT_NEAR(*compare_runs(base, head).matched.at(0).energy_change, 0.10, 1e-12);

  head.rows[0].energy->scope = "CPU package-0 + dram-0";  // the head reads DRAM too
  RunComparison comparison = compare_runs(base, head);
  EXPECT_FALSE(comparison.matched.at(0).energy_change);
  EXPECT_EQ(comparison.matched.at(0).energy_not_compared, "scope changed");
  std::ostringstream text;
  write_comparison(text, base, head, comparison, false);
  EXPECT_NE(text.str().find("not compared: scope changed"), std::string::npos) << text.str();

  head.rows[0].energy->scope = "CPU package-0";
  head.rows[0].status = RowStatus::Failed;  // failed after its window: its energy is no result
  comparison = compare_runs(base, head);
  EXPECT_FALSE(comparison.matched.at(0).energy_change);
  EXPECT_TRUE(comparison.matched.at(0).energy_not_compared.empty());
}

TEST(Comparison, SignificantOnlyWhenTheIntervalsDoNotOverlap) {
  const Row base = measured("torch", 1, 10.0, 9.8, 10.2, 100);
  EXPECT_EQ(p50_significance(base, measured("torch", 1, 9.0, 8.9, 9.1, 111)),
            Significance::Significant);
  EXPECT_EQ(p50_significance(base, measured("torch", 1, 10.3, 10.2, 10.4, 97)),
            Significance::WithinIntervals);  // touching ends overlap
  Row open = measured("torch", 1, 9.0, 8.9, 9.1, 111);
  open.p50_ci_ms->hi.reset();
  EXPECT_EQ(p50_significance(base, open), Significance::NoInterval);
  Row none = measured("torch", 1, 9.0, 8.9, 9.1, 111);
  none.p50_ci_ms.reset();
  EXPECT_EQ(p50_significance(none, base), Significance::NoInterval);
}

TEST(Comparison, MatchesRowsByConfigurationAndListsTheRest) {
  const RunResult base = run_of(
      "A", {measured("torch", 1, 10.0, 9.8, 10.2, 100), measured("openvino", 1, 5.0, 4.9, 5.1, 200),
            measured("torch", 8, 40.0, 39, 41, 200)});
  Row failed = measured("openvino", 1, 0, 0, 0, 0);
  failed.status = RowStatus::Failed;
  failed.error = "crash";
  const RunResult head = run_of("B", {failed, measured("torch", 1, 9.0, 8.9, 9.1, 110),
                                      measured("torch", 64, 300.0, 290, 310, 213)});
  const RunComparison comparison = compare_runs(base, head);
  ASSERT_EQ(comparison.matched.size(), 2u);
  // In the head run's order: openvino batch 1 (failed in head), then torch batch 1.
  EXPECT_EQ(comparison.matched[0].base_row, 1u);
  EXPECT_EQ(comparison.matched[0].head_row, 0u);
  EXPECT_FALSE(comparison.matched[0].p50_change.has_value());
  EXPECT_FALSE(comparison.matched[0].significance.has_value());
  EXPECT_EQ(comparison.matched[1].base_row, 0u);
  EXPECT_NEAR(*comparison.matched[1].p50_change, -0.1, 1e-12);
  EXPECT_NEAR(*comparison.matched[1].throughput_change, 0.1, 1e-12);
  EXPECT_EQ(*comparison.matched[1].significance, Significance::Significant);
  EXPECT_EQ(comparison.only_base, std::vector<std::size_t>{2});
  EXPECT_EQ(comparison.only_head, std::vector<std::size_t>{2});

  std::ostringstream text;
  write_comparison(text, base, head, comparison, /*markdown=*/false);
  const std::vector<std::string> lines = lines_of(text.str());
  ASSERT_EQ(lines.size(), 14u) << text.str();
  EXPECT_EQ(lines[0],
            "inferbench comparison: base A (h, 2026-11-26T13:05:01Z) -> head B (h, "
            "2026-11-26T13:05:01Z)");
  // Text left-aligned, numbers ending at their column's right edge.
  EXPECT_EQ(lines[2],
            "Row                                P50 base (ms)  P50 head (ms)  P50 change  Thr. "
            "base (/s)  "
            "Thr. head (/s)  Thr. change  Verdict");
  EXPECT_EQ(lines[3],
            "---------------------------------  -------------  -------------  ----------  "
            "--------------  "
            "--------------  -----------  ------------------------------------");
  EXPECT_EQ(lines[4],
            "OpenVINO CPU FP32 batch 1                  5.000            n/a         n/a          "
            "200.00  "
            "           n/a          n/a  head failed");
  EXPECT_EQ(lines[5],
            "PyTorch (Native) CPU FP32 batch 1         10.000          9.000     -10.00%          "
            "100.00  "
            "        110.00      +10.00%  significant (P50 CIs do not overlap)");
  EXPECT_EQ(lines[7],
            "Change = head / base - 1. Significant: the 95% confidence intervals of the two P50s "
            "(p50_ci_ms) do not overlap; each is computed for its row's effective number of "
            "independent samples (effective_samples), so samples correlated in time widen it. Async "
            "and multi-instance rows, whose FPS is their throughput, are judged on the throughput's "
            "95% intervals instead (docs/metrics.md).");
  EXPECT_EQ(lines[9], "Only in the base run A:");
  EXPECT_EQ(lines[10], "  PyTorch (Native) CPU FP32 batch 8 (ok)");
  EXPECT_EQ(lines[12], "Only in the head run B:");
  EXPECT_EQ(lines[13], "  PyTorch (Native) CPU FP32 batch 64 (ok)");

  std::ostringstream markdown;
  write_comparison(markdown, base, head, comparison, /*markdown=*/true);
  const std::vector<std::string> md = lines_of(markdown.str());
  EXPECT_EQ(md[0].rfind("## inferbench comparison: base A", 0), 0u);
  EXPECT_EQ(
      md[2],
      "| Row | P50 base (ms) | P50 head (ms) | P50 change | Thr. base (/s) | Thr. head (/s) | "
      "Thr. change | Verdict |");
  EXPECT_EQ(md[3], "|---|---:|---:|---:|---:|---:|---:|---|");
  EXPECT_EQ(md[5],
            "| PyTorch (Native) CPU FP32 batch 1 | 10.000 | 9.000 | -10.00% | 100.00 | 110.00 | "
            "+10.00% | "
            "significant (P50 CIs do not overlap) |");
  EXPECT_EQ(md.back(), "- PyTorch (Native) CPU FP32 batch 64 (ok)");
}

// Rows scored against labels in both runs: their accuracy side by side (another calibration set,
// say), and whether the runs scored the same data.
TEST(Comparison, AccuracyOfRowsScoredInBothRuns) {
  RunResult base = run_of("A", {measured("torch", 64, 10.0, 9.8, 10.2, 100), measured("openvino", 64, 5, 4.9, 5.1, 200)});
  RunResult head = run_of("B", {measured("torch", 64, 10.0, 9.8, 10.2, 100), measured("openvino", 64, 5, 4.9, 5.1, 200)});
  base.rows[1].accuracy = LabelAccuracy{539, 0.9907, 1.0, 0.9944, 1.0};
  head.rows[1].accuracy = LabelAccuracy{539, 0.9926, 1.0, 0.9944, 1.0};
  head.rows[1].parity = Parity{0.1, 0.9999, 0.9981, "PyTorch (Native) CPU FP32", 539};
  base.run.request = head.run.request = {{"input_data", {{{"sha256", "aa"}, {"labels", {{"sha256", "bb"}}}}}}};
  std::ostringstream text;
  write_comparison(text, base, head, compare_runs(base, head), /*markdown=*/false);
  const std::vector<std::string> lines = lines_of(text.str());
  const auto at = std::find(lines.begin(), lines.end(), "Accuracy against the labels, rows scored in both runs:");
  ASSERT_NE(at, lines.end()) << text.str();
  EXPECT_EQ(at[1], "Row                         Top-1 base %  Top-1 head %  Change (points)  Samples  Agreement base  "
                   "Agreement head");
  EXPECT_EQ(at[3], "OpenVINO CPU FP32 batch 64         99.07         99.26            +0.19      539             n/a  "
                   "        0.9981");
  EXPECT_EQ(at[4], "");
  EXPECT_EQ(at[5].rfind("Both runs scored the same samples and labels", 0), 0u) << at[5];
  head.run.request["input_data"][0]["labels"]["sha256"] = "cc";
  std::ostringstream other;
  write_comparison(other, base, head, compare_runs(base, head), /*markdown=*/false);
  EXPECT_NE(other.str().find("The two runs scored different samples or labels"), std::string::npos);
  // Without accuracy in both, no such table.
  head.rows[1].accuracy.reset();
  std::ostringstream none;
  write_comparison(none, base, head, compare_runs(base, head), /*markdown=*/false);
  EXPECT_EQ(none.str().find("Accuracy against the labels"), std::string::npos);
}

TEST(Comparison, RepeatedConfigurationsPairInOrder) {
  const RunResult base =
      run_of("A", {measured("torch", 1, 10, 9, 11, 100), measured("torch", 1, 20, 19, 21, 50)});
  const RunResult head = run_of(
      "B", {measured("torch", 1, 10.5, 9.5, 11.5, 95), measured("torch", 1, 19, 18, 20, 52)});
  const RunComparison comparison = compare_runs(base, head);
  ASSERT_EQ(comparison.matched.size(), 2u);
  EXPECT_EQ(comparison.matched[0].base_row, 0u);
  EXPECT_EQ(comparison.matched[1].base_row, 1u);
  EXPECT_EQ(*comparison.matched[0].significance, Significance::WithinIntervals);
  EXPECT_TRUE(comparison.only_base.empty());
  EXPECT_TRUE(comparison.only_head.empty());
}

TEST(Comparison, IntervalsStoredWithoutAllowingForCorrelationOnlyHintAtAChange) {
  // Rows stored before intervals were computed for the effective sample count have no
  // effective_samples; with correlated samples their intervals are too narrow.
  Row base_row = measured("torch", 1, 10, 9.5, 10.5, 100);
  Row head_row = measured("torch", 1, 9, 8.5, 9.4, 110);
  base_row.lag1_autocorrelation = 0.2;
  head_row.lag1_autocorrelation = 0.5;  // at the threshold: still independent enough
  const auto verdict_of = [](const Row& b, const Row& h) {
    const RunResult base = run_of("A", {b});
    const RunResult head = run_of("B", {h});
    std::ostringstream text;
    write_comparison(text, base, head, compare_runs(base, head), /*markdown=*/true);
    return lines_of(text.str())[4];
  };
  const std::string significant = "| significant (P50 CIs do not overlap) |";
  const std::string hint =
      "| P50 CIs do not overlap, but one was stored without allowing for its correlated samples "
      "and is too narrow: rerun to confirm |";
  EXPECT_NE(verdict_of(base_row, head_row).find(significant), std::string::npos);
  head_row.lag1_autocorrelation = 0.64;
  EXPECT_NE(verdict_of(base_row, head_row).find(hint), std::string::npos)
      << verdict_of(base_row, head_row);
  // The verdict itself stays what the intervals say.
  EXPECT_EQ(compare_runs(run_of("A", {base_row}), run_of("B", {head_row})).matched[0].significance,
            Significance::Significant);
  // An interval computed for the effective sample count already allows for the correlation.
  head_row.p50_ci_ms->effective_samples = 100 * (1 - 0.64) / (1 + 0.64);
  EXPECT_NE(verdict_of(base_row, head_row).find(significant), std::string::npos)
      << verdict_of(base_row, head_row);
}

TEST(Comparison, RowsWhoseFpsIsTheirThroughputAreJudgedOnIt) {
  // Async rows: P50 intervals far apart (a request's latency), throughputs whose intervals
  // overlap; the verdict follows the throughput. Samples 9, 11, ... (mean 10, n_eff 20) around
  // 6400 inputs/s: 6124.6-6701.3; 9.2, 11.2, ... around 6274.5: overlapping.
  const auto async_row = [](std::vector<double> samples, double lo, double hi) {
    Row row = measured("openvino", 64, samples[0], lo, hi, 0);
    row.scenario = "async";
    double sum = 0;
    for (double s : samples) sum += s;
    row.latency_samples_ms = samples;
    row.latency_ms->mean = sum / samples.size();
    double squares = 0;
    for (double s : samples) squares += (s - row.latency_ms->mean) * (s - row.latency_ms->mean);
    row.latency_ms->std = std::sqrt(squares / (samples.size() - 1));
    row.throughput = 64000.0 / row.latency_ms->mean;
    return row;
  };
  std::vector<double> a, b, c;
  for (int i = 0; i < 10; ++i) {
    a.insert(a.end(), {9, 11});
    b.insert(b.end(), {9.2, 11.2});
    c.insert(c.end(), {12, 14});
  }
  const Row base = async_row(a, 9, 9.5);
  const Row near = async_row(b, 20, 21);     // P50 intervals apart, throughputs within noise
  const Row far = async_row(c, 9.1, 9.4);    // P50 intervals overlap, throughput 23% lower
  RunComparison comparison = compare_runs(run_of("A", {base}), run_of("B", {near}));
  EXPECT_TRUE(comparison.matched[0].on_throughput);
  EXPECT_EQ(comparison.matched[0].significance, Significance::WithinIntervals);
  comparison = compare_runs(run_of("A", {base}), run_of("B", {far}));
  EXPECT_EQ(comparison.matched[0].significance, Significance::Significant);
  std::ostringstream text;
  write_comparison(text, run_of("A", {base}), run_of("B", {far}), comparison, /*markdown=*/true);
  EXPECT_NE(text.str().find("| significant (throughput CIs do not overlap) |"), std::string::npos) << text.str();
  // Several instances are judged the same way; a sync row of one process on its P50.
  Row instances = near;
  instances.scenario = "sync";
  instances.instances = 2;
  Row base_instances = base;
  base_instances.scenario = "sync";
  base_instances.instances = 2;
  EXPECT_TRUE(compare_runs(run_of("A", {base_instances}), run_of("B", {instances})).matched[0].on_throughput);
  Row sync_near = near, sync_base = base;
  sync_near.scenario = sync_base.scenario = "sync";
  EXPECT_FALSE(compare_runs(run_of("A", {sync_base}), run_of("B", {sync_near})).matched[0].on_throughput);
}

// Fleet runs (docs/fleet.md): the host is part of the configuration. A row on host a never stands
// for one on host b; rows without a host match as they always have, and no row of a fleet run.
TEST(Comparison, RowsMatchOnTheirHostOnly) {
  const auto on = [](Row row, std::string host) {
    row.host = RowHost{std::move(host), nlohmann::json::object(), false};
    return row;
  };
  const RunResult base = run_of("A", {on(measured("torch", 1, 10.0, 9.8, 10.2, 100), "a"),
                                      on(measured("torch", 1, 5.0, 4.9, 5.1, 200), "b")});
  // The head measured the configuration on host b only, and on a run without hosts.
  const RunResult head = run_of("B", {on(measured("torch", 1, 4.5, 4.4, 4.6, 222), "b"),
                                      measured("torch", 1, 9.0, 8.9, 9.1, 111)});
  const RunComparison comparison = compare_runs(base, head);
  ASSERT_EQ(comparison.matched.size(), 1u);
  EXPECT_EQ(comparison.matched[0].base_row, 1u);  // b with b, though a comes first in the base
  EXPECT_EQ(comparison.matched[0].head_row, 0u);
  EXPECT_NEAR(*comparison.matched[0].p50_change, -0.1, 1e-12);
  EXPECT_EQ(comparison.only_base, std::vector<std::size_t>{0});
  EXPECT_EQ(comparison.only_head, std::vector<std::size_t>{1});

  std::ostringstream text;
  write_comparison(text, base, head, comparison, /*markdown=*/false);
  const std::vector<std::string> lines = lines_of(text.str());
  ASSERT_GE(lines.size(), 5u) << text.str();
  EXPECT_EQ(lines[4].rfind("PyTorch (Native) CPU FP32 batch 1 on host b ", 0), 0u) << lines[4];
  EXPECT_NE(text.str().find("\nOnly in the base run A:\n  PyTorch (Native) CPU FP32 batch 1 on host a (ok)\n"),
            std::string::npos)
      << text.str();
  // The row without a host is named as it always is.
  EXPECT_NE(text.str().find("\nOnly in the head run B:\n  PyTorch (Native) CPU FP32 batch 1 (ok)\n"), std::string::npos)
      << text.str();

  // Two runs on the same one host read as two runs on one machine: no host in the names.
  const RunResult one_base = run_of("A", {on(measured("torch", 1, 10.0, 9.8, 10.2, 100), "a")});
  const RunResult one_head = run_of("B", {on(measured("torch", 1, 9.0, 8.9, 9.1, 111), "a")});
  const RunComparison same = compare_runs(one_base, one_head);
  ASSERT_EQ(same.matched.size(), 1u);
  std::ostringstream plain;
  write_comparison(plain, one_base, one_head, same, /*markdown=*/false);
  EXPECT_EQ(plain.str().find("on host"), std::string::npos) << plain.str();
}

TEST(Comparison, TheRequestedThreadCountIsPartOfTheConfiguration) {
  auto at = [](Row row, const char* threads) {
    row.requested["threads"] = threads;
    return row;
  };
  // A sweep in the base run (1, 2 threads) against one count in the head run; a row recorded
  // without `requested` counts as the framework's default.
  const RunResult base = run_of("A", {at(measured("torch", 1, 20, 19, 21, 50), "1"),
                                      at(measured("torch", 1, 10, 9, 11, 100), "2"),
                                      measured("openvino", 1, 5, 4, 6, 200)});
  const RunResult head = run_of("B", {at(measured("torch", 1, 10.5, 9.5, 11.5, 95), "2"),
                                      at(measured("openvino", 1, 5, 4, 6, 200), "default")});
  const RunComparison comparison = compare_runs(base, head);
  ASSERT_EQ(comparison.matched.size(), 2u);
  EXPECT_EQ(comparison.matched[0].base_row, 1u);  // 2 threads with 2 threads, not with 1
  EXPECT_EQ(comparison.matched[1].base_row, 2u);
  EXPECT_EQ(comparison.only_base, std::vector<std::size_t>{0});
  EXPECT_TRUE(comparison.only_head.empty());
}

}  // namespace
}  // namespace inferbench::report
