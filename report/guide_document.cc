// SPDX-License-Identifier: Apache-2.0
// The guide's wording: winners table, break-even table, rows left out.
#include "report/guide_document.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/profile/categories.h"
#include "core/result/scenario.h"

namespace inferbench::report {
namespace {

// Seconds with 3 decimals, or 3 significant digits below 0.1 s, where 3 decimals would print
// a fast row's break-even as "0.000".
std::string seconds_label(double seconds) {
  if (seconds > 0 && seconds < 0.1) return fmt::format("{:.3g}", seconds);
  return fmt::format("{:.3f}", seconds);
}

// Whether the winner's lead held in every round (--rounds), or "" when the rows were not both
// measured in rounds.
std::string rounds_sentence(const Winner& winner, const std::vector<Row>& rows) {
  if (!winner.rounds_won) return "";
  const int won = *winner.rounds_won;
  const int n = winner.rounds_compared;
  const bool all = static_cast<int>(rows[winner.rows.front()].round_throughput.size()) == n &&
                   static_cast<int>(rows[*winner.runner_up].round_throughput.size()) == n;
  const std::string rounds = all ? fmt::format("--rounds {}, every cell measured in each", n)
                                 : fmt::format("the first {}, which both rows were measured in before the run ended", n);
  const std::string head = fmt::format(" Round by round ({}), {} was faster in {} of {}:", rounds,
                                       row_title(rows[winner.rows.front()]), won, n);
  if (won == n) return head + " the lead held in every round, so the machine's drift between cells did not make it.";
  return head + " the lead did not hold in every round, so the machine's speed moved between cells by as "
                "much as the lead; choose on something else, or measure more rounds.";
}

// What the two rows' throughput intervals were computed from (throughput_interval()).
std::string interval_basis(const Row& a, const Row& b) {
  const bool rounds_a = a.round_throughput.size() >= 2, rounds_b = b.round_throughput.size() >= 2;
  if (rounds_a && rounds_b) return "from the spread of each row's round throughputs";
  if (!rounds_a && !rounds_b) return "from each row's mean latency and its effective number of independent samples";
  return "from the spread of the round throughputs of the row measured in rounds, the mean latency and "
         "effective number of independent samples of the other";
}

// Whether the throughput winner's lead over the runner-up exceeds the noise of the two timed
// windows (or of the rounds).
std::optional<std::string> lead_noise_sentence(const Winner& winner, const std::vector<Row>& rows) {
  if (!winner.runner_up) return std::nullopt;
  const Row& first = rows[winner.rows.front()];
  const Row& second = rows[*winner.runner_up];
  const std::string lead = fmt::format(
      "Peak throughput: {} leads {} by {:.1f}% ({:.2f} vs {:.2f} inputs/s)", row_title(first),
      row_title(second), (*first.throughput / *second.throughput - 1) * 100, *first.throughput,
      *second.throughput);
  const auto& a = winner.winner_interval;
  const auto& b = winner.runner_up_interval;
  if (!a || !b) {
    return fmt::format("{}; {} has no throughput interval (fewer than 2 timed samples, or noise as "
                       "large as the mean), so the lead cannot be judged against the noise.",
                       lead, row_title(a ? second : first));
  }
  const std::string intervals = fmt::format(
      "{}; their 95% intervals, {:.2f}–{:.2f} and {:.2f}–{:.2f} inputs/s ({}),",
      lead, a->lo, a->hi, b->lo, b->hi,
      interval_basis(first, second));
  if (*winner.lead_beyond_noise) {
    // One window per row sees the noise inside it, not a change of the machine's speed between
    // two cells measured at different times; rounds do (results/rounds-cpu: 7-138% on a shared VM).
    const bool by_rounds = first.round_throughput.size() >= 2 && second.round_throughput.size() >= 2;
    return intervals + (by_rounds ? " do not overlap: the lead is beyond this run's noise."
                                  : " do not overlap: the lead is beyond the noise inside the two timed windows; "
                                    "a change of the machine's speed between the two cells is not in that "
                                    "(--rounds measures it).");
  }
  // Adaptive rows (docs/metrics.md) get more samples from a longer window, not from a count.
  const bool adaptive = first.effective.count("protocol") && first.effective.at("protocol") == "adaptive";
  return intervals + " overlap: the lead is within this run's noise, so either could be the "
                     "faster; raise " + (adaptive ? "--max-window" : "--iters") + " or --rounds, or rerun on a "
                     "quieter machine, before choosing on throughput alone.";
}

// The throughput winner's lead over the runner-up against the noise, and round by round.
std::optional<std::string> lead_sentence(const Winner& winner, const std::vector<Row>& rows) {
  if (!winner.runner_up) return std::nullopt;
  std::optional<std::string> sentence = lead_noise_sentence(winner, rows);
  if (sentence) *sentence += rounds_sentence(winner, rows);
  return sentence;
}


// A section titled `title` that opens with `paragraph`.
GuideSection section_of(std::string title, std::string paragraph) {
  GuideSection section;
  section.title = std::move(title);
  section.paragraphs.push_back(std::move(paragraph));
  return section;
}

// A row's P50 with the guide's 3 decimals, or "n/a".
std::string p50_cell(const Row& row) {
  return row.latency_ms ? fmt::format("{:.3f}", row.latency_ms->p50) : std::string(kNotAvailable);
}

// What the accuracy loss was measured on (the rows' requested input, the INT8 rows' calibration),
// and what that lets the reader conclude; none when no row below FP32 has parity.
std::optional<std::string> accuracy_basis_sentence(const std::vector<Row>& rows) {
  std::optional<std::string> input;  // the user's data, when --input gave it
  bool reduced = false, synthetic_calibration = false, own_calibration = false;
  std::optional<int> samples;      // the most samples a row's parity compared
  const Row* largest_loss = nullptr;  // the row whose top-1 accuracy fell most below the FP32 reference's
  const auto loss = [](const Row& row) { return *row.accuracy->reference_top1 - row.accuracy->top1; };
  for (const Row& row : rows) {
    if (row.status != RowStatus::Ok || !row.parity) continue;
    if (const auto given = row.requested.find("input"); given != row.requested.end()) input = given->second;
    if (row.parity->samples) samples = std::max(samples.value_or(0), *row.parity->samples);
    const bool scored = row.accuracy && row.accuracy->reference_top1;
    if (scored && (!largest_loss || loss(row) > loss(*largest_loss))) largest_loss = &row;
    reduced = reduced || row.precision != "fp32";
    if (const auto calibration = row.effective.find("calibration"); calibration != row.effective.end()) {
      (calibration->second.starts_with("synthetic") ? synthetic_calibration : own_calibration) = true;
    }
  }
  if (!reduced) return std::nullopt;
  std::string calibration;
  if (synthetic_calibration || own_calibration) {
    calibration = synthetic_calibration && own_calibration ? " The INT8 rows were calibrated partly on a seeded synthetic set, partly on your data"
                  : synthetic_calibration                  ? " The INT8 rows were calibrated on a seeded synthetic set"
                                                           : " The INT8 rows were calibrated on your data (--calibration)";
    calibration += " (each row's effective.calibration).";
  }
  if (input) {
    const std::string counted = samples ? fmt::format(", {} samples, each run once by every row", *samples) : "";
    std::string labelled;
    if (largest_loss && loss(*largest_loss) <= 0) {
      labelled = fmt::format(" Against your labels, the FP32 reference is right on {:.2f}% of them, and no row is "
                             "right less often (the accuracy table under Table B has every row).",
                             *largest_loss->accuracy->reference_top1 * 100.0);
    } else if (largest_loss) {
      const LabelAccuracy& accuracy = *largest_loss->accuracy;
      labelled = fmt::format(
          " Against your labels, the FP32 reference is right on {:.2f}% of them; the largest fall in top-1 accuracy "
          "is {} at {:.2f}% ({:+.2f} points; the accuracy table under Table B has every row).",
          *accuracy.reference_top1 * 100.0, row_title(*largest_loss), accuracy.top1 * 100.0,
          (accuracy.top1 - *accuracy.reference_top1) * 100.0);
    }
    return "Accuracy loss: measured on your data, " + *input + " (--input" + counted + "): top-1 agreement is how "
           "often each row gave the FP32 model's answer on it, which with your model's real weights (--weights) is the "
           "accuracy an INT8 or BF16 row costs." + labelled + calibration;
  }
  return "Accuracy loss: measured on seeded random input, which tells whether a row computes the same function as the "
         "FP32 reference, not how often it gives your model's answer." + calibration +
         " For that, rerun with your model's weights (--weights), your images (--input) and, for INT8, other images "
         "to calibrate on (--calibration).";
}

// The accuracy against the labels of rows that have no FP32 reference to compare with (a user's own
// artefact files), best first; none when every scored row has a reference.
std::optional<std::string> labels_only_sentence(const std::vector<Row>& rows) {
  std::vector<const Row*> scored;
  for (const Row& row : rows) {
    if (row.status == RowStatus::Ok && row.accuracy && !row.accuracy->reference_top1) scored.push_back(&row);
  }
  if (scored.empty()) return std::nullopt;
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Row* a, const Row* b) { return a->accuracy->top1 > b->accuracy->top1; });
  std::string listed;
  for (const Row* row : scored) {
    listed += fmt::format("{}{} {:.2f}% of {}", listed.empty() ? "" : "; ", row_title(*row), row->accuracy->top1 * 100.0,
                          row->accuracy->samples);
  }
  return "Top-1 accuracy against your labels of the rows with no FP32 reference to compare with (your own artefact "
         "files): " + listed + ".";
}

// The offline row of the same configuration as `row` (framework, backend, variant, device,
// precision, batch, model, requested settings but the scenario), when the run has one.
std::optional<std::size_t> offline_twin(const std::vector<Row>& rows, const Row& row) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& o = rows[i];
    if (o.status == RowStatus::Ok && o.scenario == "offline" && o.throughput && o.framework == row.framework &&
        o.backend == row.backend && o.variant == row.variant && o.device == row.device && o.precision == row.precision &&
        o.batch == row.batch && o.model == row.model && o.requested == row.requested) {
      return i;
    }
  }
  return std::nullopt;
}

// One configuration's settings, best first: "OpenVINO CPU FP32 by setting: 1 request, batch 4: A
// QPS, the best, A/B x the next; 2 requests, batch 8: B QPS; 2 requests, batch 4: none VALID."
// (the lead called a tie when within the server search's precision).
std::string settings_sentence(const std::vector<Row>& rows, const ServingSettings& group) {
  const Row& first = rows[group.rows.front()];
  std::string text = configuration_label(first) + " by setting: ";
  for (std::size_t k = 0; k < group.rows.size(); ++k) {
    const Serving& serving = *rows[group.rows[k]].serving;
    text += (k ? "; " : "") + group.labels[k] + ": ";
    if (!serving.value) {
      text += "none VALID";
      continue;
    }
    text += fmt::format("{:.1f} QPS", *serving.value);
    if (k == 0 && group.rows.size() > 1) {
      const Serving& next = *rows[group.rows[1]].serving;
      if (!next.value) {
        text += ", the only setting that met the bound";
      } else {
        const double lead = *serving.value / *next.value;
        text += fmt::format(", the best, {:.2f}x the next", lead);
        // Each rate is bracketed only to the search's precision: a smaller lead decides nothing.
        if (lead - 1.0 <= kServerSearchPrecision) {
          text += fmt::format(" (within the searches' {:.0f}% precision: a tie)", kServerSearchPrecision * 100);
        }
      }
    }
  }
  return text + ".";
}

GuideSection serving_section(const std::vector<Row>& rows, const ServingRanking& ranking) {
  GuideSection section = section_of(
      fmt::format("Serving: highest request rate at P{:g} <= {:g} ms", ranking.percentile, ranking.bound_ms),
      fmt::format("Requests arrive one sample at a time, at random (MLPerf LoadGen's server scenario), and each "
                  "row's rate is the highest LoadGen judged VALID: P{:g} of sample latency within {:g} ms, with "
                  "early stopping's confidence, searched for on this machine (bracketed between a VALID and "
                  "an INVALID rate, then narrowed by bisection). The rate beside it is what the same "
                  "configuration completes with every sample queued at once (its offline row), so their ratio "
                  "is what the latency bound costs.",
                  ranking.percentile, ranking.bound_ms));
  GuideTable table;
  table.columns = {{"Rank", true},           {"Row", false},       {"Highest VALID rate (QPS)", true},
                   {"Latency (ms)", true},   {"Batch fill %", true}, {"Requests", true},
                   {"Offline (samples/s)", true}, {"Of offline %", true}, {"Tests", true}};
  for (std::size_t k = 0; k < ranking.rows.size(); ++k) {
    const Row& row = rows[ranking.rows[k]];
    const Serving& serving = *row.serving;
    const auto offline = offline_twin(rows, row);
    const std::optional<double> offline_rate = offline ? rows[*offline].throughput : std::nullopt;
    table.rows.push_back({std::to_string(k + 1), row_title(row), fmt::format("{:.1f}", *serving.value),
                          number_or_na(serving.reported.latency_ms, 3),
                          fmt::format("{:.1f}", serving.mean_batch_fill * 100.0),
                          std::to_string(serving.requests_in_flight), number_or_na(offline_rate, 1),
                          offline_rate ? fmt::format("{:.1f}", *serving.value / *offline_rate * 100.0)
                                       : std::string(kNotAvailable),
                          std::to_string(serving.tests.size())});
  }
  section.table = std::move(table);
  for (std::size_t index : ranking.none_valid) {
    section.bullets.push_back(row_title(rows[index]) + ": no rate met the bound (" + rows[index].serving->search + ").");
  }
  for (const ServingSettings& group : ranking.settings) section.bullets.push_back(settings_sentence(rows, group));
  for (std::size_t index : ranking.rows) {
    const Serving& serving = *rows[index].serving;
    if (serving.search.rfind("bracketed", 0) != 0) {
      section.bullets.push_back(row_title(rows[index]) + ": the search was cut short (" + serving.search +
                                "), so its rate is a lower bound.");
    }
  }
  return section;
}

GuideSection winners_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section = section_of("Winners",
      "Values equal at the precision shown are ties, and every tied row is named.");
  GuideTable table;
  table.columns = {{"Criterion", false},
                   {"Winner", false},
                   {"Value", true},
                   {"Rows compared", true},
                   {"Decided by", false}};
  for (const Winner& winner : guide.winners) {
    if (winner.criterion == Criterion::Energy && winner.candidates == 0) continue;  // no energy counter
    if (winner.criterion == Criterion::Energy && !guide.energy_by_source.empty()) {
      // Rows of different sources measure different devices: one winner among each source's rows.
      for (const Winner& own : guide.energy_by_source) {
        table.rows.push_back({std::string(criterion_name(own.criterion)) + ", " + energy_source_label(own.energy_source),
                              winner_rows(own, rows), winner_value(own, rows), std::to_string(own.candidates),
                              std::string(winner_rule(own.criterion)) + "; compared only with rows of the same source"});
      }
      continue;
    }
    table.rows.push_back({std::string(criterion_name(winner.criterion)), winner_rows(winner, rows),
                          winner_value(winner, rows), std::to_string(winner.candidates),
                          std::string(winner_rule(winner.criterion))});
  }
  section.table = std::move(table);
  for (const Winner& winner : guide.winners) {
    if (auto lead = lead_sentence(winner, rows)) section.bullets.push_back(*lead);
  }
  if (auto basis = accuracy_basis_sentence(rows)) section.bullets.push_back(*basis);
  if (auto alone = labels_only_sentence(rows)) section.bullets.push_back(*alone);
  return section;
}

std::string inferences_cell(const BreakEven& pair, const std::vector<Row>& rows) {
  if (pair.inferences) {
    return fmt::format("{:.1f} of batch {}", *pair.inferences, rows[pair.slower_start].batch);
  }
  return fmt::format("n/a (batch {} vs {})", rows[pair.slower_start].batch, rows[pair.faster_start].batch);
}

GuideSection break_even_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section = section_of("Break-even: when a slower start-up pays for itself",
      "For each pair where row A starts up slower than row B but serves faster: start-up s = "
      "compile + first inference (the time to the first result); time per input t = 1000 / "
      "throughput (ms per sample, so different batches compare per sample); serving n inputs "
      "costs s + n × t; A has paid for its slower start-up after n* = (s A − s B) / (t B − t A) "
      "inputs, when A has served for n* × t A (\"A's service\") and both deployments are even at "
      "s A + n* × t A from the start.");
  if (guide.break_even.empty()) {
    // The ok rows with both a start-up time and a throughput: the others are listed in no_break_even.
    const std::size_t comparable = guide.ok_rows - guide.no_break_even.size();
    section.paragraphs.push_back(
        comparable < 2
            ? "No pair qualifies: fewer than two ok rows have both a start-up time and a "
              "throughput."
            : "No pair qualifies: in every pair the row that starts up slower also serves no "
              "faster, so the quicker start-up costs nothing here.");
  } else {
    GuideTable table;
    table.columns = {{"A: slower start-up, faster service", false},
                     {"B: faster start-up", false},
                     {"Start-up gap (ms)", true},
                     {"t A (ms/input)", true},
                     {"t B (ms/input)", true},
                     {"Break-even n* (inputs)", true},
                     {"Inferences", true},
                     {"A's service (s)", true},
                     {"Even at (s from start)", true}};
    for (const BreakEven& pair : guide.break_even) {
      table.rows.push_back(
          {row_title(rows[pair.slower_start]), row_title(rows[pair.faster_start]),
           fmt::format("{:.2f}", pair.start_up_gap_ms), fmt::format("{:.6f}", pair.ms_per_input_a),
           fmt::format("{:.6f}", pair.ms_per_input_b), fmt::format("{:.1f}", pair.inputs),
           inferences_cell(pair, rows), seconds_label(pair.service_s),
           seconds_label(pair.elapsed_s)});
    }
    section.table = std::move(table);
  }
  if (guide.never_pays_off > 0) {
    section.bullets.push_back(fmt::format(
        "{} more pair{} where the slower-to-start row also serves no faster never pay{} off "
        "and {} not listed.",
        guide.never_pays_off, guide.never_pays_off == 1 ? "" : "s",
        guide.never_pays_off == 1 ? "s" : "", guide.never_pays_off == 1 ? "is" : "are"));
  }
  return section;
}

GuideSection headroom_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section = section_of("Headroom against the hardware",
      "Per precision, the row that does the most of the model's multiply-adds per second relative to "
      "the CPU's peak for that precision, measured before the first and after the last CPU cell of "
      "this run, the higher of the two counting (compute_bound). The FPS bound is the rate no "
      "runtime can exceed on those cores with that instruction; a row far below it is limited by "
      "something else (memory traffic, unfused layers, framework overhead); the gap is the most any "
      "runtime or setting could gain there.");
  GuideTable table;
  table.columns = {{"Precision", false}, {"Closest to the limit", false}, {"FPS", true},
                   {"FPS bound", true},  {"% of peak", true},            {"Peak measured with", false},
                   {"Rows compared", true}};
  for (const Headroom& entry : guide.headroom) {
    const Row& row = rows[entry.best];
    const ComputeBound& bound = *row.compute_bound;
    table.rows.push_back({precision_label(row.precision), row_title(row), fmt::format("{:.2f}", row.fps.value_or(0)),
                          fmt::format("{:.2f}", bound.fps_bound), fmt::format("{:.1f}", bound.utilisation * 100.0),
                          fmt::format("{}, {} thread{}", bound.kernel, bound.threads, bound.threads == 1 ? "" : "s"),
                          std::to_string(entry.candidates)});
  }
  section.table = std::move(table);
  return section;
}

GuideSection thread_scaling_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section = section_of("Scaling with threads",
      "Configurations measured at several thread counts (--threads sweep), each against its own "
      "run with the fewest threads: speed-up is the throughput ratio, efficiency the speed-up over "
      "the thread ratio (100 % = every added thread worked as well as the first ones). Low "
      "efficiency means the cores are better spent on another model instance (--instances "
      "measures that) or another request. "
      "Each count is its own measurement with its own noise (see its CV): a few % either side of "
      "100 % is noise, not a finding.");
  GuideTable table;
  table.columns = {{"Row", false},      {"Threads", true},  {"Measured thr.", true},
                   {"P50 (ms)", true},  {"Speed-up", true}, {"Efficiency %", true}};
  for (const ThreadScaling& scaling : guide.thread_scaling) {
    for (std::size_t i = 0; i < scaling.rows.size(); ++i) {
      const Row& row = rows[scaling.rows[i]];
      table.rows.push_back({row_title(row), std::to_string(scaling.threads[i]),
                            fmt::format("{:.2f}", *row.throughput),
                            p50_cell(row),
                            fmt::format("{:.2f}x", scaling_speedup(rows, scaling, i)),
                            fmt::format("{:.1f}", scaling_efficiency(rows, scaling, i) * 100.0)});
    }
  }
  section.table = std::move(table);
  return section;
}

GuideSection instance_scaling_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section = section_of("One process or several",
      "Configurations measured at several instance counts (--instances): each instance is its own "
      "process with its own copy of the model and its share of the threads, and a row's "
      "throughput is all its instances' together. Against the best row with the fewest "
      "instances: above 1.00x the extra processes keep the cores busier than one process's "
      "threads do (small batches, threads that wait for each other); they always cost memory "
      "(peak RSS is the sum) and per-request latency (each instance has fewer threads). A few % "
      "either side of 1.00x is noise, not a finding.");
  GuideTable table;
  table.columns = {{"Row", false},         {"Instances", true}, {"Threads each", true},
                   {"Measured thr.", true}, {"P50 (ms)", true},  {"Peak RSS (MB)", true},
                   {"vs fewest instances", true}};
  for (const InstanceScaling& scaling : guide.instance_scaling) {
    for (std::size_t i = 0; i < scaling.rows.size(); ++i) {
      const Row& row = rows[scaling.rows[i]];
      const std::optional<int> threads = effective_threads(row);
      table.rows.push_back({row_title(row), std::to_string(row.instances),
                            threads ? std::to_string(*threads) : "n/a",
                            fmt::format("{:.2f}", *row.throughput),
                            p50_cell(row),
                            row.peak_rss_mb ? fmt::format("{:.1f}", *row.peak_rss_mb) : "n/a",
                            fmt::format("{:.2f}x", instance_speedup(rows, scaling, i))});
    }
  }
  section.table = std::move(table);
  return section;
}

GuideSection frontier_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section;
  section.title = "Latency against throughput";
  const auto measured = std::count_if(rows.begin(), rows.end(), [](const Row& row) {
    return row.status == RowStatus::Ok && row.latency_ms && row.throughput && *row.throughput > 0;
  });
  if (guide.latency_frontier.size() == 1) {
    const Row& row = rows[guide.latency_frontier.front()];
    section.paragraphs.push_back(fmt::format(
        "{} has both the lowest P99 latency ({:.3f} ms per iteration) and the highest throughput "
        "({:.2f} inputs/s) of the {} measured rows: no trade-off between latency and throughput "
        "to make here.",
        row_title(row), row.latency_ms->p99, *row.throughput, measured));
    return section;
  }
  section.paragraphs.push_back(fmt::format(
      "The {} of {} measured rows that no other row beats on both P99 latency and throughput (the "
      "Pareto front), quickest to answer first: each next row answers slower and serves more. "
      "Under a P99 budget, ship the last row whose P99 fits; the rows left out are beaten on both "
      "by one of these. Latency is per iteration, one batch (the batch is part of the choice); an "
      "async row's includes the wait behind the other requests in flight, as a request served that "
      "way sees it. A P99 from fewer than 1000 samples rests on a handful of them: leave a margin.",
      guide.latency_frontier.size(), measured));
  GuideTable table;
  table.columns = {{"Row", false},           {"P99 (ms)", true},
                   {"Measured thr.", true},  {"Best for a P99 budget of (ms)", false}};
  for (std::size_t k = 0; k < guide.latency_frontier.size(); ++k) {
    const Row& row = rows[guide.latency_frontier[k]];
    const std::string budget =
        k + 1 < guide.latency_frontier.size()
            ? fmt::format("{:.3f} to {:.3f}", row.latency_ms->p99,
                          rows[guide.latency_frontier[k + 1]].latency_ms->p99)
            : fmt::format("{:.3f} or more", row.latency_ms->p99);
    table.rows.push_back({row_title(row), fmt::format("{:.3f}", row.latency_ms->p99),
                          fmt::format("{:.2f}", *row.throughput), budget});
  }
  section.table = std::move(table);
  if (!guide.latency_frontier.empty()) {
    section.bullets.push_back(fmt::format(
        "No row meets a P99 budget below {:.3f} ms: a smaller batch, fewer requests in flight or "
        "another runtime would have to be measured.",
        rows[guide.latency_frontier.front()].latency_ms->p99));
  }
  return section;
}

GuideSection accuracy_frontier_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section;
  section.title = "Accuracy against throughput";
  const Row& fastest = rows[guide.accuracy_frontier.front()];
  section.paragraphs.push_back(fmt::format(
      "The rows that no other row beats on both throughput and top-1 accuracy against your labels (the Pareto "
      "front), fastest first: each next row is more accurate and serves less. Under an accuracy budget (say, at "
      "most half a point below FP32), ship the first row within it; rows whose throughputs are closer than this "
      "run's noise (Winners, Round by round) are a choice on accuracy alone. Accuracy was scored on {} labelled "
      "samples: a difference of one sample is {:.2f} points.",
      fastest.accuracy->samples, 100.0 / std::max(1, fastest.accuracy->samples)));
  GuideTable table;
  table.columns = {{"Row", false}, {"Measured thr.", true}, {"Top-1 %", true}, {"Change from FP32 (points)", true}};
  for (std::size_t index : guide.accuracy_frontier) {
    const Row& row = rows[index];
    table.rows.push_back({row_title(row), fmt::format("{:.2f}", *row.throughput),
                          fmt::format("{:.2f}", row.accuracy->top1 * 100.0),
                          fmt::format("{:+.2f}", (row.accuracy->top1 - *row.accuracy->reference_top1) * 100.0)});
  }
  section.table = std::move(table);
  return section;
}

GuideSection round_ranks_section(const std::vector<Row>& rows, const Guide& guide) {
  const std::size_t rounds = guide.round_ranks.front().ranks.size();
  const bool cut = std::any_of(guide.round_ranks.begin(), guide.round_ranks.end(),
                               [&](const RoundRanks& entry) { return rows[entry.row].round_throughput.size() > rounds; });
  GuideSection section = section_of("Round by round",
      fmt::format("{}: each row's rank among these {} rows in each round, by its throughput in that round. A row whose "
                  "rank never changes holds its place against the machine's drift; rows whose ranks "
                  "swap in some round were ordered by when they ran as much as by the runtime. Under the "
                  "table, each row and the rows it beat in every round: the order the drift did not decide.",
                  cut ? fmt::format("The run ended before every cell's last round; these rows were all measured in "
                                    "the first {} rounds, one after the other (--rounds)", rounds)
                      : fmt::format("Every cell was measured in {} rounds, one after the other (--rounds)", rounds),
                  guide.round_ranks.size()));
  GuideTable table;
  table.columns = {{"Row", false}, {"Measured thr.", true}, {"Rank by round", false},
                   {"Best", true}, {"Worst", true}};
  std::size_t steady = 0;
  for (const RoundRanks& entry : guide.round_ranks) {
    const Row& row = rows[entry.row];
    const auto [best, worst] = std::minmax_element(entry.ranks.begin(), entry.ranks.end());
    if (*best == *worst) ++steady;
    table.rows.push_back({row_title(row), fmt::format("{:.2f}", *row.throughput),
                          fmt::format("{}", fmt::join(entry.ranks, ", ")), std::to_string(*best),
                          std::to_string(*worst)});
  }
  section.table = std::move(table);
  for (const RoundRanks& entry : guide.round_ranks) {
    std::vector<std::string> beaten;
    for (const RoundRanks& other : guide.round_ranks) {
      bool every = other.row != entry.row;
      for (std::size_t k = 0; every && k < rounds; ++k) {
        every = rows[entry.row].round_throughput[k] > rows[other.row].round_throughput[k];
      }
      if (every) beaten.push_back(row_title(rows[other.row]));
    }
    if (!beaten.empty()) {
      section.bullets.push_back(fmt::format("{} beat in every round: {}.", row_title(rows[entry.row]),
                                            fmt::join(beaten, "; ")));
    }
  }
  section.bullets.push_back(
      steady == guide.round_ranks.size()
          ? std::string("Every row kept its rank in every round: the ranking is not the machine's drift.")
          : fmt::format("{} of {} rows kept their rank in every round.", steady, guide.round_ranks.size()));
  return section;
}

GuideSection partly_delegated_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section = section_of("Models the delegate did not take whole",
      "These rows ran part of the model outside their delegate, on the framework's own kernels, "
      "with the graph cut into pieces around those operators: their speed measures that split as "
      "much as the delegate. Another conversion of the model, or another form of the operators "
      "named, may bring the rest under the delegate; until then, compare them with care.");
  GuideTable table;
  table.columns = {{"Row", false}, {"Outside the delegate", false}, {"What the framework says", false}};
  for (std::size_t index : guide.partly_delegated) {
    const Row& row = rows[index];
    auto field = [&](const char* key) {
      const auto it = row.effective.find(key);
      return it == row.effective.end() ? std::string() : it->second;
    };
    std::string detail = field("delegation");  // the exporter's operator count (ExecuTorch, LiteRT)
    if (detail.empty() && field("fully_accelerated") == "no") {
      detail = "not fully accelerated (LiteRtCompiledModelIsFullyAccelerated); "
               "tools/results/tflite_partitions.py names the operators";
    }
    if (const std::string instructions = field("instructions"); !instructions.empty()) {
      detail += (detail.empty() ? "" : "; ") + instructions + " instructions in the execution plan";
    }
    table.rows.push_back({row_title(row), field(kKernelsOutsideDelegate), detail});
  }
  section.table = std::move(table);
  return section;
}

// The ok rows with a per-operator profile, fastest (highest measured throughput) first.
std::vector<const Row*> profiled_rows(const std::vector<Row>& rows) {
  std::vector<const Row*> profiled;
  for (const Row& row : rows) {
    if (row.status == RowStatus::Ok && row.profile && row.profile->available && row.profile->op_ms && row.batch > 0 &&
        row.throughput) {
      profiled.push_back(&row);
    }
  }
  std::stable_sort(profiled.begin(), profiled.end(), [](const Row* a, const Row* b) { return *a->throughput > *b->throughput; });
  return profiled;
}

// The three convolution categories, which a profile without weight shapes (an AOTInductor
// package's markers carry none) cannot tell apart: it puts every convolution in the first.
constexpr const char* kConvolutionKinds[] = {"convolution", "depthwise_convolution", "pointwise_convolution"};
constexpr const char* kAllConvolutions = "convolution (every kind)";

bool is_convolution(const std::string& category) {
  return std::find(std::begin(kConvolutionKinds), std::end(kConvolutionKinds), category) != std::end(kConvolutionKinds);
}

// Whether `row`'s profile tells its convolutions' kinds apart: some is depthwise or pointwise.
bool splits_convolutions(const Row& row) {
  return std::any_of(row.profile->categories.begin(), row.profile->categories.end(), [](const ProfileCategoryTime& c) {
    return c.category == "depthwise_convolution" || c.category == "pointwise_convolution";
  });
}

// A category's operator time per input of `row` (0 when it has none); kAllConvolutions adds the
// three kinds of convolution.
double category_ms_per_input(const Row& row, const std::string& category) {
  double ms = 0;
  for (const ProfileCategoryTime& c : row.profile->categories) {
    if (c.category == category || (category == kAllConvolutions && is_convolution(c.category))) ms += c.ms;
  }
  return ms / row.batch;
}

// Operator times per input within this fraction of each other are "about the same".
constexpr double kSameOperatorTime = 0.05;

// What sets `row` apart from `fastest` (the fastest profiled row of its precision), per input: the
// category where it spends the most time more (or, when it spends less everywhere, the least
// less). When one of the two cannot tell its convolutions apart, they are compared as one.
std::string profile_difference(const Row& row, const Row& fastest) {
  const bool merge = splits_convolutions(row) != splits_convolutions(fastest);
  std::vector<std::string> categories;
  for (const Row* r : {&row, &fastest}) {
    for (const ProfileCategoryTime& c : r->profile->categories) {
      const std::string category = merge && is_convolution(c.category) ? kAllConvolutions : c.category;
      if (std::find(categories.begin(), categories.end(), category) == categories.end()) categories.push_back(category);
    }
  }
  std::string widest;
  double widest_gap = -1e300;
  for (const std::string& category : categories) {
    const double gap = category_ms_per_input(row, category) - category_ms_per_input(fastest, category);
    if (gap > widest_gap) {
      widest_gap = gap;
      widest = category;
    }
  }
  const double mine = category_ms_per_input(row, widest), theirs = category_ms_per_input(fastest, widest);
  const double row_ms = *row.profile->op_ms / row.batch, fastest_ms = *fastest.profile->op_ms / fastest.batch;
  const double total_gap = row_ms - fastest_ms;
  // Profiles of the same configuration (a sync row and its async twin are both profiled with one
  // request) differ by noise: no category is to blame.
  if (std::abs(total_gap) < kSameOperatorTime * fastest_ms) {
    return fmt::format("{}'s operators take about the time per input of {}'s ({:.3f} against {:.3f} ms): what sets "
                       "the rows apart is outside the operators (requests in flight, threads, the framework's overhead).",
                       row_title(row), row_title(fastest), row_ms, fastest_ms);
  }
  // The category's part of the row's extra operator time; more than all of it when the row spends
  // less than the fastest elsewhere.
  std::string of_gap;
  if (total_gap > 0 && widest_gap > total_gap) {
    of_gap = fmt::format(", more than the {:.3f} ms more operator time it spends per input in all (it spends less "
                         "elsewhere)",
                         total_gap);
  } else if (total_gap > 0 && widest_gap > 0) {
    of_gap = fmt::format(", {:.0f}% of the {:.3f} ms more operator time it spends per input", 100 * widest_gap / total_gap,
                         total_gap);
  }
  const std::string why_merged =
      merge ? fmt::format(" (convolutions as one: {} does not tell their kinds apart)",
                          row_title(splits_convolutions(row) ? fastest : row))
            : std::string();
  if (theirs <= 0) {
    return fmt::format("{} spends {:.3f} ms per input in {}, where {} spends none{}{}.", row_title(row), mine,
                       category_label_of(widest), row_title(fastest), of_gap, why_merged);
  }
  return fmt::format("{} spends {:.1f}x {}'s time in {} ({:.3f} against {:.3f} ms per input){}{}.", row_title(row),
                     mine / theirs, row_title(fastest), category_label_of(widest), mine, theirs, of_gap, why_merged);
}

// Each profiled row against the fastest profiled row of its precision (a runtime's choice is made
// within a precision; INT8 against FP32 would only say that INT8 is cheaper).
GuideSection profile_section(const std::vector<const Row*>& profiled) {
  GuideSection section = section_of(
      "Where the time goes",
      "From each row's per-operator profile (--profile: the framework's own profiler, in a separate pass after the "
      "timed window), each row set against the fastest profiled row of its precision, in the category where their "
      "operator times per input (per inference over the batch) differ most. Categories as docs/metrics.md, \"Where "
      "the time goes\", defines them.");
  std::vector<std::string> precisions;
  for (const Row* row : profiled) {
    if (std::find(precisions.begin(), precisions.end(), row->precision) == precisions.end()) {
      precisions.push_back(row->precision);
    }
  }
  for (const std::string& precision : precisions) {
    const Row* fastest = nullptr;
    for (const Row* row : profiled) {
      if (row->precision != precision) continue;
      if (!fastest) {
        fastest = row;
        section.bullets.push_back(fmt::format("Fastest {} row: {}, its operator time per input ({:.3f} ms) going to {}.",
                                              precision_label(precision), row_title(*row),
                                              *row->profile->op_ms / row->batch, category_shares(*row->profile)));
      } else {
        section.bullets.push_back(profile_difference(*row, *fastest));
      }
    }
  }
  return section;
}

GuideSection left_out_section(const std::vector<Row>& rows, const Guide& guide) {
  GuideSection section;
  section.title = "Rows left out";
  // Rows that share a reason (a missing plugin times every precision and batch) in one bullet.
  std::vector<std::string> reasons;
  std::map<std::string, std::string> titles;
  for (const LeftOut& left : guide.not_ok) {
    std::string& joined = titles[left.reason];
    if (joined.empty()) reasons.push_back(left.reason);
    joined += (joined.empty() ? "" : "; ") + row_title(rows[left.row]);
  }
  for (const std::string& reason : reasons) section.bullets.push_back(titles[reason] + " — " + reason);
  for (const LeftOut& left : guide.no_break_even) {
    section.bullets.push_back(row_title(rows[left.row]) +
                              " — not in the break-even table: " + left.reason);
  }
  for (std::size_t index : guide.reference_rows) {
    section.bullets.push_back(row_title(rows[index]) +
                              " — not ranked on accuracy: it is the FP32 reference configuration");
  }
  if (section.bullets.empty()) {
    section.paragraphs.push_back("None: every row was measured and compared.");
  }
  return section;
}

// Of the ok rows of `rows` that pass `keep`, the index of the one with the highest (`higher`) or
// lowest value of `field`; ties go to the first in input order.
template <typename Keep, typename Field>
std::optional<std::size_t> best_row(const std::vector<Row>& rows, Keep keep, Field field, bool higher) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (row.status != RowStatus::Ok || !keep(row)) continue;
    const std::optional<double> value = field(row);
    if (!value) continue;
    const std::optional<double> current = best ? field(rows[*best]) : std::nullopt;
    if (!current || (higher ? *value > *current : *value < *current)) best = i;
  }
  return best;
}

GuideSection across_models_section(const std::vector<Row>& rows, const std::vector<std::string>& models) {
  GuideSection section = section_of("Across models",
      fmt::format("This run measured {} models on the same matrix. Rows of different models do not "
                  "compete: each model has its own guide below. Across models, speed also measures "
                  "how much work each one is (multiply-adds per input); what a bigger model buys in "
                  "accuracy is not measured here (seeded random weights unless --weights), so weigh "
                  "these speeds against the accuracy you know for each model. Throughput in inputs/s; "
                  "the lowest P99 among sync rows (one request at a time).",
                  models.size()));
  GuideTable table;
  table.columns = {{"Model", false},         {"Params", true},        {"MACs/input (M)", true},
                   {"Fastest row", false},   {"Inputs/s", true},          {"Fastest FP32 row", false},
                   {"FP32 inputs/s", true},  {"Lowest P99 row (sync)", false}, {"P99 (ms)", true},
                   {"Ok rows", true}};
  const auto any = [](const Row&) { return true; };
  const auto fp32 = [](const Row& row) { return row.precision == "fp32"; };
  const auto sync = [](const Row& row) { return row.scenario == "sync"; };
  const auto throughput = [](const Row& row) { return row.throughput; };
  const auto p99 = [](const Row& row) {
    return row.latency_ms ? std::optional<double>(row.latency_ms->p99) : std::nullopt;
  };
  for (const std::string& model : models) {
    const std::vector<Row> own = rows_of_model(rows, model);
    std::optional<std::int64_t> params, macs;
    for (const Row& row : own) {
      if (!params) params = row.params;
      if (!macs) macs = row.macs_per_sample;
    }
    const auto fastest = best_row(own, any, throughput, true);
    const auto fastest_fp32 = best_row(own, fp32, throughput, true);
    const auto quickest = best_row(own, sync, p99, false);
    const auto name_of = [&](std::optional<std::size_t> i) {
      return i ? row_title(own[*i]) : std::string("none");
    };
    const auto count = std::count_if(own.begin(), own.end(), [](const Row& row) { return row.status == RowStatus::Ok; });
    table.rows.push_back(
        {model, params ? std::to_string(*params) : std::string(kNotAvailable),
         macs ? fmt::format("{:.1f}", static_cast<double>(*macs) / 1e6) : std::string(kNotAvailable),
         name_of(fastest), fastest ? fmt::format("{:.2f}", *own[*fastest].throughput) : std::string(kNotAvailable),
         name_of(fastest_fp32),
         fastest_fp32 ? fmt::format("{:.2f}", *own[*fastest_fp32].throughput) : std::string(kNotAvailable),
         name_of(quickest), quickest ? fmt::format("{:.3f}", own[*quickest].latency_ms->p99) : std::string(kNotAvailable),
         fmt::format("{} of {}", count, own.size())});
  }
  section.table = std::move(table);
  return section;
}

// "a", "a and b", "a, b and c".
std::string joined_names(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " and " : ", ";
    text += names[i];
  }
  return text;
}

// One host's entry in a line across hosts: the host, what won there, and its value.
struct HostEntry {
  std::string host;
  std::string what;   // "<row title>, <value>"
  double key = 0;     // the value at the printed precision, larger is better
  std::string key2;   // a second printed value that must also be equal for a tie (accuracy)
};

// "b (X, 2918.75 inputs/s), then a (Y, 392.66 inputs/s)": `entries` best first (stable: hosts in
// run order on equal values); hosts equal at the printed precision are "tied with" each other.
std::string ranked_hosts(std::vector<HostEntry> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const HostEntry& a, const HostEntry& b) { return a.key > b.key; });
  std::string text;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) {
      const bool tied = entries[i].key == entries[i - 1].key && entries[i].key2 == entries[i - 1].key2;
      text += tied ? ", tied with " : ", then ";
    }
    text += fmt::format("{} ({})", entries[i].host, entries[i].what);
  }
  return text;
}

// The winning value alone, for a line that names several hosts' winners (the Winners table has
// winner_value(), with the start-up's parts and the accuracy's top-1).
std::string short_winner_value(const Winner& winner, const std::vector<Row>& rows) {
  switch (winner.criterion) {
    case Criterion::StartUp: return fmt::format("{:.2f} ms", *winner.value);
    case Criterion::Accuracy: {
      const Parity& parity = *rows[winner.rows.front()].parity;
      return fmt::format("cosine {:.6f}, max abs err {:.3g}", parity.cosine, parity.max_abs_err);
    }
    default: return winner_value(winner, rows);
  }
}

// A criterion's winning value as the key ranked_hosts() orders by: rounded as the reports print it,
// negated where lower is better.
double host_key(const Winner& winner) {
  const double scale = std::pow(10.0, tie_decimals(winner.criterion));
  const double key = std::round(*winner.value * scale);
  const bool higher_better = winner.criterion == Criterion::PeakThroughput || winner.criterion == Criterion::Accuracy ||
                             winner.criterion == Criterion::Energy;
  return higher_better ? key : -key;
}

// The rows measured on each of `hosts`, and each host's own guide, computed from its rows alone.
struct HostGuides {
  std::vector<std::vector<Row>> rows;
  std::vector<Guide> guides;
};

HostGuides guides_per_host(const std::vector<Row>& rows, const std::vector<std::string>& hosts) {
  HostGuides per_host;
  for (const std::string& host : hosts) {
    per_host.rows.push_back(rows_of_host(rows, host));
    per_host.guides.push_back(compute_guide(per_host.rows.back()));
  }
  return per_host;
}

// The goals across hosts, for the rows of one model (or of a run of one model): each host's winner
// of every criterion, one line per criterion ranking the hosts by their winners, one line per
// precision naming the host whose fastest row serves most, and each host that was lost.
GuideSection across_hosts_section(const std::vector<Row>& rows, const std::vector<std::string>& hosts) {
  GuideSection section = section_of("Across hosts",
      fmt::format("This run measured its rows on {} hosts, {}. A deployment runs on one host, so each host "
                  "has its own guide below, its rows compared only with each other. Here, each goal's winner "
                  "on every host (its own guide's Winners), then per goal the hosts ranked by their winners, "
                  "and per precision the host whose fastest row serves most (highest measured throughput). "
                  "Hosts differ in more than their hardware (load, thermals, software versions: each row's "
                  "host.env has them), and each number is one measurement on one host: a few % between hosts "
                  "is noise, not a finding.",
                  hosts.size(), joined_names(hosts)));
  const HostGuides per_host = guides_per_host(rows, hosts);
  GuideTable table;
  table.columns = {{"Criterion", false}, {"Host", false}, {"Winner on the host", false}, {"Value", true},
                   {"Rows compared", true}};
  for (std::size_t c = 0; c < all_criteria().size(); ++c) {
    const Criterion criterion = all_criteria()[c];
    if (criterion == Criterion::Energy && !any_energy(rows)) continue;  // no energy counter on any host
    std::vector<HostEntry> entries;
    std::vector<std::string> without;
    std::vector<std::string> energy_sources;  // of the hosts' Energy winners
    for (std::size_t h = 0; h < hosts.size(); ++h) {
      const std::vector<Row>& own = per_host.rows[h];
      const Winner& winner = per_host.guides[h].winners[c];
      table.rows.push_back({std::string(criterion_name(criterion)), hosts[h], winner_rows(winner, own),
                            winner_value(winner, own), std::to_string(winner.candidates)});
      if (winner.rows.empty() || !winner.value) {
        without.push_back(hosts[h]);
        continue;
      }
      const Row& best = own[winner.rows.front()];
      if (criterion == Criterion::Energy &&
          std::find(energy_sources.begin(), energy_sources.end(), winner.energy_source) == energy_sources.end()) {
        energy_sources.push_back(winner.energy_source);
      }
      entries.push_back({hosts[h], winner_rows(winner, own) + ", " + short_winner_value(winner, own), host_key(winner),
                         criterion == Criterion::Accuracy ? fmt::format("{:.3g}", best.parity->max_abs_err) : ""});
    }
    if (entries.empty()) continue;
    if (energy_sources.size() > 1) {
      std::vector<std::string> labels;
      for (const std::string& source : energy_sources) labels.push_back(energy_source_label(source));
      section.bullets.push_back("Energy across hosts: not ranked, the hosts' winners measure different devices (" +
                                joined_names(labels) + "); each host's winner is in the table.");
      continue;
    }
    std::string line = std::string(criterion_name(criterion)) + " across hosts: " + ranked_hosts(entries);
    line.front() = static_cast<char>(std::toupper(static_cast<unsigned char>(line.front())));
    if (!without.empty()) {
      line += fmt::format("; none on {} (the table says why)", joined_names(without));
    }
    section.bullets.push_back(line + ".");
  }
  section.table = std::move(table);

  // Per model and precision: the host whose fastest row serves most. Only rows whose throughput
  // is what their runtime can do (measures_capacity()), as for the peak throughput winner.
  std::vector<std::string> models = models_of(rows);
  if (models.empty()) models.emplace_back();
  for (const std::string& model : models) {
    std::vector<std::string> precisions;
    for (const Row& row : rows) {
      if (row.model == model && std::find(precisions.begin(), precisions.end(), row.precision) == precisions.end()) {
        precisions.push_back(row.precision);
      }
    }
    for (const std::string& precision : precisions) {
      const auto keep = [&](const Row& row) {
        return row.model == model && row.precision == precision && measures_capacity(row);
      };
      const auto throughput = [](const Row& row) { return row.throughput; };
      std::vector<HostEntry> entries;
      for (std::size_t h = 0; h < hosts.size(); ++h) {
        const std::vector<Row>& own = per_host.rows[h];
        const auto fastest = best_row(own, keep, throughput, true);
        if (!fastest) continue;
        const double value = *own[*fastest].throughput;
        entries.push_back({hosts[h], fmt::format("{}, {:.2f} inputs/s", row_title(own[*fastest]), value),
                           std::round(value * 100.0), ""});
      }
      if (entries.empty()) continue;
      const std::string what = precision_label(precision) + (model.empty() ? "" : " " + model);
      std::string line = fmt::format("Fastest host for {}: {}", what, ranked_hosts(entries));
      if (entries.size() == 1) line += fmt::format(", the only host with an ok {} row that measured its throughput", what);
      section.bullets.push_back(line + ".");
    }
  }

  // A lost host: its rows measured nothing, and the ranking above is without them.
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const auto lost = std::count_if(per_host.rows[h].begin(), per_host.rows[h].end(), [](const Row& row) {
      return row.status != RowStatus::Ok && row.host && row.host->lost;
    });
    if (lost == 0) continue;
    section.bullets.push_back(fmt::format(
        "Host {0} was lost: {1} of its {2} row{3} measured nothing (host {0}'s Rows left out lists {4}), so the "
        "lines above are without {4}; `run --resume` measures {4} again.",
        hosts[h], lost, per_host.rows[h].size(), per_host.rows[h].size() == 1 ? "" : "s", lost == 1 ? "it" : "them"));
  }
  return section;
}

// The guide of a fleet run of several hosts (several_hosts()): the goals across hosts (per model in
// a run of several models), then each host's own guide, its section titles starting with
// "host <name>: ", then the rows that name no host, if any.
GuideDocument hosts_guide_document(const std::vector<Row>& rows, const Guide& whole,
                                   const std::vector<std::string>& hosts) {
  const std::vector<std::string> models = models_of(rows);
  GuideDocument document;
  document.intro = fmt::format(
      "Computed from this run's {} row{}{} on {} hosts, {} ({} ok, {} failed or unavailable); every number is a "
      "field of results.json or arithmetic on those fields (docs/metrics.md, \"The guide\").",
      whole.total_rows, whole.total_rows == 1 ? "" : "s",
      models.size() > 1 ? fmt::format(" of {} models", models.size()) : std::string(), hosts.size(),
      joined_names(hosts), whole.ok_rows, whole.not_ok.size());
  if (models.size() < 2) {
    document.sections.push_back(across_hosts_section(rows, hosts));
  } else {
    for (const std::string& model : models) {
      const std::vector<Row> own = rows_of_model(rows, model);
      const std::vector<std::string> own_hosts = hosts_of(own);
      if (own_hosts.size() < 2) continue;  // measured on one host only: nothing to set side by side
      GuideSection section = across_hosts_section(own, own_hosts);
      section.title = model + ": " + section.title;
      document.sections.push_back(std::move(section));
    }
  }
  for (const std::string& host : hosts) {
    const std::vector<Row> own = rows_of_host(rows, host);
    const Guide guide = compute_guide(own);
    GuideDocument part = run_guide_document(own, guide);
    for (std::size_t i = 0; i < part.sections.size(); ++i) {
      GuideSection& section = part.sections[i];
      section.title = "host " + host + ": " + section.title;
      if (i == 0) {
        section.paragraphs.insert(section.paragraphs.begin(),
                                  fmt::format("The {} row{} measured on host {} ({} ok, {} failed or unavailable).",
                                              guide.total_rows, guide.total_rows == 1 ? "" : "s", host,
                                              guide.ok_rows, guide.not_ok.size()));
      }
      document.sections.push_back(std::move(section));
    }
  }
  // Rows a fleet run could not place on any host have no host's guide to be listed in.
  GuideSection nowhere;
  nowhere.title = "Rows on no host";
  for (const Row& row : rows) {
    if (row.host) continue;
    nowhere.bullets.push_back(row_label(row, models.size() > 1) + " — " +
                              (row.status == RowStatus::Ok ? std::string("ok, but measured on no named host")
                                                           : std::string(row_status_name(row.status)) + ": " +
                                                                 failure_text(row)));
  }
  if (!nowhere.bullets.empty()) document.sections.push_back(std::move(nowhere));
  return document;
}

}  // namespace

std::string winner_value(const Winner& winner, const std::vector<Row>& rows) {
  if (!winner.value) return std::string(kNotAvailable);
  const double v = *winner.value;
  switch (winner.criterion) {
    case Criterion::PeakThroughput: return fmt::format("{:.2f} inputs/s", v);
    case Criterion::TailLatency: return fmt::format("P99 {:.3f} ms", v);
    case Criterion::Stability: return fmt::format("P99/P50 {:.3f}", v);
    case Criterion::StartUp: {
      const Row& row = rows[winner.rows.front()];
      if (!row.first_inference_ms) return fmt::format("compile {:.2f} ms", v);
      return fmt::format("{:.2f} ms (compile {:.2f} + first inference {:.2f})", v, *row.compile_ms,
                         *row.first_inference_ms);
    }
    case Criterion::Memory: return fmt::format("{:.1f} MB peak RSS", v);
    case Criterion::Energy: {
      const Energy& energy = *rows[winner.rows.front()].energy;
      return fmt::format("{:.2f} inputs/J ({:.1f} W average over {:.2f} s, {})", v, energy.avg_power_w.value_or(0),
                         energy.window_s.value_or(0), energy.scope);
    }
    case Criterion::Accuracy: {
      const Parity& parity = *rows[winner.rows.front()].parity;
      std::string value = fmt::format("cosine {:.6f}, max abs err {:.3g}, top-1 {:.3f}", parity.cosine,
                                      parity.max_abs_err, parity.top1_agreement);
      if (const auto& accuracy = rows[winner.rows.front()].accuracy; accuracy && accuracy->reference_top1) {
        value += fmt::format(", top-1 accuracy {:.2f}% (FP32 {:.2f}%)", accuracy->top1 * 100.0,
                             *accuracy->reference_top1 * 100.0);
      }
      return value;
    }
  }
  return std::string(kNotAvailable);
}

std::string winner_rows(const Winner& winner, const std::vector<Row>& rows) {
  if (winner.rows.empty()) return "none: " + winner.no_winner_reason;
  std::string text = winner.rows.size() > 1 ? "tie: " : "";
  for (std::size_t i = 0; i < winner.rows.size(); ++i) {
    if (i > 0) text += "; ";
    text += row_title(rows[winner.rows[i]]);
  }
  return text;
}

GuideDocument run_guide_document(const std::vector<Row>& rows, const Guide& whole) {
  // Several hosts first: each host's guide is then the guide of a run on one machine, models and all.
  if (const std::vector<std::string> hosts = hosts_of(rows); hosts.size() > 1) {
    return hosts_guide_document(rows, whole, hosts);
  }
  const std::vector<std::string> models = models_of(rows);
  if (models.size() < 2) return guide_document(rows, whole);
  GuideDocument document;
  document.intro = fmt::format(
      "Computed from this run's {} rows of {} models ({} ok, {} failed or unavailable); every "
      "number is a field of results.json or arithmetic on those fields (docs/metrics.md, \"The "
      "guide\").",
      whole.total_rows, models.size(), whole.ok_rows, whole.not_ok.size());
  document.sections.push_back(across_models_section(rows, models));
  for (const std::string& model : models) {
    const std::vector<Row> own = rows_of_model(rows, model);
    const Guide guide = compute_guide(own);
    GuideDocument part = guide_document(own, guide);
    for (std::size_t i = 0; i < part.sections.size(); ++i) {
      GuideSection& section = part.sections[i];
      section.title = model + ": " + section.title;
      if (i == 0) {
        section.paragraphs.insert(section.paragraphs.begin(),
                                  fmt::format("The {} row{} of {} ({} ok, {} failed or unavailable).",
                                              guide.total_rows, guide.total_rows == 1 ? "" : "s", model,
                                              guide.ok_rows, guide.not_ok.size()));
      }
      document.sections.push_back(std::move(section));
    }
  }
  return document;
}

GuideDocument guide_document(const std::vector<Row>& rows, const Guide& guide) {
  GuideDocument document;
  document.intro = fmt::format(
      "Computed from this run's {} row{} ({} ok, {} failed or unavailable); every number is a "
      "field of results.json or arithmetic on those fields (docs/metrics.md, \"The guide\").",
      guide.total_rows, guide.total_rows == 1 ? "" : "s", guide.ok_rows, guide.not_ok.size());
  // What a service owner reads first: the request rate each runtime sustains under the bound.
  for (const ServingRanking& ranking : guide.serving) document.sections.push_back(serving_section(rows, ranking));
  document.sections.push_back(winners_section(rows, guide));
  if (!guide.headroom.empty()) document.sections.push_back(headroom_section(rows, guide));
  if (!guide.thread_scaling.empty()) document.sections.push_back(thread_scaling_section(rows, guide));
  if (!guide.instance_scaling.empty()) document.sections.push_back(instance_scaling_section(rows, guide));
  // With one measured row there is nothing to weigh.
  if (guide.latency_frontier.size() >= 2 ||
      (guide.latency_frontier.size() == 1 && guide.ok_rows >= 2)) {
    document.sections.push_back(frontier_section(rows, guide));
  }
  if (!guide.accuracy_frontier.empty()) document.sections.push_back(accuracy_frontier_section(rows, guide));
  if (!guide.round_ranks.empty()) document.sections.push_back(round_ranks_section(rows, guide));
  document.sections.push_back(break_even_section(rows, guide));
  if (!guide.partly_delegated.empty()) document.sections.push_back(partly_delegated_section(rows, guide));
  if (const auto profiled = profiled_rows(rows); !profiled.empty()) document.sections.push_back(profile_section(profiled));
  document.sections.push_back(left_out_section(rows, guide));
  return document;
}

}  // namespace inferbench::report
