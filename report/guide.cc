// SPDX-License-Identifier: Apache-2.0
// Winner selection and break-even arithmetic of the deployment guide.
#include "report/guide.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "core/stats/adaptive.h"
#include "core/stats/student_t.h"
#include "core/support/number_text.h"
#include "report/format.h"

namespace inferbench::report {
namespace {

struct Candidate {
  std::size_t row;
  double key;    // the criterion's value rounded to the printed precision; larger is better
  double key2;   // tie-break (accuracy only), larger is better
  double value;  // the unrounded value
};

// `value` rounded to `decimals` places, as a number that compares exactly.
double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale);
}

// `value` rounded to 3 significant digits (how the guide prints max_abs_err).
double rounded_significant(double value) {
  if (value == 0 || !std::isfinite(value)) return value;
  const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const double scale = std::pow(10.0, 2 - exponent);
  return std::round(value * scale) / scale;
}

bool is_sync(const Row& row) { return row.scenario.empty() || row.scenario == "sync"; }

// "GPU board (NVML); CPU packages and DRAM (RAPL)".
std::string energy_source_names(const std::vector<std::string>& sources) {
  std::string names;
  for (const std::string& source : sources) names += (names.empty() ? "" : "; ") + energy_source_label(source);
  return names;
}

bool has_energy_number(const Row& row) {
  return row.status == RowStatus::Ok && row.energy && row.energy->samples_per_joule;
}

// The sources of the ok rows' energy numbers, in the order of their first rows.
std::vector<std::string> energy_sources(const std::vector<Row>& rows) {
  std::vector<std::string> sources;
  for (const Row& row : rows) {
    if (has_energy_number(row) && std::find(sources.begin(), sources.end(), row.energy->source) == sources.end()) {
      sources.push_back(row.energy->source);
    }
  }
  return sources;
}

// The candidates of `criterion`, or empty with `why` set; for Energy, only the rows of
// `energy_source` when it is not empty.
std::vector<Candidate> candidates_for(Criterion criterion, const std::vector<Row>& rows, std::string& why,
                                      const std::string& energy_source) {
  std::vector<Candidate> out;
  const int decimals = tie_decimals(criterion);
  bool any_ok = false, any_sync = false, any_parity = false;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.status != RowStatus::Ok) continue;
    any_ok = true;
    switch (criterion) {
      case Criterion::PeakThroughput:
        if (row.throughput && measures_capacity(row)) {
          out.push_back({i, rounded(*row.throughput, decimals), 0, *row.throughput});
        }
        break;
      case Criterion::TailLatency:
        if (!is_sync(row)) break;
        any_sync = true;
        if (row.latency_ms) {
          out.push_back({i, -rounded(row.latency_ms->p99, decimals), 0, row.latency_ms->p99});
        }
        break;
      case Criterion::Stability:
        if (!is_sync(row)) break;
        any_sync = true;
        if (row.p99_over_p50) {
          out.push_back({i, -rounded(*row.p99_over_p50, decimals), 0, *row.p99_over_p50});
        }
        break;
      case Criterion::StartUp:
        if (const auto start = start_up_ms(row)) out.push_back({i, -rounded(*start, decimals), 0, *start});
        break;
      case Criterion::Memory:
        if (row.peak_rss_mb) {
          out.push_back({i, -rounded(*row.peak_rss_mb, decimals), 0, *row.peak_rss_mb});
        }
        break;
      case Criterion::Energy:
        if (has_energy_number(row) && (energy_source.empty() || row.energy->source == energy_source)) {
          out.push_back({i, rounded(*row.energy->samples_per_joule, decimals), 0, *row.energy->samples_per_joule});
        }
        break;
      case Criterion::Accuracy:
        if (!row.parity) break;
        any_parity = true;
        if (is_parity_reference(row)) break;
        out.push_back({i, rounded(row.parity->cosine, decimals),
                       -rounded_significant(row.parity->max_abs_err), row.parity->cosine});
        break;
    }
  }
  if (!out.empty()) return out;
  if (!any_ok) {
    why = "no row was measured (every row failed or is unavailable)";
    return out;
  }
  switch (criterion) {
    case Criterion::PeakThroughput: why = "no ok row has a measured throughput"; break;
    case Criterion::TailLatency:
    case Criterion::Stability:
      why = any_sync ? "no ok sync row has latency percentiles"
                     : "no ok sync row: async latencies include time queued behind other "
                       "requests in flight, so they are not compared";
      break;
    case Criterion::StartUp: why = "no ok row recorded a compile time"; break;
    case Criterion::Memory: why = "no ok row recorded its peak RSS"; break;
    case Criterion::Energy: why = "no ok row has an energy number (each row's energy.reason says why)"; break;
    case Criterion::Accuracy:
      why = any_parity ? "only the FP32 reference configuration itself has parity"
                       : "no ok row was compared with the FP32 reference";
      break;
  }
  return out;
}

Winner pick_winner(Criterion criterion, const std::vector<Row>& rows, const std::string& energy_source = "") {
  Winner winner;
  winner.criterion = criterion;
  if (criterion == Criterion::Energy && energy_source.empty()) {
    const std::vector<std::string> sources = energy_sources(rows);
    if (sources.size() == 1) return pick_winner(criterion, rows, sources.front());
    if (sources.size() > 1) {
      winner.candidates = static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), has_energy_number));
      winner.no_winner_reason = "the rows' energy comes from " + std::to_string(sources.size()) +
                                " sources (" + energy_source_names(sources) +
                                "), which measure different devices: one winner per source";
      return winner;
    }
  }
  winner.energy_source = energy_source;
  std::vector<Candidate> candidates = candidates_for(criterion, rows, winner.no_winner_reason, energy_source);
  winner.candidates = candidates.size();
  if (candidates.empty()) return winner;
  const auto better = [](const Candidate& a, const Candidate& b) {
    return std::pair(a.key, a.key2) > std::pair(b.key, b.key2);
  };
  const Candidate best = *std::min_element(candidates.begin(), candidates.end(), better);
  for (const Candidate& c : candidates) {
    if (c.key == best.key && c.key2 == best.key2) winner.rows.push_back(c.row);
  }
  winner.value = best.value;
  if (criterion != Criterion::PeakThroughput || winner.rows.size() != 1) return winner;
  std::optional<Candidate> runner_up;
  for (const Candidate& c : candidates) {
    if (c.row != best.row && (!runner_up || better(c, *runner_up))) runner_up = c;
  }
  if (!runner_up) return winner;
  winner.runner_up = runner_up->row;
  winner.winner_interval = throughput_interval(rows[best.row]);
  winner.runner_up_interval = throughput_interval(rows[runner_up->row]);
  if (winner.winner_interval && winner.runner_up_interval) {
    winner.lead_beyond_noise = winner.winner_interval->lo > winner.runner_up_interval->hi;
  }
  const std::vector<double>& first = rows[best.row].round_throughput;
  const std::vector<double>& second = rows[runner_up->row].round_throughput;
  // The rounds both rows have: all of them, unless the run ended before some rows' last rounds.
  const std::size_t common = std::min(first.size(), second.size());
  if (common >= 2) {
    int won = 0;
    for (std::size_t k = 0; k < common; ++k) won += first[k] > second[k] ? 1 : 0;
    winner.rounds_won = won;
    winner.rounds_compared = static_cast<int>(common);
  }
  return winner;
}

// Indices of the rows `keep` accepts, grouped by equal `key`s, each group and the groups in the
// input order of their rows.
template <typename Keep, typename Key>
std::vector<std::vector<std::size_t>> group_rows(const std::vector<Row>& rows, Keep keep, Key key) {
  std::vector<decltype(key(rows.front()))> keys;
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!keep(rows[i])) continue;
    const auto k = key(rows[i]);
    auto found = std::find(keys.begin(), keys.end(), k);
    if (found == keys.end()) {
      keys.push_back(k);
      groups.emplace_back();
      found = std::prev(keys.end());
    }
    groups[static_cast<std::size_t>(found - keys.begin())].push_back(i);
  }
  return groups;
}

// The backend options asked for (requested), without the thread count.
std::map<std::string, std::string> options_without_threads(const Row& row) {
  auto options = row.requested;
  options.erase("threads");
  return options;
}

bool has_throughput(const Row& row) {
  return row.status == RowStatus::Ok && row.throughput && *row.throughput > 0;
}

std::vector<ThreadScaling> thread_scaling(const std::vector<Row>& rows) {
  // Everything but the thread count.
  const auto configuration = [](const Row& row) {
    return std::make_tuple(row.framework, row.backend, row.variant, row.device, row.precision, row.scenario,
                           row.batch, row.model, row.instances, options_without_threads(row));
  };
  const auto keep = [](const Row& row) { return has_throughput(row) && effective_threads(row).has_value(); };
  std::vector<ThreadScaling> sweeps;
  for (std::vector<std::size_t>& group : group_rows(rows, keep, configuration)) {
    std::stable_sort(group.begin(), group.end(),
                     [&](std::size_t a, std::size_t b) { return *effective_threads(rows[a]) < *effective_threads(rows[b]); });
    ThreadScaling sorted;
    sorted.rows = group;
    for (std::size_t i : group) sorted.threads.push_back(*effective_threads(rows[i]));
    if (sorted.threads.front() == sorted.threads.back()) continue;  // one thread count: nothing scaled
    sweeps.push_back(std::move(sorted));
  }
  return sweeps;
}

std::vector<InstanceScaling> instance_scaling(const std::vector<Row>& rows) {
  // Everything but the instance count and the threads (which --threads 0 shares out by it).
  const auto configuration = [](const Row& row) {
    return std::make_tuple(row.framework, row.backend, row.variant, row.device, row.precision, row.scenario,
                           row.batch, row.model, options_without_threads(row));
  };
  std::vector<InstanceScaling> sweeps;
  for (std::vector<std::size_t>& group : group_rows(rows, has_throughput, configuration)) {
    std::stable_sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
      return std::pair(rows[a].instances, effective_threads(rows[a]).value_or(0)) <
             std::pair(rows[b].instances, effective_threads(rows[b]).value_or(0));
    });
    if (rows[group.front()].instances == rows[group.back()].instances) continue;  // nothing to compare
    sweeps.push_back(InstanceScaling{group});
  }
  return sweeps;
}

}  // namespace

const std::vector<Criterion>& all_criteria() {
  static const std::vector<Criterion> kCriteria = {
      Criterion::PeakThroughput, Criterion::TailLatency, Criterion::Stability,
      Criterion::StartUp,        Criterion::Memory,      Criterion::Accuracy,
      Criterion::Energy,
  };
  return kCriteria;
}

std::string_view criterion_name(Criterion criterion) {
  switch (criterion) {
    case Criterion::PeakThroughput: return "peak throughput";
    case Criterion::TailLatency: return "tail latency";
    case Criterion::Stability: return "stability";
    case Criterion::StartUp: return "start-up (compile + first inference)";
    case Criterion::Memory: return "memory";
    case Criterion::Accuracy: return "accuracy loss";
    case Criterion::Energy: return "energy (most inferences per joule)";
  }
  return "?";
}

std::string_view winner_rule(Criterion criterion) {
  switch (criterion) {
    case Criterion::PeakThroughput:
      return "highest measured throughput (inputs over the wall time of the timed window): what "
             "a serving loop sustains, tail included, and the one rate that compares sync and "
             "async rows (fps is batch / P50 for sync rows)";
    case Criterion::TailLatency:
      return "lowest P99 latency per iteration (one batch) among sync rows; async latencies "
             "include time queued behind other requests in flight, so they are not compared";
    case Criterion::Stability:
      return "lowest P99/P50 among sync rows (1.0 = no tail); async rows are left out for the "
             "same reason as for tail latency";
    case Criterion::StartUp:
      return "lowest time to the first result: compile time (the backend's prepare(); each "
             "backend's README says what it covers) plus the first inference, where some runtimes "
             "still load kernels; export time is a one-off on the build machine and not included";
    case Criterion::Memory: return "lowest peak resident memory of the worker process";
    case Criterion::Energy:
      return "most inferences per joule: inputs over the energy of the whole device (GPU board or "
             "CPU packages, every process on it, idle power not subtracted) in the timed window";
    case Criterion::Accuracy:
      return "highest cosine similarity with the FP32 reference output, then lowest max abs "
             "error; the reference configuration itself is exact by definition and not ranked";
  }
  return "";
}

std::string energy_source_label(std::string_view source) {
  if (source == "nvml") return "GPU board (NVML)";
  if (source == "rapl") return "CPU packages and DRAM (RAPL)";
  return std::string(source);
}

int tie_decimals(Criterion criterion) {
  switch (criterion) {
    case Criterion::PeakThroughput: return 2;
    case Criterion::TailLatency: return 3;
    case Criterion::Stability: return 3;
    case Criterion::StartUp: return 2;
    case Criterion::Memory: return 1;
    case Criterion::Accuracy: return 6;
    case Criterion::Energy: return 2;
  }
  return 0;
}

std::optional<ThroughputInterval> throughput_interval(const Row& row) {
  if (row.status != RowStatus::Ok || !row.throughput || !(*row.throughput > 0)) return std::nullopt;
  // Rounds: the spread of the rounds' throughputs, which holds the drift between cells too.
  const std::vector<double>& rounds = row.round_throughput;
  if (rounds.size() >= 2) {
    const double n = static_cast<double>(rounds.size());
    double mean = 0;
    for (double t : rounds) mean += t / n;
    double squares = 0;
    for (double t : rounds) squares += (t - mean) * (t - mean);
    const double half = student_t_975(static_cast<int>(rounds.size()) - 1) * std::sqrt(squares / (n - 1)) / std::sqrt(n);
    return ThroughputInterval{std::max(0.0, *row.throughput - half), *row.throughput + half};
  }
  // The adaptive protocol stops async rows on this same half-width (core/stats/adaptive.h).
  const std::optional<double> h = throughput_half_width(row.latency_samples_ms);
  if (!h || !(*h < 1)) return std::nullopt;
  return ThroughputInterval{*row.throughput / (1 + *h), *row.throughput / (1 - *h)};
}

std::vector<RoundRanks> round_ranks(const std::vector<Row>& rows) {
  std::vector<std::size_t> ranked;
  std::size_t rounds = 0;  // the rounds every ranked row has
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::size_t own = rows[i].round_throughput.size();
    if (rows[i].status != RowStatus::Ok || !rows[i].throughput || own < 2) continue;
    ranked.push_back(i);
    rounds = ranked.size() == 1 ? own : std::min(rounds, own);
  }
  if (ranked.size() < 2) return {};
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](std::size_t a, std::size_t b) { return *rows[a].throughput > *rows[b].throughput; });
  std::vector<RoundRanks> result;
  for (std::size_t i : ranked) {
    RoundRanks entry{i, {}};
    for (std::size_t k = 0; k < rounds; ++k) {
      const double own = rows[i].round_throughput[k];
      const auto faster = std::count_if(ranked.begin(), ranked.end(),
                                        [&](std::size_t j) { return rows[j].round_throughput[k] > own; });
      entry.ranks.push_back(static_cast<int>(faster) + 1);
    }
    result.push_back(std::move(entry));
  }
  return result;
}

std::vector<std::size_t> latency_frontier(const std::vector<Row>& rows) {
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.status == RowStatus::Ok && row.latency_ms && row.throughput && *row.throughput > 0 && measures_capacity(row)) {
      eligible.push_back(i);
    }
  }
  // Lowest P99 first; of equal P99, the highest throughput first; then input order.
  std::stable_sort(eligible.begin(), eligible.end(), [&](std::size_t a, std::size_t b) {
    const double pa = rows[a].latency_ms->p99, pb = rows[b].latency_ms->p99;
    if (pa != pb) return pa < pb;
    return *rows[a].throughput > *rows[b].throughput;
  });
  std::vector<std::size_t> frontier;
  for (std::size_t i : eligible) {
    if (frontier.empty() || *rows[i].throughput > *rows[frontier.back()].throughput) frontier.push_back(i);
  }
  return frontier;
}

std::vector<std::size_t> accuracy_frontier(const std::vector<Row>& rows) {
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.status == RowStatus::Ok && row.accuracy && row.accuracy->reference_top1 && row.throughput &&
        *row.throughput > 0) {
      eligible.push_back(i);
    }
  }
  // Highest throughput first; of equal throughput, the most accurate first; then input order.
  std::stable_sort(eligible.begin(), eligible.end(), [&](std::size_t a, std::size_t b) {
    if (*rows[a].throughput != *rows[b].throughput) return *rows[a].throughput > *rows[b].throughput;
    return rows[a].accuracy->top1 > rows[b].accuracy->top1;
  });
  std::vector<std::size_t> frontier;
  for (std::size_t i : eligible) {
    if (frontier.empty() || rows[i].accuracy->top1 > rows[frontier.back()].accuracy->top1) frontier.push_back(i);
  }
  return frontier;
}

std::optional<double> ms_per_input(const Row& row) {
  if (!row.throughput || !(*row.throughput > 0)) return std::nullopt;
  return 1000.0 / *row.throughput;
}

namespace {

// What the break-even weighs of an ok row: its start-up s and its time per input t (ms); empty for
// a row that is not ok or lacks either.
struct Costs {
  double start_up_ms = 0;
  double ms_per_input = 0;
};

std::optional<Costs> costs_of(const Row& row) {
  if (row.status != RowStatus::Ok || !measures_capacity(row)) return std::nullopt;
  const auto s = start_up_ms(row);
  const auto t = ms_per_input(row);
  if (!s || !t) return std::nullopt;
  return Costs{*s, *t};
}

}  // namespace

std::optional<BreakEven> break_even(const std::vector<Row>& rows, std::size_t a, std::size_t b) {
  const auto slow = costs_of(rows[a]);
  const auto fast = costs_of(rows[b]);
  if (!slow || !fast || !(slow->start_up_ms > fast->start_up_ms) || !(slow->ms_per_input < fast->ms_per_input)) {
    return std::nullopt;
  }
  BreakEven result;
  result.slower_start = a;
  result.faster_start = b;
  result.start_up_gap_ms = slow->start_up_ms - fast->start_up_ms;
  result.ms_per_input_a = slow->ms_per_input;
  result.ms_per_input_b = fast->ms_per_input;
  result.inputs = result.start_up_gap_ms / (fast->ms_per_input - slow->ms_per_input);
  if (rows[a].batch == rows[b].batch && rows[a].batch > 0) result.inferences = result.inputs / rows[a].batch;
  result.service_s = result.inputs * slow->ms_per_input / 1000.0;
  result.elapsed_s = (slow->start_up_ms + result.inputs * slow->ms_per_input) / 1000.0;
  return result;
}

bool is_parity_reference(const Row& row) {
  if (!row.parity) return false;
  return row.parity->reference == configuration_label(row);
}

bool measures_capacity(const Row& row) {
  return row.scenario.empty() || row.scenario == "sync" || row.scenario == "async" || row.scenario == "offline";
}

namespace {

// A server row's settings as (name, value), in the order a label names them: what the user can
// change to serve the same artefact differently.
std::vector<std::pair<std::string, std::string>> serving_setting_values(const Row& row) {
  std::vector<std::pair<std::string, std::string>> values;
  values.emplace_back("requests", std::to_string(row.serving->requests_in_flight));
  values.emplace_back("batch", std::to_string(row.batch));
  values.emplace_back("batch timeout", shortest_number(row.serving->batch_timeout_ms));
  values.emplace_back("dispatch poll", shortest_number(row.serving->dispatch_poll_us));
  values.emplace_back("threads", effective_threads(row) ? std::to_string(*effective_threads(row)) : "default");
  values.emplace_back("instances", std::to_string(row.instances));
  for (const auto& [key, value] : row.requested) {
    if (key != "requests" && key != "threads") values.emplace_back(key, value);
  }
  return values;
}

std::string serving_setting_text(const std::string& name, const std::string& value) {
  if (name == "requests") return value + (value == "1" ? " request" : " requests");
  if (name == "batch") return "batch " + value;
  if (name == "batch timeout") return "batch timeout " + value + " ms";
  if (name == "dispatch poll") return value == "0" ? "no dispatch poll" : "dispatch poll " + value + " µs";
  if (name == "threads") return value + (value == "1" ? " thread" : " threads");
  if (name == "instances") return value + " instances";
  return name + "=" + value;
}

std::vector<ServingSettings> serving_settings(const std::vector<Row>& rows, const ServingRanking& ranking) {
  // Each ranked row's place: VALID rows by rate, then the others.
  std::map<const Row*, std::size_t> place;
  for (std::size_t i : ranking.rows) place.emplace(&rows[i], place.size());
  for (std::size_t i : ranking.none_valid) place.emplace(&rows[i], place.size());
  const auto configuration = [](const Row& row) {
    return std::make_tuple(row.framework, row.backend, row.variant, row.device, row.precision);
  };
  std::vector<ServingSettings> groups;
  for (std::vector<std::size_t>& group :
       group_rows(rows, [&](const Row& row) { return place.count(&row) > 0; }, configuration)) {
    std::stable_sort(group.begin(), group.end(),
                     [&](std::size_t a, std::size_t b) { return place.at(&rows[a]) < place.at(&rows[b]); });
    groups.push_back(ServingSettings{std::move(group), {}});
  }
  std::vector<ServingSettings> compared;
  for (ServingSettings& group : groups) {
    if (group.rows.size() < 2) continue;
    std::vector<std::vector<std::pair<std::string, std::string>>> values;
    for (std::size_t i : group.rows) values.push_back(serving_setting_values(rows[i]));
    // The settings named: those on which some row of the group differs from the first (or lacks one
    // the first has, or has one it lacks).
    const auto value_of = [](const auto& list, const std::string& name) -> std::optional<std::string> {
      for (const auto& [n, v] : list) {
        if (n == name) return v;
      }
      return std::nullopt;
    };
    std::set<std::string> differing;
    for (const auto& list : values) {
      for (const auto& [name, value] : list) {
        if (value_of(values.front(), name) != value) differing.insert(name);
      }
      for (const auto& [name, value] : values.front()) {
        if (!value_of(list, name)) differing.insert(name);
      }
    }
    if (differing.empty()) continue;  // rows of the same settings (rounds) compare nothing
    for (const auto& list : values) {
      std::string label;
      for (const auto& [name, value] : list) {
        if (differing.count(name)) label += (label.empty() ? "" : ", ") + serving_setting_text(name, value);
      }
      group.labels.push_back(std::move(label));
    }
    compared.push_back(std::move(group));
  }
  return compared;
}

}  // namespace

std::vector<ServingRanking> serving_rankings(const std::vector<Row>& rows) {
  std::vector<ServingRanking> rankings;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.status != RowStatus::Ok || !row.serving || row.serving->metric != "max_valid_qps" ||
        !row.serving->latency_bound_ms) {
      continue;
    }
    const double bound = *row.serving->latency_bound_ms, percentile = row.serving->latency_percentile;
    auto it = std::find_if(rankings.begin(), rankings.end(), [&](const ServingRanking& r) {
      return r.model == row.model && r.bound_ms == bound && r.percentile == percentile;
    });
    if (it == rankings.end()) it = rankings.insert(rankings.end(), {row.model, bound, percentile, {}, {}, {}});
    (row.serving->value ? it->rows : it->none_valid).push_back(i);
  }
  for (ServingRanking& ranking : rankings) {
    std::stable_sort(ranking.rows.begin(), ranking.rows.end(),
                     [&](std::size_t a, std::size_t b) { return *rows[a].serving->value > *rows[b].serving->value; });
    ranking.settings = serving_settings(rows, ranking);
  }
  return rankings;
}

Guide compute_guide(const std::vector<Row>& rows) {
  Guide guide;
  guide.total_rows = rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.status != RowStatus::Ok) {
      guide.not_ok.push_back({i, std::string(row_status_name(row.status)) + ": " + failure_text(row)});
      continue;
    }
    ++guide.ok_rows;
    if (!measures_capacity(row)) {
      guide.no_break_even.push_back({i, "a " + row.scenario + " row completes what LoadGen offered it, not all it can"});
    } else if (!start_up_ms(row)) {
      guide.no_break_even.push_back({i, "no compile time recorded"});
    } else if (!ms_per_input(row)) {
      guide.no_break_even.push_back({i, "no measured throughput"});
    }
    if (is_parity_reference(row)) guide.reference_rows.push_back(i);
    if (row.effective.count(kKernelsOutsideDelegate)) guide.partly_delegated.push_back(i);
  }
  for (Criterion criterion : all_criteria()) guide.winners.push_back(pick_winner(criterion, rows));
  if (const std::vector<std::string> sources = energy_sources(rows); sources.size() > 1) {
    for (const std::string& source : sources) guide.energy_by_source.push_back(pick_winner(Criterion::Energy, rows, source));
  }

  for (std::size_t a = 0; a < rows.size(); ++a) {
    for (std::size_t b = 0; b < rows.size(); ++b) {
      if (a == b) continue;
      if (auto pair = break_even(rows, a, b)) {
        guide.break_even.push_back(*pair);
        continue;
      }
      // Counted once per unordered pair: a starts up slower but does not serve faster.
      const auto slow = costs_of(rows[a]);
      const auto fast = costs_of(rows[b]);
      if (slow && fast && slow->start_up_ms > fast->start_up_ms && slow->ms_per_input >= fast->ms_per_input) {
        ++guide.never_pays_off;
      }
    }
  }
  std::stable_sort(guide.break_even.begin(), guide.break_even.end(),
                   [](const BreakEven& x, const BreakEven& y) { return x.inputs < y.inputs; });

  for (const char* precision : {"fp32", "fp16", "bf16", "int8"}) {
    std::optional<Headroom> entry;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      if (row.status != RowStatus::Ok || !row.compute_bound || row.precision != precision) continue;
      if (!entry) {
        entry = Headroom{precision, i, 0};
      } else if (row.compute_bound->utilisation > rows[entry->best].compute_bound->utilisation) {
        entry->best = i;
      }
      ++entry->candidates;
    }
    if (entry) guide.headroom.push_back(*entry);
  }
  guide.thread_scaling = thread_scaling(rows);
  guide.instance_scaling = instance_scaling(rows);
  guide.latency_frontier = latency_frontier(rows);
  guide.accuracy_frontier = accuracy_frontier(rows);
  guide.round_ranks = round_ranks(rows);
  guide.serving = serving_rankings(rows);
  return guide;
}

double instance_speedup(const std::vector<Row>& rows, const InstanceScaling& scaling, std::size_t i) {
  const int fewest = rows[scaling.rows.front()].instances;
  double best = 0;
  for (std::size_t k : scaling.rows) {
    if (rows[k].instances == fewest) best = std::max(best, *rows[k].throughput);
  }
  return *rows[scaling.rows[i]].throughput / best;
}

double scaling_speedup(const std::vector<Row>& rows, const ThreadScaling& scaling, std::size_t i) {
  return *rows[scaling.rows[i]].throughput / *rows[scaling.rows.front()].throughput;
}

double scaling_efficiency(const std::vector<Row>& rows, const ThreadScaling& scaling, std::size_t i) {
  const double thread_ratio = static_cast<double>(scaling.threads[i]) / scaling.threads.front();
  return scaling_speedup(rows, scaling, i) / thread_ratio;
}

}  // namespace inferbench::report
