// SPDX-License-Identifier: Apache-2.0
// Formatting shared by the table and markdown reporters.
#include "report/format.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <ostream>

#include <fmt/format.h>

#include "core/profile/categories.h"
#include "core/result/scenario.h"

namespace inferbench::report {

std::string precision_label(std::string_view precision) {
  std::string label(precision);
  for (char& c : label) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return label;
}

std::string device_label(const Row& row) {
  return row.device_label.empty() ? row.device : row.device_label;
}

std::string number_or_na(std::optional<double> value, int decimals) {
  if (!value) return std::string(kNotAvailable);
  return fmt::format("{:.{}f}", *value, decimals);
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

namespace {

// Byte offset of the code point after the first `count` code points of `text` (its size when it
// has fewer).
std::size_t offset_after(std::string_view text, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen == count) return i;
    ++seen;
  }
  return text.size();
}

// Part of a number: "4090", "12.5".
bool in_number(char c) { return (c >= '0' && c <= '9') || c == '.'; }

}  // namespace

std::string shortened(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return std::string(text);
  constexpr std::string_view kEllipsis = "…";
  if (width < 2) return std::string(text);  // no room for a letter and the ellipsis
  // The longest prefix that leaves one column for the ellipsis.
  const std::string_view room = text.substr(0, offset_after(text, width - 1));
  std::string_view kept;
  // At a word boundary: the blank right after the prefix, or the last blank inside it.
  if (const std::size_t blank = text[room.size()] == ' ' ? room.size() : room.rfind(' ');
      blank != std::string_view::npos) {
    kept = room.substr(0, blank);
  } else {
    // One long word: cut inside it, but back off out of a number ("RTX 4090" must not become
    // "RTX 40…", which reads as another product).
    std::size_t end = room.size();
    while (end > 0 && in_number(text[end - 1]) && in_number(text[end])) --end;
    kept = room.substr(0, end);
  }
  while (!kept.empty() && std::string_view(" ,;:(/-").find(kept.back()) != std::string_view::npos) {
    kept.remove_suffix(1);
  }
  // A number cut at the word boundary cannot happen (blanks end numbers); an empty prefix means
  // the text starts with one long number-bearing word: better too wide than wrong.
  if (kept.empty()) return std::string(text);
  return std::string(kept) + std::string(kEllipsis);
}

std::string compact_framework(std::string_view name) {
  // The runtime's common short name where the table has no room for the whole one; what tells two
  // rows of one framework apart (its variant in parentheses) stays.
  static constexpr std::pair<std::string_view, std::string_view> kShort[] = {
      {"TFLite (LiteRT)", "LiteRT"}, {"PyTorch", "PT"}, {"OpenVINO", "OV"}, {"ExecuTorch", "ET"}, {"TensorRT", "TRT"}};
  std::string text(name);
  for (const auto& [whole, short_name] : kShort) {
    if (const std::size_t at = text.find(whole); at != std::string::npos) text.replace(at, whole.size(), short_name);
  }
  // "PT (AOTInductor)" -> "PT AOTInductor": the parentheses cost two columns.
  if (const std::size_t open = text.find(" ("); open != std::string::npos && text.back() == ')') {
    text = text.substr(0, open) + " " + text.substr(open + 2, text.size() - open - 3);
  }
  return text;
}

std::string cut(std::string_view text, std::size_t width) {
  if (display_width(text) <= width || width < 2) return std::string(text);
  std::string kept(text.substr(0, offset_after(text, width - 1)));
  while (!kept.empty() && kept.back() == ' ') kept.pop_back();
  return kept + "…";
}

std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return line;
}

std::string markdown_cell(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '|') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string mode_label(const Row& row) {
  std::string mode = row.scenario.empty() ? "sync" : row.scenario;
  if (has_requests_in_flight(row.scenario)) {
    auto it = row.effective.find("requests_in_flight");
    if (it != row.effective.end()) mode += " x" + it->second;
  }
  if (row.instances > 1) mode += fmt::format(", {} instances", row.instances);
  return mode;
}

std::string configuration_label(const Row& row) {
  return row.framework + " " + device_label(row) + " " + precision_label(row.precision);
}

std::string row_title(const Row& row) {
  std::string title;
  // Empty parts are skipped rather than leaving double blanks: a row that failed early may not
  // know its device label yet.
  const std::string parts[] = {row.framework, device_label(row), precision_label(row.precision),
                               row.scenario.empty() || row.scenario == "sync" ? std::string() : mode_label(row)};
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    title += part;
    title += ' ';
  }
  title += fmt::format("batch {}", row.batch);
  // One of several instances run at once (--instances): all of them together.
  if (row.instances > 1) title += fmt::format(", {} instances", row.instances);
  // CPU rows measured at a thread count the user asked for (one point of a --threads sweep).
  if (const std::string threads = requested_threads(row); row.device == "cpu" && threads != "default") {
    title += fmt::format(", {} thread{}", threads, threads == "1" ? "" : "s");
  }
  return one_line(title);
}

std::vector<std::string> models_of(const std::vector<Row>& rows) {
  std::vector<std::string> models;
  for (const Row& row : rows) {
    if (!row.model.empty() && std::find(models.begin(), models.end(), row.model) == models.end()) {
      models.push_back(row.model);
    }
  }
  return models;
}

std::vector<Row> rows_of_model(const std::vector<Row>& rows, const std::string& model) {
  std::vector<Row> selected;
  std::copy_if(rows.begin(), rows.end(), std::back_inserter(selected),
               [&](const Row& row) { return row.model == model; });
  return selected;
}

std::string row_label(const Row& row, bool with_model, bool with_host) {
  std::string label = with_model && !row.model.empty() ? row.model + ": " + row_title(row) : row_title(row);
  if (with_host && row.host) label += " on host " + one_line(row.host->name);
  return label;
}

std::vector<std::string> hosts_of(const std::vector<Row>& rows) {
  std::vector<std::string> hosts;
  for (const Row& row : rows) {
    if (row.host && std::find(hosts.begin(), hosts.end(), row.host->name) == hosts.end()) {
      hosts.push_back(row.host->name);
    }
  }
  return hosts;
}

bool several_hosts(const std::vector<Row>& rows) { return hosts_of(rows).size() > 1; }

std::vector<Row> rows_of_host(const std::vector<Row>& rows, const std::string& host) {
  std::vector<Row> selected;
  std::copy_if(rows.begin(), rows.end(), std::back_inserter(selected),
               [&](const Row& row) { return row.host && row.host->name == host; });
  return selected;
}

std::string failure_text(const Row& row) {
  std::string text = row.error.empty() ? "(no error message)" : one_line(row.error);
  if (row.host && row.host->lost) {
    // The driver's message names the host already ("host b lost during the cell"); a message that
    // does not (an older driver, a worker's last words) must not leave the reader guessing which
    // machine went away, least of all in a run on one host, where no Host column says it.
    const std::string host = "host " + one_line(row.host->name);
    if (text.find(host) == std::string::npos) text = host + " lost: " + text;
  }
  return text;
}

std::vector<RankedRow> rank_by_fps(const std::vector<Row>& rows) {
  // Rows without a model (hand-made ones) form one group of their own, after the models.
  std::vector<std::string> groups = models_of(rows);
  groups.emplace_back();
  std::vector<RankedRow> result;
  for (const std::string& model : groups) {
    std::vector<RankedRow> ranked;
    std::vector<RankedRow> unranked;
    for (const Row& row : rows) {
      if (row.model != model) continue;
      if (row.status == RowStatus::Ok && row.fps) {
        ranked.push_back({&row, std::nullopt});
      } else {
        unranked.push_back({&row, std::nullopt});
      }
    }
    // Stable, so rows with equal FPS keep their input order.
    std::stable_sort(ranked.begin(), ranked.end(), [](const RankedRow& a, const RankedRow& b) {
      return *a.row->fps > *b.row->fps;
    });
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      const bool tied = i > 0 && *ranked[i].row->fps == *ranked[i - 1].row->fps;
      ranked[i].rank = tied ? ranked[i - 1].rank : static_cast<int>(i) + 1;
    }
    result.insert(result.end(), ranked.begin(), ranked.end());
    result.insert(result.end(), unranked.begin(), unranked.end());
  }
  return result;
}

const std::vector<Column>& table_b_columns(bool with_host, bool with_energy) {
  static const std::vector<Column> kColumns = {
      {"Rank", true},
      {"Framework", false},
      {"Inf. Device", false},
      {"Target Hardware", false},
      {"Precision", false},
      {"Mode", false},
      {"Compile Time (ms)", true},
      {"P50 Latency (ms)", true},
      {"P99 Latency (ms)", true},
      {"Throughput (FPS)", true},
      {"Measured thr.", true},
      {"P99/P50", true},
      {"CV %", true},
      {"Peak RSS (MB)", true},
      {"Parity cos / top-1", true},
  };
  // Host after Rank: a fleet run's question is which host with which runtime, read left to right.
  static const std::vector<Column> kWithHost = [] {
    std::vector<Column> columns = kColumns;
    columns.insert(columns.begin() + 1, {"Host", false});
    return columns;
  }();
  // Samples per joule last: a column only runs with an energy counter have.
  static const auto with_samples_per_joule = [](std::vector<Column> columns) {
    columns.push_back({"Samples/J", true});
    return columns;
  };
  static const std::vector<Column> kWithEnergy = with_samples_per_joule(kColumns);
  static const std::vector<Column> kWithHostAndEnergy = with_samples_per_joule(kWithHost);
  if (with_energy) return with_host ? kWithHostAndEnergy : kWithEnergy;
  return with_host ? kWithHost : kColumns;
}

bool any_energy(const std::vector<Row>& rows) {
  return std::any_of(rows.begin(), rows.end(), [](const Row& row) { return row.energy && row.energy->energy_j; });
}

const std::vector<Column>& energy_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},           {"Source", false},         {"Scope", false},
      {"Energy (J)", true},     {"J/sample", true},        {"Samples/J", true},
      {"Avg power (W)", true},  {"Idle power (W)", true},  {"Window (s)", true},
      {"No number because", false},
  };
  return kColumns;
}

std::vector<std::string> energy_cells(const Row& row) {
  const Energy& e = *row.energy;
  const std::string per_sample = e.j_per_sample ? fmt::format("{:.4g}", *e.j_per_sample) : std::string(kNotAvailable);
  return {row_title(row),
          e.source + (e.method == "power samples" ? " (power samples)" : ""),
          one_line(e.scope),
          number_or_na(e.energy_j, 3),
          per_sample,
          number_or_na(e.samples_per_joule, 2),
          number_or_na(e.avg_power_w, 1),
          number_or_na(e.idle_power_w, 1),
          number_or_na(e.window_s, 3),
          one_line(e.reason)};
}

std::vector<std::string> table_b_cells(const RankedRow& ranked, bool with_host, bool with_energy) {
  const Row& row = *ranked.row;
  std::optional<double> p50;
  std::optional<double> p99;
  std::optional<double> cv_percent;
  if (row.latency_ms) {
    p50 = row.latency_ms->p50;
    p99 = row.latency_ms->p99;
    cv_percent = row.latency_ms->cv * 100.0;
  }
  std::string parity(kNotAvailable);
  if (row.parity) {
    // Cosine needs six decimals: FP16 and INT8 differ from the reference in the fourth.
    parity = fmt::format("{:.6f} / {:.3f}", row.parity->cosine, row.parity->top1_agreement);
  }
  std::vector<std::string> cells = {
      ranked.rank ? std::to_string(*ranked.rank) : std::string(kNoRank),
      one_line(row.framework),
      one_line(device_label(row)),
      one_line(row.target_hardware),
      one_line(precision_label(row.precision)),
      mode_label(row),
      number_or_na(row.compile_ms, 2),
      number_or_na(p50, 3),
      number_or_na(p99, 3),
      number_or_na(row.fps, 2),
      number_or_na(row.throughput, 2),
      number_or_na(row.p99_over_p50, 3),
      number_or_na(cv_percent, 2),
      number_or_na(row.peak_rss_mb, 1),
      parity,
  };
  if (with_host) cells.insert(cells.begin() + 1, row.host ? one_line(row.host->name) : std::string());
  if (with_energy) cells.push_back(number_or_na(row.energy ? row.energy->samples_per_joule : std::nullopt, 2));
  return cells;
}

std::optional<double> start_up_ms(const Row& row) {
  if (!row.compile_ms) return std::nullopt;
  return *row.compile_ms + row.first_inference_ms.value_or(0.0);
}

const std::vector<Column>& start_up_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},
      {"Export (ms)", true},
      {"Compile (ms)", true},
      {"Cached compile (ms)", true},
      {"First inference (ms)", true},
      {"To first result (ms)", true},
  };
  return kColumns;
}

std::vector<std::string> start_up_cells(const Row& row) {
  return {row_title(row),
          number_or_na(row.export_ms, 2),
          number_or_na(row.compile_ms, 2),
          number_or_na(row.cached_compile_ms, 2),
          number_or_na(row.first_inference_ms, 2),
          number_or_na(start_up_ms(row), 2)};
}

const std::vector<Column>& device_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},
      {"Device P50 (ms)", true},
      {"Device P99 (ms)", true},
      {"Device mean (ms)", true},
      {"Peak device memory (MB)", true},
  };
  return kColumns;
}

bool has_device_measurements(const Row& row) {
  return row.device_time_ms.has_value() || row.peak_device_memory_mb.has_value();
}

std::vector<std::string> device_cells(const Row& row) {
  std::optional<double> p50;
  std::optional<double> p99;
  std::optional<double> mean;
  if (row.device_time_ms) {
    p50 = row.device_time_ms->p50;
    p99 = row.device_time_ms->p99;
    mean = row.device_time_ms->mean;
  }
  return {row_title(row), number_or_na(p50, 3), number_or_na(p99, 3), number_or_na(mean, 3),
          number_or_na(row.peak_device_memory_mb, 1)};
}

const std::vector<Column>& limit_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},
      {"MACs/sample (M)", true},
      {"Achieved (GMAC/s)", true},
      {"Peak (GMAC/s)", true},
      {"% of peak", true},
      {"FPS bound", true},
      {"Peak measured with", false},
  };
  return kColumns;
}

std::vector<std::string> limit_cells(const Row& row) {
  const ComputeBound& bound = *row.compute_bound;
  return {row_title(row),
          fmt::format("{:.1f}", static_cast<double>(row.macs_per_sample.value_or(0)) / 1e6),
          fmt::format("{:.1f}", bound.achieved_gmacs),
          fmt::format("{:.1f}", bound.peak_gmacs),
          fmt::format("{:.1f}", bound.utilisation * 100.0),
          fmt::format("{:.1f}", bound.fps_bound),
          fmt::format("{}, {} thread{}", bound.kernel, bound.threads, bound.threads == 1 ? "" : "s")};
}

const std::vector<Column>& accuracy_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},
      {"Samples", true},
      {"Top-1 agreement", true},
      {"Top-1 %", true},
      {"Top-5 %", true},
      {"FP32 top-1 %", true},
      {"FP32 top-5 %", true},
      {"Change (points)", true},
  };
  return kColumns;
}

std::vector<std::string> accuracy_cells(const Row& row) {
  const LabelAccuracy& accuracy = *row.accuracy;
  const auto percent = [](std::optional<double> value) {
    return value ? fmt::format("{:.2f}", *value * 100.0) : std::string(kNotAvailable);
  };
  return {row_title(row),
          std::to_string(accuracy.samples),
          row.parity ? fmt::format("{:.4f}", row.parity->top1_agreement) : std::string(kNotAvailable),
          percent(accuracy.top1),
          percent(accuracy.top5),
          percent(accuracy.reference_top1),
          percent(accuracy.reference_top5),
          accuracy.reference_top1 ? fmt::format("{:+.2f}", (accuracy.top1 - *accuracy.reference_top1) * 100.0)
                                  : std::string(kNotAvailable)};
}

const std::vector<Column>& serving_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},          {"LoadGen", false},        {"Metric", false},    {"Value", true},
      {"Offered (QPS)", true}, {"Completed (QPS)", true}, {"Latency (ms)", true}, {"Bound (ms)", true},
      {"Batch fill %", true},  {"Tests", true},
  };
  return kColumns;
}

std::string serving_metric_label(const Serving& serving) {
  if (serving.metric == "max_valid_qps") return "highest VALID rate (QPS)";
  if (serving.metric == "qps") return "completed rate (QPS)";
  if (serving.metric == "samples_per_second") return "samples/s";
  if (serving.metric == "p90_latency_ms") return "P90 latency (ms)";
  if (serving.metric == "p99_query_latency_ms") return "P99 query latency (ms)";
  return serving.metric;
}

std::vector<std::string> serving_cells(const Row& row) {
  const Serving& s = *row.serving;
  const ServingTest& r = s.reported;
  const bool latency_metric = s.metric == "p90_latency_ms" || s.metric == "p99_query_latency_ms";
  // The latency is at the bound's percentile (server) or the scenario's.
  const std::string latency = r.latency_ms ? fmt::format("{:.3f} at P{:g}", *r.latency_ms, s.latency_percentile)
                                           : std::string(kNotAvailable);
  return {row_title(row),
          s.valid ? "VALID" : "INVALID",
          serving_metric_label(s),
          s.value ? fmt::format("{:.{}f}", *s.value, latency_metric ? 3 : 1) : std::string("none VALID"),
          number_or_na(r.target_qps, 1),
          fmt::format("{:.1f}", r.achieved_qps),
          latency,
          number_or_na(s.latency_bound_ms, 1),
          fmt::format("{:.1f}", s.mean_batch_fill * 100.0),
          std::to_string(s.tests.size())};
}

const std::vector<Column>& profile_columns() {
  static const std::vector<Column> kColumns = {
      {"Row", false},         {"Ops", true}, {"Op time (ms)", true}, {"Of latency %", true},
      {"Categories", false},  {"Longest operators", false},
  };
  return kColumns;
}

std::string category_shares(const Profile& profile, double min_share) {
  std::string text;
  for (const ProfileCategoryTime& c : profile.categories) {
    if (c.share < min_share) continue;
    text += fmt::format("{}{} {:.0f}%", text.empty() ? "" : ", ", category_label_of(c.category), c.share * 100);
  }
  return text;
}

std::vector<std::string> profile_cells(const Row& row) {
  const Profile& p = *row.profile;
  if (!p.available) return {"", "", "", "", "none: " + p.reason, ""};
  std::string longest;
  for (std::size_t i = 0; i < p.ops.size() && i < 3; ++i) {
    const ProfileOpTime& op = p.ops[i];
    // The op type beside a node's name, unless the name says it already (XNNPACK's do).
    const std::string name = op.name.empty() ? op.op_type : op.name;
    const bool typed = op.op_type.empty() || name.find(op.op_type) != std::string::npos;
    longest += fmt::format("{}{}{} {:.0f}%", i ? ", " : "", shortened(name, 40), typed ? "" : " (" + op.op_type + ")",
                           op.share * 100);
  }
  return {"",
          std::to_string(p.op_count),
          p.op_ms ? fmt::format("{:.3f}", *p.op_ms) : std::string(kNotAvailable),
          p.coverage ? fmt::format("{:.0f}", *p.coverage * 100) : std::string(kNotAvailable),
          category_shares(p),
          longest};
}

std::vector<SubTable> tables_under_table_b(const std::vector<RankedRow>& ranked, bool with_model,
                                           bool with_host) {
  std::vector<SubTable> tables = {{kServingTitle, &serving_columns(), {}},
                                  {kStartUpTitle, &start_up_columns(), {}},
                                  {"Measured by the device itself:", &device_columns(), {}},
                                  {kAccuracyTitle, &accuracy_columns(), {}},
                                  {kLimitsTitle, &limit_columns(), {}},
                                  {kEnergyTitle, &energy_columns(), {}},
                                  {kProfileTitle, &profile_columns(), {}}};
  for (const RankedRow& r : ranked) {
    const Row& row = *r.row;
    const auto add = [&](SubTable& table, std::vector<std::string> cells) {
      cells.front() = row_label(row, with_model, with_host);
      table.cells.push_back(std::move(cells));
    };
    if (row.status == RowStatus::Ok && row.serving) add(tables[0], serving_cells(row));
    if (row.status == RowStatus::Ok && row.compile_ms) add(tables[1], start_up_cells(row));
    if (has_device_measurements(row)) add(tables[2], device_cells(row));
    if (row.accuracy) add(tables[3], accuracy_cells(row));
    if (row.compute_bound) add(tables[4], limit_cells(row));
    if (row.status == RowStatus::Ok && row.energy && row.energy->source != "none") add(tables[5], energy_cells(row));
    if (row.status == RowStatus::Ok && row.profile) add(tables[6], profile_cells(row));
  }
  std::erase_if(tables, [](const SubTable& table) { return table.cells.empty(); });
  return tables;
}

std::vector<Note> row_notes(const std::vector<RankedRow>& ranked, bool with_model, bool with_host) {
  std::vector<Note> notes;
  for (const RankedRow& r : ranked) {
    if (r.row->status == RowStatus::Ok) continue;
    notes.push_back({row_status_name(r.row->status), row_label(*r.row, with_model, with_host), failure_text(*r.row)});
  }
  for (const RankedRow& r : ranked) {
    if (r.row->status != RowStatus::Ok) continue;
    for (const std::string& warning : r.row->warnings) {
      notes.push_back({"warn", row_label(*r.row, with_model, with_host), one_line(warning)});
    }
  }
  return notes;
}

void write_markdown_table(std::ostream& out, const std::vector<Column>& columns,
                          const std::vector<std::vector<std::string>>& rows) {
  std::string header = "|", rule = "|";
  for (const Column& c : columns) {
    header += fmt::format(" {} |", c.header);
    rule += c.numeric ? "---:|" : "---|";
  }
  out << header << '\n' << rule << '\n';
  for (const auto& row : rows) {
    std::string text = "|";
    for (const std::string& cell : row) text += fmt::format(" {} |", markdown_cell(one_line(cell)));
    out << text << '\n';
  }
}

}  // namespace inferbench::report
