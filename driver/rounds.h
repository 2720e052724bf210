// SPDX-License-Identifier: Apache-2.0
// A cell measured in several rounds (--rounds): one row from the rows of its rounds.
#pragma once

#include <string>
#include <vector>

#include "core/result/row.h"
#include "core/stats/diagnostics.h"

namespace inferbench {

// Above this spread of the rounds' throughputs (fastest over slowest, minus 1) a row warns that
// the machine's speed drifted between rounds.
inline constexpr double kRoundsDriftWarning = 0.10;

// The row of a cell whose `rows.size()` rounds each measured it completely (its own worker or
// workers, warm-up and timed loop), with the other cells' rounds in between; `rows` in round
// order (docs/metrics.md, "Rounds").
//
// A round that is not ok makes the row that round's row, its error prefixed "round K of N: ".
//
// When all are ok: round 1's row (settings, parity, artefact) with every round's samples in
// round order and the statistics over them (set_timed_window: throughput = batch x all samples /
// the sum of the rounds' timed windows; fps as each round computed it, batch / P50 for one
// request at a time, the throughput when requests overlap), round_throughput = each round's
// throughput, compile_ms, cached_compile_ms and first_inference_ms the median of the rounds'
// (each round starts a fresh process), peak_rss_mb and peak_device_memory_mb the largest,
// effective.cpus_used the mean. Warnings: diagnose() on the merged samples
// (`context.iterations_requested` is every round's iterations), a warning when the rounds'
// throughputs spread by more than kRoundsDriftWarning, then each round's other warnings (not the
// judgements diagnose() makes of that round's own samples, which those of all the samples
// supersede), once when every round has it and "round K of N: ..." otherwise.
Row merge_rounds(std::vector<Row> rows, MeasurementContext context);

// The warning of a row merged from its first `measured` rounds of `requested`, given before its
// other rounds ran: the row a run interrupted there keeps.
std::string rounds_so_far_warning(int measured, int requested);

}  // namespace inferbench
