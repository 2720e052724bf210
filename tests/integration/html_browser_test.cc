// SPDX-License-Identifier: Apache-2.0
// The HTML report in a real browser: a no-op plugin run writes report.html, headless Chromium
// (Debian's package) loads it from disk, and the test checks that every chart drew pixels, no
// script logged anything or failed, the page requested nothing from the network (Chromium's
// own network log), and a full-page screenshot was taken. Skipped, saying so, without Chromium.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

// CHROMIUM, or the first of the usual names on PATH; empty when there is none.
std::string find_chromium() {
  if (const char* explicit_path = std::getenv("CHROMIUM"); explicit_path && *explicit_path) {
    return explicit_path;
  }
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::vector<std::string> folders;
  for (std::string dir; std::getline(dirs, dir, ':');) folders.push_back(dir);
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    for (const std::string& dir : folders) {
      const fs::path candidate = fs::path(dir) / name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct BrowserRun {
  ChildOutcome outcome;
  std::string dom;  // --dump-dom output
  std::string log;  // Chromium's stderr log, console messages included
};

// Runs headless Chromium on `page` with `extra` flags; its own profile folder keeps it away
// from any user's browser state, and background services that would use the network are off.
BrowserRun run_chromium(const std::string& chromium, const fs::path& work, const fs::path& page,
                        const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {chromium,
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-sandbox",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-default-apps",
                                   "--hide-scrollbars",
                                   "--user-data-dir=" + (work / "chromium-profile").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("file://" + page.string());
  SpawnOptions options;
  options.timeout = std::chrono::seconds(120);
  options.stderr_tail_bytes = 1 << 20;
  auto outcome = run_child(argv, options);
  BrowserRun run;
  if (!outcome) {
    ADD_FAILURE() << "cannot start " << chromium << ": " << outcome.status().to_string();
    return run;
  }
  run.outcome = *outcome;
  run.dom = outcome->stdout_text;
  run.log = outcome->stderr_tail;
  return run;
}

std::string attribute_of_body(const std::string& dom, const std::string& name) {
  std::smatch match;
  const std::regex body("<body([^>]*)>");
  if (!std::regex_search(dom, match, body)) return "<no body>";
  const std::string attributes = match[1].str();
  const std::regex attribute(name + "=\"([^\"]*)\"");
  if (!std::regex_search(attributes, match, attribute)) return "<absent>";
  return match[1].str();
}

// Requests the page itself started (not Chromium's background services, which carry no
// page site): every URL_REQUEST_START_JOB whose network isolation key names the file:// site.
std::vector<std::string> page_requests(const fs::path& net_log) {
  const auto log = nlohmann::json::parse(read_text(net_log), nullptr, false);
  if (!log.is_object() || !log.contains("constants") || !log.contains("events")) {
    ADD_FAILURE() << "unreadable Chromium net log " << net_log;
    return {};
  }
  const int start_job = log["constants"]["logEventTypes"].value("URL_REQUEST_START_JOB", -1);
  EXPECT_GE(start_job, 0) << "the net log has no URL_REQUEST_START_JOB event type";
  std::vector<std::string> urls;
  for (const auto& event : log["events"]) {
    if (event.value("type", -2) != start_job || !event.contains("params")) continue;
    const auto& params = event["params"];
    const std::string url = params.value("url", "");
    const std::string key = params.value("network_isolation_key", "");
    if (key.find("file://") != std::string::npos && url.rfind("file:", 0) != 0) urls.push_back(url);
  }
  return urls;
}

// Whether the page says its charts are missing (a build without Chart.js).
bool built_without_charts(const fs::path& page) {
  return read_text(page).find("<p class=\"notice\">Charts unavailable") != std::string::npos;
}

class HtmlBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "Chromium not found (set CHROMIUM or install Debian's chromium package, "
                      "listed in tools/setup/apt-packages.txt)";
    }
  }
  void expect_page_with_figure(const std::string& name, std::vector<std::string> args,
                               const std::string& charts, const std::string& figure);
  std::string chromium_;
};

TEST_F(HtmlBrowserTest, ReportFromANoopRunRendersItsChartsOfflineWithoutErrors) {
  const fs::path dir = fresh_dir("html-browser");
  const auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--batch",
                                   "1,4", "--warmup", "3", "--iters", "20", "--out",
                                   (dir / "out").string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const fs::path page = dir / "out" / "report.html";
  ASSERT_TRUE(fs::exists(page)) << run.out;
  if (built_without_charts(page)) {
    GTEST_SKIP() << "inferbench was built without Chart.js (libjs-chart.js), so the page has no "
                    "charts to check";
  }
  EXPECT_NE(run.out.find("report.html"), std::string::npos) << run.out;

  // `report` re-renders the stored results.json into the same page.
  const auto rerender =
      run_inferbench({"report", (dir / "out" / "results.json").string(), "--html",
                      (dir / "again" / "report.html").string(), "--format", "guide"});
  ASSERT_EQ(rerender.exit_code, 0) << rerender.err;
  EXPECT_EQ(read_text(dir / "again" / "report.html"), read_text(page));
  EXPECT_NE(rerender.out.find("## inferbench deployment guide"), std::string::npos) << rerender.out;

  const fs::path net_log = dir / "net-log.json";
  const BrowserRun loaded =
      run_chromium(chromium_, dir, page,
                   {"--dump-dom", "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0",
                    "--log-net-log=" + net_log.string()});
  ASSERT_TRUE(loaded.outcome.exited && loaded.outcome.exit_code == 0)
      << describe_outcome(loaded.outcome) << "\n"
      << loaded.log;
  // The page's own script counts the charts it made and the canvases that hold pixels.
  EXPECT_EQ(attribute_of_body(loaded.dom, "data-charts-rendered"), "6") << loaded.log;
  EXPECT_EQ(attribute_of_body(loaded.dom, "data-charts-nonblank"), "6") << loaded.log;
  EXPECT_EQ(attribute_of_body(loaded.dom, "data-chart-errors"), "<absent>");
  // The page logs nothing: any console message or uncaught error shows up as a CONSOLE line.
  std::istringstream log_lines(loaded.log);
  for (std::string line; std::getline(log_lines, line);) {
    EXPECT_EQ(line.find("CONSOLE"), std::string::npos) << line;
    EXPECT_EQ(line.find("Uncaught"), std::string::npos) << line;
  }
  // The table and the guide are in the document the browser built.
  EXPECT_NE(loaded.dom.find("<table class=\"results\">"), std::string::npos);
  EXPECT_NE(loaded.dom.find("<h3>Break-even: when a slower start-up pays for itself</h3>"),
            std::string::npos);
  // No network request from the page.
  ASSERT_TRUE(fs::exists(net_log));
  EXPECT_EQ(page_requests(net_log), std::vector<std::string>{});

  const fs::path screenshot = dir / "report.png";
  const BrowserRun shot = run_chromium(chromium_, dir, page,
                                       {"--screenshot=" + screenshot.string(),
                                        "--window-size=1400,3000", "--virtual-time-budget=10000"});
  ASSERT_TRUE(shot.outcome.exited && shot.outcome.exit_code == 0)
      << describe_outcome(shot.outcome) << "\n"
      << shot.log;
  const std::string png = read_text(screenshot);
  ASSERT_GE(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // IHDR: width and height, big-endian, at bytes 16..23.
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) |
           (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  EXPECT_EQ(be32(16), 1400u);
  EXPECT_EQ(be32(20), 3000u);
  // A blank or text-only page compresses to a few kilobytes; tables and five charts do not.
  EXPECT_GT(png.size(), 100'000u) << screenshot;
  std::cout << "screenshot: " << screenshot.string() << "\n";
}

// Runs `inferbench run ARGS --out DIR/out --no-store`, loads its report.html in Chromium and
// checks that the page drew `charts` charts, each with pixels, without a script error, and that
// the DOM holds `figure` (a figure shown only for such rows). The whole body of a test: it skips
// when inferbench was built without Chart.js.
void HtmlBrowserTest::expect_page_with_figure(const std::string& name, std::vector<std::string> args,
                                              const std::string& charts, const std::string& figure) {
  const fs::path dir = fresh_dir(name);
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--out", (dir / "out").string(), "--no-store"});
  const auto run = run_inferbench(args);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const fs::path page = dir / "out" / "report.html";
  if (built_without_charts(page)) {
    GTEST_SKIP() << "inferbench was built without Chart.js (libjs-chart.js), so the page has no "
                    "charts to check";
  }
  const BrowserRun loaded =
      run_chromium(chromium_, dir, page, {"--dump-dom", "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0"});
  ASSERT_TRUE(loaded.outcome.exited && loaded.outcome.exit_code == 0)
      << describe_outcome(loaded.outcome) << "\n"
      << loaded.log;
  EXPECT_EQ(attribute_of_body(loaded.dom, "data-charts-rendered"), charts) << loaded.log;
  EXPECT_EQ(attribute_of_body(loaded.dom, "data-charts-nonblank"), charts) << loaded.log;
  EXPECT_EQ(attribute_of_body(loaded.dom, "data-chart-errors"), "<absent>");
  EXPECT_NE(loaded.dom.find(figure), std::string::npos);
}

// A row with a physical limit (a real LibTorch CPU row: the exporter counted the multiply-adds,
// the run measured the CPU's peak) adds the seventh chart, % of peak; the no-op rows above have
// none, so their page keeps that figure hidden.
TEST_F(HtmlBrowserTest, RowsWithAPhysicalLimitGetTheirChart) {
  expect_page_with_figure("html-browser-limits",
                          {"--model", "tiny_cnn", "--backends", "torch:eager", "--devices", "cpu", "--batch", "2",
                           "--warmup", "2", "--iters", "5"},
                          "7", "<figure id=\"figure-limits\"><h3>Physical limits");
}

// Rows measured in rounds add the round-by-round chart (the no-op rows have no physical limit,
// so six charts and this one).
TEST_F(HtmlBrowserTest, RowsMeasuredInRoundsGetTheirChart) {
  expect_page_with_figure("html-browser-rounds",
                          {"--model", "tiny_cnn", "--backends", "noop", "--batch", "2", "--warmup", "1", "--iters",
                           "5", "--rounds", "3"},
                          "7", "<figure id=\"figure-rounds\" class=\"wide\"><h3>Throughput round by round");
}

// A server row adds the latency-against-offered-load chart (noop at 10 ms per batch of 1, one
// test at 50 QPS at P90 to keep it short: six charts and this one).
TEST_F(HtmlBrowserTest, ServerRowsGetTheirLatencyAgainstLoadChart) {
  expect_page_with_figure("html-browser-serving",
                          {"--model", "tiny_cnn", "--backends", "noop", "--backend-option", "noop:service_us=10000",
                           "--scenarios", "server", "--target-qps", "50", "--latency-percentile", "90", "--batch", "1",
                           "--requests", "1", "--warmup", "5"},
                          "7", "<figure id=\"figure-serving\" class=\"wide\"><h3>Serving: latency against offered load");
}

}  // namespace
}  // namespace inferbench::testing
