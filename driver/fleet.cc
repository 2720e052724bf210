// SPDX-License-Identifier: Apache-2.0
// The fleet coordinator's process and pipe, host descriptions, and the Ray executor.
#include "driver/fleet.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "core/env/environment.h"
#include "core/support/build_info.h"
#include "core/support/json_text.h"

namespace fs = std::filesystem;

namespace inferbench {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(90);

// The Python that runs the coordinator: INFERBENCH_FLEET_PYTHON, else the fleet environment
// found at configure time.
std::string fleet_python() {
  if (const char* env = std::getenv("INFERBENCH_FLEET_PYTHON"); env && *env) return env;
  return build_info().fleet_python;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The last non-blank line of a file, for a coordinator that ended without a word.
std::string last_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

// The hosts a fleet run measures on: every host that answered discovery (--hosts all), or those
// named. A named host that is not there, or one whose inferbench is another build, stops the run
// with one line; so does a cluster without a host that answered.
Status choose_hosts(const std::vector<FleetHost>& found, const std::vector<std::string>& wanted,
                    const std::string& revision, std::vector<FleetHost>& chosen,
                    const std::function<void(const std::string&)>& progress) {
  std::vector<std::string> names;
  for (const auto& h : found) names.push_back(h.name);
  const bool all = wanted.empty() || (wanted.size() == 1 && wanted.front() == "all");
  for (const auto& name : wanted) {
    if (name != "all" && std::find(names.begin(), names.end(), name) == names.end()) {
      return Status(StatusCode::Usage, "--hosts names '" + name + "', which is not a host of the cluster",
                    names.empty() ? "start hosts with tools/fleet/inferbench-host join (docs/fleet.md)"
                                  : "its hosts are: " + joined(names));
    }
  }
  for (const auto& host : found) {
    if (!all && std::find(wanted.begin(), wanted.end(), host.name) == wanted.end()) continue;
    if (!host.error.empty()) {
      if (!all) return Status(StatusCode::Unavailable, "host " + host.name + " did not answer: " + host.error);
      progress("host " + host.name + " left out: " + host.error);
      continue;
    }
    if (host.revision != revision) {
      return Status(StatusCode::Usage,
                    "host " + host.name + " runs inferbench " + host.revision + ", this one is " + revision +
                        ": rows of two builds do not belong in one table",
                    "build the same revision on every host, or leave it out with --hosts");
    }
    chosen.push_back(host);
  }
  if (chosen.empty()) {
    return Status(StatusCode::Unavailable, "the Ray cluster has no host that can run anything",
                  "join hosts with tools/fleet/inferbench-host join ADDRESS --host NAME (docs/fleet.md)");
  }
  return Status::ok();
}

std::string build_revision() {
  const BuildInfo& build = build_info();
  // Two trees changed differently from one commit are two builds: the diff's hash tells them apart.
  const std::string diff = build.git_diff;
  return std::string(build.git_revision) + (build.git_dirty ? "+dirty" + (diff.empty() ? "" : "." + diff) : "");
}

nlohmann::json export_request_json(const ExportRequest& r) {
  return {{"model", r.model},
          {"format", r.format},
          {"precision", r.precision},
          {"seed", r.seed},
          {"weights", r.weights ? nlohmann::json(r.weights->string()) : nlohmann::json(nullptr)},
          {"batch", r.batch ? nlohmann::json(*r.batch) : nlohmann::json(nullptr)},
          {"device", r.device ? nlohmann::json(*r.device) : nlohmann::json(nullptr)},
          {"flags", r.flags},
          {"calibration", r.calibration ? nlohmann::json(r.calibration->string()) : nlohmann::json(nullptr)},
          {"sample_shape", r.sample_shape}};
}

ExportRequest export_request_from_json(const nlohmann::json& j) {
  ExportRequest r;
  r.model = j.value("model", "");
  r.format = j.value("format", "");
  r.precision = j.value("precision", "");
  r.seed = j.value("seed", std::uint64_t{0});
  if (j.contains("weights") && j["weights"].is_string()) r.weights = j["weights"].get<std::string>();
  if (j.contains("batch") && j["batch"].is_number_integer()) r.batch = j["batch"].get<int>();
  if (j.contains("device") && j["device"].is_string()) r.device = j["device"].get<std::string>();
  r.flags = j.value("flags", std::map<std::string, std::string>{});
  if (j.contains("calibration") && j["calibration"].is_string()) r.calibration = j["calibration"].get<std::string>();
  r.sample_shape = j.value("sample_shape", std::vector<std::int64_t>{});
  return r;
}

nlohmann::json artefact_json(const Artefact& a) {
  const auto optional = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
  return {{"file", a.file.string()}, {"model", a.model},     {"format", a.format},
          {"precision", a.precision}, {"sample_shape", a.sample_shape}, {"export_ms", optional(a.export_ms)},
          {"bytes", optional(a.bytes)}, {"params", optional(a.params)}, {"macs_per_sample", optional(a.macs_per_sample)},
          {"manifest", a.manifest},   {"cached", a.cached}};
}

Artefact artefact_from_json(const nlohmann::json& j) {
  Artefact a;
  a.file = j.value("file", "");
  a.model = j.value("model", "");
  a.format = j.value("format", "");
  a.precision = j.value("precision", "");
  a.sample_shape = j.value("sample_shape", std::vector<std::int64_t>{});
  if (j.contains("export_ms") && j["export_ms"].is_number()) a.export_ms = j["export_ms"].get<double>();
  if (j.contains("bytes") && j["bytes"].is_number()) a.bytes = j["bytes"].get<std::int64_t>();
  if (j.contains("params") && j["params"].is_number()) a.params = j["params"].get<std::int64_t>();
  if (j.contains("macs_per_sample") && j["macs_per_sample"].is_number()) {
    a.macs_per_sample = j["macs_per_sample"].get<std::int64_t>();
  }
  a.manifest = j.value("manifest", nlohmann::json::object());
  a.cached = j.value("cached", false);
  return a;
}

int export_artefact_command(const fs::path& request_file) {
  std::ifstream in(request_file);
  const auto request = nlohmann::json::parse(in, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    std::cerr << "inferbench: " << request_file.string() << " is not an export request (JSON)\n";
    return 2;
  }
  const ArtefactCache cache(ArtefactCache::default_root(), project_python(), exporter_dir());
  auto artefact = cache.get(export_request_from_json(request));
  if (!artefact) {
    std::cerr << "inferbench: " << artefact.status().to_string() << "\n";
    return 3;
  }
  std::cout << artefact_json(*artefact).dump() << "\n";
  return 0;
}

nlohmann::json backend_description_json(const BackendDescription& d) {
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& v : d.variants) {
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : v.targets) targets.push_back(t.device + ":" + t.precision);
    variants.push_back({{"name", v.name}, {"framework", v.framework}, {"artefact_format", v.artefact_format},
                        {"suffixes", v.suffixes}, {"targets", targets}, {"doc", v.doc}});
  }
  return {{"name", d.name}, {"framework", d.framework}, {"built", d.built}, {"loadable", d.loadable},
          {"reason", d.reason}, {"plugin_path", d.plugin_path}, {"version", d.version}, {"devices", d.devices},
          {"precisions", d.precisions}, {"suffixes", d.suffixes}, {"scenarios", d.scenarios},
          {"request_slots", d.request_slots}, {"artefact_format", d.artefact_format},
          {"unavailable_devices", d.unavailable_devices}, {"options", d.options}, {"variants", variants}};
}

BackendDescription backend_description_from_json(const nlohmann::json& j) {
  BackendDescription d;
  d.name = j.value("name", "");
  d.framework = j.value("framework", d.name);
  d.built = j.value("built", false);
  d.loadable = j.value("loadable", false);
  d.reason = j.value("reason", "");
  d.plugin_path = j.value("plugin_path", "");
  d.version = j.value("version", "");
  d.devices = j.value("devices", std::vector<std::string>{});
  d.precisions = j.value("precisions", std::vector<std::string>{});
  d.suffixes = j.value("suffixes", std::vector<std::string>{});
  d.scenarios = j.value("scenarios", std::vector<std::string>{"sync"});
  d.request_slots = j.value("request_slots", false);
  d.artefact_format = j.value("artefact_format", "");
  d.unavailable_devices = j.value("unavailable_devices", std::map<std::string, std::string>{});
  d.options = j.value("options", nlohmann::json::array());
  set_variants(d, j.value("variants", nlohmann::json::array()), "suffixes");
  return d;
}

nlohmann::json host_info(const Driver& driver) {
  nlohmann::json backends = nlohmann::json::array();
  for (const auto& d : driver.describe_backends(/*include_testing=*/true)) backends.push_back(backend_description_json(d));
  return {{"revision", build_revision()}, {"version", build_info().version}, {"host", host_name()},
          {"env", describe_environment()}, {"backends", backends}};
}

std::vector<fs::path> artefact_files(const fs::path& file) {
  std::vector<fs::path> files{file};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(file.parent_path(), ec)) {
    if (entry.is_regular_file(ec) && entry.path() != file && entry.path().stem() == file.stem()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin() + 1, files.end());
  return files;
}

Result<std::unique_ptr<FleetCoordinator>> FleetCoordinator::start(const std::string& address, const fs::path& log_file) {
  const std::string python = fleet_python();
  if (python.empty() || access(python.c_str(), X_OK) != 0) {
    return Status(StatusCode::Unavailable,
                  "no fleet environment: the Ray coordinator's Python " + (python.empty() ? "was not found" : python + " is missing"),
                  "run `make build` (tools/setup/setup.sh creates it), or set INFERBENCH_FLEET_PYTHON");
  }
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    return Status(StatusCode::Io, std::string("cannot start the fleet coordinator: ") + std::strerror(errno));
  }
  const int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const std::string path = (fs::path(build_info().source_dir) / "tools" / "fleet").string();
  // A coordinator that has died must make a write to it an error (send() says so, and the run ends
  // with its rows), not a SIGPIPE that kills the driver before it reports anything.
  signal(SIGPIPE, SIG_IGN);
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);  // an ignored signal would stay ignored across exec
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (log >= 0) dup2(log, 2);
    setenv("PYTHONPATH", path.c_str(), 1);
    setenv("PYTHONUNBUFFERED", "1", 1);
    const char* argv[] = {python.c_str(), "-m", "inferbench_fleet", "coordinator", "--address", address.c_str(), nullptr};
    execv(python.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (log >= 0) close(log);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    return Status(StatusCode::Io, std::string("cannot start the fleet coordinator: ") + std::strerror(errno));
  }
  std::unique_ptr<FleetCoordinator> coordinator(new FleetCoordinator());
  coordinator->pid_ = pid;
  coordinator->to_child_ = in[1];
  coordinator->from_child_ = out[0];
  coordinator->log_file_ = log_file;
  auto first = coordinator->receive(std::chrono::duration_cast<std::chrono::milliseconds>(kReadyTimeout));
  if (!first) return first.status();
  if (first->value("op", "") != "ready") {
    return Status(StatusCode::Unavailable, first->value("message", "the fleet coordinator did not start"),
                  "start the cluster first (tools/fleet/inferbench-host, docs/fleet.md) and give its address to --cluster");
  }
  return coordinator;
}

FleetCoordinator::~FleetCoordinator() {
  if (to_child_ >= 0) {
    (void)send({{"op", "shutdown"}});
    close(to_child_);
  }
  // It cancels what is still running on the hosts and exits; a coordinator that does not is ended.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    usleep(50'000);
  }
  if (from_child_ >= 0) close(from_child_);
}

Status FleetCoordinator::send(const nlohmann::json& message) {
  const std::string line = json_text(message) + "\n";
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = write(to_child_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(StatusCode::Io, "the fleet coordinator ended: " + ended_reason());
    written += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

std::string FleetCoordinator::ended_reason() const {
  const std::string last = last_line_of(log_file_);
  return last.empty() ? "no message (its log: " + log_file_.string() + ")" : last + " (its log: " + log_file_.string() + ")";
}

Result<nlohmann::json> FleetCoordinator::receive(std::optional<std::chrono::milliseconds> timeout) {
  const auto deadline = timeout ? std::optional(std::chrono::steady_clock::now() + *timeout) : std::nullopt;
  for (;;) {
    if (const auto end = buffer_.find('\n'); end != std::string::npos) {
      const std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      auto message = nlohmann::json::parse(line, nullptr, false);
      if (message.is_discarded() || !message.is_object()) continue;  // not ours: a library's print
      return message;
    }
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Status(StatusCode::Unavailable, "the fleet coordinator did not answer in time: " + ended_reason());
      wait_ms = static_cast<int>(left.count());
    }
    pollfd p{from_child_, POLLIN, 0};
    const int polled = poll(&p, 1, wait_ms);
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) continue;  // the deadline check above ends it
    char chunk[65536];
    const ssize_t n = read(from_child_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(StatusCode::Unavailable, "the fleet coordinator ended: " + ended_reason());
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<std::vector<FleetHost>> FleetCoordinator::discover(std::chrono::seconds timeout) {
  IB_RETURN_IF_ERROR(send({{"op", "discover"}, {"timeout_s", timeout.count()}}));
  for (;;) {
    auto reply = receive(std::chrono::duration_cast<std::chrono::milliseconds>(timeout + std::chrono::seconds(30)));
    if (!reply) return reply.status();
    if (reply->value("op", "") != "hosts") continue;
    std::vector<FleetHost> hosts;
    for (const auto& h : reply->value("hosts", nlohmann::json::array())) {
      FleetHost host;
      host.name = h.value("name", "");
      host.node_id = h.value("node_id", "");
      host.ip = h.value("ip", "");
      host.error = h.value("error", "");
      const nlohmann::json info = h.contains("info") && h["info"].is_object() ? h["info"] : nlohmann::json::object();
      host.revision = info.value("revision", "");
      host.env = info.value("env", nlohmann::json::object());
      for (const auto& b : info.value("backends", nlohmann::json::array())) {
        host.backends.push_back(backend_description_from_json(b));
      }
      if (host.error.empty() && info.empty()) host.error = "its inferbench did not describe it";
      hosts.push_back(std::move(host));
    }
    return hosts;
  }
}

void RayExecutor::submit(CellJob job) {
  const Cell& cell = job.instances.at(0);
  nlohmann::json files = nlohmann::json::array();
  const auto add = [&](const char* field, const std::string& path, bool with_siblings) {
    if (path.empty()) return;
    const std::vector<fs::path> paths = with_siblings ? artefact_files(path) : std::vector<fs::path>{path};
    std::vector<std::string> texts;
    for (const auto& p : paths) texts.push_back(fs::absolute(p).string());
    files.push_back({{"field", field}, {"paths", texts}, {"main", fs::path(path).filename().string()}});
  };
  add("artefact", cell.artefact, true);
  add("input_file", cell.input_file, false);
  add("labels_file", cell.labels_file, false);
  add("reference_in", cell.reference_in, false);
  const nlohmann::json message = {{"op", "run"},
                                  {"id", job.id},
                                  {"host", job.host},
                                  {"timeout_s", static_cast<double>(job.timeout.count()) / 1000.0},
                                  {"cell", cell},
                                  {"files", files},
                                  {"log", job.log_files.at(0).string()},
                                  {"loadgen_dir", job.loadgen_dir},
                                  {"export", job.export_request}};
  in_flight_[job.id] = job.host;
  Status sent = broken_.empty() ? coordinator_.send(message) : Status(StatusCode::Unavailable, broken_);
  if (!sent) {
    broken_ = sent.message();
    in_flight_.erase(job.id);
    CellOutcome outcome;
    outcome.id = job.id;
    outcome.host_lost = "host " + job.host + " not reached: " + broken_;
    ready_.push_back(std::move(outcome));
  }
}

CellOutcome RayExecutor::wait() {
  if (!ready_.empty()) {
    CellOutcome outcome = std::move(ready_.front());
    ready_.erase(ready_.begin());
    return outcome;
  }
  for (;;) {
    auto reply = broken_.empty() ? coordinator_.receive() : Result<nlohmann::json>(Status(StatusCode::Unavailable, broken_));
    if (!reply) {
      // The coordinator is gone: every cell still out is lost with it.
      broken_ = reply.status().message();
      const auto [id, host] = *in_flight_.begin();
      in_flight_.erase(in_flight_.begin());
      CellOutcome outcome;
      outcome.id = id;
      outcome.host_lost = "host " + host + " not reached: " + broken_;
      return outcome;
    }
    if (reply->value("op", "") != "done") continue;
    const int id = reply->value("id", -1);
    const auto it = in_flight_.find(id);
    if (it == in_flight_.end()) continue;
    const std::string host = it->second;
    in_flight_.erase(it);
    CellOutcome outcome;
    outcome.id = id;
    if (reply->value("lost", false)) {
      outcome.host_lost = reply->value("error", "host " + host + " lost");
      return outcome;
    }
    if (!reply->value("exited", false) && reply->value("signal", 0) == 0 && !reply->value("timed_out", false)) {
      outcome.instances.emplace_back(
          Status(StatusCode::Internal, "on host " + host + ": " + first_line(reply->value("error", "no answer"))));
      return outcome;
    }
    if (reply->contains("artefact") && (*reply)["artefact"].is_object()) {
      outcome.host_artefact = artefact_from_json((*reply)["artefact"]);
    }
    // The cell ran; what failed after it (its files brought back here) is the row's warning.
    if (const std::string error = reply->value("error", ""); !error.empty()) {
      outcome.host_note = "on host " + host + ": " + error;
    }
    ChildOutcome child;
    child.exited = reply->value("exited", false);
    child.exit_code = reply->value("exit_code", -1);
    child.signal = reply->value("signal", 0);
    child.timed_out = reply->value("timed_out", false);
    child.stdout_text = reply->value("stdout", "");
    child.stderr_tail = reply->value("stderr_tail", "");
    child.peak_rss_mb = reply->value("peak_rss_mb", 0.0);
    child.wall_seconds = reply->value("wall_seconds", 0.0);
    outcome.instances.emplace_back(std::move(child));
    return outcome;
  }
}

}  // namespace inferbench
