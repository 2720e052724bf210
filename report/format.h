// SPDX-License-Identifier: Apache-2.0
// Formatting shared by the human-readable reporters (table, markdown): the Table B columns,
// ranking by FPS, number-or-"n/a" cells and the failure/warning notes under a table.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/row.h"

namespace inferbench::report {

// What a cell shows when an optional value is missing.
inline constexpr std::string_view kNotAvailable = "n/a";
// What the Rank cell shows for a row that is not ranked.
inline constexpr std::string_view kNoRank = "-";

// "fp16" -> "FP16": the precision as the study's table prints it (ASCII upper-case).
std::string precision_label(std::string_view precision);

// The device as the table prints it: row.device_label, or row.device when the label is empty.
std::string device_label(const Row& row);

// `value` with a fixed number of decimals ("38.919"), or "n/a" when it is empty.
std::string number_or_na(std::optional<double> value, int decimals);

// Width of `text` on a terminal, counted in UTF-8 code points: a byte count would misalign
// hardware names such as "Intel(R) Core(TM)" written with "®".
std::size_t display_width(std::string_view text);

// A framework label with its runtime's common short name, its variant kept ("PT AOTInductor",
// "PT Native", "OV", "LiteRT"), for a table too narrow for the whole one.
std::string compact_framework(std::string_view name);
// `text` cut to `width` columns with "…", inside a word if need be (for short names where a word
// boundary would leave too little: "PT AOTIn…").
std::string cut(std::string_view text, std::size_t width);

// `text` cut to at most `width` code points for a narrow table: at the last word boundary that
// leaves room for "…" (trailing " ,;:(/-" dropped before it): "Intel Xeon Gold 6338 (AVX-512, 2
// threads)" at 28 gives "Intel Xeon Gold 6338…". A first word longer than `width` is cut inside,
// but never inside a number: the cut moves back to before the digits, and when nothing would be
// left the text is returned whole (wider than asked) rather than with a number cut. `text` within
// `width` is returned unchanged.
std::string shortened(std::string_view text, std::size_t width);

// `text` on one line: CR, LF and TAB become spaces, so a multi-line error cannot break the
// one-row-per-line layout.
std::string one_line(std::string_view text);

// `text` as one GitHub-flavoured Markdown table cell: `|` becomes `\|` (a bare pipe would end
// the cell). `text` must already be on one line (one_line()), since a newline ends the table.
std::string markdown_cell(std::string_view text);

// The Mode column: "sync" (one request at a time, the study's protocol), "async x4" (throughput
// mode with 4 requests in flight) or a LoadGen scenario ("single-stream", "server x2",
// "offline x2", "multi-stream x2": with the requests in flight where several are), followed by
// ", 2 instances" when several instances ran at once (--instances).
std::string mode_label(const Row& row);

// "OpenVINO CPU FP32": the framework, device and precision a row ran, without its settings (how a
// parity reference is named, and how the guide names a configuration measured at several settings).
std::string configuration_label(const Row& row);

// "OpenVINO CPU FP32 batch 64": how a note names its row (empty parts left out; rows in a
// scenario other than sync add their mode; ", 2 instances" and ", 1 thread" follow when they
// apply).
std::string row_title(const Row& row);

// The models the rows measured (Row::model, empty ones left out), in the order of their first row.
std::vector<std::string> models_of(const std::vector<Row>& rows);

// The rows of one model, in input order.
std::vector<Row> rows_of_model(const std::vector<Row>& rows, const std::string& model);

// row_title(), preceded by "model: " when `with_model` (a run of several models, where the
// title alone would name two rows alike), and followed by " on host <name>" when `with_host` and
// the row has a host (a fleet run of several hosts, where the same cell runs on each).
std::string row_label(const Row& row, bool with_model, bool with_host = false);

// The hosts the rows were measured on (RowHost::name), in the order of their first row; rows
// without a host (a run on one machine) are left out, so such a run has none.
std::vector<std::string> hosts_of(const std::vector<Row>& rows);

// Whether the rows name more than one host: then every human-readable format names each row's
// host (a Host column in Table B, " on host <name>" wherever a row is named), because the same
// configuration appears once per host. A run on one machine, or a fleet run on one host, reads
// as it always has.
bool several_hosts(const std::vector<Row>& rows);

// The rows measured on `host` (RowHost::name), in input order.
std::vector<Row> rows_of_host(const std::vector<Row>& rows, const std::string& host);

// A row that is not ok, in words: its error on one line ("(no error message)" without one). A row
// whose host was lost (RowHost::lost) always names that host: the driver's error says "host b lost
// during the cell", and where it does not name the host, "host b lost: " comes first.
std::string failure_text(const Row& row);

// A row in display order with its rank.
struct RankedRow {
  const Row* row = nullptr;
  std::optional<int> rank;  // 1 = highest FPS; empty for rows that are not ranked
};

// The rows in display order, model by model (models_of() order; rows of different models do
// not compete): ok rows with an FPS value first, by FPS descending (rank 1 = the model's
// fastest; equal FPS share a rank, the next rank skips: 1, 1, 3), then every other row of the
// model (failed, unavailable, ok without FPS) unranked in input order. The pointers refer into
// `rows`, which must outlive the result.
//
// Rows of several hosts (a fleet run) are ranked together, not host by host: the question a fleet
// run answers is which host with which runtime, and one ranking with a Host column answers it at
// a glance (a host's own order is that ranking read for its rows only). The guide ranks within
// each host as well (run_guide_document()).
std::vector<RankedRow> rank_by_fps(const std::vector<Row>& rows);

// One column of the Table B layout.
struct Column {
  std::string_view header;
  bool numeric = false;  // right-aligned
};

// The Table B columns: Rank, Framework, Inf. Device, Target Hardware, Precision, Mode, Compile Time
// (ms), P50 Latency (ms), P99 Latency (ms), Throughput (FPS), then Measured thr., P99/P50,
// CV %, Peak RSS (MB), Parity cos / top-1. With `with_host` (several_hosts()), a Host column
// after Rank; with `with_energy` (any_energy()), a Samples/J column last.
const std::vector<Column>& table_b_columns(bool with_host = false, bool with_energy = false);

// The cells of one row, one per table_b_columns(with_host) entry, not yet escaped for any format.
// Compile time has 2 decimals, latencies 3, FPS and measured throughput 2 (the study's table);
// a missing value is "n/a", a missing rank "-"; the Host cell is empty for a row without a host.
std::vector<std::string> table_b_cells(const RankedRow& ranked, bool with_host = false, bool with_energy = false);

// Whether any row has an energy number (docs/metrics.md, "Energy"): Table B then has a Samples/J
// column.
bool any_energy(const std::vector<Row>& rows);

// The energy of the rows read by a meter (source nvml or rapl; docs/metrics.md, "Energy"): Row,
// Source, Scope, Energy (J), J/sample, Samples/J, Avg power (W), Idle power (W), Window (s), and
// why a row has no number. Shown under Table B.
const std::vector<Column>& energy_columns();
inline constexpr const char* kEnergyTitle =
    "Energy of the whole device over the timed window (every process on it; idle power beside, not subtracted):";

// The cells of one row for energy_columns(); the row must have `energy`.
std::vector<std::string> energy_cells(const Row& row);

// The time to a row's first result: compile_ms + first_inference_ms (some runtimes leave work to
// the first inference: an AOTInductor CUDA package loads in 117 ms and spends 2.9 s on its first
// run, results/h100-cuda). compile_ms alone for a row without a first inference; empty without
// compile_ms.
std::optional<double> start_up_ms(const Row& row);

// What a row costs before it serves, for the ok rows with a compile time: Row, Export (ms, once
// on the build machine), Compile (ms), Cached compile (ms, OpenVINO's model cache), First
// inference (ms), To first result (ms, start_up_ms()); "n/a" for a missing value. Shown under
// Table B, whose Compile column alone hides a slow first inference.
const std::vector<Column>& start_up_columns();
inline constexpr const char* kStartUpTitle =
    "Start-up (export once, on the build machine; then compile and the first inference on the target):";

// The cells of one row for start_up_columns(); the row must have a compile time.
std::vector<std::string> start_up_cells(const Row& row);

// The device's own measurements, for the rows that have them (GPU rows): Row (row_title()),
// Device P50 (ms), Device P99 (ms), Device mean (ms), Peak device memory (MB). Shown under
// Table B rather than in it, so that CPU-only runs keep the study's layout.
const std::vector<Column>& device_columns();

// Whether `row` carries a device time or a peak device memory.
bool has_device_measurements(const Row& row);

// The cells of one row for device_columns(): latencies with 3 decimals, memory with 1, "n/a"
// for a missing value.
std::vector<std::string> device_cells(const Row& row);

// The physical limits of the rows that have one (ok CPU rows with a multiply-add count and a
// measured peak for their precision; docs/metrics.md): Row, MACs/sample (M), Achieved (GMAC/s),
// Peak (GMAC/s), % of peak, FPS bound, Peak measured with. Shown under Table B.
const std::vector<Column>& limit_columns();
inline constexpr const char* kLimitsTitle =
    "Physical limits (the model's multiply-adds at the row's FPS against the CPU's peak, measured in this run):";

// The cells of one row for limit_columns(); the row must have a compute_bound.
std::vector<std::string> limit_cells(const Row& row);

// Accuracy against the labels of --input (rows with an accuracy): Row, Samples, Top-1 agreement
// (with the FP32 reference), Top-1 %, Top-5 %, FP32 top-1 %, FP32 top-5 %, Change (points of
// top-1); "n/a" where the row has no reference. Shown under Table B.
const std::vector<Column>& accuracy_columns();
inline constexpr const char* kAccuracyTitle =
    "Accuracy on the labelled samples of --input (each row beside the FP32 reference on the same samples):";

// The cells of one row for accuracy_columns(); the row must have an accuracy.
std::vector<std::string> accuracy_cells(const Row& row);

// The LoadGen rows (docs/metrics.md, "Serving scenarios"): Row, LoadGen (VALID / INVALID), Metric
// (what the scenario reports), Value, Offered (QPS), Completed (QPS), Latency (ms) at the
// percentile, Bound (ms), Batch fill %, Tests (LoadGen tests run: a server search's probes).
// Shown under Table B, whose P50/P99 for these rows are the dispatcher's sample latencies.
const std::vector<Column>& serving_columns();
inline constexpr const char* kServingTitle =
    "Serving (MLPerf LoadGen: its verdict and its metric; the rate is samples per second):";

// "highest VALID rate (QPS)", "samples/s", "P90 latency (ms)", ...: what Serving::value is.
std::string serving_metric_label(const Serving& serving);

// The cells of one row for serving_columns(); the row must have `serving`.
std::vector<std::string> serving_cells(const Row& row);

// Where each row's inference spends its time (--profile; docs/metrics.md, "Where the time goes"):
// Row, Ops (executed in one inference), Op time (ms, per inference, added up), Of latency % (op
// time over the profiling pass's own latency), the categories with 5% or more of the op time, the
// three longest operators with their shares; a row without a profile says why in the categories'
// column.
const std::vector<Column>& profile_columns();
inline constexpr const char* kProfileTitle =
    "Where the time goes (--profile: the framework's own profiler, in a pass after the timed window; shares of the "
    "operators' time):";
std::vector<std::string> profile_cells(const Row& row);

// "depthwise convolution 41%, pointwise (1x1) convolution 35%, convolution 9%": the categories
// of `profile` with at least `min_share` of its op time, largest first.
std::string category_shares(const Profile& profile, double min_share = 0.05);

// A table under Table B, with the rows it concerns.
struct SubTable {
  const char* title;
  const std::vector<Column>* columns;
  std::vector<std::vector<std::string>> cells;
};

// The tables under Table B that have rows, in order: serving, start-up, the device's own
// measurements, accuracy, physical limits, energy, profiles. Each row is named by row_label(row, with_model,
// with_host).
std::vector<SubTable> tables_under_table_b(const std::vector<RankedRow>& ranked, bool with_model,
                                           bool with_host = false);

// A GitHub-flavoured Markdown table: header, alignment rule (numeric columns right-aligned),
// one line per row with each cell on one line and escaped.
void write_markdown_table(std::ostream& out, const std::vector<Column>& columns,
                          const std::vector<std::vector<std::string>>& rows);

// A line under a table: a failure (kind "failed" or "unavailable") or a warning ("warn").
struct Note {
  std::string kind;
  std::string title;  // row_label() of its row
  std::string text;   // the error or warning, on one line
};

// The failures first, one per row that is not ok (its status name as kind, failure_text() as
// text), then the warnings of the ok rows, one note each; both in `ranked` order. Warnings of rows
// that are not ok are left out: the failure is what matters there.
// Each note's title is row_label(row, with_model, with_host).
std::vector<Note> row_notes(const std::vector<RankedRow>& ranked, bool with_model = false,
                            bool with_host = false);

}  // namespace inferbench::report
