// SPDX-License-Identifier: Apache-2.0
// The "html" format on the hand-made run of sample_run.h: the table, the guide, the embedded
// data (which must read back), escaping of hostile text, and no reference to anything outside
// the file. tests/integration/html_browser_test.cc opens a real page in a browser.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/guide.h"
#include "report/report_assets.h"
#include "report/reporter.h"
#include "tests/unit/report/sample_run.h"

namespace inferbench {
namespace {

std::string render_html(const RunResult& run) {
  std::ostringstream out;
  auto reporter = make_reporter("html", out);
  EXPECT_TRUE(reporter.is_ok());
  if (reporter) report_run(**reporter, run);
  return out.str();
}

// The text between `open` and the next `close` after it; empty when absent.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const auto start = text.find(open);
  if (start == std::string::npos) return "";
  const auto end = text.find(close, start + open.size());
  if (end == std::string::npos) return "";
  return text.substr(start + open.size(), end - start - open.size());
}

std::string data_block(const std::string& html) {
  return between(html, "<script type=\"application/json\" id=\"inferbench-data\">", "</script>");
}

// The page without the inlined plotting library, whose licence header names its home page.
std::string without_library(const std::string& html) {
  const std::string library(report::chart_library());
  if (library.empty()) return html;
  std::string page = html;
  const auto at = page.find(library);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) page.erase(at, library.size());
  return page;
}

TEST(HtmlReporterTest, IsOneDocumentWithTheTableTheGuideAndTheCharts) {
  const std::string html = render_html(sample_run::make());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0u);
  EXPECT_NE(html.find("<title>inferbench run 20261126T130501Z-1a2b3c</title>"), std::string::npos);
  // Table B, ranked: the fast row first, its cells formatted as in the other formats.
  EXPECT_NE(html.find("<table class=\"results\">"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"ok\"><td class=\"num\">1</td><td>OpenVINO</td><td>CPU</td>"),
            std::string::npos);
  for (const char* cell :
       {"7835.45", "159.672", "195.609", "400.82", "0.999987 / 1.000", "1010.355"}) {
    EXPECT_NE(html.find(std::string("<td class=\"num\">") + cell + "</td>"), std::string::npos)
        << cell;
  }
  EXPECT_NE(html.find("<tr class=\"failed\">"), std::string::npos);
  // With a Batch column after Mode (a page often holds a batch sweep).
  EXPECT_NE(html.find("<th class=\"num\">Batch</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>sync</td><td class=\"num\">64</td>"), std::string::npos);
  // Unavailable rows, with nothing measured, are listed under the table instead of in it.
  EXPECT_EQ(html.find("<tr class=\"unavailable\">"), std::string::npos);
  EXPECT_NE(html.find("<li><span class=\"kind unavailable\">[unavailable]</span> LiteRT CPU INT8 "
                      "batch 64: libtensorflowlite_c.so not found | set LITERT_ROOT</li>"),
            std::string::npos);
  EXPECT_NE(html.find("<li><span class=\"kind failed\">[failed]</span> TensorRT CUDA GPU FP16 "
                      "batch 64: worker crashed: signal 11, &quot;engine build&quot; did not finish "
                      "last log line: out of memory</li>"),
            std::string::npos);
  // The guide, after the table and before the charts.
  const auto table = html.find("<section id=\"results\">");
  const auto guide = html.find("<section id=\"guide\">");
  const auto charts = html.find("<section id=\"charts\">");
  ASSERT_NE(guide, std::string::npos);
  EXPECT_LT(table, guide);
  EXPECT_LT(guide, charts);
  EXPECT_NE(html.find("<h3>Winners</h3>"), std::string::npos);
  EXPECT_NE(
      html.find(
          "<td>peak throughput</td><td>OpenVINO CPU FP32 batch 64, 2 threads</td><td class=\"num\">395.25 "
          "inputs/s</td>"),
      std::string::npos);
  EXPECT_NE(html.find("<h3>Break-even: when a slower start-up pays for itself</h3>"),
            std::string::npos);
  // Every failed or unavailable row appears with its reason in the guide too.
  EXPECT_NE(
      html.find("<li>LiteRT CPU INT8 batch 64 — unavailable: libtensorflowlite_c.so not found | "
                "set LITERT_ROOT</li>"),
      std::string::npos);
  // Six chart canvases, parity and environment sections.
  for (const char* id : {"chart-throughput", "chart-latency", "chart-stability", "chart-tradeoff",
                         "chart-frontier", "chart-memory"}) {
    EXPECT_NE(html.find(std::string("<canvas id=\"") + id + "\">"), std::string::npos) << id;
  }
  EXPECT_NE(html.find("<section id=\"parity\">"), std::string::npos);
  EXPECT_NE(html.find("<td>cpu</td><td>Intel Xeon Gold 6338</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>OpenVINO</td><td>openvino</td><td>2025.1.0</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>LiteRT</td><td>litert</td><td>not loaded (unavailable)</td>"),
            std::string::npos);
  // No placeholder is left unfilled.
  EXPECT_FALSE(std::regex_search(html, std::regex("\\{\\{[a-z_]+\\}\\}")));
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

TEST(HtmlReporterTest, RowsLeftOutForOneReasonShareOneNote) {
  RunResult run = sample_run::make();
  Row second = run.rows[sample_run::kUnavailableRow];
  second.batch = 8;
  run.rows.push_back(second);
  const std::string html = render_html(run);
  EXPECT_NE(html.find("<li><span class=\"kind unavailable\">[unavailable]</span> LiteRT CPU INT8 "
                      "batch 64; LiteRT CPU INT8 batch 8: libtensorflowlite_c.so not found | set "
                      "LITERT_ROOT</li>"),
            std::string::npos);
  EXPECT_NE(html.find("<li>LiteRT CPU INT8 batch 64; LiteRT CPU INT8 batch 8 — unavailable: "
                      "libtensorflowlite_c.so not found | set LITERT_ROOT</li>"),
            std::string::npos);
}

TEST(HtmlReporterTest, ListsDeviceMeasurementsUnderTheTableOnlyForRowsThatHaveThem) {
  RunResult run = sample_run::make();
  EXPECT_EQ(render_html(run).find("Measured by the device itself"), std::string::npos);
  Row& row = run.rows[sample_run::kFastRow];
  row.framework = "PyTorch (CUDA graph)";
  row.device = "cuda";
  row.device_label = "CUDA GPU";
  row.precision = "fp16";
  row.device_time_ms = LatencySummary{2.625, 2.725, 2.7375, 2.7476, 2.74975, 2.5, 2.75, 2.625, 0.177, 0.067};
  row.peak_device_memory_mb = 412.76;
  const std::string html = render_html(run);
  EXPECT_NE(html.find("<p>Measured by the device itself:</p>"), std::string::npos);
  EXPECT_NE(html.find("<td>PyTorch (CUDA graph) CUDA GPU FP16 batch 64</td><td class=\"num\">2.625</td>"
                      "<td class=\"num\">2.748</td><td class=\"num\">2.625</td><td class=\"num\">412.8</td>"),
            std::string::npos);
}

TEST(HtmlReporterTest, ListsPhysicalLimitsUnderTheTable) {
  // Without such rows there is no table (the chart's figure is in the page, hidden unless the
  // script finds such a row).
  EXPECT_EQ(render_html(sample_run::make()).find("<p>Physical limits ("), std::string::npos);
  const std::string html = render_html(sample_run::with_compute_bound());
  EXPECT_NE(html.find("<p>Physical limits (the model&#39;s multiply-adds"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>OpenVINO CPU FP32 batch 64, 2 threads</td><td class=\"num\">300.8</td><td class=\"num\">116.0</td>"
                      "<td class=\"num\">232.0</td><td class=\"num\">50.0</td><td class=\"num\">771.5</td>"
                      "<td>AVX-512 FMA (vfmadd231ps zmm), 2 threads</td>"),
            std::string::npos);
}

TEST(HtmlReporterTest, EmbedsTheRunAsJsonThatReadsBack) {
  const RunResult run = sample_run::make();
  const std::string block = data_block(render_html(run));
  ASSERT_FALSE(block.empty());
  const nlohmann::json data = nlohmann::json::parse(block, nullptr, false);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data["run"]["id"], run.run.id);
  ASSERT_EQ(data["rows"].size(), run.rows.size());
  EXPECT_EQ(data["rows"][sample_run::kFastRow]["latency_samples_ms"],
            nlohmann::json({159.5, 159.75, 160.0}));
  EXPECT_EQ(data["rows"][sample_run::kFailedRow]["error"], run.rows[sample_run::kFailedRow].error);
  EXPECT_EQ(data["labels"][sample_run::kFastRow], "OpenVINO CPU FP32 batch 64, 2 threads");
  // The latency chart's front: the guide's, as indices into the rows (one model: one front).
  ASSERT_EQ(data["frontiers"].size(), 1u);
  EXPECT_EQ(data["frontiers"][0]["rows"], nlohmann::json(report::latency_frontier(run.rows)));
  EXPECT_FALSE(data["frontiers"][0]["rows"].empty());
}

TEST(HtmlReporterTest, SeveralModelsNameTheirModelAndHaveAFrontEach) {
  RunResult run = sample_run::make();
  Row other = run.rows[sample_run::kFastRow];
  other.model = "resnet50";
  run.rows.push_back(other);
  const std::string html = render_html(run);
  const nlohmann::json data = nlohmann::json::parse(data_block(html), nullptr, false);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data["labels"].back(), "resnet50: OpenVINO CPU FP32 batch 64, 2 threads");
  EXPECT_EQ(data["labels"][sample_run::kFastRow], "mobilenet_v2: OpenVINO CPU FP32 batch 64, 2 threads");
  ASSERT_EQ(data["frontiers"].size(), 2u);
  EXPECT_EQ(data["frontiers"][1]["model"], "resnet50");
  EXPECT_EQ(data["frontiers"][1]["rows"], nlohmann::json::array({run.rows.size() - 1}));
  EXPECT_NE(html.find("<th>Model</th>"), std::string::npos);
  EXPECT_NE(html.find("Across models"), std::string::npos);
}

// A fleet run of two hosts: a Host column after Rank (the Batch column still after Mode), every
// row named with its host in the notes, the parity table and the charts' labels, the hosts in the
// summary, and the guide's goals across hosts. One host: none of that.
TEST(HtmlReporterTest, SeveralHostsNameTheirHost) {
  const std::string html = render_html(sample_run::on_two_hosts());
  EXPECT_NE(html.find("<thead><tr><th class=\"num\">Rank</th><th>Host</th><th>Framework</th>"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"ok\"><td class=\"num\">1</td><td>b</td><td>OpenVINO</td><td>CPU</td>"
                      "<td>AMD EPYC 9654 (AVX-512, 2 threads)</td><td>FP32</td><td>sync</td><td class=\"num\">64</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">2</td><td>a</td><td>OpenVINO</td>"), std::string::npos);
  EXPECT_NE(html.find("&middot; measured on hosts a, b &middot;"), std::string::npos);
  EXPECT_NE(html.find("<li><span class=\"kind failed\">[failed]</span> PyTorch (Native) CPU FP32 batch 64 on host b: "
                      "host b lost during the cell</li>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>OpenVINO CPU FP32 batch 64, 2 threads on host b</td><td>PyTorch (Native) CPU FP32</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<h3>Across hosts</h3>"), std::string::npos);
  EXPECT_NE(html.find("<h3>host b: Rows left out</h3>"), std::string::npos);
  const nlohmann::json data = nlohmann::json::parse(data_block(html), nullptr, false);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data["labels"][sample_run::kFastRowOnB], "OpenVINO CPU FP32 batch 64, 2 threads on host b");
  EXPECT_EQ(data["labels"][sample_run::kFastRow], "OpenVINO CPU FP32 batch 64, 2 threads on host a");

  const std::string one = render_html(sample_run::on_host(sample_run::make(), "a"));
  EXPECT_EQ(one.find("<th>Host</th>"), std::string::npos);
  EXPECT_EQ(one.find("on host a"), std::string::npos);
  EXPECT_EQ(one.find("measured on hosts"), std::string::npos);
}

TEST(HtmlReporterTest, HostileTextCannotBreakOutOfTheMarkupOrTheDataBlock) {
  RunResult run = sample_run::make();
  run.rows[sample_run::kFailedRow].error =
      "</script><script>alert(1)</script> <b>x</b> & {{table}}";
  const std::string html = render_html(run);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
  EXPECT_NE(
      html.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt; &amp; "
                "{{table}}"),
      std::string::npos);
  // Inside the data block "<" is written as \u003c, so "</script" cannot end it early, and the
  // text reads back unchanged.
  const std::string block = data_block(html);
  EXPECT_EQ(block.find('<'), std::string::npos);
  const nlohmann::json data = nlohmann::json::parse(block, nullptr, false);
  ASSERT_TRUE(data.is_object());
  EXPECT_EQ(data["rows"][sample_run::kFailedRow]["error"], run.rows[sample_run::kFailedRow].error);
}

TEST(HtmlReporterTest, ReferencesNothingOutsideTheFile) {
  const std::string page = without_library(render_html(sample_run::make()));
  // No URL at all outside the library (whose licence comment names its home page).
  for (const char* scheme : {"http://", "https://", "ftp://", "//cdn", "www."}) {
    EXPECT_EQ(page.find(scheme), std::string::npos) << scheme;
  }
  // Every src/href/action attribute stays inside the page ("#section" links only).
  const std::regex attribute("(src|href|action|poster|srcset)\\s*=\\s*[\"']?([^\"' >]*)",
                             std::regex::icase);
  int links = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    ++links;
    EXPECT_EQ((*it)[2].str().rfind('#', 0), 0u) << (*it)[0].str();
  }
  EXPECT_EQ(links, 5);  // the five section links of the header
  // No way for CSS or script to pull anything in.
  for (const char* fetcher : {"@import", "url(", "fetch(", "XMLHttpRequest", "<link", "<iframe",
                              "<img", "WebSocket", "sendBeacon"}) {
    EXPECT_EQ(page.find(fetcher), std::string::npos) << fetcher;
  }
  // The library itself: no loader or URL other than its licence comment's two.
  const std::string library(report::chart_library());
  for (const char* fetcher : {"fetch(", "XMLHttpRequest", "import(", "http://", "src="}) {
    EXPECT_EQ(library.find(fetcher), std::string::npos) << fetcher;
  }
}

TEST(HtmlReporterTest, InlinesThePlottingLibraryOrSaysWhyNot) {
  const std::string html = render_html(sample_run::make());
  if (report::chart_library().empty()) {
    EXPECT_NE(html.find("<p class=\"notice\">Charts unavailable: Chart.js was not found"),
              std::string::npos);
    GTEST_SKIP() << "built without Chart.js: " << report::chart_library_missing_reason();
  }
  EXPECT_NE(html.find(std::string(report::chart_library())), std::string::npos);
  EXPECT_NE(html.find("Chart.js v3."), std::string::npos);
  EXPECT_EQ(html.find("Charts unavailable"), std::string::npos);
}

TEST(HtmlReporterTest, EmptyRunStillRenders) {
  RunResult run = sample_run::make();
  run.rows.clear();
  const std::string html = render_html(run);
  EXPECT_NE(html.find("<p>(no rows)</p>"), std::string::npos);
  EXPECT_NE(html.find("No pair qualifies"), std::string::npos);
  const nlohmann::json data = nlohmann::json::parse(data_block(html), nullptr, false);
  EXPECT_EQ(data["rows"], nlohmann::json::array());
}

}  // namespace
}  // namespace inferbench
