// SPDX-License-Identifier: Apache-2.0
// JSON mapping of Cell and device labels.
#include "core/result/cell.h"

namespace inferbench {

void to_json(nlohmann::json& j, const ServingSettings& s) {
  j = nlohmann::json{{"target_qps", s.target_qps ? nlohmann::json(*s.target_qps) : nlohmann::json()},
                     {"latency_bound_ms", s.latency_bound_ms ? nlohmann::json(*s.latency_bound_ms) : nlohmann::json()},
                     {"latency_percentile", s.latency_percentile},
                     {"batch_timeout_ms", s.batch_timeout_ms},
                     {"dispatch_poll_us", s.dispatch_poll_us},
                     {"min_seconds", s.min_seconds},
                     {"samples", s.samples},
                     {"official", s.official},
                     {"log_dir", s.log_dir}};
}

void from_json(const nlohmann::json& j, ServingSettings& s) {
  if (j.contains("target_qps") && !j["target_qps"].is_null()) s.target_qps = j["target_qps"].get<double>();
  if (j.contains("latency_bound_ms") && !j["latency_bound_ms"].is_null()) {
    s.latency_bound_ms = j["latency_bound_ms"].get<double>();
  }
  j.at("latency_percentile").get_to(s.latency_percentile);
  j.at("batch_timeout_ms").get_to(s.batch_timeout_ms);
  if (j.contains("dispatch_poll_us")) j["dispatch_poll_us"].get_to(s.dispatch_poll_us);
  j.at("min_seconds").get_to(s.min_seconds);
  j.at("samples").get_to(s.samples);
  j.at("official").get_to(s.official);
  j.at("log_dir").get_to(s.log_dir);
}

void to_json(nlohmann::json& j, const ProfileSettings& p) {
  j = nlohmann::json{{"enabled", p.enabled},         {"warmup", p.warmup},
                     {"runs", p.runs},               {"artefact", p.artefact},
                     {"trace_path", p.trace_path},   {"trace_label", p.trace_label},
                     {"native_dir", p.native_dir},   {"native_label", p.native_label}};
}

void from_json(const nlohmann::json& j, ProfileSettings& p) {
  j.at("enabled").get_to(p.enabled);
  j.at("warmup").get_to(p.warmup);
  j.at("runs").get_to(p.runs);
  j.at("artefact").get_to(p.artefact);
  j.at("trace_path").get_to(p.trace_path);
  j.at("trace_label").get_to(p.trace_label);
  j.at("native_dir").get_to(p.native_dir);
  j.at("native_label").get_to(p.native_label);
}

void to_json(nlohmann::json& j, const Protocol& p) {
  j = nlohmann::json{{"name", p.name},
                     {"p50_precision", p.targets.p50},
                     {"p99_precision", p.targets.p99},
                     {"max_window_s", p.targets.max_window_s},
                     {"min_samples", p.targets.min_samples}};
}

void from_json(const nlohmann::json& j, Protocol& p) {
  j.at("name").get_to(p.name);
  j.at("p50_precision").get_to(p.targets.p50);
  j.at("p99_precision").get_to(p.targets.p99);
  j.at("max_window_s").get_to(p.targets.max_window_s);
  j.at("min_samples").get_to(p.targets.min_samples);
}

void to_json(nlohmann::json& j, const Cell& c) {
  j = nlohmann::json{
      {"index", c.index},           {"backend", c.backend},
      {"variant", c.variant},
      {"plugin_path", c.plugin_path}, {"framework", c.framework},
      {"device", c.device},         {"precision", c.precision},
      {"scenario", c.scenario},     {"model", c.model},
      {"artefact", c.artefact},     {"input_shape", c.input_shape},
      {"batch", c.batch},           {"warmup", c.warmup},
      {"iterations", c.iterations}, {"max_seconds", c.max_seconds},
      {"protocol", c.protocol},
      {"threads", c.threads},       {"seed", c.seed},
      {"options", c.options},       {"reference_out", c.reference_out},
      {"reference_in", c.reference_in}, {"reference_label", c.reference_label},
      {"requested", c.requested},   {"instances", c.instances},
      {"instance", c.instance},     {"gate_dir", c.gate_dir},
      {"input_file", c.input_file}, {"input_samples", c.input_samples},
      {"eval_samples", c.eval_samples}, {"labels_file", c.labels_file},
      {"requests", c.requests},     {"serving", c.serving},
      {"profile", c.profile},
      {"host", c.host},
      {"min_energy_window_s", c.min_energy_window_s ? nlohmann::json(*c.min_energy_window_s) : nlohmann::json(nullptr)},
  };
}

void from_json(const nlohmann::json& j, Cell& c) {
  j.at("index").get_to(c.index);
  j.at("backend").get_to(c.backend);
  j.at("variant").get_to(c.variant);
  j.at("plugin_path").get_to(c.plugin_path);
  j.at("framework").get_to(c.framework);
  j.at("device").get_to(c.device);
  j.at("precision").get_to(c.precision);
  j.at("scenario").get_to(c.scenario);
  j.at("model").get_to(c.model);
  j.at("artefact").get_to(c.artefact);
  j.at("input_shape").get_to(c.input_shape);
  j.at("batch").get_to(c.batch);
  j.at("warmup").get_to(c.warmup);
  j.at("iterations").get_to(c.iterations);
  j.at("max_seconds").get_to(c.max_seconds);
  j.at("protocol").get_to(c.protocol);
  j.at("threads").get_to(c.threads);
  j.at("seed").get_to(c.seed);
  j.at("options").get_to(c.options);
  j.at("reference_out").get_to(c.reference_out);
  j.at("reference_in").get_to(c.reference_in);
  j.at("reference_label").get_to(c.reference_label);
  j.at("requested").get_to(c.requested);
  j.at("instances").get_to(c.instances);
  j.at("instance").get_to(c.instance);
  j.at("gate_dir").get_to(c.gate_dir);
  j.at("input_file").get_to(c.input_file);
  j.at("input_samples").get_to(c.input_samples);
  j.at("eval_samples").get_to(c.eval_samples);
  j.at("labels_file").get_to(c.labels_file);
  j.at("requests").get_to(c.requests);
  j.at("serving").get_to(c.serving);
  if (auto it = j.find("profile"); it != j.end()) it->get_to(c.profile);
  c.host = j.value("host", "");
  if (auto it = j.find("min_energy_window_s"); it != j.end() && !it->is_null()) {
    c.min_energy_window_s = it->get<double>();
  }
}

namespace {

std::string identity(const std::string& model, const std::string& backend, const std::string& variant,
                     const std::string& device, const std::string& precision, const std::string& scenario, int batch,
                     int instances, const std::map<std::string, std::string>& requested, const std::string& host) {
  std::string key = model + "|" + backend + "|" + variant + "|" + device + "|" + precision + "|" + scenario + "|" +
                    std::to_string(batch) + "|" + std::to_string(instances) + "|" + host;
  // --input's path and a server cell's bound are the run's, not the cell's (and a run stored
  // before the bound was recorded must still resume).
  for (const auto& [k, v] : requested) {
    if (k != "input" && k != "latency_bound_ms" && k != "latency_percentile") key += "|" + k + "=" + v;
  }
  return key;
}

}  // namespace

std::string cell_identity(const Cell& c) {
  return identity(c.model, c.backend, c.variant, c.device, c.precision, c.scenario, c.batch, c.instances, c.requested,
                  c.host);
}

std::string row_identity(const Row& r) {
  return identity(r.model, r.backend, r.variant, r.device, r.precision, r.scenario, r.batch, r.instances, r.requested,
                  r.host ? r.host->name : std::string());
}

Row row_for_cell(const Cell& cell) {
  Row row;
  row.framework = cell.framework;
  row.backend = cell.backend;
  row.variant = cell.variant;
  row.device = cell.device;
  row.device_label = device_label(cell.device);
  row.precision = cell.precision;
  row.model = cell.model;
  row.artefact = cell.artefact;
  row.batch = cell.batch;
  row.scenario = cell.scenario;
  row.requested = cell.requested;
  row.instances = cell.instances;
  return row;
}

std::string device_label(const std::string& device) {
  if (device == "cpu") return "CPU";
  if (device == "cuda") return "CUDA GPU";
  if (device == "gpu") return "GPU";
  if (device == "npu") return "NPU";
  return device;
}

}  // namespace inferbench
