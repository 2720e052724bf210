// SPDX-License-Identifier: Apache-2.0
// A row's timed-window statistics from its raw samples: the one place that turns samples into
// percentiles, intervals, FPS and throughput, for a worker's own window and for the merged
// windows of several instances alike.
#pragma once

#include <vector>

#include "core/result/row.h"

namespace inferbench {

// Sets row.samples, latency_samples_ms (= `samples_ms`, in measurement order), latency_ms,
// p50_ci_ms and p99_ci_ms (for effective_sample_size() samples), wall_ms (= `wall_ms`),
// throughput (row.batch x samples / wall time; none for a zero wall time), fps, p99_over_p50 and
// lag1_autocorrelation, and device_time_ms from row.device_time_samples_ms when it has any.
// FPS is batch / P50 for one request at a time (the study's definition); when requests
// `overlap` (several in flight, or several instances) P50 is a per-request latency that overlaps
// others, so FPS is the measured throughput instead (docs/metrics.md). `samples_ms` non-empty.
void set_timed_window(Row& row, std::vector<double> samples_ms, double wall_ms, bool overlap);

}  // namespace inferbench
