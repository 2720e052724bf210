// SPDX-License-Identifier: Apache-2.0
// Tests of the formatting helpers shared by the table and markdown reporters.
#include "report/format.h"

#include <gtest/gtest.h>

#include "tests/unit/report/sample_run.h"

#include <optional>
#include <string>
#include <vector>

namespace inferbench::report {
namespace {

TEST(ShortenedTest, CutsAtAWordBoundaryAndNeverInsideANumber) {
  // Within the width: unchanged.
  EXPECT_EQ(shortened("TFLite (LiteRT)", 15), "TFLite (LiteRT)");
  // At the last blank that leaves room for the ellipsis; a trailing comma or "(" dropped first.
  EXPECT_EQ(shortened("Intel Xeon Gold 6338 (AVX-512, 2 threads)", 28), "Intel Xeon Gold 6338…");
  EXPECT_EQ(shortened("NVIDIA H100 80GB HBM3 (driver 550.54.15, CUDA 12.4)", 28), "NVIDIA H100 80GB HBM3…");
  EXPECT_EQ(shortened("PyTorch (AOTInductor)", 12), "PyTorch…");
  EXPECT_EQ(display_width(shortened("Intel Xeon Gold 6338 (AVX-512, 2 threads)", 28)), 21U);
  // One long word is cut inside, but a number is left whole: the cut moves before it, or, when
  // nothing would be left, the text stays as it is.
  EXPECT_EQ(shortened("ExecuTorch", 8), "ExecuTo…");
  EXPECT_EQ(shortened("RTX4090", 6), "RTX…");
  EXPECT_EQ(shortened("12345678", 4), "12345678");
  EXPECT_EQ(shortened("v12.5.1-beta", 5), "v…");
}

Row ok_row(std::string framework, std::optional<double> fps) {
  Row row;
  row.framework = std::move(framework);
  row.status = RowStatus::Ok;
  row.fps = fps;
  return row;
}

TEST(FormatTest, PrecisionIsUpperCase) {
  EXPECT_EQ(precision_label("fp32"), "FP32");
  EXPECT_EQ(precision_label("fp16"), "FP16");
  EXPECT_EQ(precision_label("bf16"), "BF16");
  EXPECT_EQ(precision_label("int8"), "INT8");
  EXPECT_EQ(precision_label("INT8"), "INT8");
  EXPECT_EQ(precision_label(""), "");
}

TEST(FormatTest, NumberOrNa) {
  EXPECT_EQ(number_or_na(std::nullopt, 2), "n/a");
  EXPECT_EQ(number_or_na(1637.2349, 2), "1637.23");
  EXPECT_EQ(number_or_na(38.9194, 3), "38.919");
  EXPECT_EQ(number_or_na(7835.4, 2), "7835.40");
  EXPECT_EQ(number_or_na(0.0, 3), "0.000");
}

TEST(FormatTest, OneLineFoldsLineBreaksAndTabs) {
  EXPECT_EQ(one_line("a\nb\r\nc\td"), "a b  c d");
  EXPECT_EQ(one_line("plain"), "plain");
}

TEST(FormatTest, DeviceLabelFallsBackToDevice) {
  Row row;
  row.device = "cuda";
  EXPECT_EQ(device_label(row), "cuda");
  row.device_label = "CUDA GPU";
  EXPECT_EQ(device_label(row), "CUDA GPU");
}

TEST(FormatTest, RowTitle) {
  Row row;
  row.framework = "OpenVINO";
  row.device_label = "iGPU";
  row.precision = "fp16";
  row.batch = 64;
  EXPECT_EQ(row_title(row), "OpenVINO iGPU FP16 batch 64");
}

TEST(FormatTest, RowTitleNamesTheThreadCountAskedForOnTheCpu) {
  Row row;
  row.framework = "OpenVINO";
  row.device = "cpu";
  row.device_label = "CPU";
  row.precision = "fp32";
  row.batch = 8;
  row.requested["threads"] = "default";
  EXPECT_EQ(row_title(row), "OpenVINO CPU FP32 batch 8");
  row.requested["threads"] = "1";
  EXPECT_EQ(row_title(row), "OpenVINO CPU FP32 batch 8, 1 thread");
  row.requested["threads"] = "4";
  EXPECT_EQ(row_title(row), "OpenVINO CPU FP32 batch 8, 4 threads");
  // The CPU threads of a GPU row are not what it is about.
  row.device = "gpu";
  row.device_label = "iGPU";
  EXPECT_EQ(row_title(row), "OpenVINO iGPU FP32 batch 8");
}

TEST(FormatTest, ModeNamesTheScenarioAndItsRequestsInFlight) {
  Row row;
  row.framework = "OpenVINO";
  row.device_label = "CPU";
  row.precision = "fp32";
  row.batch = 8;
  row.effective["requests_in_flight"] = "4";
  for (const auto& [scenario, mode] : std::vector<std::pair<std::string, std::string>>{
           {"sync", "sync"}, {"async", "async x4"}, {"single-stream", "single-stream"},
           {"multi-stream", "multi-stream x4"}, {"server", "server x4"}, {"offline", "offline x4"}}) {
    row.scenario = scenario;
    EXPECT_EQ(mode_label(row), mode);
  }
  row.scenario = "sync";
  EXPECT_EQ(row_title(row), "OpenVINO CPU FP32 batch 8");
  row.scenario = "server";
  EXPECT_EQ(row_title(row), "OpenVINO CPU FP32 server x4 batch 8");
}

TEST(FormatTest, ServingCellsGiveLoadGensVerdictAndRates) {
  const RunResult run = sample_run::with_serving();
  EXPECT_EQ(serving_cells(run.rows[0]),
            (std::vector<std::string>{"OpenVINO CPU FP32 server x2 batch 8", "VALID", "highest VALID rate (QPS)",
                                      "120.0", "120.0", "119.4", "80.000 at P99", "100.0", "31.2", "3"}));
  EXPECT_EQ(serving_cells(run.rows[1]),
            (std::vector<std::string>{"OpenVINO CPU FP32 offline x2 batch 8", "VALID", "samples/s", "150.0", "n/a",
                                      "150.0", "n/a", "n/a", "100.0", "1"}));
  EXPECT_EQ(serving_cells(run.rows[2])[3], "none VALID");
  EXPECT_EQ(serving_cells(run.rows[2])[1], "INVALID");
  EXPECT_EQ(serving_cells(run.rows[0]).size(), serving_columns().size());
  // The Serving table comes first under Table B, with every serving row.
  const auto tables = tables_under_table_b(rank_by_fps(run.rows), false);
  ASSERT_FALSE(tables.empty());
  EXPECT_EQ(std::string(tables[0].title), kServingTitle);
  EXPECT_EQ(tables[0].cells.size(), 3u);
}

TEST(FormatTest, RanksOkRowsByFpsAndTiesShareARank) {
  Row failed = ok_row("failed", 999.0);  // an FPS on a failed row is never ranked
  failed.status = RowStatus::Failed;
  Row unavailable = ok_row("unavailable", std::nullopt);
  unavailable.status = RowStatus::Unavailable;
  const std::vector<Row> rows = {ok_row("c", 100.0), failed,           ok_row("a", 200.0),
                                 ok_row("no fps", std::nullopt),       ok_row("b", 200.0),
                                 unavailable,       ok_row("d", 50.0)};
  const std::vector<RankedRow> ranked = rank_by_fps(rows);
  ASSERT_EQ(ranked.size(), rows.size());
  std::vector<std::string> order;
  std::vector<std::optional<int>> ranks;
  for (const RankedRow& r : ranked) {
    order.push_back(r.row->framework);
    ranks.push_back(r.rank);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d", "failed", "no fps",
                                             "unavailable"}));
  EXPECT_EQ(ranks, (std::vector<std::optional<int>>{1, 1, 3, 4, std::nullopt, std::nullopt,
                                                    std::nullopt}));
}

// Rows of different models do not compete: each model is ranked on its own, the models in the
// order of their first row.
TEST(FormatTest, RanksWithinEachModel) {
  auto of_model = [](Row row, std::string model) {
    row.model = std::move(model);
    return row;
  };
  const std::vector<Row> rows = {of_model(ok_row("big slow", 10.0), "resnet50"),
                                 of_model(ok_row("small slow", 100.0), "mobilenet_v2"),
                                 of_model(ok_row("big fast", 40.0), "resnet50"),
                                 of_model(ok_row("small fast", 400.0), "mobilenet_v2")};
  EXPECT_EQ(models_of(rows), (std::vector<std::string>{"resnet50", "mobilenet_v2"}));
  std::vector<std::string> order;
  std::vector<std::optional<int>> ranks;
  for (const RankedRow& r : rank_by_fps(rows)) {
    order.push_back(r.row->framework);
    ranks.push_back(r.rank);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"big fast", "big slow", "small fast", "small slow"}));
  EXPECT_EQ(ranks, (std::vector<std::optional<int>>{1, 2, 1, 2}));
  EXPECT_EQ(rows_of_model(rows, "mobilenet_v2").size(), 2u);
  EXPECT_EQ(row_label(rows[0], true), "resnet50: big slow batch 0");
  EXPECT_EQ(row_label(rows[0], false), "big slow batch 0");
}

TEST(FormatTest, RankingNoRowsGivesNothing) { EXPECT_TRUE(rank_by_fps({}).empty()); }

TEST(FormatTest, CellsMatchColumns) {
  const Row row = ok_row("x", 1.0);
  EXPECT_EQ(table_b_cells({&row, 1}).size(), table_b_columns().size());
  const std::vector<std::string> cells = table_b_cells({&row, std::nullopt});
  EXPECT_EQ(cells[0], "-");
  EXPECT_EQ(cells[5], "sync");  // mode
  EXPECT_EQ(cells[6], "n/a");   // compile time missing
  EXPECT_EQ(cells[9], "1.00");
}

// A fleet run (docs/fleet.md): rows of several hosts are ranked together, the Host column after
// Rank and " on host <name>" wherever a row is named; a host that was lost is named in the failure.
TEST(FormatTest, SeveralHostsRankTogetherAndNameTheHost) {
  auto on = [](Row row, std::string host, bool lost = false) {
    row.host = RowHost{std::move(host), nlohmann::json::object(), lost};
    return row;
  };
  Row lost;
  lost.framework = "gone";
  lost.status = RowStatus::Failed;
  lost.error = "worker stopped answering";
  const std::vector<Row> rows = {on(ok_row("x", 10.0), "a"), on(ok_row("x", 40.0), "b"), on(lost, "b", true),
                                 ok_row("nowhere", 20.0)};
  EXPECT_EQ(hosts_of(rows), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(several_hosts(rows));
  EXPECT_FALSE(several_hosts({rows[0], rows[3]}));  // one named host: reads as a run on one machine
  EXPECT_FALSE(several_hosts({rows[3]}));
  EXPECT_EQ(rows_of_host(rows, "b").size(), 2u);

  // One ranking over both hosts: the same configuration on b outruns it on a.
  const std::vector<RankedRow> ranked = rank_by_fps(rows);
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].row, &rows[1]);
  EXPECT_EQ(ranked[1].row, &rows[3]);
  EXPECT_EQ(ranked[2].row, &rows[0]);

  const std::vector<Column>& columns = table_b_columns(true);
  ASSERT_EQ(columns.size(), table_b_columns().size() + 1);
  EXPECT_EQ(columns[0].header, "Rank");
  EXPECT_EQ(columns[1].header, "Host");
  EXPECT_FALSE(columns[1].numeric);
  EXPECT_EQ(columns[2].header, "Framework");
  const std::vector<std::string> cells = table_b_cells(ranked[0], true);
  ASSERT_EQ(cells.size(), columns.size());
  EXPECT_EQ(cells[0], "1");
  EXPECT_EQ(cells[1], "b");
  EXPECT_EQ(cells[2], "x");
  EXPECT_EQ(table_b_cells(ranked[1], true)[1], "");  // no host
  EXPECT_EQ(table_b_cells(ranked[0]), table_b_cells(ranked[0], false));

  EXPECT_EQ(row_label(rows[1], false, true), "x batch 0 on host b");
  EXPECT_EQ(row_label(rows[1], false), "x batch 0");
  EXPECT_EQ(row_label(rows[3], false, true), "nowhere batch 0");

  // The lost host is named even where the error does not name it; an error that does is kept.
  EXPECT_EQ(failure_text(rows[2]), "host b lost: worker stopped answering");
  Row named = rows[2];
  named.error = "host b lost during the cell";
  EXPECT_EQ(failure_text(named), "host b lost during the cell");
  Row kept = rows[2];
  kept.host->lost = false;
  EXPECT_EQ(failure_text(kept), "worker stopped answering");
  const std::vector<Note> notes = row_notes(ranked, false, true);
  ASSERT_FALSE(notes.empty());
  EXPECT_EQ(notes[0].title, "gone batch 0 on host b");
  EXPECT_EQ(notes[0].text, "host b lost: worker stopped answering");
}

TEST(FormatTest, NotesListFailuresThenWarningsOfOkRows) {
  Row fast = ok_row("fast", 10.0);
  fast.warnings = {"w1", "w2\nmore"};
  Row failed;
  failed.framework = "broken";
  failed.status = RowStatus::Failed;
  failed.warnings = {"ignored: the failure is what matters"};
  Row silent;
  silent.framework = "silent";
  silent.status = RowStatus::Unavailable;
  const std::vector<Row> rows = {failed, fast, silent};
  const std::vector<Note> notes = row_notes(rank_by_fps(rows));
  ASSERT_EQ(notes.size(), 4U);
  EXPECT_EQ(notes[0].kind, "failed");
  EXPECT_EQ(notes[0].title, "broken batch 0");
  EXPECT_EQ(notes[0].text, "(no error message)");
  EXPECT_EQ(notes[1].kind, "unavailable");
  EXPECT_EQ(notes[2].kind, "warn");
  EXPECT_EQ(notes[2].text, "w1");
  EXPECT_EQ(notes[3].text, "w2 more");
}

}  // namespace
}  // namespace inferbench::report
