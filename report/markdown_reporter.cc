// SPDX-License-Identifier: Apache-2.0
// GitHub-flavoured Markdown: a heading with the run id, the Table B columns plus Status, and
// the failures and warnings as a bullet list.
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "report/format.h"
#include "report/reporter.h"

namespace inferbench {
namespace {

void write_table_line(std::ostream& out, const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& cell : cells) line += " " + report::markdown_cell(cell) + " |";
  out << line << '\n';
}

// A titled table under Table B.
void write_section(std::ostream& out, std::string_view title, const std::vector<report::Column>& columns,
                   const std::vector<std::vector<std::string>>& rows) {
  out << '\n' << title << "\n\n";
  report::write_markdown_table(out, columns, rows);
}

class MarkdownReporter final : public BufferedReporter {
 public:
  explicit MarkdownReporter(std::ostream& out) : BufferedReporter(out) {}

  // Buffered: ranks need every row.

  void end() override {
    out_ << fmt::format("## inferbench run {}\n\n", report::one_line(run_.id));
    out_ << fmt::format("Host: {}, started {}.\n\n", report::one_line(run_.host),
                        report::one_line(run_.started_at));

    std::vector<std::string> header;
    std::string rule = "|";
    for (const report::Column& column : report::table_b_columns()) {
      header.emplace_back(column.header);
      rule += column.numeric ? "---:|" : "---|";
    }
    header.emplace_back("Status");
    rule += "---|";
    write_table_line(out_, header);
    out_ << rule << '\n';

    const std::vector<report::RankedRow> ranked = report::rank_by_fps(rows_);
    for (const report::RankedRow& r : ranked) {
      std::vector<std::string> cells = report::table_b_cells(r);
      cells.emplace_back(row_status_name(r.row->status));
      write_table_line(out_, cells);
    }

    std::vector<std::vector<std::string>> device_cells;
    for (const report::RankedRow& r : ranked) {
      if (report::has_device_measurements(*r.row)) device_cells.push_back(report::device_cells(*r.row));
    }
    if (!device_cells.empty()) write_section(out_, "Measured by the device itself:", report::device_columns(), device_cells);
    std::vector<std::vector<std::string>> limit_cells;
    for (const report::RankedRow& r : ranked) {
      if (r.row->compute_bound) limit_cells.push_back(report::limit_cells(*r.row));
    }
    if (!limit_cells.empty()) write_section(out_, report::kLimitsTitle, report::limit_columns(), limit_cells);

    const std::vector<report::Note> notes = report::row_notes(ranked);
    if (!notes.empty()) out_ << '\n';
    for (const report::Note& note : notes) {
      out_ << fmt::format("- **{}** {}: {}\n", note.kind, note.title, note.text);
    }
    out_.flush();
  }
};

}  // namespace

std::unique_ptr<Reporter> make_markdown_reporter(std::ostream& out) {
  return std::make_unique<MarkdownReporter>(out);
}

}  // namespace inferbench
