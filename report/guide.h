// SPDX-License-Identifier: Apache-2.0
// The deployment guide, computed from one run's rows: which row wins on each criterion, and
// after how much service a row that starts up slower but runs faster has paid for its start-up
// time. Pure functions over rows; no I/O. Definitions: docs/metrics.md, "The guide".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/row.h"

namespace inferbench::report {

// What a winner is chosen on. Each criterion names one field of the row (see winner_rule()).
enum class Criterion {
  PeakThroughput,  // highest `throughput` among ok rows that measure capacity (measures_capacity())
  TailLatency,     // lowest `latency_ms.p99` among ok sync rows
  Stability,       // lowest `p99_over_p50` among ok sync rows
  StartUp,         // lowest start_up_ms() (compile + first inference) among ok rows
  Memory,          // lowest `peak_rss_mb` among ok rows
  Accuracy,        // highest `parity.cosine`, then lowest `parity.max_abs_err`, among ok rows
                   // with parity that are not the FP32 reference configuration itself
  Energy,          // highest `energy.samples_per_joule` among ok rows with an energy number, all
                   // from one source: NVML counts a GPU board, RAPL the CPU packages and DRAM (a
                   // CUDA row's host CPU is in neither), so rows of two sources are never ranked
                   // together (Guide::energy_by_source); the guide leaves it out when no row has
                   // one (docs/metrics.md, "Energy")
};

// All criteria in the order the guide lists them.
const std::vector<Criterion>& all_criteria();

// "peak throughput", "tail latency", ...: how the guide names a criterion.
std::string_view criterion_name(Criterion criterion);

// One sentence: which field decides and why that one ("highest `throughput` ...").
std::string_view winner_rule(Criterion criterion);

// A 95% interval of a row's measured throughput, inputs per second.
struct ThroughputInterval {
  double lo = 0;
  double hi = 0;
};

// The winner of one criterion.
struct Winner {
  Criterion criterion = Criterion::PeakThroughput;
  // Energy: the source whose rows were compared ("nvml", "rapl"); empty otherwise, and for the
  // Energy winner of rows from several sources, which is none.
  std::string energy_source;
  // Indices into the rows given to compute_guide(), in input order: one row, several when
  // they tie (equal at the precision the reports print, see tie_decimals()), none when no row
  // qualifies (then `no_winner_reason` says why).
  std::vector<std::size_t> rows;
  std::optional<double> value;  // the winning value, in the criterion field's unit
  std::size_t candidates = 0;   // rows that were compared
  std::string no_winner_reason;
  // Peak throughput only, with a single winner: the best of the other candidates, the two rows'
  // throughput_interval()s, and whether the winner's lead exceeds the noise of the two
  // measurements (the intervals do not overlap); `lead_beyond_noise` is empty when either row
  // has no interval.
  std::optional<std::size_t> runner_up;
  std::optional<ThroughputInterval> winner_interval;
  std::optional<ThroughputInterval> runner_up_interval;
  std::optional<bool> lead_beyond_noise;
  // When both rows were measured in rounds (--rounds, 2 or more each): in how many of the rounds
  // both have (`rounds_compared`: all of them unless the run ended early) the winner's round
  // throughput beat the runner-up's. Rounds interleave every cell, so a lead that holds in every
  // round is not the machine drifting between two cells.
  std::optional<int> rounds_won;
  int rounds_compared = 0;
};

// The throughput's 95% interval from the timed window's latencies: the throughput is batch
// over the mean time per iteration (wall time / iterations, which the mean latency measures;
// with requests in flight both are divided by their number), so its relative uncertainty is the
// mean's, 1.96 std / (mean sqrt(n_eff)) = h with n_eff the samples' effective_sample_size(),
// and the interval is [throughput / (1 + h), throughput / (1 - h)]. Empty unless the row is ok
// with a throughput, a latency summary and at least 2 samples, and h < 1.
// A row measured in rounds (round_throughput, 2 or more) has instead throughput ± t s / sqrt(N)
// (lower end at least 0), s the sample standard deviation of its N round throughputs and t
// student_t_975(N - 1): the rounds are independent measurements whose spread includes the
// machine's drift between cells, which the samples of one window cannot show.
std::optional<ThroughputInterval> throughput_interval(const Row& row);

// A pair where row A starts up slower than row B but serves faster.
//
// Start-up s = start_up_ms() (report/format.h): compile plus the first inference. Per-input time
// t = 1000 / throughput (milliseconds per sample: one input of the batch), so rows with
// different batches compare fairly. Serving n inputs costs s + n·t; A has paid for its slower
// start-up once
//   n ≥ n* = (s_A − s_B) / (t_B − t_A)
// inputs. service_s = n*·t_A / 1000 is the time A has spent serving by then, and
// elapsed_s = (s_A + n*·t_A) / 1000 = (s_B + n*·t_B) / 1000 the wall time from the start of both
// deployments at which they are even.
struct BreakEven {
  std::size_t slower_start = 0;  // A: index into the rows
  std::size_t faster_start = 0;  // B: index into the rows
  double start_up_gap_ms = 0;    // s_A − s_B > 0
  double ms_per_input_a = 0;     // t_A
  double ms_per_input_b = 0;     // t_B > t_A
  double inputs = 0;             // n*, not rounded
  // n* / batch when A and B have the same batch (then an inference is one batch of both);
  // empty when the batches differ and only inputs compare.
  std::optional<double> inferences;
  double service_s = 0;
  double elapsed_s = 0;
};

// A row left out of part of the guide, with the reason.
struct LeftOut {
  std::size_t row = 0;
  std::string reason;
};

// Per precision, the ok row that comes closest to the hardware's limit: the highest
// compute_bound.utilisation among the rows with a physical limit (docs/metrics.md, "Physical
// limits"); ties go to the first row in input order.
struct Headroom {
  std::string precision;
  std::size_t best = 0;       // index into the rows
  std::size_t candidates = 0;  // rows of that precision with a physical limit
};

// Rows that differ only in their thread count (the points of a `--threads` sweep): the same
// framework, backend, variant, device, precision, scenario, batch, model and backend options. Only ok rows
// with a throughput and a thread count the framework reports (effective.threads).
struct ThreadScaling {
  std::vector<std::size_t> rows;  // indices into the rows, fewest threads first (ties: input order)
  std::vector<int> threads;       // the threads each of those rows ran with
};

// Throughput of `rows[scaling.rows[i]]` over that of the group's first row (fewest threads), and
// that speed-up over the thread ratio (1 = linear scaling).
double scaling_speedup(const std::vector<Row>& rows, const ThreadScaling& scaling, std::size_t i);
double scaling_efficiency(const std::vector<Row>& rows, const ThreadScaling& scaling, std::size_t i);

// Rows that differ only in their instance count (and the threads each instance was given): the
// same framework, backend, variant, device, precision, scenario, batch, model and backend options.
// Only ok rows with a throughput; only groups with two instance counts or more.
struct InstanceScaling {
  std::vector<std::size_t> rows;  // indices into the rows: fewest instances first, then fewest threads
};

// Throughput of `rows[scaling.rows[i]]` over the best throughput among the group's rows with the
// fewest instances (more than 1: the extra instances paid off).
double instance_speedup(const std::vector<Row>& rows, const InstanceScaling& scaling, std::size_t i);

// Rows measured in rounds (--rounds): each one's rank among them in every round.
struct RoundRanks {
  std::size_t row = 0;     // index into the rows
  std::vector<int> ranks;  // its rank in each round, 1 = the round's highest round_throughput
};

// The ok rows measured in 2 rounds or more, when there are at least 2 of them, by throughput,
// highest first (ties: input order): each with its rank among them in each of the rounds all of
// them have (equal round throughputs share a rank: 1, 1, 3). Every row of a finished run has all
// its rounds; a run that ended early leaves later cells with fewer. Empty otherwise.
std::vector<RoundRanks> round_ranks(const std::vector<Row>& rows);

// Whether a row's throughput is what its runtime can do (sync, async and LoadGen's offline), and
// so enters the throughput winner, the break-even and the latency frontier. A server,
// single-stream or multi-stream row completes what its traffic offered: it is ranked by
// serving_rankings() instead.
bool measures_capacity(const Row& row);

// The server rows of one model that searched for the highest rate under the same latency bound
// and percentile (docs/metrics.md, "Serving scenarios"): the ranking a service owner reads first.
// Rows of one ranking that share a configuration (framework, backend, variant, device, precision)
// and differ in their settings (requests in flight, batch, batch timeout, threads, instances,
// backend options: a --requests or --batch sweep): which of them serves that configuration best.
struct ServingSettings {
  std::vector<std::size_t> rows;    // those with a VALID rate first, highest first; then the others
  std::vector<std::string> labels;  // each row's settings, naming only those that differ in the group
};

struct ServingRanking {
  std::string model;
  double bound_ms = 0;
  double percentile = 0;
  std::vector<std::size_t> rows;        // with a VALID rate, highest first (ties: input order)
  std::vector<std::size_t> none_valid;  // no rate was judged VALID, input order
  std::vector<ServingSettings> settings;  // configurations measured at several settings, in row order
};

// One ranking per (model, bound, percentile) among the ok server-search rows, in the order of their
// first rows; empty without such rows.
std::vector<ServingRanking> serving_rankings(const std::vector<Row>& rows);

struct Guide {
  std::size_t total_rows = 0;
  std::size_t ok_rows = 0;
  std::vector<Winner> winners;  // one per criterion, in all_criteria() order
  // When the ok rows' energy numbers come from several sources: the Energy winner among each
  // source's rows, in the order of their first rows (winners' own Energy entry is then none, its
  // no_winner_reason saying why). Empty otherwise.
  std::vector<Winner> energy_by_source;
  // Every qualifying ordered pair, quickest payback first (ties: input order of A, then B).
  std::vector<BreakEven> break_even;
  // Pairs of comparable rows where the slower-to-start row also serves slower (or equally
  // fast): it never pays off. Only counted.
  std::size_t never_pays_off = 0;
  // Failed and unavailable rows: their status and failure_text() (report/format.h: the error,
  // naming the host of a row whose host was lost). Never dropped silently.
  std::vector<LeftOut> not_ok;
  // Ok rows that cannot enter the break-even table (no start-up time, no throughput).
  std::vector<LeftOut> no_break_even;
  // Ok rows whose configuration is the FP32 parity reference itself (exact by definition, not
  // ranked on accuracy).
  std::vector<std::size_t> reference_rows;
  // One entry per precision that has rows with a physical limit, in the order fp32, fp16, bf16,
  // int8; empty when no row has one (GPU-only runs, a user's file).
  std::vector<Headroom> headroom;
  // One group per configuration measured at two or more thread counts, in the input order of
  // their first rows; empty without a thread sweep.
  std::vector<ThreadScaling> thread_scaling;
  // One group per configuration measured at two instance counts or more (--instances sweep), in
  // the input order of their first rows.
  std::vector<InstanceScaling> instance_scaling;
  // latency_frontier() of the rows.
  std::vector<std::size_t> latency_frontier;
  // accuracy_frontier() of the rows; empty without labels.
  std::vector<std::size_t> accuracy_frontier;
  // round_ranks() of the rows.
  std::vector<RoundRanks> round_ranks;
  // Ok rows that ran part of their model outside their delegate, on the framework's own kernels
  // (effective.kernels_outside_delegate, set by the plugin), in input order.
  std::vector<std::size_t> partly_delegated;
  // serving_rankings() of the rows.
  std::vector<ServingRanking> serving;
};

// The ok rows with a P99 latency and a throughput that no other such row beats on both (lower or
// equal P99 and higher throughput, or equal throughput and lower P99): the Pareto front of
// latency against throughput, lowest P99 first (each next row is slower to answer and serves
// more). Sync and async rows alike: an async row's latency includes the wait behind the other
// requests in flight, which a request served that way does see. Of rows equal on both, the
// first in input order. Under a P99 budget, the last frontier row whose P99 fits serves most.
std::vector<std::size_t> latency_frontier(const std::vector<Row>& rows);

// The ok rows scored against labels beside their FP32 reference (accuracy.reference_top1) with a
// throughput, that no other such row beats on both (higher or equal throughput and higher top-1
// accuracy, or equal top-1 and higher throughput): the Pareto front of throughput against
// accuracy, fastest first (each next row is more accurate and serves less). Of rows equal on
// both, the first in input order. Empty without such rows.
std::vector<std::size_t> accuracy_frontier(const std::vector<Row>& rows);

// Decimal places at which two values of `criterion` count as equal: the precision every
// report prints them with (throughput and start-up time 2, latency and P99/P50 3, memory 1,
// cosine 6). Accuracy also compares max_abs_err at 3 significant digits.
int tie_decimals(Criterion criterion);

// What an energy source counts, for a reader: "GPU board (NVML)", "CPU packages and DRAM (RAPL)";
// the source itself for any other.
std::string energy_source_label(std::string_view source);

// Milliseconds per input sample: 1000 / throughput. Empty without a positive throughput.
std::optional<double> ms_per_input(const Row& row);

// The break-even of `a` (slower start-up, faster service) against `b`; empty unless both are
// ok with a start-up time and throughput, a starts strictly slower and serves strictly faster.
std::optional<BreakEven> break_even(const std::vector<Row>& rows, std::size_t a, std::size_t b);

// True when `row` is the configuration that produced the parity reference it was compared
// with (its framework, device and precision make its parity.reference label).
bool is_parity_reference(const Row& row);

// The whole guide for one run's rows (any order; indices refer to `rows`).
Guide compute_guide(const std::vector<Row>& rows);

}  // namespace inferbench::report
