// SPDX-License-Identifier: Apache-2.0
// JSON mapping of the result records (docs/results.schema.json is the contract).
#include "core/result/row.h"

#include <charconv>
#include <system_error>

namespace inferbench {
namespace {

using nlohmann::json;

template <typename T>
json optional_to_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

template <typename T>
void optional_from_json(const json& j, const char* key, std::optional<T>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
  } else {
    out = it->get<T>();
  }
}

template <typename T>
void value_from_json(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) out = it->get<T>();
}

}  // namespace

std::string requested_threads(const Row& row) {
  auto it = row.requested.find("threads");
  return it == row.requested.end() ? "default" : it->second;
}

namespace {

std::optional<int> positive_effective(const Row& row, const char* key) {
  auto it = row.effective.find(key);
  if (it == row.effective.end()) return std::nullopt;
  int value = 0;
  const char* end = it->second.data() + it->second.size();
  if (auto [ptr, ec] = std::from_chars(it->second.data(), end, value); ec != std::errc() || ptr != end || value < 1) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<int> effective_threads(const Row& row) { return positive_effective(row, "threads"); }

std::optional<int> effective_threads_total(const Row& row) {
  if (auto total = positive_effective(row, kThreadsTotal)) return total;
  return effective_threads(row);
}

const char* row_status_name(RowStatus status) {
  switch (status) {
    case RowStatus::Ok: return "ok";
    case RowStatus::Failed: return "failed";
    case RowStatus::Unavailable: return "unavailable";
  }
  return "failed";
}

std::optional<RowStatus> parse_row_status(const std::string& name) {
  if (name == "ok") return RowStatus::Ok;
  if (name == "failed") return RowStatus::Failed;
  if (name == "unavailable") return RowStatus::Unavailable;
  return std::nullopt;
}

void to_json(json& j, const ServingTest& t) {
  j = json{{"target_qps", optional_to_json(t.target_qps)},
           {"achieved_qps", t.achieved_qps},
           {"latency_ms", optional_to_json(t.latency_ms)},
           {"valid", t.valid},
           {"invalid_reason", t.invalid_reason},
           {"queries", t.queries},
           {"mean_batch", t.mean_batch},
           {"seconds", t.seconds},
           {"log_dir", t.log_dir}};
}

void from_json(const json& j, ServingTest& t) {
  optional_from_json(j, "target_qps", t.target_qps);
  value_from_json(j, "achieved_qps", t.achieved_qps);
  optional_from_json(j, "latency_ms", t.latency_ms);
  value_from_json(j, "valid", t.valid);
  value_from_json(j, "invalid_reason", t.invalid_reason);
  value_from_json(j, "queries", t.queries);
  value_from_json(j, "mean_batch", t.mean_batch);
  value_from_json(j, "seconds", t.seconds);
  value_from_json(j, "log_dir", t.log_dir);
}

void to_json(json& j, const Serving& s) {
  j = json{{"loadgen_version", s.loadgen_version},
           {"metric", s.metric},
           {"value", optional_to_json(s.value)},
           {"valid", s.valid},
           {"invalid_reason", s.invalid_reason},
           {"latency_bound_ms", optional_to_json(s.latency_bound_ms)},
           {"latency_percentile", s.latency_percentile},
           {"requests_in_flight", s.requests_in_flight},
           {"max_batch", s.max_batch},
           {"batch_timeout_ms", s.batch_timeout_ms},
           {"dispatch_poll_us", s.dispatch_poll_us},
           {"mean_batch_fill", s.mean_batch_fill},
           {"search", s.search},
           {"reported", s.reported},
           {"tests", s.tests},
           {"settings", s.settings}};
}

void from_json(const json& j, Serving& s) {
  value_from_json(j, "loadgen_version", s.loadgen_version);
  value_from_json(j, "metric", s.metric);
  optional_from_json(j, "value", s.value);
  value_from_json(j, "valid", s.valid);
  value_from_json(j, "invalid_reason", s.invalid_reason);
  optional_from_json(j, "latency_bound_ms", s.latency_bound_ms);
  value_from_json(j, "latency_percentile", s.latency_percentile);
  value_from_json(j, "requests_in_flight", s.requests_in_flight);
  value_from_json(j, "max_batch", s.max_batch);
  value_from_json(j, "batch_timeout_ms", s.batch_timeout_ms);
  value_from_json(j, "dispatch_poll_us", s.dispatch_poll_us);
  value_from_json(j, "mean_batch_fill", s.mean_batch_fill);
  value_from_json(j, "search", s.search);
  value_from_json(j, "reported", s.reported);
  value_from_json(j, "tests", s.tests);
  value_from_json(j, "settings", s.settings);
}

void to_json(json& j, const LatencySummary& s) {
  j = json{{"p50", s.p50}, {"p90", s.p90}, {"p95", s.p95}, {"p99", s.p99},
           {"p999", s.p999}, {"min", s.min}, {"max", s.max}, {"mean", s.mean},
           {"std", s.std}, {"cv", s.cv}};
}

void from_json(const json& j, LatencySummary& s) {
  value_from_json(j, "p50", s.p50);
  value_from_json(j, "p90", s.p90);
  value_from_json(j, "p95", s.p95);
  value_from_json(j, "p99", s.p99);
  value_from_json(j, "p999", s.p999);
  value_from_json(j, "min", s.min);
  value_from_json(j, "max", s.max);
  value_from_json(j, "mean", s.mean);
  value_from_json(j, "std", s.std);
  value_from_json(j, "cv", s.cv);
}

void to_json(json& j, const QuantileInterval& c) {
  j = json{{"lo", optional_to_json(c.lo)}, {"hi", optional_to_json(c.hi)},
           {"confidence", c.confidence}, {"effective_samples", optional_to_json(c.effective_samples)}};
}

void from_json(const json& j, QuantileInterval& c) {
  optional_from_json(j, "lo", c.lo);
  optional_from_json(j, "hi", c.hi);
  value_from_json(j, "confidence", c.confidence);
  optional_from_json(j, "effective_samples", c.effective_samples);
}

void to_json(json& j, const LabelAccuracy& a) {
  j = json{{"samples", a.samples}, {"top1", a.top1}, {"top5", optional_to_json(a.top5)},
           {"reference_top1", optional_to_json(a.reference_top1)},
           {"reference_top5", optional_to_json(a.reference_top5)}};
}

void from_json(const json& j, LabelAccuracy& a) {
  value_from_json(j, "samples", a.samples);
  value_from_json(j, "top1", a.top1);
  optional_from_json(j, "top5", a.top5);
  optional_from_json(j, "reference_top1", a.reference_top1);
  optional_from_json(j, "reference_top5", a.reference_top5);
}

void to_json(json& j, const Parity& p) {
  j = json{{"max_abs_err", p.max_abs_err}, {"cosine", p.cosine},
           {"top1_agreement", p.top1_agreement}, {"reference", p.reference},
           {"samples", optional_to_json(p.samples)}};
}

void from_json(const json& j, Parity& p) {
  value_from_json(j, "max_abs_err", p.max_abs_err);
  value_from_json(j, "cosine", p.cosine);
  value_from_json(j, "top1_agreement", p.top1_agreement);
  value_from_json(j, "reference", p.reference);
  optional_from_json(j, "samples", p.samples);
}

void to_json(json& j, const ComputeBound& b) {
  j = json{{"peak_gmacs", b.peak_gmacs},         {"kernel", b.kernel},
           {"threads", b.threads},               {"achieved_gmacs", b.achieved_gmacs},
           {"utilisation", b.utilisation},       {"fps_bound", b.fps_bound}};
}

void from_json(const json& j, ComputeBound& b) {
  value_from_json(j, "peak_gmacs", b.peak_gmacs);
  value_from_json(j, "kernel", b.kernel);
  value_from_json(j, "threads", b.threads);
  value_from_json(j, "achieved_gmacs", b.achieved_gmacs);
  value_from_json(j, "utilisation", b.utilisation);
  value_from_json(j, "fps_bound", b.fps_bound);
}

void to_json(json& j, const RowHost& h) {
  j = json{{"name", h.name}, {"env", h.env.is_null() ? json::object() : h.env}, {"lost", h.lost}};
}

void from_json(const json& j, RowHost& h) {
  value_from_json(j, "name", h.name);
  if (j.contains("env")) h.env = j.at("env");
  value_from_json(j, "lost", h.lost);
}

void to_json(json& j, const Energy& e) {
  j = json{{"source", e.source},
           {"scope", e.scope},
           {"method", e.method},
           {"reason", e.reason},
           {"energy_j", optional_to_json(e.energy_j)},
           {"j_per_sample", optional_to_json(e.j_per_sample)},
           {"samples_per_joule", optional_to_json(e.samples_per_joule)},
           {"avg_power_w", optional_to_json(e.avg_power_w)},
           {"window_s", optional_to_json(e.window_s)},
           {"sampled_power_w", optional_to_json(e.sampled_power_w)},
           {"samples", e.samples},
           {"idle_power_w", optional_to_json(e.idle_power_w)},
           {"idle_window_s", optional_to_json(e.idle_window_s)}};
}

void from_json(const json& j, Energy& e) {
  value_from_json(j, "source", e.source);
  value_from_json(j, "scope", e.scope);
  value_from_json(j, "method", e.method);
  value_from_json(j, "reason", e.reason);
  optional_from_json(j, "energy_j", e.energy_j);
  optional_from_json(j, "j_per_sample", e.j_per_sample);
  optional_from_json(j, "samples_per_joule", e.samples_per_joule);
  optional_from_json(j, "avg_power_w", e.avg_power_w);
  optional_from_json(j, "window_s", e.window_s);
  optional_from_json(j, "sampled_power_w", e.sampled_power_w);
  value_from_json(j, "samples", e.samples);
  optional_from_json(j, "idle_power_w", e.idle_power_w);
  optional_from_json(j, "idle_window_s", e.idle_window_s);
}

void to_json(json& j, const ProfileOpTime& o) {
  j = json{{"name", o.name},       {"op_type", o.op_type}, {"kernel", o.kernel},
           {"category", o.category}, {"fused", o.fused},   {"ms", o.ms},
           {"share", o.share},     {"in_delegate", optional_to_json(o.in_delegate)}, {"on_device", o.on_device}};
}

void from_json(const json& j, ProfileOpTime& o) {
  value_from_json(j, "name", o.name);
  value_from_json(j, "op_type", o.op_type);
  value_from_json(j, "kernel", o.kernel);
  value_from_json(j, "category", o.category);
  value_from_json(j, "fused", o.fused);
  value_from_json(j, "ms", o.ms);
  value_from_json(j, "share", o.share);
  optional_from_json(j, "in_delegate", o.in_delegate);
  value_from_json(j, "on_device", o.on_device);
}

void to_json(json& j, const ProfileCategoryTime& c) {
  j = json{{"category", c.category}, {"ms", c.ms}, {"share", c.share}, {"ops", c.ops}};
}

void from_json(const json& j, ProfileCategoryTime& c) {
  value_from_json(j, "category", c.category);
  value_from_json(j, "ms", c.ms);
  value_from_json(j, "share", c.share);
  value_from_json(j, "ops", c.ops);
}

void to_json(json& j, const Profile& p) {
  j = json{{"available", p.available},
           {"reason", p.reason},
           {"source", p.source},
           {"configuration", p.configuration},
           {"timeline", p.timeline},
           {"coverage_note", p.coverage_note},
           {"pass_s", p.pass_s},
           {"warmup", p.warmup},
           {"runs", p.runs},
           {"latency_ms", optional_to_json(p.latency_ms)},
           {"op_ms", optional_to_json(p.op_ms)},
           {"coverage", optional_to_json(p.coverage)},
           {"op_count", p.op_count},
           {"categories", p.categories},
           {"ops", p.ops},
           {"rest_ops", p.rest_ops},
           {"rest_ms", p.rest_ms},
           {"trace", p.trace},
           {"native_trace", p.native_trace}};
}

void from_json(const json& j, Profile& p) {
  value_from_json(j, "available", p.available);
  value_from_json(j, "reason", p.reason);
  value_from_json(j, "source", p.source);
  value_from_json(j, "configuration", p.configuration);
  value_from_json(j, "timeline", p.timeline);
  value_from_json(j, "coverage_note", p.coverage_note);
  value_from_json(j, "pass_s", p.pass_s);
  value_from_json(j, "warmup", p.warmup);
  value_from_json(j, "runs", p.runs);
  optional_from_json(j, "latency_ms", p.latency_ms);
  optional_from_json(j, "op_ms", p.op_ms);
  optional_from_json(j, "coverage", p.coverage);
  value_from_json(j, "op_count", p.op_count);
  value_from_json(j, "categories", p.categories);
  value_from_json(j, "ops", p.ops);
  value_from_json(j, "rest_ops", p.rest_ops);
  value_from_json(j, "rest_ms", p.rest_ms);
  value_from_json(j, "trace", p.trace);
  value_from_json(j, "native_trace", p.native_trace);
}

void to_json(json& j, const Row& r) {
  j = json{
      {"framework", r.framework},
      {"framework_version", r.framework_version},
      {"backend", r.backend},
      {"variant", r.variant},
      {"device", r.device},
      {"device_label", r.device_label},
      {"target_hardware", r.target_hardware},
      {"precision", r.precision},
      {"model", r.model},
      {"artefact", r.artefact},
      {"batch", r.batch},
      {"scenario", r.scenario},
      {"instances", r.instances},
      {"status", row_status_name(r.status)},
      {"error", r.error},
      {"compile_ms", optional_to_json(r.compile_ms)},
      {"cached_compile_ms", optional_to_json(r.cached_compile_ms)},
      {"export_ms", optional_to_json(r.export_ms)},
      {"first_inference_ms", optional_to_json(r.first_inference_ms)},
      {"latency_ms", optional_to_json(r.latency_ms)},
      {"p50_ci_ms", optional_to_json(r.p50_ci_ms)},
      {"p99_ci_ms", optional_to_json(r.p99_ci_ms)},
      {"fps", optional_to_json(r.fps)},
      {"throughput", optional_to_json(r.throughput)},
      {"p99_over_p50", optional_to_json(r.p99_over_p50)},
      {"lag1_autocorrelation", optional_to_json(r.lag1_autocorrelation)},
      {"samples", r.samples},
      {"warmup", r.warmup},
      {"wall_ms", optional_to_json(r.wall_ms)},
      {"latency_samples_ms", r.latency_samples_ms},
      {"device_time_ms", optional_to_json(r.device_time_ms)},
      {"device_time_samples_ms", r.device_time_samples_ms},
      {"round_throughput", r.round_throughput},
      {"peak_rss_mb", optional_to_json(r.peak_rss_mb)},
      {"peak_device_memory_mb", optional_to_json(r.peak_device_memory_mb)},
      {"artefact_bytes", optional_to_json(r.artefact_bytes)},
      {"params", optional_to_json(r.params)},
      {"macs_per_sample", optional_to_json(r.macs_per_sample)},
      {"compute_bound", optional_to_json(r.compute_bound)},
      {"parity", optional_to_json(r.parity)},
      {"accuracy", optional_to_json(r.accuracy)},
      {"serving", optional_to_json(r.serving)},
      {"host", optional_to_json(r.host)},
      {"energy", optional_to_json(r.energy)},
      {"profile", optional_to_json(r.profile)},
      {"window_started_at", r.window_started_at},
      {"window_finished_at", r.window_finished_at},
      {"requested", r.requested},
      {"effective", r.effective},
      {"warnings", r.warnings},
  };
}

void from_json(const json& j, Row& r) {
  value_from_json(j, "framework", r.framework);
  value_from_json(j, "framework_version", r.framework_version);
  value_from_json(j, "backend", r.backend);
  value_from_json(j, "variant", r.variant);
  value_from_json(j, "device", r.device);
  value_from_json(j, "device_label", r.device_label);
  value_from_json(j, "target_hardware", r.target_hardware);
  value_from_json(j, "precision", r.precision);
  value_from_json(j, "model", r.model);
  value_from_json(j, "artefact", r.artefact);
  value_from_json(j, "batch", r.batch);
  value_from_json(j, "scenario", r.scenario);
  value_from_json(j, "instances", r.instances);  // absent in runs recorded before instances: 1
  std::string status = "failed";
  value_from_json(j, "status", status);
  r.status = parse_row_status(status).value_or(RowStatus::Failed);
  value_from_json(j, "error", r.error);
  optional_from_json(j, "compile_ms", r.compile_ms);
  optional_from_json(j, "cached_compile_ms", r.cached_compile_ms);
  optional_from_json(j, "export_ms", r.export_ms);
  optional_from_json(j, "first_inference_ms", r.first_inference_ms);
  optional_from_json(j, "latency_ms", r.latency_ms);
  optional_from_json(j, "p50_ci_ms", r.p50_ci_ms);
  optional_from_json(j, "p99_ci_ms", r.p99_ci_ms);
  optional_from_json(j, "fps", r.fps);
  optional_from_json(j, "throughput", r.throughput);
  optional_from_json(j, "p99_over_p50", r.p99_over_p50);
  optional_from_json(j, "lag1_autocorrelation", r.lag1_autocorrelation);
  value_from_json(j, "samples", r.samples);
  value_from_json(j, "warmup", r.warmup);
  optional_from_json(j, "wall_ms", r.wall_ms);
  value_from_json(j, "latency_samples_ms", r.latency_samples_ms);
  optional_from_json(j, "device_time_ms", r.device_time_ms);
  value_from_json(j, "device_time_samples_ms", r.device_time_samples_ms);
  value_from_json(j, "round_throughput", r.round_throughput);
  optional_from_json(j, "peak_rss_mb", r.peak_rss_mb);
  optional_from_json(j, "peak_device_memory_mb", r.peak_device_memory_mb);
  optional_from_json(j, "artefact_bytes", r.artefact_bytes);
  optional_from_json(j, "params", r.params);
  optional_from_json(j, "macs_per_sample", r.macs_per_sample);
  optional_from_json(j, "compute_bound", r.compute_bound);
  optional_from_json(j, "parity", r.parity);
  optional_from_json(j, "accuracy", r.accuracy);
  optional_from_json(j, "serving", r.serving);
  optional_from_json(j, "host", r.host);
  optional_from_json(j, "energy", r.energy);
  optional_from_json(j, "profile", r.profile);
  value_from_json(j, "window_started_at", r.window_started_at);
  value_from_json(j, "window_finished_at", r.window_finished_at);
  value_from_json(j, "requested", r.requested);
  value_from_json(j, "effective", r.effective);
  value_from_json(j, "warnings", r.warnings);
}

void to_json(json& j, const RunInfo& r) {
  j = json{{"id", r.id}, {"started_at", r.started_at}, {"host", r.host},
           {"env", r.env.is_null() ? json::object() : r.env},
           {"request", r.request.is_null() ? json::object() : r.request}};
}

void from_json(const json& j, RunInfo& r) {
  value_from_json(j, "id", r.id);
  value_from_json(j, "started_at", r.started_at);
  value_from_json(j, "host", r.host);
  if (j.contains("env")) r.env = j.at("env");
  if (j.contains("request")) r.request = j.at("request");
}

void to_json(json& j, const RunResult& r) { j = json{{"run", r.run}, {"rows", r.rows}}; }

void from_json(const json& j, RunResult& r) {
  value_from_json(j, "run", r.run);
  value_from_json(j, "rows", r.rows);
}

}  // namespace inferbench
