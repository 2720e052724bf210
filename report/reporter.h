// SPDX-License-Identifier: Apache-2.0
// The Reporter interface every output format implements, and the table that picks a format by
// name.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/row.h"
#include "core/support/status.h"

namespace inferbench {

// Writes one run's rows in one format to a stream the caller owns.
//
// REQUIRES: begin() once, then add_row() once per row (ok, failed and unavailable rows alike,
// in the order they were produced), then end() once. A reporter is single-use and not
// thread-safe.
//
// Streaming formats (csv) write as rows arrive; formats that need every row first (table:
// column widths and ranks; markdown; json: one document) write everything in end(). Nothing is
// guaranteed to be on the stream before end() returns.
//
// Reporters never check the stream: a write error leaves the stream's failbit set, and the
// owner of the stream (the one who opened the file) reports it as StatusCode::Io after end().
class Reporter {
 public:
  virtual ~Reporter() = default;

  virtual void begin(const RunInfo& run) = 0;
  virtual void add_row(const Row& row) = 0;
  virtual void end() = 0;
};

// Base of the formats that need every row before they write (table: ranks and column widths;
// markdown: ranks; json: one document): begin() and add_row() only collect, end() writes.
class BufferedReporter : public Reporter {
 public:
  void begin(const RunInfo& run) final { run_ = run; }
  void add_row(const Row& row) final { rows_.push_back(row); }

 protected:
  explicit BufferedReporter(std::ostream& out) : out_(out) {}

  std::ostream& out_;
  RunInfo run_;
  std::vector<Row> rows_;
};

// The reporter for `format`, writing to `out`. `out` must outlive the reporter.
// Names are exact and case-sensitive: "table", "csv", "markdown" (alias "md"), "json", "guide",
// "html".
// Error: StatusCode::Usage naming the format and listing the known ones.
[[nodiscard]] Result<std::unique_ptr<Reporter>> make_reporter(std::string_view format,
                                                              std::ostream& out);

// The canonical format names make_reporter accepts, in the order of its table (aliases are not
// listed): {"table", "csv", "markdown", "json", "guide", "html"}.
std::vector<std::string> reporter_formats();

// Feeds a whole run through `reporter`: begin(run.run), add_row() for each row, end().
void report_run(Reporter& reporter, const RunResult& run);

// One constructor per format, each defined in its own file; make_reporter picks among them.
//
// Terminal table in the study's "Table B" layout, ok rows ranked by FPS, with a Host column when
// the rows name several hosts (a fleet run; report/format.h, several_hosts()) (table_reporter.cc).
std::unique_ptr<Reporter> make_table_reporter(std::ostream& out);
// The same, with Table B fitted to a terminal `width` columns wide (what `run` and `report` print
// on a terminal without --wide): the whole table when it fits; otherwise shorter headers ("P50
// ms"), the study's columns (Rank, Host in a fleet run, Framework, Device, Precision, Mode,
// Compile, P50, P99, FPS) with long names shortened at a word boundary with "…" (never inside a
// number), then each further column, in the table's order, that still fits, and under the table
// a line naming the columns left out and where to see them. Table B's lines are at most `width`
// wide unless the study's columns alone cannot be (a terminal narrower than about 70 columns).
// The tables and notes under Table B are as make_table_reporter() writes them.
std::unique_ptr<Reporter> make_fitted_table_reporter(std::ostream& out, std::size_t width);
// One CSV line per row, RFC 4180 quoting, full-precision numbers; a `host` column always, empty
// for a row measured on one machine (csv_reporter.cc).
std::unique_ptr<Reporter> make_csv_reporter(std::ostream& out);
// GitHub-flavoured Markdown table with the Table B columns and a Status column
// (markdown_reporter.cc).
std::unique_ptr<Reporter> make_markdown_reporter(std::ostream& out);
// results.json: {"run": ..., "rows": [...]} as docs/results.schema.json describes
// (json_reporter.cc).
std::unique_ptr<Reporter> make_json_reporter(std::ostream& out);
// The deployment guide (report/guide.h) as GitHub-flavoured Markdown for a pull request
// (guide_reporter.cc).
std::unique_ptr<Reporter> make_guide_reporter(std::ostream& out);
// One self-contained HTML page: table, guide, charts, parity, environment; no network request
// (html_reporter.cc).
std::unique_ptr<Reporter> make_html_reporter(std::ostream& out);

}  // namespace inferbench
