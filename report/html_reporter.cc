// SPDX-License-Identifier: Apache-2.0
// One self-contained HTML file from the embedded template (report/templates/report.html.in):
// the Table B layout, the deployment guide, parity and environment rendered here; the run's
// data embedded as JSON; charts drawn in the page by the inlined plotting library. The page
// makes no network request.
#include <cstddef>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/profile/categories.h"
#include "core/support/json_text.h"
#include "report/format.h"
#include "report/guide.h"
#include "report/guide_document.h"
#include "report/report_assets.h"
#include "report/reporter.h"

namespace inferbench {
namespace {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Replaces each {{name}} of `page` by values[name] in one pass, so text that is inserted (an
// error message that happens to hold "{{table}}") is never expanded again. Unknown names stay.
std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(page.size() + 4096);
  std::size_t at = 0;
  while (at < page.size()) {
    const std::size_t open = page.find("{{", at);
    if (open == std::string_view::npos) break;
    const std::size_t close = page.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(page.substr(at, open - at));
    const auto it = values.find(std::string(page.substr(open + 2, close - open - 2)));
    if (it == values.end()) {
      out.append(page.substr(open, close + 2 - open));
    } else {
      out += it->second;
    }
    at = close + 2;
  }
  out.append(page.substr(at));
  return out;
}

// JSON inside <script type="application/json">: a "<" could start "</script>" or "<!--", so
// every "<" (only ever inside a JSON string) becomes the escape \u003c, which JSON.parse reads
// back as "<".
std::string script_json(const nlohmann::json& value) {
  const std::string text = json_text(value);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

std::string table_html(const std::vector<report::Column>& columns,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<std::string>& row_classes = {},
                       std::string_view table_class = "") {
  std::string html =
      table_class.empty() ? "<table>" : fmt::format("<table class=\"{}\">", table_class);
  html += "<thead><tr>";
  for (const report::Column& column : columns) {
    html += column.numeric ? "<th class=\"num\">" : "<th>";
    html += escape(column.header) + "</th>";
  }
  html += "</tr></thead><tbody>\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const bool has_class = r < row_classes.size() && !row_classes[r].empty();
    html += has_class ? fmt::format("<tr class=\"{}\">", row_classes[r]) : std::string("<tr>");
    for (std::size_t c = 0; c < rows[r].size() && c < columns.size(); ++c) {
      html += columns[c].numeric ? "<td class=\"num\">" : "<td>";
      html += escape(rows[r][c]) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</tbody></table>";
  return html;
}

// The Table B columns with the batch after Mode: a page often holds a batch sweep, and the
// study's table (one batch) has no such column.
constexpr std::size_t kBatchColumn = 6;

// Ok and failed rows in the Table B layout. Unavailable rows (nothing measured, often many: a
// device or plugin missing multiplies by every precision and batch) are listed under the table
// by notes_html(), grouped by reason, so the measured rows stay on the first screen. A run of
// several models has a Model column after the rank (ranks count within each model); a run of
// several hosts has the Host column of report::table_b_columns() after that (one ranking over
// all hosts, report::rank_by_fps() says why).
std::string results_table(const std::vector<report::RankedRow>& ranked, bool several_models, bool several_hosts,
                          bool with_energy) {
  const std::size_t batch_column = kBatchColumn + (several_hosts ? 1 : 0);
  std::vector<report::Column> columns = report::table_b_columns(several_hosts, with_energy);
  columns.insert(columns.begin() + batch_column, {"Batch", true});
  if (several_models) columns.insert(columns.begin() + 1, {"Model", false});
  columns.push_back({"Status", false});
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> classes;
  for (const report::RankedRow& r : ranked) {
    if (r.row->status == RowStatus::Unavailable) continue;
    std::vector<std::string> line = report::table_b_cells(r, several_hosts, with_energy);
    line.insert(line.begin() + batch_column, std::to_string(r.row->batch));
    if (several_models) line.insert(line.begin() + 1, r.row->model);
    line.emplace_back(row_status_name(r.row->status));
    cells.push_back(std::move(line));
    classes.emplace_back(row_status_name(r.row->status));
  }
  if (cells.empty()) return ranked.empty() ? "<p>(no rows)</p>" : "<p>(no row was measured)</p>";
  std::string html = table_html(columns, cells, classes, "results");
  for (const report::SubTable& table : report::tables_under_table_b(ranked, several_models, several_hosts)) {
    html += "\n<p>" + escape(table.title) + "</p>\n" + table_html(*table.columns, table.cells);
  }
  return html;
}

// "[failed] A; B: why": the rows that share a kind and a text, in one item.
std::string note_item(const std::string& kind, const std::vector<std::string>& titles,
                      const std::string& text) {
  std::string joined;
  for (const std::string& title : titles) joined += (joined.empty() ? "" : "; ") + escape(title);
  return fmt::format("<li><span class=\"kind {0}\">[{0}]</span> {1}: {2}</li>\n", escape(kind),
                     joined, escape(text));
}

// Failures and unavailable rows in full under the table, rows with the same reason grouped in
// one item; the measurement warnings folded (one click away), since a run with many rows has
// several per row and the guide should stay near the table.
std::string notes_html(const std::vector<report::RankedRow>& ranked, bool several_models, bool several_hosts) {
  const std::vector<report::Note> notes = report::row_notes(ranked, several_models, several_hosts);
  std::vector<std::pair<std::string, std::string>> reasons;  // (kind, text), first seen first
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> titles;
  std::string warnings;
  std::size_t warning_count = 0;
  for (const report::Note& note : notes) {
    if (note.kind == "warn") {
      warnings += note_item(note.kind, {note.title}, note.text);
      ++warning_count;
      continue;
    }
    const auto key = std::pair(note.kind, note.text);
    if (titles[key].empty()) reasons.push_back(key);
    titles[key].push_back(note.title);
  }
  std::string failures;
  for (const auto& key : reasons) failures += note_item(key.first, titles[key], key.second);
  std::string html;
  if (!failures.empty()) html += "<ul class=\"notes\">\n" + failures + "</ul>\n";
  if (warning_count > 0) {
    html += fmt::format(
        "<details><summary>{} measurement warning{} (each names a remedy)</summary>"
        "<ul class=\"notes\">\n{}</ul></details>\n",
        warning_count, warning_count == 1 ? "" : "s", warnings);
  }
  return html;
}

// Rows of a guide table shown before the rest is folded.
constexpr std::size_t kTableRowsShown = 10;

std::string guide_html(const report::GuideDocument& document) {
  std::string html = "<p class=\"lead\">" + escape(document.intro) + "</p>\n";
  for (const report::GuideSection& section : document.sections) {
    html += "<h3>" + escape(section.title) + "</h3>\n";
    for (const std::string& paragraph : section.paragraphs) {
      html += "<p>" + escape(paragraph) + "</p>\n";
    }
    if (section.table && section.table->rows.size() > kTableRowsShown + 2) {
      // A long pair list would push the charts off the first screens: the first rows stay in
      // view, the rest are one click away.
      report::GuideTable head = *section.table;
      report::GuideTable rest = *section.table;
      head.rows.resize(kTableRowsShown);
      rest.rows.erase(rest.rows.begin(), rest.rows.begin() + kTableRowsShown);
      html += "<div class=\"table-scroll\">" + table_html(head.columns, head.rows) + "</div>\n";
      html += fmt::format("<details><summary>{} more row{}</summary><div class=\"table-scroll\">",
                          rest.rows.size(), rest.rows.size() == 1 ? "" : "s");
      html += table_html(rest.columns, rest.rows) + "</div></details>\n";
    } else if (section.table) {
      html += "<div class=\"table-scroll\">" +
              table_html(section.table->columns, section.table->rows) + "</div>\n";
    }
    if (!section.bullets.empty()) {
      html += "<ul class=\"notes\">\n";
      for (const std::string& bullet : section.bullets) html += "<li>" + escape(bullet) + "</li>\n";
      html += "</ul>\n";
    }
  }
  return html;
}

std::string parity_html(const std::vector<Row>& rows, bool several_models, bool several_hosts) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> without;
  for (const Row& row : rows) {
    if (row.status != RowStatus::Ok) continue;
    if (!row.parity) {
      without.push_back(report::row_label(row, several_models, several_hosts));
      continue;
    }
    cells.push_back({report::row_label(row, several_models, several_hosts), row.parity->reference,
                     fmt::format("{:.6f}", row.parity->cosine),
                     fmt::format("{:.3g}", row.parity->max_abs_err),
                     fmt::format("{:.3f}", row.parity->top1_agreement),
                     row.parity->samples ? std::to_string(*row.parity->samples) : std::string(report::kNotAvailable),
                     report::is_parity_reference(row) ? "yes (exact by definition)" : "no"});
  }
  // The user's data (--input, recorded in each row's requested settings) or the seeded values.
  std::string input = "the same seeded input";
  for (const Row& row : rows) {
    if (const auto given = row.requested.find("input"); given != row.requested.end()) {
      input = "the same input, " + escape(given->second) + " (--input)";
      break;
    }
  }
  std::string html = "<p class=\"lead\">Each row's output on " + input +
                     " against the FP32 reference output (docs/metrics.md, Parity).</p>\n";
  if (cells.empty()) {
    html += "<p>No row was compared with the FP32 reference.</p>\n";
  } else {
    html += table_html({{"Row", false},
                        {"Reference", false},
                        {"Cosine", true},
                        {"Max abs err", true},
                        {"Top-1 agreement", true},
                        {"Samples", true},
                        {"Is the reference", false}},
                       cells);
  }
  if (!without.empty()) {
    html += "<p>Ok rows without parity (their warnings say why): ";
    for (std::size_t i = 0; i < without.size(); ++i) html += (i ? "; " : "") + escape(without[i]);
    html += ".</p>\n";
  }
  return html;
}

// A JSON value as one table cell: strings bare, arrays joined, null as "not readable".
std::string json_cell(const nlohmann::json& value) {
  if (value.is_null()) return "not readable";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_array()) {
    std::string text;
    for (const auto& item : value) {
      if (!text.empty()) text += ", ";
      text += item.is_object() ? item.dump() : json_cell(item);
    }
    return text.empty() ? "none" : text;
  }
  if (value.is_number_float()) return fmt::format("{:g}", value.get<double>());
  return value.dump();
}

// Nested objects flattened to dotted keys ("cpu.model"), in the document's key order; a list of
// objects (GPUs) numbered ("gpu.0.name").
void flatten(const nlohmann::json& value, const std::string& prefix,
             std::vector<std::vector<std::string>>& out) {
  const auto key_for = [&](const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  };
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, item] : value.items()) flatten(item, key_for(key), out);
    return;
  }
  if (value.is_array() && !value.empty() && value.front().is_object()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      flatten(value[i], key_for(std::to_string(i)), out);
    }
    return;
  }
  out.push_back({prefix, json_cell(value)});
}

std::string environment_html(const RunInfo& run, const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> machine;
  flatten(run.env, "", machine);
  if (!run.env.is_object() || !run.env.contains("gpu")) {
    machine.push_back({"gpu", "not recorded in this run's environment"});
  }
  // Each framework once per version it reported; one that never loaded (plugin missing) once,
  // saying so.
  std::vector<std::vector<std::string>> frameworks;
  std::set<std::pair<std::string, std::string>> seen;
  std::set<std::string> with_version;
  for (const Row& row : rows) {
    if (!row.framework_version.empty()) with_version.insert(row.framework);
  }
  for (const Row& row : rows) {
    if (row.framework.empty()) continue;
    if (row.framework_version.empty() && with_version.count(row.framework)) continue;
    const std::string version = row.framework_version.empty()
                                    ? "not loaded (" + std::string(row_status_name(row.status)) + ")"
                                    : row.framework_version;
    if (!seen.insert({row.framework, version}).second) continue;
    frameworks.push_back({row.framework, row.backend, version});
  }
  std::vector<std::vector<std::string>> settings;
  flatten(run.request, "", settings);
  std::string html = "<div class=\"env\"><div><h3>Machine and build</h3>";
  html += table_html({{"Field", false}, {"Value", false}}, machine);
  html += "</div><div><h3>Frameworks</h3>";
  html +=
      frameworks.empty()
          ? std::string("<p>No framework was loaded.</p>")
          : table_html({{"Framework", false}, {"Backend", false}, {"Version", false}}, frameworks);
  html += "<h3>Run settings</h3>";
  html += settings.empty() ? std::string("<p>Not recorded.</p>")
                           : table_html({{"Setting", false}, {"Value", false}}, settings);
  html += "</div></div>";
  return html;
}

std::string summary_html(const RunInfo& run, const std::vector<Row>& rows) {
  const std::vector<std::string> models = report::models_of(rows);
  std::string model_list;
  for (const std::string& m : models) model_list += (model_list.empty() ? "" : ", ") + m;
  // A fleet run of several hosts names them: its rows were measured there, not on the run's host.
  std::string host_list;
  if (report::several_hosts(rows)) {
    for (const std::string& h : report::hosts_of(rows)) host_list += (host_list.empty() ? "" : ", ") + h;
    host_list = " &middot; measured on hosts " + escape(host_list);
  }
  return fmt::format("<p>Host {}{} &middot; started {} &middot; model{} {} &middot; {} row{}</p>",
                     escape(run.host), host_list, escape(run.started_at), models.size() > 1 ? "s" : "",
                     escape(model_list.empty() ? "n/a" : model_list), rows.size(),
                     rows.size() == 1 ? "" : "s");
}

class HtmlReporter final : public BufferedReporter {
 public:
  explicit HtmlReporter(std::ostream& out) : BufferedReporter(out) {}

  // Buffered: the page needs every row (ranks, guide, charts).

  void end() override {
    const std::vector<report::RankedRow> ranked = report::rank_by_fps(rows_);
    const report::Guide guide = report::compute_guide(rows_);
    const std::vector<std::string> models = report::models_of(rows_);
    const bool several_models = models.size() > 1;
    const bool several_hosts = report::several_hosts(rows_);

    nlohmann::json labels = nlohmann::json::array();
    for (const Row& row : rows_) labels.push_back(report::row_label(row, several_models, several_hosts));
    // "frontiers": each model's latency_frontier() as indices into "rows", for the latency chart.
    nlohmann::json frontiers = nlohmann::json::array();
    if (!several_models) frontiers.push_back({{"model", ""}, {"rows", guide.latency_frontier}});
    for (const std::string& model : several_models ? models : std::vector<std::string>{}) {
      std::vector<std::size_t> own;  // indices into rows_
      for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].model == model) own.push_back(i);
      }
      std::vector<Row> model_rows;
      for (std::size_t i : own) model_rows.push_back(rows_[i]);
      nlohmann::json front = nlohmann::json::array();
      for (std::size_t k : report::latency_frontier(model_rows)) front.push_back(own[k]);
      frontiers.push_back({{"model", model}, {"rows", front}});
    }
    // "categories": the profile categories' ids and labels, in the table's order, for the profile chart.
    nlohmann::json categories = nlohmann::json::array();
    for (OpCategory category : all_categories()) {
      categories.push_back({{"id", category_id(category)}, {"label", category_label(category)}});
    }
    const nlohmann::json data = {{"run", run_},         {"rows", rows_},
                                 {"labels", labels},    {"frontiers", frontiers},
                                 {"categories", categories}};

    const std::string_view library = report::chart_library();
    std::string notice;
    if (library.empty()) {
      notice = "<p class=\"notice\">Charts unavailable: " +
               escape(report::chart_library_missing_reason()) + "</p>";
    } else if (guide.ok_rows < rows_.size()) {
      const std::size_t left_out = rows_.size() - guide.ok_rows;
      notice = fmt::format(
          "<p class=\"lead\">The charts show the {} ok row{}; the {} failed or unavailable "
          "row{} listed under the table and in the guide.</p>",
          guide.ok_rows, guide.ok_rows == 1 ? "" : "s", left_out, left_out == 1 ? " is" : "s are");
    }
    const std::string footer = fmt::format(
        "Generated by inferbench {} &middot; charts: {} (MIT licence, inlined) &middot; this file "
        "is self-contained and makes no network request.",
        escape(run_.env.is_object() && run_.env.contains("inferbench")
                   ? json_cell(run_.env["inferbench"].value("version", nlohmann::json("?")))
                   : std::string("?")),
        library.empty() ? std::string("none") : escape(report::chart_library_name()));

    const std::map<std::string, std::string> values = {
        {"title", escape("inferbench run " + report::one_line(run_.id))},
        {"summary", summary_html(run_, rows_)},
        {"table", results_table(ranked, several_models, several_hosts, report::any_energy(rows_))},
        {"notes", notes_html(ranked, several_models, several_hosts)},
        {"guide", guide_html(report::run_guide_document(rows_, guide))},
        {"chart_notice", notice},
        {"parity", parity_html(rows_, several_models, several_hosts)},
        {"environment", environment_html(run_, rows_)},
        {"footer", footer},
        {"data", script_json(data)},
        {"chart_library", std::string(library)},
    };
    out_ << fill_template(report::html_template(), values);
    out_.flush();
  }
};

}  // namespace

std::unique_ptr<Reporter> make_html_reporter(std::ostream& out) {
  return std::make_unique<HtmlReporter>(out);
}

}  // namespace inferbench
