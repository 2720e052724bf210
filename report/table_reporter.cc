// SPDX-License-Identifier: Apache-2.0
// Terminal table in the study's "Table B" layout, with failures and warnings listed under it;
// on a terminal, Table B fitted to its width.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "report/format.h"
#include "report/reporter.h"

namespace inferbench {
namespace {

// Columns are separated by this many spaces.
constexpr std::size_t kColumnGap = 2;

std::string padded(const std::string& text, std::size_t width, bool right_aligned) {
  const std::size_t used = report::display_width(text);
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
    widths.push_back(report::display_width(std::string(column.header)));
  }
  for (const std::vector<std::string>& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      widths[i] = std::max(widths[i], report::display_width(line[i]));
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

// How a Table B column reads in a table fitted to a terminal (fitted_table_b()).
struct FittedColumn {
  std::string_view header;         // as table_b_columns() names it
  std::string_view fitted_header;  // shorter, where the full one is much wider than its numbers
  std::string_view tight_header;   // shorter still, for when the study's columns do not fit else
  bool study = false;              // one of the study's columns: always shown
  bool shrinkable = false;         // text that may be shortened (shortened()) to make room
  std::size_t cap = 0;             // text shortened to at most this many columns; 0 = none
};

// The study's columns (Rank, Framework, Device, Precision, Mode, Compile, P50, P99, FPS) and the
// Host column of a fleet run are always shown; the others only where they fit. A long target
// hardware string ("Intel(R) Xeon(R) Platinum 8480+ (AVX-512 VNNI AMX, 16 threads)") would take
// a third of an 80-column terminal, so it is cut to kHardwareCap first.
constexpr std::size_t kHardwareCap = 28;
constexpr FittedColumn kFittedColumns[] = {
    {"Rank", "Rank", "Rank", true, false, 0},
    {"Host", "Host", "Host", true, true, 0},
    {"Framework", "Framework", "Framework", true, true, 0},
    {"Inf. Device", "Device", "Device", true, true, 0},
    {"Target Hardware", "Target Hardware", "Target Hardware", false, false, kHardwareCap},
    {"Precision", "Prec.", "Prec", true, false, 0},
    {"Mode", "Mode", "Mode", true, true, 0},
    {"Compile Time (ms)", "Compile ms", "Compile", true, false, 0},
    {"P50 Latency (ms)", "P50 ms", "P50", true, false, 0},
    {"P99 Latency (ms)", "P99 ms", "P99", true, false, 0},
    {"Throughput (FPS)", "FPS", "FPS", true, false, 0},
    {"Measured thr.", "Measured thr.", "Measured thr.", false, false, 0},
    {"P99/P50", "P99/P50", "P99/P50", false, false, 0},
    {"CV %", "CV %", "CV %", false, false, 0},
    {"Peak RSS (MB)", "RSS MB", "RSS MB", false, false, 0},
    {"Parity cos / top-1", "Parity cos / top-1", "Parity cos / top-1", false, false, 0},
};
// A shrinkable column is never made narrower than this (nor than its header).
constexpr std::size_t kMinTextWidth = 6;

FittedColumn fitted_column(std::string_view header) {
  for (const FittedColumn& column : kFittedColumns) {
    if (column.header == header) return column;
  }
  // A column added to table_b_columns() without an entry here is shown only where it fits.
  return {header, header, header, false, false, 0};
}

// Table B as it is shown: the columns, their cells, and the columns left out.
struct ShownTable {
  std::vector<report::Column> columns;
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string_view> omitted;  // full headers, in the table's order
  std::size_t width = 0;                  // of its widest line
};

std::size_t table_width(const std::vector<std::size_t>& widths) {
  std::size_t total = 0;
  for (std::size_t w : widths) total += w;
  return widths.empty() ? 0 : total + kColumnGap * (widths.size() - 1);
}

// `columns` and `cells` fitted to `width` terminal columns. The whole table when it fits.
// Otherwise shorter headers, the hardware cut to kHardwareCap, then the study's columns (their
// text shortened, widest first, while they are too wide together), then each further column, in
// the table's order, that still fits. Only when the study's columns alone cannot fit, even
// shortened to kMinTextWidth, is the result wider than `width`.
ShownTable fitted_table_b(const std::vector<report::Column>& columns,
                          const std::vector<std::vector<std::string>>& cells, std::size_t width, bool tight);

// fitted_table_b() with the fitted headers, or, when the study's columns do not fit with them,
// with the tight ones ("Compile", "P50": the unit left to the reader).
ShownTable fitted_table_b(const std::vector<report::Column>& columns,
                          const std::vector<std::vector<std::string>>& cells, std::size_t width) {
  ShownTable table = fitted_table_b(columns, cells, width, false);
  if (table.width <= width) return table;
  return fitted_table_b(columns, cells, width, true);
}

ShownTable fitted_table_b(const std::vector<report::Column>& columns,
                          const std::vector<std::vector<std::string>>& cells, std::size_t width, bool tight) {
  const auto widths_of = [&](const std::vector<report::Column>& heads,
                             const std::vector<std::vector<std::string>>& lines) {
    std::vector<std::size_t> widths;
    for (const report::Column& column : heads) widths.push_back(report::display_width(column.header));
    for (const auto& line : lines) {
      for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], report::display_width(line[i]));
    }
    return widths;
  };
  if (const std::size_t whole = table_width(widths_of(columns, cells)); whole <= width) {
    return {columns, cells, {}, whole};
  }

  std::vector<FittedColumn> fitted;
  std::vector<report::Column> heads;
  for (const report::Column& column : columns) {
    fitted.push_back(fitted_column(column.header));
    heads.push_back({tight ? fitted.back().tight_header : fitted.back().fitted_header, column.numeric});
  }
  std::vector<std::vector<std::string>> lines = cells;
  for (auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (fitted[i].cap > 0) line[i] = report::shortened(line[i], fitted[i].cap);
    }
  }
  std::vector<std::size_t> widths = widths_of(heads, lines);

  std::vector<std::size_t> study;
  for (std::size_t i = 0; i < fitted.size(); ++i) {
    if (fitted[i].study) study.push_back(i);
  }
  const auto study_width = [&] {
    std::vector<std::size_t> w;
    for (std::size_t i : study) w.push_back(widths[i]);
    return table_width(w);
  };
  // Narrow the widest shortenable text column by one, until the study's columns fit or none can
  // give more.
  while (study_width() > width) {
    std::optional<std::size_t> widest;
    for (std::size_t i : study) {
      const std::size_t floor = std::max(kMinTextWidth, report::display_width(heads[i].header));
      if (fitted[i].shrinkable && widths[i] > floor && (!widest || widths[i] > widths[*widest])) widest = i;
    }
    if (!widest) break;
    --widths[*widest];
  }
  for (std::size_t i : study) {
    if (!fitted[i].shrinkable) continue;
    for (auto& line : lines) {
      // A framework too wide takes its short name first, so that two variants stay apart.
      if (fitted[i].header == "Framework" && report::display_width(line[i]) > widths[i]) {
        line[i] = report::cut(report::compact_framework(line[i]), widths[i]);
      }
      line[i] = report::shortened(line[i], widths[i]);
    }
  }

  std::vector<bool> shown(columns.size(), false);
  for (std::size_t i : study) shown[i] = true;
  std::size_t used = study_width();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (shown[i] || used + kColumnGap + widths[i] > width) continue;
    shown[i] = true;
    used += kColumnGap + widths[i];
  }

  ShownTable table;
  table.width = used;
  table.cells.resize(lines.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (!shown[i]) {
      table.omitted.push_back(columns[i].header);
      continue;
    }
    table.columns.push_back(heads[i]);
    for (std::size_t r = 0; r < lines.size(); ++r) table.cells[r].push_back(lines[r][i]);
  }
  return table;
}

// `text` as lines of at most `width` columns, broken at blanks (a word wider than `width` stays
// whole), each line after the first indented by two blanks.
void write_wrapped(std::ostream& out, const std::string& text, std::size_t width) {
  const std::string indent = "  ";
  std::string line;
  bool line_has_word = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (line_has_word && report::display_width(line) + 1 + report::display_width(word) > width) {
      out << line << '\n';
      line = indent;
      line_has_word = false;
    }
    if (line_has_word) line += ' ';
    line += word;
    line_has_word = true;
  }
  if (line_has_word) out << line << '\n';
}

class TableReporter final : public BufferedReporter {
 public:
  TableReporter(std::ostream& out, std::optional<std::size_t> fit_width)
      : BufferedReporter(out), fit_width_(fit_width) {}

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
  // Empty: every column, as wide as it takes (a file, a pipe, --wide).
  std::optional<std::size_t> fit_width_;

  // Table B of `rows`, the device's, accuracy and physical-limits tables under it, then the notes;
  // with `with_host`, a Host column and each row named with its host.
  void write_tables(const std::vector<Row>& rows, bool with_host) {
    const std::vector<report::RankedRow> ranked = report::rank_by_fps(rows);
    std::vector<std::vector<std::string>> cells;
    cells.reserve(ranked.size());
    const bool with_energy = report::any_energy(rows);
    for (const report::RankedRow& r : ranked) cells.push_back(report::table_b_cells(r, with_host, with_energy));
    if (!fit_width_) {
      write_aligned(out_, report::table_b_columns(with_host, with_energy), cells);
    } else {
      const ShownTable shown = fitted_table_b(report::table_b_columns(with_host, with_energy), cells, *fit_width_);
      write_aligned(out_, shown.columns, shown.cells);
      if (!shown.omitted.empty()) {
        std::string names;
        for (std::string_view name : shown.omitted) names += (names.empty() ? "" : ", ") + std::string(name);
        write_wrapped(out_,
                      fmt::format("Left out to fit {} columns: {}. --wide shows every column, as do "
                                  "results.md, results.csv and report.html (--out).",
                                  *fit_width_, names),
                      *fit_width_);
      }
    }
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
  return std::make_unique<TableReporter>(out, std::nullopt);
}

std::unique_ptr<Reporter> make_fitted_table_reporter(std::ostream& out, std::size_t width) {
  return std::make_unique<TableReporter>(out, width);
}

}  // namespace inferbench
