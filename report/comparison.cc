// SPDX-License-Identifier: Apache-2.0
// Matching rows of two runs, their changes, and the side-by-side table.
#include "report/comparison.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "core/stats/diagnostics.h"
#include "report/format.h"
#include "report/guide.h"
#include "core/result/scenario.h"

namespace inferbench::report {
namespace {

std::string requested_requests(const Row& row) {
  auto it = row.requested.find("requests");
  return it == row.requested.end() ? "default" : it->second;
}

// A server row's bound and percentile: rates under different bounds do not compare. From the
// row's serving block, or for a row without one (it failed before LoadGen judged anything) from
// what its cell asked for; other scenarios have none (their percentile is the scenario's own).
std::pair<std::optional<double>, double> serving_bound(const Row& row) {
  if (row.scenario != "server") return {std::nullopt, 0};
  if (row.serving) return {row.serving->latency_bound_ms, row.serving->latency_percentile};
  const auto bound = row.requested.find("latency_bound_ms");
  const auto percentile = row.requested.find("latency_percentile");
  if (bound == row.requested.end() || percentile == row.requested.end()) return {std::nullopt, 0};
  return {std::strtod(bound->second.c_str(), nullptr), std::strtod(percentile->second.c_str(), nullptr)};
}

// The row's host in a fleet run, "" for a row measured on one machine (whose host is the run's).
std::string host_of(const Row& row) { return row.host ? row.host->name : std::string(); }

auto key_of(const Row& row) {
  // The host is part of the configuration: a row on host a never stands for one on host b, which
  // is other hardware. Rows without a host have "" here and match each other as they always have;
  // they match no row of a fleet run, since which of its hosts they ran on is not known.
  return std::make_tuple(std::cref(row.backend), std::cref(row.variant), std::cref(row.device),
                         std::cref(row.precision), std::cref(row.scenario), row.batch, std::cref(row.model),
                         requested_threads(row), requested_requests(row), row.instances, serving_bound(row),
                         host_of(row));
}

// Whether rows of the two runs, together, were measured in more than one place (hosts, or a host
// and no host): then every row is named with its host, since the same configuration appears once
// per host. Two runs on one machine, or on the same one host, read as they always have.
bool names_hosts(const RunResult& base, const RunResult& head) {
  std::optional<std::string> first;
  for (const RunResult* run : {&base, &head}) {
    for (const Row& row : run->rows) {
      if (!first) first = host_of(row);
      if (host_of(row) != *first) return true;
    }
  }
  return false;
}

// The change of two LoadGen rows' metric, and what it means: LoadGen gives one value per test,
// so there is no interval; a server search's rate is known to its precision, and a verdict that
// changed says more than the number.
void compare_serving(const Serving& base, const Serving& head, RowChange& change) {
  if (base.value && head.value && *base.value > 0) change.serving_change = *head.value / *base.value - 1.0;
  if (base.valid != head.valid) {
    change.serving_verdict = fmt::format("LoadGen: {} -> {}", base.valid ? "VALID" : "INVALID", head.valid ? "VALID" : "INVALID");
  } else if (base.metric == "max_valid_qps") {
    if (!base.value || !head.value) {
      change.serving_verdict = base.value ? "head found no VALID rate" : head.value ? "base found no VALID rate"
                                                                                    : "neither found a VALID rate";
    } else {
      change.serving_verdict = std::abs(*change.serving_change) > kServerSearchPrecision
                                   ? fmt::format("rate beyond the searches' {:.0f}% precision", kServerSearchPrecision * 100)
                                   : fmt::format("rate within the searches' {:.0f}% precision", kServerSearchPrecision * 100);
    }
  } else {
    change.serving_verdict = "one LoadGen test each: no interval";
  }
}

std::optional<double> relative_change(std::optional<double> base, std::optional<double> head) {
  if (!base || !head || *base == 0) return std::nullopt;
  return *head / *base - 1.0;
}

std::string percent(std::optional<double> change) {
  if (!change) return std::string(kNotAvailable);
  return fmt::format("{:+.2f}%", *change * 100.0);
}

// A row stored before intervals allowed for correlation (no effective_samples) whose samples were
// correlated in time (docs/metrics.md, "correlated"): its P50 interval is too narrow.
bool interval_too_narrow(const Row& row) {
  return row.lag1_autocorrelation && *row.lag1_autocorrelation > kCorrelated && row.p50_ci_ms &&
         !row.p50_ci_ms->effective_samples;
}

std::string verdict(const RowChange& change, const Row& base, const Row& head) {
  if (base.status != RowStatus::Ok) return fmt::format("base {}", row_status_name(base.status));
  if (head.status != RowStatus::Ok) return fmt::format("head {}", row_status_name(head.status));
  if (!change.serving_verdict.empty()) {
    return fmt::format("{} {}: {}", serving_metric_label(*head.serving), percent(change.serving_change),
                       change.serving_verdict);
  }
  if (change.on_throughput) {
    switch (*change.significance) {
      case Significance::Significant: return "significant (throughput CIs do not overlap)";
      case Significance::WithinIntervals: return "within noise (throughput CIs overlap)";
      case Significance::NoInterval: return "no CI (too few samples)";
    }
  }
  switch (*change.significance) {
    case Significance::Significant:
      return interval_too_narrow(base) || interval_too_narrow(head)
                 ? "P50 CIs do not overlap, but one was stored without allowing for its correlated "
                   "samples and is too narrow: rerun to confirm"
                 : "significant (P50 CIs do not overlap)";
    case Significance::WithinIntervals: return "within noise (P50 CIs overlap)";
    case Significance::NoInterval: return "no CI (too few independent samples)";
  }
  return "";
}

std::optional<double> p50_of(const Row& row) {
  if (row.status != RowStatus::Ok || !row.latency_ms) return std::nullopt;
  return row.latency_ms->p50;
}

std::optional<double> throughput_of(const Row& row) {
  if (row.status != RowStatus::Ok) return std::nullopt;
  return row.throughput;
}

// Display width in code points, as in the terminal table.
std::size_t width_of(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void write_text_table(std::ostream& out, const std::vector<Column>& columns,
                      const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const Column& c : columns) widths.push_back(width_of(std::string(c.header)));
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width_of(row[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) text += "  ";
      const std::string fill(widths[i] - width_of(cells[i]), ' ');
      text += columns[i].numeric ? fill + cells[i] : cells[i] + fill;
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  };
  std::vector<std::string> header;
  std::vector<std::string> rule;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    header.emplace_back(columns[i].header);
    rule.emplace_back(widths[i], '-');
  }
  line(header);
  line(rule);
  for (const auto& row : rows) line(row);
}

// `cells` under `columns`, as an aligned text table or GitHub Markdown.
void write_table(std::ostream& out, const std::vector<Column>& columns, const std::vector<std::vector<std::string>>& cells,
                 bool markdown) {
  if (markdown) {
    write_markdown_table(out, columns, cells);
  } else {
    write_text_table(out, columns, cells);
  }
}

// The fingerprints (sha256) of a run's --input samples and labels, one pair per sample shape;
// empty for a run without --input.
std::string scored_data(const RunResult& run) {
  std::string fingerprints;
  const auto described = run.run.request.find("input_data");
  if (described == run.run.request.end() || !described->is_array()) return fingerprints;
  for (const auto& data : *described) {
    const auto labels = data.find("labels");
    fingerprints += data.value("sha256", "") + "/" +
                    (labels != data.end() && labels->is_object() ? labels->value("sha256", "") : "") + ";";
  }
  return fingerprints;
}

// The rows scored against labels in both runs (accuracy), with what they scored, or nothing.
void write_accuracy_changes(std::ostream& out, const RunResult& base, const RunResult& head,
                            const RunComparison& comparison, bool markdown, bool with_model, bool with_host) {
  const std::vector<Column> columns = {
      {"Row", false},          {"Top-1 base %", true},       {"Top-1 head %", true}, {"Change (points)", true},
      {"Samples", true},       {"Agreement base", true},     {"Agreement head", true},
  };
  const auto agreement = [](const Row& row) {
    return row.parity ? fmt::format("{:.4f}", row.parity->top1_agreement) : std::string(kNotAvailable);
  };
  std::vector<std::vector<std::string>> cells;
  for (const RowChange& change : comparison.matched) {
    const Row& b = base.rows[change.base_row];
    const Row& h = head.rows[change.head_row];
    if (!b.accuracy || !h.accuracy) continue;
    const std::string samples = b.accuracy->samples == h.accuracy->samples
                                    ? std::to_string(h.accuracy->samples)
                                    : fmt::format("{} / {}", b.accuracy->samples, h.accuracy->samples);
    cells.push_back({row_label(h, with_model, with_host), fmt::format("{:.2f}", b.accuracy->top1 * 100.0),
                     fmt::format("{:.2f}", h.accuracy->top1 * 100.0),
                     fmt::format("{:+.2f}", (h.accuracy->top1 - b.accuracy->top1) * 100.0), samples, agreement(b),
                     agreement(h)});
  }
  if (cells.empty()) return;
  out << "\nAccuracy against the labels, rows scored in both runs:\n" << (markdown ? "\n" : "");
  write_table(out, columns, cells, markdown);
  const std::string base_data = scored_data(base), head_data = scored_data(head);
  out << '\n'
      << (base_data == head_data
              ? "Both runs scored the same samples and labels (their sha256 in run.request.input_data): a change of "
                "one sample in n is 100 / n points."
              : "The two runs scored different samples or labels (their sha256 in run.request.input_data differ): "
                "their accuracies are not of the same images.")
      << '\n';
}

// The rows with an energy number in both runs: inputs per joule and average power, base and head.
void write_energy_changes(std::ostream& out, const RunResult& base, const RunResult& head,
                          const RunComparison& comparison, bool markdown, bool with_model, bool with_host) {
  const std::vector<Column> columns = {
      {"Row", false},           {"Samples/J base", true}, {"Samples/J head", true}, {"Change", true},
      {"Power base (W)", true}, {"Power head (W)", true}, {"Scope", false},
  };
  std::vector<std::vector<std::string>> cells;
  for (const RowChange& change : comparison.matched) {
    if (!change.energy_change && change.energy_not_compared.empty()) continue;
    const Energy& b = *base.rows[change.base_row].energy;
    const Energy& h = *head.rows[change.head_row].energy;
    cells.push_back({row_label(head.rows[change.head_row], with_model, with_host), number_or_na(b.samples_per_joule, 2),
                     number_or_na(h.samples_per_joule, 2),
                     change.energy_change ? percent(change.energy_change)
                                          : "not compared: " + change.energy_not_compared,
                     number_or_na(b.avg_power_w, 1), number_or_na(h.avg_power_w, 1),
                     b.scope == h.scope ? one_line(h.scope) : one_line(b.scope) + " -> " + one_line(h.scope)});
  }
  if (cells.empty()) return;
  out << "\nEnergy, rows with an energy number in both runs (the whole device over the timed window):\n"
      << (markdown ? "\n" : "");
  write_table(out, columns, cells, markdown);
  out << "\nEach energy number is one reading of a device-wide counter per window, so it has no "
         "confidence interval: a change smaller than one counter step over the window (a tenth at "
         "the 1 s NVML minimum) or than the other processes' share of the device is not a finding.\n";
}

}  // namespace

// Whether [a_lo, a_hi] and [b_lo, b_hi] are disjoint: the test both kinds of interval share.
Significance disjoint(double a_lo, double a_hi, double b_lo, double b_hi) {
  return (a_hi < b_lo || b_hi < a_lo) ? Significance::Significant : Significance::WithinIntervals;
}

Significance p50_significance(const Row& base, const Row& head) {
  if (!base.p50_ci_ms || !head.p50_ci_ms) return Significance::NoInterval;
  const QuantileInterval& a = *base.p50_ci_ms;
  const QuantileInterval& b = *head.p50_ci_ms;
  if (!a.lo || !a.hi || !b.lo || !b.hi) return Significance::NoInterval;
  return disjoint(*a.lo, *a.hi, *b.lo, *b.hi);
}

Significance throughput_significance(const Row& base, const Row& head) {
  const auto a = throughput_interval(base);
  const auto b = throughput_interval(head);
  if (!a || !b) return Significance::NoInterval;
  return disjoint(a->lo, a->hi, b->lo, b->hi);
}

RunComparison compare_runs(const RunResult& base, const RunResult& head) {
  RunComparison comparison;
  std::vector<bool> used(base.rows.size(), false);
  for (std::size_t h = 0; h < head.rows.size(); ++h) {
    const Row& head_row = head.rows[h];
    std::optional<std::size_t> partner;
    for (std::size_t b = 0; b < base.rows.size(); ++b) {
      if (!used[b] && key_of(base.rows[b]) == key_of(head_row)) {
        partner = b;
        break;
      }
    }
    if (!partner) {
      comparison.only_head.push_back(h);
      continue;
    }
    used[*partner] = true;
    const Row& base_row = base.rows[*partner];
    RowChange change;
    change.base_row = *partner;
    change.head_row = h;
    change.p50_change = relative_change(p50_of(base_row), p50_of(head_row));
    change.throughput_change = relative_change(throughput_of(base_row), throughput_of(head_row));
    if (base_row.status == RowStatus::Ok && head_row.status == RowStatus::Ok && base_row.energy &&
        head_row.energy && base_row.energy->samples_per_joule && head_row.energy->samples_per_joule) {
      // A counter of another device, or one read another way, is not the same measurement.
      const Energy& b = *base_row.energy;
      const Energy& h = *head_row.energy;
      if (b.source != h.source) {
        change.energy_not_compared = "source " + b.source + " -> " + h.source;
      } else if (b.method != h.method) {
        change.energy_not_compared = "method " + b.method + " -> " + h.method;
      } else if (b.scope != h.scope) {
        change.energy_not_compared = "scope changed";
      } else {
        change.energy_change = relative_change(b.samples_per_joule, h.samples_per_joule);
      }
    }
    if (base_row.status == RowStatus::Ok && head_row.status == RowStatus::Ok && base_row.serving && head_row.serving) {
      compare_serving(*base_row.serving, *head_row.serving, change);
    } else if (base_row.status == RowStatus::Ok && head_row.status == RowStatus::Ok) {
      // Where FPS is the throughput (requests or instances overlap), P50 is not what is served.
      change.on_throughput = head_row.scenario == "async" || head_row.instances > 1;
      change.significance = change.on_throughput ? throughput_significance(base_row, head_row)
                                                 : p50_significance(base_row, head_row);
    }
    comparison.matched.push_back(change);
  }
  for (std::size_t b = 0; b < base.rows.size(); ++b) {
    if (!used[b]) comparison.only_base.push_back(b);
  }
  return comparison;
}

void write_comparison(std::ostream& out, const RunResult& base, const RunResult& head,
                      const RunComparison& comparison, bool markdown) {
  const std::string title =
      fmt::format("inferbench comparison: base {} ({}, {}) -> head {} ({}, {})",
                  one_line(base.run.id), one_line(base.run.host), one_line(base.run.started_at),
                  one_line(head.run.id), one_line(head.run.host), one_line(head.run.started_at));
  out << (markdown ? "## " : "") << title << "\n\n";
  const bool with_host = names_hosts(base, head);
  // Rows of several models (in one run, or one model per run) are named with their model: the
  // same configuration appears once per model.
  std::vector<Row> both = base.rows;
  both.insert(both.end(), head.rows.begin(), head.rows.end());
  const bool with_model = models_of(both).size() > 1;
  const std::vector<Column> columns = {
      {"Row", false},        {"P50 base (ms)", true},  {"P50 head (ms)", true},
      {"P50 change", true},  {"Thr. base (/s)", true}, {"Thr. head (/s)", true},
      {"Thr. change", true}, {"Verdict", false},
  };
  std::vector<std::vector<std::string>> cells;
  for (const RowChange& change : comparison.matched) {
    const Row& b = base.rows[change.base_row];
    const Row& h = head.rows[change.head_row];
    cells.push_back({row_label(h, with_model, with_host), number_or_na(p50_of(b), 3), number_or_na(p50_of(h), 3),
                     percent(change.p50_change), number_or_na(throughput_of(b), 2),
                     number_or_na(throughput_of(h), 2), percent(change.throughput_change),
                     verdict(change, b, h)});
  }
  if (cells.empty()) {
    out << "No configuration was measured in both runs.\n";
  } else {
    write_table(out, columns, cells, markdown);
  }
  out << "\nChange = head / base - 1. Significant: the 95% confidence intervals of the two P50s "
         "(p50_ci_ms) do not overlap; each is computed for its row's effective number of "
         "independent samples (effective_samples), so samples correlated in time widen it. Async "
         "and multi-instance rows, whose FPS is their throughput, are judged on the throughput's "
         "95% intervals instead (docs/metrics.md).\n";
  write_accuracy_changes(out, base, head, comparison, markdown, with_model, with_host);
  write_energy_changes(out, base, head, comparison, markdown, with_model, with_host);
  const auto list = [&](const char* which, const RunResult& run,
                        const std::vector<std::size_t>& rows) {
    if (rows.empty()) return;
    out << fmt::format("\nOnly in {} run {}:\n", which, one_line(run.run.id));
    for (std::size_t index : rows) {
      const Row& row = run.rows[index];
      out << fmt::format("{} {} ({}{})\n", markdown ? "-" : " ", row_label(row, with_model, with_host),
                         row_status_name(row.status),
                         row.status == RowStatus::Ok ? "" : ": " + failure_text(row));
    }
  };
  list("the base", base, comparison.only_base);
  list("the head", head, comparison.only_head);
  out.flush();
}

}  // namespace inferbench::report
