// SPDX-License-Identifier: Apache-2.0
// Several instances of one cell (--instances): one row from the rows of their workers.
#pragma once

#include <vector>

#include "core/result/row.h"
#include "core/stats/diagnostics.h"

namespace inferbench {

// Below this share of the CPUs their threads could use, instances are said to wait for each other.
inline constexpr double kInstancesBusyShare = 0.75;

// The row of a cell whose `rows.size()` instances ran at once, each in its own worker, their
// timed windows started together (docs/metrics.md, "Instances"); `rows` in instance order.
//
// An instance that is not ok makes the row failed (unavailable when that instance was) with
// "instance K of N: <its error>", preferring an instance that failed by itself over one stopped
// because another failed; peak_rss_mb is then the sum of what the instances recorded.
//
// When all are ok: instance 0's row, with every instance's samples (instance 0's first) and the
// statistics over them (set_timed_window: throughput = batch x all samples / the common window,
// from the first instance's window opening to the last one's closing (effective.window_start_ns
// and window_end_ns, removed here; effective.instances_start_spread_ms says how far apart they
// opened), or the longest instance's window when they did not say; fps = throughput), device
// times likewise; compile_ms and
// first_inference_ms the longest of the instances' (a deployment is ready when its last
// instance is); peak_rss_mb, peak_device_memory_mb and effective.cpus_used the sums. Warnings: the judgements of
// diagnose() on the merged samples (`context.iterations_requested` is all instances' iterations;
// budget_exhausted is set when they timed fewer), then each instance's own warnings, once when
// every instance has it and "instance K of N: ..." otherwise, and, for CPU rows, a warning when
// the instances together kept fewer than kInstancesBusyShare of the CPUs their threads could use
// (at most `usable_cpus`) busy (effective.cpus_used): they waited for each other's cores.
Row merge_instances(std::vector<Row> rows, MeasurementContext context, int usable_cpus);

}  // namespace inferbench
