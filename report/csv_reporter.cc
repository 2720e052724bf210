// SPDX-License-Identifier: Apache-2.0
// CSV: a header line, then one line per row as it arrives; RFC 4180 quoting.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "report/reporter.h"

namespace inferbench {
namespace {

// `host` follows `run_id`: with it, it says where a row was measured (a fleet run's host, empty for
// a run on one machine, whose host is the run's).
constexpr std::string_view kColumns[] = {
    "run_id", "host", "framework", "framework_version", "backend", "variant", "device", "target_hardware",
    "precision", "model", "batch", "scenario", "instances", "status", "error", "compile_ms",
    "cached_compile_ms", "export_ms", "first_inference_ms", "p50_ms", "p90_ms", "p95_ms",
    "p99_ms", "p999_ms", "min_ms", "max_ms", "mean_ms", "std_ms", "cv", "fps", "throughput",
    "p99_over_p50", "lag1_autocorrelation", "samples", "device_p50_ms", "device_p99_ms", "device_mean_ms", "peak_rss_mb",
    "peak_device_memory_mb", "artefact_bytes", "params", "macs_per_sample", "peak_gmacs",
    "achieved_gmacs", "utilisation", "fps_bound", "parity_max_abs_err",
    "parity_cosine", "parity_top1_agreement", "parity_samples", "accuracy_samples", "accuracy_top1",
    "accuracy_top5", "reference_accuracy_top1", "reference_accuracy_top5", "requests_in_flight", "loadgen_validity",
    "serving_metric", "serving_value", "offered_qps", "completed_qps", "latency_bound_ms", "latency_percentile",
    "batch_fill", "loadgen_tests", "round_throughput", "energy_source", "energy_scope", "energy_j", "j_per_sample",
    "samples_per_joule", "avg_power_w", "energy_window_s", "idle_power_w", "energy_reason", "warnings",
};

// Separates the warnings inside their one cell.
constexpr std::string_view kWarningSeparator = " | ";

// RFC 4180: a field holding a comma, a quote, CR or LF is quoted, and its quotes doubled.
std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

// Full precision (shortest text that reads back as the same double), not the table's rounding:
// CSV is read by programs. Missing values are empty cells.
std::string number(std::optional<double> value) {
  return value ? fmt::format("{}", *value) : std::string();
}

std::string integer(std::optional<std::int64_t> value) {
  return value ? fmt::format("{}", *value) : std::string();
}

void write_line(std::ostream& out, const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_field(fields[i]);
  }
  out << line << '\n';
}

class CsvReporter final : public Reporter {
 public:
  explicit CsvReporter(std::ostream& out) : out_(out) {}

  void begin(const RunInfo& run) override {
    run_id_ = run.id;
    write_line(out_, std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
  }

  void add_row(const Row& row) override {
    auto stat = [&row](double LatencySummary::*field) -> std::optional<double> {
      if (!row.latency_ms) return std::nullopt;
      return (*row.latency_ms).*field;
    };
    auto device_stat = [&row](double LatencySummary::*field) -> std::optional<double> {
      if (!row.device_time_ms) return std::nullopt;
      return (*row.device_time_ms).*field;
    };
    auto bound = [&row](double ComputeBound::*field) -> std::optional<double> {
      if (!row.compute_bound) return std::nullopt;
      return (*row.compute_bound).*field;
    };
    auto parity = [&row](double Parity::*field) -> std::optional<double> {
      if (!row.parity) return std::nullopt;
      return (*row.parity).*field;
    };
    // Accuracy against --input's labels: the row's and the FP32 reference's.
    auto accuracy = [&row](auto LabelAccuracy::*field) -> std::optional<double> {
      if (!row.accuracy) return std::nullopt;
      return (*row.accuracy).*field;
    };
    // LoadGen's scenarios: the reported test's verdict and rates (docs/metrics.md).
    const Serving* serving = row.serving ? &*row.serving : nullptr;
    // The device's energy over the window (docs/metrics.md, "Energy"); empty cells without a number.
    const Energy* energy = row.energy ? &*row.energy : nullptr;
    const auto requests = row.effective.find("requests_in_flight");
    std::string rounds;  // each round's throughput (--rounds), ';' between them
    for (double throughput : row.round_throughput) {
      if (!rounds.empty()) rounds += ';';
      rounds += fmt::format("{}", throughput);
    }
    std::string warnings;
    for (const std::string& warning : row.warnings) {
      if (!warnings.empty()) warnings += kWarningSeparator;
      warnings += warning;
    }
    write_line(out_, {
                         run_id_,
                         row.host ? row.host->name : std::string(),
                         row.framework,
                         row.framework_version,
                         row.backend,
                         row.variant,
                         row.device,
                         row.target_hardware,
                         row.precision,
                         row.model,
                         fmt::format("{}", row.batch),
                         row.scenario,
                         fmt::format("{}", row.instances),
                         row_status_name(row.status),
                         row.error,
                         number(row.compile_ms),
                         number(row.cached_compile_ms),
                         number(row.export_ms),
                         number(row.first_inference_ms),
                         number(stat(&LatencySummary::p50)),
                         number(stat(&LatencySummary::p90)),
                         number(stat(&LatencySummary::p95)),
                         number(stat(&LatencySummary::p99)),
                         number(stat(&LatencySummary::p999)),
                         number(stat(&LatencySummary::min)),
                         number(stat(&LatencySummary::max)),
                         number(stat(&LatencySummary::mean)),
                         number(stat(&LatencySummary::std)),
                         number(stat(&LatencySummary::cv)),
                         number(row.fps),
                         number(row.throughput),
                         number(row.p99_over_p50),
                         number(row.lag1_autocorrelation),
                         fmt::format("{}", row.samples),
                         number(device_stat(&LatencySummary::p50)),
                         number(device_stat(&LatencySummary::p99)),
                         number(device_stat(&LatencySummary::mean)),
                         number(row.peak_rss_mb),
                         number(row.peak_device_memory_mb),
                         integer(row.artefact_bytes),
                         integer(row.params),
                         integer(row.macs_per_sample),
                         number(bound(&ComputeBound::peak_gmacs)),
                         number(bound(&ComputeBound::achieved_gmacs)),
                         number(bound(&ComputeBound::utilisation)),
                         number(bound(&ComputeBound::fps_bound)),
                         number(parity(&Parity::max_abs_err)),
                         number(parity(&Parity::cosine)),
                         number(parity(&Parity::top1_agreement)),
                         integer(row.parity ? row.parity->samples : std::nullopt),
                         integer(row.accuracy ? std::optional<std::int64_t>(row.accuracy->samples) : std::nullopt),
                         number(accuracy(&LabelAccuracy::top1)),
                         number(accuracy(&LabelAccuracy::top5)),
                         number(accuracy(&LabelAccuracy::reference_top1)),
                         number(accuracy(&LabelAccuracy::reference_top5)),
                         requests != row.effective.end() ? requests->second : std::string(),
                         serving ? (serving->valid ? "VALID" : "INVALID") : "",
                         serving ? serving->metric : "",
                         number(serving ? serving->value : std::nullopt),
                         number(serving ? serving->reported.target_qps : std::nullopt),
                         number(serving ? std::optional<double>(serving->reported.achieved_qps) : std::nullopt),
                         number(serving ? serving->latency_bound_ms : std::nullopt),
                         number(serving ? std::optional<double>(serving->latency_percentile) : std::nullopt),
                         number(serving ? std::optional<double>(serving->mean_batch_fill) : std::nullopt),
                         integer(serving ? std::optional<std::int64_t>(serving->tests.size()) : std::nullopt),
                         rounds,
                         energy ? energy->source : "",
                         energy ? energy->scope : "",
                         number(energy ? energy->energy_j : std::nullopt),
                         number(energy ? energy->j_per_sample : std::nullopt),
                         number(energy ? energy->samples_per_joule : std::nullopt),
                         number(energy ? energy->avg_power_w : std::nullopt),
                         number(energy ? energy->window_s : std::nullopt),
                         number(energy ? energy->idle_power_w : std::nullopt),
                         energy ? energy->reason : "",
                         warnings,
                     });
  }

  void end() override { out_.flush(); }

 private:
  std::ostream& out_;
  std::string run_id_;
};

}  // namespace

std::unique_ptr<Reporter> make_csv_reporter(std::ostream& out) {
  return std::make_unique<CsvReporter>(out);
}

}  // namespace inferbench
