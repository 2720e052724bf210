// SPDX-License-Identifier: Apache-2.0
// Table B fitted to a terminal's width (make_fitted_table_reporter) and the lines that close a
// run (write_run_summary), on the hand-made runs of sample_run.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "report/format.h"
#include "report/reporter.h"
#include "report/summary.h"
#include "tests/unit/report/sample_run.h"

namespace inferbench {
namespace {

std::string render_fitted(const RunResult& run, std::size_t width) {
  std::ostringstream out;
  report_run(*make_fitted_table_reporter(out, width), run);
  return out.str();
}

std::string render_wide(const RunResult& run) {
  std::ostringstream out;
  report_run(*make_table_reporter(out), run);
  return out.str();
}

using sample_run::lines_of;

// Table B's lines: from its header (line 3, after the title, the run line and a blank) to the
// blank line under it, the omitted-columns note included.
std::vector<std::string> table_b_of(const std::vector<std::string>& lines) {
  std::vector<std::string> table;
  for (std::size_t i = 3; i < lines.size() && !lines[i].empty(); ++i) table.push_back(lines[i]);
  return table;
}

// The header names of a table line, split at runs of two blanks or more.
std::vector<std::string> headers_of(const std::string& header) {
  std::vector<std::string> names;
  std::size_t i = header.find_first_not_of(' ');
  while (i != std::string::npos && i < header.size()) {
    const std::size_t end = header.find("  ", i);
    names.push_back(header.substr(i, end == std::string::npos ? std::string::npos : end - i));
    i = end == std::string::npos ? end : header.find_first_not_of(' ', end);
  }
  return names;
}

// The full Table B header of each header a fitted table may show.
const std::map<std::string, std::string> kFullHeader = {
    {"Rank", "Rank"}, {"Host", "Host"}, {"Framework", "Framework"}, {"Device", "Inf. Device"},
    {"Inf. Device", "Inf. Device"}, {"Target Hardware", "Target Hardware"}, {"Prec.", "Precision"},
    {"Precision", "Precision"}, {"Mode", "Mode"}, {"Compile ms", "Compile Time (ms)"},
    {"Compile Time (ms)", "Compile Time (ms)"}, {"P50 ms", "P50 Latency (ms)"},
    {"P50 Latency (ms)", "P50 Latency (ms)"}, {"P99 ms", "P99 Latency (ms)"},
    {"P99 Latency (ms)", "P99 Latency (ms)"}, {"FPS", "Throughput (FPS)"},
    {"Throughput (FPS)", "Throughput (FPS)"}, {"Measured thr.", "Measured thr."}, {"P99/P50", "P99/P50"},
    {"CV %", "CV %"}, {"RSS MB", "Peak RSS (MB)"}, {"Peak RSS (MB)", "Peak RSS (MB)"},
    {"Parity cos / top-1", "Parity cos / top-1"}, {"Prec", "Precision"}, {"Compile", "Compile Time (ms)"},
    {"P50", "P50 Latency (ms)"}, {"P99", "P99 Latency (ms)"}};

const std::vector<std::string> kStudyColumns = {"Rank", "Framework", "Inf. Device", "Precision", "Mode",
                                                "Compile Time (ms)", "P50 Latency (ms)", "P99 Latency (ms)",
                                                "Throughput (FPS)"};

// Checks Table B of `run` at `width`: no line wider, every study column (and `extra`) shown,
// every row there, and the note naming exactly the columns left out.
void check_fitted(const RunResult& run, std::size_t width, bool with_host) {
  SCOPED_TRACE("width " + std::to_string(width));
  const std::vector<std::string> table = table_b_of(lines_of(render_fitted(run, width)));
  ASSERT_GE(table.size(), 2U + run.rows.size());
  for (const std::string& line : table) EXPECT_LE(report::display_width(line), width) << line;

  std::vector<std::string> shown;
  for (const std::string& header : headers_of(table[0])) {
    ASSERT_TRUE(kFullHeader.count(header)) << "unknown header " << header;
    shown.push_back(kFullHeader.at(header));
  }
  std::vector<std::string> study = kStudyColumns;
  if (with_host) study.push_back("Host");
  for (const std::string& column : study) {
    EXPECT_NE(std::find(shown.begin(), shown.end(), column), shown.end()) << column << " missing: " << table[0];
  }

  std::vector<std::string> missing;
  for (const report::Column& column : report::table_b_columns(with_host)) {
    const std::string name(column.header);
    if (std::find(shown.begin(), shown.end(), name) == shown.end()) missing.push_back(name);
  }
  std::string note;
  for (std::size_t i = 2 + run.rows.size(); i < table.size(); ++i) {
    note += (note.empty() ? "" : " ") + table[i].substr(table[i].find_first_not_of(' '));
  }
  if (missing.empty()) {
    EXPECT_EQ(note, "");
    return;
  }
  std::string names;
  for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
  EXPECT_EQ(note, "Left out to fit " + std::to_string(width) + " columns: " + names +
                      ". --wide shows every column, as do results.md, results.csv and report.html (--out).");
}

TEST(FittedTableTest, ThirteenRowsFitEightyOneTwentyAndTwoFiftyColumns) {
  const RunResult run = sample_run::thirteen_rows();
  ASSERT_EQ(run.rows.size(), 13U);
  // The premise: every column takes more than 250.
  EXPECT_GT(report::display_width(lines_of(render_wide(run))[3]), 250U);
  for (const std::size_t width : {80U, 120U, 250U}) check_fitted(run, width, false);
}

TEST(FittedTableTest, MoreRoomShowsMoreColumnsInTheTablesOrder) {
  const RunResult run = sample_run::thirteen_rows();
  EXPECT_EQ(headers_of(table_b_of(lines_of(render_fitted(run, 80)))[0]),
            (std::vector<std::string>{"Rank", "Framework", "Device", "Prec.", "Mode", "Compile ms", "P50 ms",
                                      "P99 ms", "FPS"}));
  EXPECT_EQ(headers_of(table_b_of(lines_of(render_fitted(run, 120)))[0]),
            (std::vector<std::string>{"Rank", "Framework", "Device", "Target Hardware", "Prec.", "Mode",
                                      "Compile ms", "P50 ms", "P99 ms", "FPS"}));
  EXPECT_EQ(headers_of(table_b_of(lines_of(render_fitted(run, 250)))[0]).size(), 15U);
}

TEST(FittedTableTest, NamesAreShortenedAtWordsAndNumbersKeptWhole) {
  const RunResult run = sample_run::thirteen_rows();
  const std::string at_120 = render_fitted(run, 120);
  // Framework names fit whole at 120; the hardware is cut at a word boundary, the GPU's memory
  // size ("80GB") kept whole.
  EXPECT_NE(at_120.find("  TFLite (LiteRT)  "), std::string::npos);
  EXPECT_NE(at_120.find("  PyTorch (AOTInductor)  "), std::string::npos);
  // At 80, a framework takes its short name before anything is cut: two variants stay apart.
  const std::string at_80 = render_fitted(run, 80);
  EXPECT_NE(at_80.find("PT Native"), std::string::npos) << at_80;
  EXPECT_NE(at_80.find("PT AOTIn"), std::string::npos) << at_80;
  EXPECT_EQ(at_80.find("PyTorch…"), std::string::npos) << at_80;
  EXPECT_NE(at_120.find("  Intel(R) Xeon(R) Platinum…  "), std::string::npos);
  EXPECT_NE(at_120.find("  NVIDIA H100 80GB HBM3…  "), std::string::npos);
  // Every number of the study's columns is printed in full at any width.
  for (const std::size_t width : {80U, 120U}) {
    const std::string text = render_fitted(run, width);
    for (const char* number : {"41003.20", "0.412", "26.671", "2427.18", "45210.33", "async x4"}) {
      EXPECT_NE(text.find(number), std::string::npos) << number << " at " << width;
    }
  }
  // The tables and notes under Table B are as the wide table writes them.
  const std::string wide = render_wide(run);
  EXPECT_EQ(at_120.substr(at_120.find("\nStart-up")), wide.substr(wide.find("\nStart-up")));
}

TEST(FittedTableTest, FleetTableKeepsItsHostColumnAtEightyColumns) {
  const RunResult run = sample_run::on_two_hosts();
  check_fitted(run, 80, true);
  const std::vector<std::string> header = headers_of(table_b_of(lines_of(render_fitted(run, 80)))[0]);
  ASSERT_GE(header.size(), 2U);
  EXPECT_EQ(header[1], "Host");
}

TEST(FittedTableTest, ATableThatFitsIsTheWideTable) {
  // The 4-row sample is 215 columns wide: at 250 nothing is left out or renamed.
  const RunResult run = sample_run::make();
  EXPECT_EQ(render_fitted(run, 250), render_wide(run));
  EXPECT_EQ(render_fitted(run, 1000), render_wide(run));
  const RunResult fleet = sample_run::on_two_hosts();
  EXPECT_EQ(render_fitted(fleet, 1000), render_wide(fleet));
}

TEST(FittedTableTest, MakeReporterTableIsStillTheWideTable) {
  // What a file, a pipe, `report --format table` redirected and --wide get.
  std::ostringstream out;
  auto reporter = make_reporter("table", out);
  ASSERT_TRUE(reporter);
  report_run(**reporter, sample_run::thirteen_rows());
  EXPECT_EQ(out.str(), render_wide(sample_run::thirteen_rows()));
}

// --- the lines that close a run --------------------------------------------------------------

TEST(RunSummaryTest, NamesTheGuidesWinnersTheFilesAndTheNextCommand) {
  std::ostringstream out;
  report::write_run_summary(out, sample_run::thirteen_rows(),
                            {std::string("results/h100"), std::string("/data/history.sqlite"), std::nullopt, std::nullopt});
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 7U) << out.str();
  EXPECT_EQ(lines[0], "");
  // The guide's winners (guide_test.cc checks how it chooses them), in its wording.
  EXPECT_EQ(lines[1], "Best for throughput:   TensorRT CUDA GPU FP16 batch 1, 2402.91 inputs/s");
  EXPECT_EQ(lines[2], "Best for tail latency: TensorRT CUDA GPU FP16 batch 1, P99 0.515 ms");
  EXPECT_EQ(lines[3],
            "Best for start-up:     PyTorch (Native) CPU FP32 batch 1, 13.75 ms (compile 12.50 + first inference 1.25)");
  EXPECT_EQ(lines[4], "Best for memory:       TFLite (LiteRT) CPU INT8 batch 1, 210.8 MB peak RSS");
  EXPECT_EQ(lines[5],
            "Files: open results/h100/report.html in a browser; results.json, .csv, .md and guide.md are beside it.");
  EXPECT_EQ(lines[6],
            "Compare with the next run: inferbench report 20261201T090000Z-0d0e0f <next run id>  (stored in "
            "/data/history.sqlite)");
}

TEST(RunSummaryTest, WithoutStoreOrFilesSaysSo) {
  std::ostringstream out;
  report::write_run_summary(out, sample_run::make(), {});
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 7U) << out.str();
  EXPECT_EQ(lines[5], "Files: none written (--out DIR writes report.html, results.json/.csv/.md and guide.md).");
  EXPECT_EQ(lines[6], "Not stored (--no-store) and no --out: nothing is kept to compare with.");

  std::ostringstream files_only;
  report::write_run_summary(files_only, sample_run::make(), {std::string("out"), std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(lines_of(files_only.str()).back(),
            "Compare with the next run: inferbench report out/results.json <next run's results.json>  (not stored)");
}

// A run in another store than the default: every command given names it, or finds nothing.
TEST(RunSummaryTest, CommandsNameAStoreThatIsNotTheDefault) {
  report::RunPlaces places{std::nullopt, std::string("/data/other.sqlite"), std::nullopt, std::nullopt};
  places.default_store = false;
  std::ostringstream out;
  report::write_run_summary(out, sample_run::make(), places);
  EXPECT_NE(out.str().find("`inferbench report " + sample_run::make().run.id + " --db /data/other.sqlite --out DIR`"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("<next run id> --db /data/other.sqlite  (stored in /data/other.sqlite)"), std::string::npos)
      << out.str();
}

// Files that could not be written, and a store that refused a write: said, and no command points
// at what is not there.
TEST(RunSummaryTest, PlacesThatFailedAreSaid) {
  report::RunPlaces places{std::nullopt, std::nullopt, std::pair<std::string, std::string>{"out", "cannot write out/results.json.tmp"},
                           std::pair<std::string, std::string>{"/data/h.sqlite", "database is locked"}};
  std::ostringstream out;
  report::write_run_summary(out, sample_run::make(), places);
  const std::vector<std::string> lines = lines_of(out.str());
  EXPECT_EQ(lines[lines.size() - 2], "Files: NOT written to out: cannot write out/results.json.tmp. The table above is this run's only copy.");
  EXPECT_EQ(lines.back(), "NOT stored in /data/h.sqlite: database is locked; it holds the rows before that write, as an unfinished run.");
}

TEST(RunSummaryTest, FleetRunNamesEachHostsWinners) {
  std::ostringstream out;
  report::write_run_summary(out, sample_run::on_two_hosts(), {std::nullopt, std::string("db"), std::nullopt, std::nullopt});
  const std::vector<std::string> lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 6U) << out.str();
  EXPECT_EQ(lines[1], "Best for throughput, tail latency, start-up, memory (guide.md gives the values):");
  EXPECT_EQ(lines[2].rfind("  host a: throughput OpenVINO CPU FP32 batch 64", 0), 0U) << lines[2];
  EXPECT_EQ(lines[3].rfind("  host b: throughput OpenVINO CPU FP32 batch 64", 0), 0U) << lines[3];
}

}  // namespace
}  // namespace inferbench
