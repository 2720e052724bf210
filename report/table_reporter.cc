// SPDX-License-Identifier: Apache-2.0
// Terminal table in the study's "Table B" layout, with failures and warnings listed under it.
#include <algorithm>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "report/format.h"
#include "report/reporter.h"

namespace inferbench {
namespace {

// Columns are separated by this many spaces.
constexpr std::size_t kColumnGap = 2;

// Width on a terminal, counted in UTF-8 code points: a byte count would misalign hardware
// names such as "Intel(R) Core(TM)" written with "®".
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string padded(const std::string& text, std::size_t width, bool right_aligned) {
  const std::size_t used = display_width(text);
  const std::string fill(width > used ? width - used : 0, ' ');
  return right_aligned ? fill + text : text + fill;
}

// Trailing blanks would make the last column's padding part of every line.
void write_line(std::ostream& out, std::string line) {
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << '\n';
}

// `columns` and `cells` as aligned text: a header, a rule of dashes, one line per row.
void write_aligned(std::ostream& out, const std::vector<report::Column>& columns,
                   const std::vector<std::vector<std::string>>& cells) {
  std::vector<std::size_t> widths;
  for (const report::Column& column : columns) {
    widths.push_back(display_width(std::string(column.header)));
  }
  for (const std::vector<std::string>& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(line[i]));
    }
  }
  const std::string gap(kColumnGap, ' ');
  std::string header;
  std::string rule;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) {
      header += gap;
      rule += gap;
    }
    header += padded(std::string(columns[i].header), widths[i], columns[i].numeric);
    rule += std::string(widths[i], '-');
  }
  write_line(out, header);
  write_line(out, rule);
  for (const std::vector<std::string>& line : cells) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) text += gap;
      text += padded(line[i], widths[i], columns[i].numeric);
    }
    write_line(out, text);
  }
}

class TableReporter final : public BufferedReporter {
 public:
  explicit TableReporter(std::ostream& out) : BufferedReporter(out) {}

  // Buffered: ranks and column widths need every row.

  void end() override {
    out_ << "inferbench results\n";
    out_ << fmt::format("run {}  host {}  started {}\n", report::one_line(run_.id),
                        report::one_line(run_.host), report::one_line(run_.started_at));
    // Several models: a table per model, each ranked on its own. Several hosts: one ranking over
    // all hosts with a Host column (report::rank_by_fps() says why), decided for the whole run so
    // that every model's table has the same columns.
    const bool with_host = report::several_hosts(rows_);
    const std::vector<std::string> models = report::models_of(rows_);
    if (models.size() < 2) {
      out_ << '\n';
      write_tables(rows_, with_host);
    }
    for (std::size_t i = 0; models.size() >= 2 && i < models.size(); ++i) {
      const std::vector<Row> rows = report::rows_of_model(rows_, models[i]);
      out_ << fmt::format("\nModel {} of {}: {}\n\n", i + 1, models.size(), report::one_line(models[i]));
      write_tables(rows, with_host);
    }
    out_.flush();
  }

 private:
  // Table B of `rows`, the device's, accuracy and physical-limits tables under it, then the notes;
  // with `with_host`, a Host column and each row named with its host.
  void write_tables(const std::vector<Row>& rows, bool with_host) {
    const std::vector<report::RankedRow> ranked = report::rank_by_fps(rows);
    std::vector<std::vector<std::string>> cells;
    cells.reserve(ranked.size());
    for (const report::RankedRow& r : ranked) cells.push_back(report::table_b_cells(r, with_host));
    write_aligned(out_, report::table_b_columns(with_host), cells);
    if (cells.empty()) out_ << "(no rows)\n";

    for (const report::SubTable& table : report::tables_under_table_b(ranked, false, with_host)) {
      out_ << '\n' << table.title << '\n';
      write_aligned(out_, *table.columns, table.cells);
    }

    const std::vector<report::Note> notes = report::row_notes(ranked, false, with_host);
    if (!notes.empty()) out_ << '\n';
    for (const report::Note& note : notes) {
      out_ << fmt::format("  [{}] {}: {}\n", note.kind, note.title, note.text);
    }
  }
};

}  // namespace

std::unique_ptr<Reporter> make_table_reporter(std::ostream& out) {
  return std::make_unique<TableReporter>(out);
}

}  // namespace inferbench
