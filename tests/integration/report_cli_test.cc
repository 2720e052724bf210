// SPDX-License-Identifier: Apache-2.0
// `inferbench report` on files written by real (no-op plugin) runs: the guide format, the HTML
// file, and two runs side by side, plus the usage errors of the two-run form.
#include <gtest/gtest.h>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

void noop_run(const std::filesystem::path& out) {
  const auto run =
      run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--batch", "1,4",
                      "--warmup", "2", "--iters", "20", "--out", out.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
}

TEST(ReportCli, RunOutWritesTheGuideAndTheHtmlReport) {
  const auto dir = fresh_dir("report-cli-files");
  noop_run(dir);
  for (const char* file :
       {"results.json", "results.csv", "results.md", "guide.md", "report.html"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / file)) << file;
  }
  const auto guide =
      run_inferbench({"report", (dir / "results.json").string(), "--format", "guide"});
  ASSERT_EQ(guide.exit_code, 0) << guide.err;
  EXPECT_EQ(guide.out, read_file(dir / "guide.md"));
  EXPECT_NE(guide.out.find("| peak throughput | Testing (noop) CPU FP32 "), std::string::npos)
      << guide.out;
}

TEST(ReportCli, TwoRunsSideBySide) {
  const auto dir = fresh_dir("report-cli-compare");
  noop_run(dir / "a");
  noop_run(dir / "b");
  const auto compared = run_inferbench(
      {"report", (dir / "a" / "results.json").string(), (dir / "b" / "results.json").string()});
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_NE(compared.out.find("inferbench comparison: base "), std::string::npos) << compared.out;
  // Four configurations, each matched with its partner, each with a verdict.
  for (const char* row :
       {"Testing (noop) CPU FP32 batch 1 ", "Testing (noop) CPU FP32 batch 4 ",
        "Testing (noop) CPU FP32 async x2 batch 1 ", "Testing (noop) CPU FP32 async x2 batch 4 "}) {
    EXPECT_NE(compared.out.find(row), std::string::npos) << row << "\n" << compared.out;
  }
  EXPECT_EQ(compared.out.find("Only in"), std::string::npos) << compared.out;
  const auto markdown =
      run_inferbench({"report", (dir / "a" / "results.json").string(),
                      (dir / "b" / "results.json").string(), "--format", "markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("| Row | P50 base (ms) |"), std::string::npos) << markdown.out;
}

TEST(ReportCli, TwoRunsRejectOneRunOutputs) {
  const auto dir = fresh_dir("report-cli-usage");
  noop_run(dir);
  const std::string file = (dir / "results.json").string();
  const auto csv = run_inferbench({"report", file, file, "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 2);
  EXPECT_NE(csv.err.find("a comparison of two runs is written as table or markdown, not 'csv'"),
            std::string::npos)
      << csv.err;
  const auto html = run_inferbench({"report", file, file, "--html", (dir / "x.html").string()});
  EXPECT_EQ(html.exit_code, 2);
  EXPECT_NE(html.err.find("--out and --html write one run"), std::string::npos) << html.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.html"));
}

}  // namespace
}  // namespace inferbench::testing
