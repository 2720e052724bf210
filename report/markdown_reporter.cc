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
    out_ << fmt::format("Host: {}, started {}.\n", report::one_line(run_.host),
                        report::one_line(run_.started_at));
    // Several models: a table per model, each ranked on its own. Several hosts: one ranking over
    // all hosts with a Host column (report::rank_by_fps() says why).
    const bool with_host = report::several_hosts(rows_);
    const std::vector<std::string> models = report::models_of(rows_);
    if (models.size() < 2) {
      out_ << '\n';
      write_tables(rows_, with_host);
    }
    for (std::size_t i = 0; models.size() >= 2 && i < models.size(); ++i) {
      out_ << fmt::format("\n### Model {} of {}: {}\n\n", i + 1, models.size(),
                          report::markdown_cell(report::one_line(models[i])));
      write_tables(report::rows_of_model(rows_, models[i]), with_host);
    }
    out_.flush();
  }

 private:
  // Table B of `rows` with a Status column, the device's and the physical-limits tables under
  // it, then the notes; with `with_host`, a Host column and each row named with its host.
  void write_tables(const std::vector<Row>& rows, bool with_host) {
    const bool with_energy = report::any_energy(rows);
    std::vector<report::Column> columns = report::table_b_columns(with_host, with_energy);
    columns.push_back({"Status", false});
    const std::vector<report::RankedRow> ranked = report::rank_by_fps(rows);
    std::vector<std::vector<std::string>> table;
    for (const report::RankedRow& r : ranked) {
      table.push_back(report::table_b_cells(r, with_host, with_energy));
      table.back().emplace_back(row_status_name(r.row->status));
    }
    report::write_markdown_table(out_, columns, table);

    for (const report::SubTable& table : report::tables_under_table_b(ranked, false, with_host)) {
      write_section(out_, table.title, *table.columns, table.cells);
    }

    const std::vector<report::Note> notes = report::row_notes(ranked, false, with_host);
    if (!notes.empty()) out_ << '\n';
    for (const report::Note& note : notes) {
      out_ << fmt::format("- **{}** {}: {}\n", note.kind, note.title, note.text);
    }
  }
};

}  // namespace

std::unique_ptr<Reporter> make_markdown_reporter(std::ostream& out) {
  return std::make_unique<MarkdownReporter>(out);
}

}  // namespace inferbench
