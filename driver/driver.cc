// SPDX-License-Identifier: Apache-2.0
// Matrix expansion, artefact preparation, one worker per cell, failures as rows.
#include "driver/driver.h"

#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

#include "core/env/environment.h"
#include "core/result/progress_message.h"
#include "core/result/scenario.h"
#include "core/support/build_info.h"
#include "core/support/number_text.h"
#include "driver/artefacts.h"
#include "driver/catalogue.h"
#include "driver/instances.h"
#include "driver/input_data.h"
#include "driver/rounds.h"
#include "driver/executor.h"
#include "driver/fleet.h"
#include "driver/spawn.h"

namespace fs = std::filesystem;

namespace inferbench {
namespace {

constexpr auto kDescribeTimeout = std::chrono::seconds(120);

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

// Why `value` does not fit an option of `type` ("int", "enum:a|b"), or nothing when it does; the
// plugin checks what the type cannot say (ranges, strings).
std::optional<std::string> option_value_error(const std::string& type, const std::string& value) {
  if (type.rfind("enum:", 0) == 0) {
    std::vector<std::string> allowed;
    std::stringstream list(type.substr(5));
    for (std::string item; std::getline(list, item, '|');) allowed.push_back(item);
    if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return std::nullopt;
    return "is one of " + join(allowed) + ", not '" + value + "'";
  }
  if (type == "int") {
    char* end = nullptr;
    errno = 0;
    std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno == ERANGE) return "takes an integer, not '" + value + "'";
  }
  return std::nullopt;
}

// A list flag of counts (--threads, --instances): not empty, each in [lo, hi], none twice.
Status check_counts(const std::vector<int>& counts, const std::string& flag, int lo, int hi,
                    const std::string& range_hint) {
  if (counts.empty()) return Status(StatusCode::Usage, flag + " is empty", "give at least one count");
  for (int count : counts) {
    if (count < lo || count > hi) {
      return Status(StatusCode::Usage, flag + " " + std::to_string(count) + " is out of range", range_hint);
    }
  }
  if (std::set<int>(counts.begin(), counts.end()).size() != counts.size()) {
    return Status(StatusCode::Usage, flag + " names a count twice", "give each count once");
  }
  return Status::ok();
}

// What rows call a model: its catalogue name, the user's "net.py[:NAME]", or an artefact's file
// name.
std::string row_model_name(const std::string& model) {
  if (find_model(model)) return model;
  if (is_python_model(model)) return python_model_row_name(model);
  return fs::path(model).filename().string();
}

// One sample's input shape: the catalogue's, or --input-shape (default 3x224x224) for the user's
// own files.
std::vector<std::int64_t> sample_shape_of(const std::string& model, const RunRequest& request) {
  if (const ModelEntry* entry = find_model(model)) return entry->sample_shape;
  return request.sample_shape.empty() ? std::vector<std::int64_t>{3, 224, 224} : request.sample_shape;
}

// build/backends.tsv: name \t BUILT|SKIPPED \t reason.
std::map<std::string, std::string> read_backend_table(const fs::path& path) {
  std::map<std::string, std::string> reasons;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, state, reason;
    std::getline(fields, name, '\t');
    std::getline(fields, state, '\t');
    std::getline(fields, reason);
    if (state != "BUILT") reasons[name] = reason;
  }
  return reasons;
}

// The LoadGen scenarios' settings against the rest of the request: what a server cell needs, and
// what the LoadGen scenarios do not combine with.
Status validate_serving(const RunRequest& request) {
  const auto asked = [&](std::string_view scenario) {
    return std::find(request.scenarios.begin(), request.scenarios.end(), scenario) != request.scenarios.end();
  };
  const bool loadgen = std::any_of(request.scenarios.begin(), request.scenarios.end(),
                                   [](const std::string& s) { return is_loadgen_scenario(s); });
  const ServingSettings& s = request.serving;
  if (asked("server") && !s.target_qps && !s.latency_bound_ms) {
    return Status(StatusCode::Usage, "the server scenario needs a latency bound or a request rate",
                  "add --latency-bound MS (the highest rate LoadGen judges VALID under it) or --target-qps Q "
                  "(one test at that rate)");
  }
  const bool server_flags = s.target_qps || s.latency_bound_ms || s.batch_timeout_ms > 0;
  if (server_flags && !asked("server")) {
    return Status(StatusCode::Usage, "--target-qps, --latency-bound and --batch-timeout apply to the server scenario, "
                                     "which --scenarios does not name",
                  "add server to --scenarios, e.g. --scenarios server");
  }
  if (changed(request, "--latency-percentile") && !asked("server")) {
    return Status(StatusCode::Usage, "--latency-percentile applies to the server scenario, which --scenarios does not name",
                  "add server to --scenarios, e.g. --scenarios server --latency-bound 100");
  }
  for (const char* flag : {"--loadgen-official", "--loadgen-seconds", "--loadgen-samples"}) {
    if (changed(request, flag) && !loadgen) {
      return Status(StatusCode::Usage,
                    std::string(flag) + " applies to LoadGen's scenarios, and --scenarios names none of them",
                    "add single-stream, multi-stream, server or offline to --scenarios");
    }
  }
  // The default scenarios (empty) include async for the backends that have it.
  if (changed(request, "--requests") && !request.scenarios.empty() &&
      std::none_of(request.scenarios.begin(), request.scenarios.end(),
                   [](const std::string& scenario) { return has_requests_in_flight(scenario); })) {
    return Status(StatusCode::Usage,
                  "--requests applies to the scenarios with requests in flight (async, multi-stream, server, "
                  "offline), and --scenarios names none of them",
                  "add async to --scenarios, or drop --requests");
  }
  const bool queued = asked("server") || asked("multi-stream") || asked("offline");
  if (s.dispatch_poll_us > 0 && !queued) {
    return Status(StatusCode::Usage, "--dispatch-poll applies to the server, multi-stream and offline scenarios, "
                                     "which --scenarios does not name (single-stream runs each sample on LoadGen's "
                                     "thread, with no hand-over to poll for)",
                  "add server to --scenarios, e.g. --scenarios server");
  }
  if (loadgen && request.rounds > 1) {
    return Status(StatusCode::Usage, "--rounds " + std::to_string(request.rounds) +
                                         " does not apply to LoadGen's scenarios: LoadGen judges each test on its own",
                  "measure the LoadGen scenarios in a run of their own, with --rounds 1");
  }
  if (loadgen && std::any_of(request.instances.begin(), request.instances.end(), [](int n) { return n > 1; })) {
    return Status(StatusCode::Usage, "--instances does not apply to LoadGen's scenarios: one LoadGen test drives one "
                                     "process",
                  "use --requests for several requests in flight, or measure instances in a sync or async run");
  }
  return Status::ok();
}

Row status_row(const Cell& cell, RowStatus status, std::string error) {
  Row row = row_for_cell(cell);
  row.status = status;
  row.error = std::move(error);
  return row;
}

std::string cell_label(const Cell& cell) {
  return cell.backend + (cell.variant.empty() ? "" : ":" + cell.variant) + " " + cell.device + " " +
         cell.precision + " " + cell.scenario + " batch " + std::to_string(cell.batch) +
         (cell.threads ? " threads " + std::to_string(cell.threads) : "") +
         (cell.requests ? " requests " + std::to_string(cell.requests) : "") +
         (cell.instances > 1 ? " instances " + std::to_string(cell.instances) : "");
}

std::string fmt_ok(const Row& row) {
  if (row.serving && row.serving->metric == "max_valid_qps") {
    char text[160];
    if (row.serving->value) {
      std::snprintf(text, sizeof text, " (highest VALID rate %.1f QPS at P%g <= %g ms, %zu LoadGen tests)",
                    *row.serving->value, row.serving->latency_percentile, row.serving->latency_bound_ms.value_or(0),
                    row.serving->tests.size());
    } else {
      std::snprintf(text, sizeof text, " (no rate VALID at P%g <= %g ms, %zu LoadGen tests)",
                    row.serving->latency_percentile, row.serving->latency_bound_ms.value_or(0), row.serving->tests.size());
    }
    return text;
  }
  char text[128];
  std::snprintf(text, sizeof text, " (P50 %.3f ms, %.2f FPS, compile %.0f ms)", row.latency_ms->p50,
                row.fps.value_or(0), row.compile_ms.value_or(0));
  return text;
}

std::string file_suffix(const fs::path& path) { return path.extension().string(); }

}  // namespace

DriverPaths DriverPaths::from_build() {
  DriverPaths paths;
  const fs::path binary_dir = build_info().binary_dir;
  std::error_code ec;
  paths.worker_executable = fs::read_symlink("/proc/self/exe", ec);
  if (ec) paths.worker_executable = binary_dir / "inferbench";
  const char* plugin_env = std::getenv("INFERBENCH_PLUGIN_DIR");
  paths.plugin_dir = plugin_env && *plugin_env ? fs::path(plugin_env)
                                               : paths.worker_executable.parent_path() / "plugins";
  paths.backend_table = paths.worker_executable.parent_path() / "backends.tsv";
  paths.artefact_root = ArtefactCache::default_root();
  return paths;
}

Driver::Driver(DriverPaths paths) : paths_(std::move(paths)) {}

BackendDescription Driver::describe_backend(const std::string& name) const {
  BackendDescription d;
  d.name = name;
  const BackendEntry* entry = find_backend(name);
  d.framework = entry ? entry->framework : name;
  // Until the plugin says otherwise (it may be missing), the catalogue's variants.
  if (entry) d.variants = catalogue_variants(*entry);
  d.plugin_path = (paths_.plugin_dir / ("libinferbench_backend_" + name + ".so")).string();
  if (!fs::exists(d.plugin_path)) {
    auto reasons = read_backend_table(paths_.backend_table);
    d.reason = reasons.count(name) ? "not built: " + reasons[name]
                                   : "not built: no plugin " + d.plugin_path;
    return d;
  }
  d.built = true;
  SpawnOptions options;
  options.timeout = kDescribeTimeout;
  auto outcome = run_child({paths_.worker_executable.string(), "worker", "--describe", d.plugin_path},
                           options);
  if (!outcome) {
    d.reason = outcome.status().to_string();
    return d;
  }
  auto reply = nlohmann::json::parse(last_line(outcome->stdout_text), nullptr, false);
  if (!outcome->exited || outcome->exit_code != 0 || reply.is_discarded()) {
    d.reason = "describing the plugin failed: worker " + describe_outcome(*outcome) + ": " +
               last_line(outcome->stderr_tail);
    return d;
  }
  if (reply.contains("error")) {
    d.reason = reply["error"].get<std::string>();
    return d;
  }
  const auto& info = reply["info"];
  d.loadable = true;
  d.framework = info.value("framework", d.framework);
  d.version = info.value("framework_version", "");
  d.devices = info.value("devices", std::vector<std::string>{});
  d.precisions = info.value("precisions", std::vector<std::string>{});
  d.suffixes = info.value("artefact_suffixes", std::vector<std::string>{});
  d.scenarios = info.value("scenarios", std::vector<std::string>{"sync"});
  d.request_slots = info.value("request_slots", false);
  d.artefact_format = info.value("artefact_format", "");
  d.options = info.value("options", nlohmann::json::array());
  for (const auto& [device, state] : reply["devices"].items()) {
    if (!state.value("available", false)) d.unavailable_devices[device] = state.value("reason", "");
  }
  set_variants(d, info.value("variants", nlohmann::json::array()), "artefact_suffixes");
  return d;
}

void set_variants(BackendDescription& d, const nlohmann::json& variants, const char* suffixes_key) {
  d.variants.clear();
  for (const auto& v : variants) {
    VariantDescription variant;
    variant.name = v.value("name", "");
    variant.framework = v.value("framework", d.framework);
    variant.artefact_format = v.value("artefact_format", "");
    variant.suffixes = v.value(suffixes_key, std::vector<std::string>{});
    for (const auto& item : v.value("targets", std::vector<std::string>{})) {
      if (auto target = parse_target(item)) variant.targets.push_back(*target);
    }
    variant.doc = v.value("doc", "");
    d.variants.push_back(std::move(variant));
  }
  if (d.variants.empty()) {
    d.variants.push_back({"", d.framework, d.artefact_format, d.suffixes, cross_targets(d.devices, d.precisions), ""});
  }
}

std::vector<BackendDescription> Driver::describe_backends(bool include_testing) const {
  std::vector<BackendDescription> result;
  for (const auto& entry : backend_catalogue()) {
    if (entry.testing && !include_testing) continue;
    result.push_back(describe_backend(entry.name));
  }
  return result;
}

Status Driver::validate(const RunRequest& request) const {
  if (!request.hosts.empty() && !request.cluster) {
    return Status(StatusCode::Usage, "--hosts picks hosts of a Ray cluster, and no --cluster was given",
                  "add --cluster ADDRESS (or auto), or drop --hosts");
  }
  if (request.cluster) {
    if (request.cluster->empty()) {
      return Status(StatusCode::Usage, "--cluster needs a Ray address", "give HOST:PORT of the head, or auto (RAY_ADDRESS)");
    }
    if (std::any_of(request.instances.begin(), request.instances.end(), [](int n) { return n > 1; })) {
      return Status(StatusCode::Usage, "--instances above 1 runs on one machine only, not with --cluster",
                    "drop --instances, or measure instances on the host itself");
    }
  }
  for (const auto& text : request.backends) {
    const BackendSelector selector = parse_backend_selector(text);
    const BackendEntry* entry = find_backend(selector.backend);
    if (!entry) {
      std::vector<std::string> known;
      for (const auto& e : backend_catalogue()) known.push_back(e.name);
      return Status(StatusCode::Usage, "unknown backend '" + selector.backend + "'",
                    "use one of: " + join(known) + ", or all");
    }
    if (selector.variant.empty()) continue;
    std::vector<std::string> variants;
    for (const auto& v : entry->variants) variants.push_back(entry->name + ":" + v.name);
    if (variants.empty()) {
      return Status(StatusCode::Usage, "backend '" + entry->name + "' has no variants, so '" + text + "' names nothing",
                    "use --backends " + entry->name);
    }
    if (!contains(variants, text)) {
      return Status(StatusCode::Usage, "backend '" + entry->name + "' has no variant '" + selector.variant + "'",
                    "use one of: " + join(variants) + ", or " + entry->name + " for all of them");
    }
  }
  for (const auto& device : request.devices) {
    if (!contains(kKnownDevices, device)) {
      return Status(StatusCode::Usage, "unknown device '" + device + "'",
                    "use one of: " + join(kKnownDevices) + ", or all");
    }
  }
  for (const auto& precision : request.precisions) {
    if (!contains(kKnownPrecisions, precision)) {
      return Status(StatusCode::Usage, "unknown precision '" + precision + "'",
                    "use one of: " + join(kKnownPrecisions) + ", or all");
    }
  }
  for (const auto& scenario : request.scenarios) {
    if (!contains(kKnownScenarios, scenario)) {
      return Status(StatusCode::Usage, "unknown scenario '" + scenario + "'",
                    "use one of: " + join(kKnownScenarios) + ", or all");
    }
  }
  if (request.batches.empty()) return Status(StatusCode::Usage, "--batch is empty", "give at least one batch size");
  // The largest sample of the run's models (a catalogue model's own shape, or --input-shape's).
  std::int64_t per_sample = 1;
  for (const std::string& model : request.models) {
    const std::vector<std::int64_t> shape = sample_shape_of(model, request);
    per_sample = std::max(per_sample, std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>()));
  }
  struct sysinfo info {};
  sysinfo(&info);
  const double ram_bytes = static_cast<double>(info.totalram) * info.mem_unit;
  for (int batch : request.batches) {
    if (batch < 1 || batch > kMaxBatch) {
      return Status(StatusCode::Usage, "batch " + std::to_string(batch) + " is out of range",
                    "use a batch between 1 and " + std::to_string(kMaxBatch));
    }
    // The seeded input alone must fit comfortably (the model's activations need more).
    const double input_bytes = 4.0 * static_cast<double>(per_sample) * batch;
    if (ram_bytes > 0 && input_bytes > ram_bytes / 4) {
      return Status(StatusCode::Usage,
                    "batch " + std::to_string(batch) + " needs " +
                        std::to_string(static_cast<long long>(input_bytes / 1e6)) +
                        " MB of input alone, more than a quarter of this machine's memory",
                    "use a smaller --batch");
    }
  }
  if (request.warmup < 0) return Status(StatusCode::Usage, "--warmup must be 0 or more", "");
  if (request.iterations < 1) return Status(StatusCode::Usage, "--iters must be at least 1", "");
  IB_RETURN_IF_ERROR(check_protocol(request));
  if (request.rounds < 1 || request.rounds > kMaxRounds) {
    return Status(StatusCode::Usage, "--rounds " + std::to_string(request.rounds) + " is out of range",
                  "use a count between 1 and " + std::to_string(kMaxRounds));
  }
  // NaN, inf and 1e400 parse as numbers; a week is longer than any cell is meant to run.
  for (const auto& [seconds, flag] : {std::pair{request.max_seconds, "--max-seconds"},
                                      std::pair{request.timeout_seconds, "--timeout"}}) {
    if (!(seconds > 0) || seconds > kMaxCellSeconds) {
      return Status(StatusCode::Usage, std::string(flag) + " " + shortest_number(seconds) + " is not a number of seconds",
                    "give seconds above 0 and at most a week (604800)");
    }
  }
  // The worker's hard limit must leave it its time budget, or every long cell is killed and its
  // measurements lost where it would have stopped at --max-seconds with a warning.
  if (request.timeout_seconds <= request.max_seconds) {
    return Status(StatusCode::Usage,
                  "--timeout " + shortest_number(request.timeout_seconds) + " s would kill a worker before its --max-seconds " +
                      shortest_number(request.max_seconds) + " s budget ends",
                  "give --timeout above --max-seconds, with room for compiling, the first inference and the parity pass");
  }
  if (Status threads = check_counts(request.threads, "--threads", 0, kMaxThreads,
                                    "use 0 (each framework's default) or a count between 1 and " +
                                        std::to_string(kMaxThreads));
      !threads.is_ok()) {
    return threads;
  }
  if (Status instances = check_counts(request.instances, "--instances", 1, kMaxChildren,
                                      "use a count between 1 and " + std::to_string(kMaxChildren));
      !instances.is_ok()) {
    return instances;
  }
  if (Status requests = check_counts(request.requests, "--requests", 0, kMaxRequests,
                                     "use 0 (each backend's recommendation) or a count between 1 and " +
                                         std::to_string(kMaxRequests));
      !requests.is_ok()) {
    return requests;
  }
  IB_RETURN_IF_ERROR(validate_serving(request));
  if (request.models.empty()) return Status(StatusCode::Usage, "--model is empty", "name a model or a file");
  if (std::set<std::string>(request.models.begin(), request.models.end()).size() != request.models.size()) {
    return Status(StatusCode::Usage, "--model names a model twice", "give each model once");
  }
  // Rows name a file by its file name, and reports group rows by that name.
  std::set<std::string> row_names;
  for (const std::string& model : request.models) {
    const std::string name = row_model_name(model);
    if (!row_names.insert(name).second) {
      return Status(StatusCode::Usage, "two of the --model files are called '" + name + "', and rows name a file by its name",
                    "copy one under another name");
    }
  }
  // A catalogue model has its own input shape; --input-shape given for it alone was ignored while
  // the run recorded it as asked.
  if (!request.sample_shape.empty() &&
      std::all_of(request.models.begin(), request.models.end(), [](const std::string& m) { return find_model(m) != nullptr; })) {
    return Status(StatusCode::Usage,
                  "--input-shape sets the input of a model FILE or FILE.py, and " + request.models.front() +
                      " is a known model with its own (" + shape_text(find_model(request.models.front())->sample_shape) + ")",
                  "drop --input-shape, or give the model as a file (your own FILE.py)");
  }
  if (request.weights && request.models.size() > 1) {
    return Status(StatusCode::Usage, "--weights is one model's checkpoint, but --model names " +
                                         std::to_string(request.models.size()) + " models",
                  "run the model with a checkpoint on its own, or drop --weights");
  }
  for (const std::string& model : request.models) {
    // A catalogue model or the user's FILE.py: built by the exporters, so --weights applies.
    const bool named_model = find_model(model) != nullptr || is_python_model(model);
    if (named_model && request.weights && !fs::is_regular_file(*request.weights)) {
      return Status(StatusCode::Input, "weights file " + request.weights->string() + " not found",
                    "give --weights an existing checkpoint (a torch state_dict)");
    }
    if (is_python_model(model) && !fs::is_regular_file(python_model_file(model))) {
      return Status(StatusCode::Input, "model file " + python_model_file(model).string() + " not found",
                    "give --model FILE.py[:NAME], FILE a Python file whose NAME (default `model`) builds the torch.nn.Module");
    }
    if (named_model) continue;
    std::error_code ec;
    if (!fs::exists(model, ec)) {
      std::vector<std::string> known;
      for (const auto& m : model_catalogue()) known.push_back(m.name);
      return Status(StatusCode::Input, "model '" + model + "' is neither a known model nor an existing file",
                    "use one of: " + join(known) + ", or a path to an artefact file");
    }
    if (request.weights) {
      return Status(StatusCode::Usage, "--weights applies to a named model, not to a model file",
                    "drop --weights or name the model's architecture (`inferbench models` lists them)");
    }
  }
  for (const auto& [data, flag, what] : {std::tuple{&request.input, "--input", "input data"},
                                         std::tuple{&request.calibration, "--calibration", "calibration data"}}) {
    std::error_code ec;
    if (!*data) continue;
    const bool npy = fs::is_regular_file(**data, ec) && (*data)->extension() == ".npy";
    if (!npy && !fs::is_directory(**data, ec)) {
      return Status(StatusCode::Input, std::string(what) + " " + (*data)->string() + " is neither a .npy file nor a folder",
                    "give " + std::string(flag) + " a .npy array shaped (N, C, H, W) or a folder of images");
    }
  }
  if (request.out_dir && !request.dry_run) {  // a dry run writes nothing, --out included
    std::error_code ec;
    fs::create_directories(*request.out_dir, ec);
    const fs::path probe = *request.out_dir / ".inferbench-write-test";
    std::ofstream out(probe);
    if (ec || !out) {
      return Status(StatusCode::Io, "cannot write to output folder " + request.out_dir->string(),
                    "choose a writable --out folder");
    }
    out.close();
    fs::remove(probe, ec);
  }
  return Status::ok();
}

namespace {

// One model of a run: what its rows call it, the backends that take part (for a user's file only
// those that load it, with only the variants that do), its cells and the rows it cannot run.
struct ModelPlan {
  std::size_t ordinal = 0;  // its place in --model, for the work folder's file names
  std::string host;         // a fleet run's host whose cells these are; empty = this machine
  std::string model;        // a catalogue name or the user's file path
  std::string row_model;    // what its rows call it: the name, or the file's name
  bool named = false;
  std::optional<Artefact> user_file;
  std::vector<BackendDescription> backends;
  std::map<std::string, std::vector<std::string>> selected_variants;  // backend -> variants; absent = all
  std::vector<Cell> cells;
  std::vector<Row> early_rows;
  bool reference_possible = false;
  std::vector<std::int64_t> sample_shape;  // one sample's input
};

// A user's file: only backends that load its suffix, and of a backend with variants only those
// that load it. A backend or variant asked for by name that cannot load it is an error.
Status keep_backends_for_file(ModelPlan& plan, const RunRequest& request) {
  auto artefact = user_artefact(plan.model, sample_shape_of(plan.model, request));
  if (!artefact) return artefact.status();
  plan.user_file = *artefact;
  const std::string suffix = file_suffix(plan.model);
  if (!request.backends.empty()) {
    for (const auto& d : plan.backends) {
      if (d.loadable && !d.suffixes.empty() && !contains(d.suffixes, suffix)) {
        return Status(StatusCode::Usage,
                      "backend '" + d.name + "' loads " + join(d.suffixes) + " files, not '" + suffix + "'",
                      "pick the backend for this file or give a matching --model");
      }
    }
  } else {
    std::vector<std::string> loadable;  // every suffix some available backend loads, for the hint
    for (const auto& d : plan.backends) {
      if (!d.loadable) continue;
      for (const auto& s : d.suffixes) {
        if (!contains(loadable, s)) loadable.push_back(s);
      }
    }
    std::erase_if(plan.backends, [&](const auto& d) {
      return !d.loadable || (!d.suffixes.empty() && !contains(d.suffixes, suffix));
    });
    if (plan.backends.empty()) {
      const std::string what = suffix.empty() ? "model file '" + plan.model + "' has no file suffix"
                                              : "no available backend loads '" + suffix + "' files";
      return Status(StatusCode::Usage, what,
                    "give an artefact file ending in one of " + join(loadable) +
                        " (`inferbench backends` says which backend loads which)");
    }
  }
  // An AOTInductor package is not a TorchScript module.
  for (auto& d : plan.backends) {
    if (!d.loadable) continue;
    for (const auto& name : plan.selected_variants[d.name]) {
      auto v = std::find_if(d.variants.begin(), d.variants.end(), [&](const auto& x) { return x.name == name; });
      if (v != d.variants.end() && !v->suffixes.empty() && !contains(v->suffixes, suffix)) {
        return Status(StatusCode::Usage,
                      "variant '" + d.name + ":" + name + "' loads " + join(v->suffixes) + " files, not '" + suffix + "'",
                      "pick the variant for this file or give a matching --model");
      }
    }
    std::erase_if(d.variants, [&](const auto& v) { return !v.suffixes.empty() && !contains(v.suffixes, suffix); });
  }
  std::erase_if(plan.selected_variants, [](const auto& entry) { return entry.second.empty(); });
  return Status::ok();
}

// Host `host`'s description of each backend in `names`, or one saying it has none.
std::vector<BackendDescription> host_backends(const std::vector<FleetHost>& hosts, const std::string& host,
                                              const std::vector<std::string>& names) {
  const FleetHost& h = *std::find_if(hosts.begin(), hosts.end(), [&](const FleetHost& x) { return x.name == host; });
  std::vector<BackendDescription> result;
  for (const auto& name : names) {
    auto it = std::find_if(h.backends.begin(), h.backends.end(), [&](const auto& d) { return d.name == name; });
    if (it != h.backends.end()) {
      result.push_back(*it);
      continue;
    }
    BackendDescription none;
    none.name = name;
    const BackendEntry* entry = find_backend(name);
    none.framework = entry ? entry->framework : name;
    if (entry) none.variants = catalogue_variants(*entry);
    none.reason = "host " + host + "'s inferbench has no backend '" + name + "'";
    result.push_back(std::move(none));
  }
  return result;
}

// A fleet host's plan: its cells and rows name it. A format compiled for the machine that runs it
// (an AOTInductor package) is built on the host itself (`built_there`: a catalogue model with its
// seeded weights, whose export needs nothing of this machine); otherwise (the user's own file,
// model code, weights or calibration data, which live here) such cells are unavailable on hosts,
// saying so.
void place_on_host(ModelPlan& plan, const FleetHost& host, bool built_there) {
  std::vector<Cell> cells;
  for (Cell& cell : plan.cells) {
    cell.host = host.name;
    const BackendDescription& d =
        *std::find_if(plan.backends.begin(), plan.backends.end(), [&](const auto& b) { return b.name == cell.backend; });
    auto v = std::find_if(d.variants.begin(), d.variants.end(), [&](const auto& x) { return x.name == cell.variant; });
    if (v != d.variants.end() && artefact_per_device(v->artefact_format) && !plan.user_file && !built_there) {
      plan.early_rows.push_back(status_row(cell, RowStatus::Unavailable,
                                           v->artefact_format + " artefacts are compiled for the machine that runs "
                                           "them, and a fleet host builds only catalogue models with seeded weights "
                                           "(your model file, weights and calibration data are on this machine): "
                                           "measure it on " + host.name + " without --cluster"));
      continue;
    }
    cells.push_back(std::move(cell));
  }
  plan.cells = std::move(cells);
  for (Row& row : plan.early_rows) row.host = RowHost{host.name, host.env, false};
}

// The model's matrix: a cell per backend variant, device, precision, scenario, batch, instance
// count and thread count, numbered from `index` on. Combinations a backend cannot run become
// unavailable rows.
void expand_matrix(ModelPlan& plan, const RunRequest& request, int& index) {
  for (const auto& d : plan.backends) {
    const auto chosen = plan.selected_variants.find(d.name);
    const std::vector<std::string> selected =
        chosen != plan.selected_variants.end() ? chosen->second : std::vector<std::string>{};
    const std::vector<std::string> declared_scenarios = d.loadable ? d.scenarios : std::vector<std::string>{"sync"};
    const auto& scenarios = !request.scenarios.empty() ? request.scenarios : declared_scenarios;
    for (const VariantCell& planned : expand_variants(d.name, d.variants, selected, request.devices, request.precisions)) {
      const std::string& device = planned.target.device;
      const std::string& precision = planned.target.precision;
      const VariantDescription* variant = planned.variant ? &d.variants[*planned.variant] : nullptr;
      // A thread sweep applies to CPU rows; other devices run once, with the first count.
      const std::vector<int> thread_counts =
          device == "cpu" ? request.threads : std::vector<int>{request.threads.front()};
      for (const auto& scenario : scenarios) {
        // Request counts apply to the scenarios that keep several requests in flight; the others
        // run one at a time, once.
        const std::vector<int> request_counts = has_requests_in_flight(scenario) ? request.requests : std::vector<int>{0};
        for (int batch : request.batches) {
          for (int instances : request.instances) {
            for (int requests : request_counts) {
            for (int requested_threads : thread_counts) {
              // Several CPU instances at the frameworks' default share the cores out between them.
              const int threads = requested_threads == 0 && instances > 1 && device == "cpu"
                                      ? std::max(1, usable_cpu_count() / instances)
                                      : requested_threads;
              Cell cell;
              cell.index = index++;
              cell.backend = d.name;
              cell.variant = variant ? variant->name : "";
              cell.plugin_path = d.plugin_path;
              cell.framework = variant ? variant->framework : d.framework;
              cell.device = device;
              cell.precision = precision;
              cell.scenario = scenario;
              cell.model = plan.row_model;
              cell.batch = batch;
              cell.protocol.name = request.protocol;
              cell.protocol.targets = request.targets;
              cell.warmup = cell.protocol.adaptive() ? request.warmup_max : request.warmup;
              cell.iterations = cell.protocol.adaptive() ? kAdaptiveMaxSamples : request.iterations;
              cell.max_seconds = request.max_seconds;
              cell.min_energy_window_s = request.min_energy_window_s;
              cell.profile.enabled = request.profile;
              cell.profile.runs = request.profile_runs;
              cell.threads = threads;
              cell.instances = instances;
              cell.requests = requests;
              cell.serving = request.serving;
              cell.seed = request.seed;
              if (auto it = request.backend_options.find(d.name); it != request.backend_options.end()) {
                cell.options = it->second;
              }
              cell.requested["threads"] = threads ? std::to_string(threads) : "default";
              if (cell.protocol.adaptive()) add_adaptive_requested(request, cell.requested);
              if (has_requests_in_flight(scenario)) cell.requested["requests"] = requests ? std::to_string(requests) : "default";
              // A server row's bound, also on a row that failed before LoadGen judged anything:
              // `report A B` matches server rows by it.
              if (scenario == "server") {
                cell.requested["latency_bound_ms"] = shortest_number(request.serving.latency_bound_ms.value_or(100.0));
                cell.requested["latency_percentile"] = shortest_number(request.serving.latency_percentile);
              }
              for (const auto& [k, v] : cell.options) cell.requested[k] = v;
              if (!d.loadable) {
                plan.early_rows.push_back(status_row(cell, RowStatus::Unavailable, d.reason));
              } else if (planned.offer == Offer::NoDevice) {
                plan.early_rows.push_back(status_row(cell, RowStatus::Unavailable, planned.why));
              } else if (d.unavailable_devices.count(device)) {
                plan.early_rows.push_back(status_row(cell, RowStatus::Unavailable, d.unavailable_devices.at(device)));
              } else if (planned.offer == Offer::NoTarget) {
                plan.early_rows.push_back(status_row(cell, RowStatus::Unavailable, planned.why));
              } else if (scenario != "sync" && !contains(d.scenarios, scenario) && !d.request_slots) {
                plan.early_rows.push_back(status_row(cell, RowStatus::Unavailable,
                                                     d.name + " has no request slots, so no '" + scenario +
                                                         "' scenario (it runs " + join(d.scenarios) + ")"));
              } else {
                plan.cells.push_back(std::move(cell));
              }
            }
            }
          }
        }
      }
    }
  }
}

}  // namespace

Status Driver::run(const RunRequest& request, const RunListener& listener) const {
  IB_RETURN_IF_ERROR(validate(request));
  auto progress = [&](const std::string& text) {
    if (listener.progress) listener.progress(text);
  };
  // With several models, every cell's label starts with its model.
  const bool several_models = request.models.size() > 1;
  auto label_of = [&](const Cell& cell) {
    return (cell.host.empty() ? std::string() : "host " + cell.host + ": ") +
           (several_models ? cell.model + " " : std::string()) + cell_label(cell);
  };

  // Which backends, described by their plugins, and which of their variants: a backend named
  // alone means all of them, "torch:aoti" one.
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::string>> selected_variants;  // backend -> variants; absent = all
  std::set<std::string> whole_backends;
  for (const auto& text : request.backends) {
    const BackendSelector selector = parse_backend_selector(text);
    if (!contains(names, selector.backend)) names.push_back(selector.backend);
    if (selector.variant.empty()) {
      whole_backends.insert(selector.backend);
    } else if (!contains(selected_variants[selector.backend], selector.variant)) {
      selected_variants[selector.backend].push_back(selector.variant);
    }
  }
  for (const auto& name : whole_backends) selected_variants.erase(name);
  if (names.empty()) {
    for (const auto& e : backend_catalogue()) {
      if (!e.testing) names.push_back(e.name);
    }
  }
  std::vector<BackendDescription> backends;
  for (const auto& name : names) backends.push_back(describe_backend(name));

  // A fleet run (--cluster): the cluster's hosts, each described by its own inferbench, before
  // anything runs. Options are checked against the first host that has the backend.
  fs::path work = request.out_dir ? *request.out_dir / "work"
                                  : fs::temp_directory_path() / ("inferbench-" + std::to_string(getpid()));
  std::error_code ec;
  std::unique_ptr<FleetCoordinator> coordinator;
  std::vector<FleetHost> fleet_hosts;
  if (request.cluster) {
    fs::create_directories(work / "logs", ec);
    progress("connecting to the Ray cluster at " + *request.cluster);
    auto started = FleetCoordinator::start(*request.cluster, work / "logs" / "fleet.log");
    if (!started) return started.status();
    coordinator = std::move(*started);
    progress("asking every host what it can run");
    auto found = coordinator->discover(kDescribeTimeout + std::chrono::seconds(60));
    if (!found) return found.status();
    IB_RETURN_IF_ERROR(choose_hosts(*found, request.hosts, build_revision(), fleet_hosts, progress));
    for (auto& d : backends) {
      for (const FleetHost& host : fleet_hosts) {
        auto theirs = std::find_if(host.backends.begin(), host.backends.end(), [&](const auto& b) { return b.name == d.name; });
        if (theirs != host.backends.end() && theirs->loadable) {
          d = *theirs;
          break;
        }
      }
    }
  }

  // Options must name a selected backend and a key it declares.
  for (const auto& [backend, pairs] : request.backend_options) {
    auto it = std::find_if(backends.begin(), backends.end(), [&](const auto& d) { return d.name == backend; });
    if (it == backends.end()) {
      return Status(StatusCode::Usage, "--backend-option names backend '" + backend + "' which is not selected",
                    "add it to --backends or drop the option");
    }
    if (!it->loadable) continue;  // its rows will say why it is unavailable
    for (const auto& [key, value] : pairs) {
      std::vector<std::string> keys;
      const nlohmann::json* declared = nullptr;
      for (const auto& o : it->options) {
        keys.push_back(o.value("name", ""));
        if (o.value("name", "") == key) declared = &o;
      }
      if (!declared) {
        return Status(StatusCode::Usage, "backend '" + backend + "' has no option '" + key + "'",
                      keys.empty() ? "it accepts no options" : "its options are: " + join(keys));
      }
      if (auto wrong = option_value_error(declared->value("type", ""), value)) {
        return Status(StatusCode::Usage, "option " + backend + ":" + key + " " + *wrong,
                      "see `inferbench backends` for its values");
      }
    }
  }

  // The FP32 reference for parity: PyTorch's eager module on the CPU, per model and batch, on
  // the same seeded input.
  auto torch_it = std::find_if(backends.begin(), backends.end(), [](const auto& d) { return d.name == kReferenceBackend; });
  BackendDescription torch = torch_it != backends.end() ? *torch_it : describe_backend(kReferenceBackend);
  const auto reference_variant = std::find_if(torch.variants.begin(), torch.variants.end(),
                                              [](const auto& v) { return v.name == kReferenceVariant; });
  const Target reference_target{"cpu", "fp32"};
  const bool torch_usable = torch.loadable && reference_variant != torch.variants.end() &&
                            reference_variant->runs(reference_target) && !torch.unavailable_devices.count("cpu");
  const std::string reference_label =
      reference_variant != torch.variants.end() ? reference_variant->framework + " CPU FP32" : "";

  // Every model's matrix, before anything runs: a model that cannot run stops the run here, not
  // after the models before it were measured.
  // A fleet run plans each model once per host, over what that host can run.
  std::vector<std::string> plan_hosts{""};
  if (coordinator) {
    plan_hosts.clear();
    for (const FleetHost& host : fleet_hosts) plan_hosts.push_back(host.name);
  }
  std::vector<ModelPlan> plans;
  int index = 0;
  for (std::size_t m = 0; m < request.models.size(); ++m)
  for (const std::string& host : plan_hosts) {
    const std::string& model = request.models[m];
    ModelPlan plan;
    plan.ordinal = m;
    plan.host = host;
    plan.model = model;
    plan.named = find_model(model) != nullptr || is_python_model(model);
    plan.row_model = row_model_name(model);
    plan.sample_shape = sample_shape_of(model, request);
    if (is_python_model(model)) {  // the exporters run elsewhere: an absolute path, NAME kept
      plan.model = fs::absolute(python_model_file(model)).string() + model.substr(model.rfind(".py") + 3);
    }
    plan.backends = host.empty() ? backends : host_backends(fleet_hosts, host, names);
    plan.selected_variants = selected_variants;
    if (!plan.named) IB_RETURN_IF_ERROR(keep_backends_for_file(plan, request));
    expand_matrix(plan, request, index);
    if (!host.empty()) {
      const bool built_there = find_model(model) != nullptr && !request.weights && !request.calibration;
      place_on_host(plan, *std::find_if(fleet_hosts.begin(), fleet_hosts.end(), [&](const FleetHost& h) { return h.name == host; }),
                    built_there);
    }
    plan.reference_possible =
        torch_usable && (plan.named || contains(reference_variant->suffixes, file_suffix(model)));
    plans.push_back(std::move(plan));
  }
  // A cluster whose hosts can run nothing asked: one line, before anything runs.
  if (coordinator && std::all_of(plans.begin(), plans.end(), [](const ModelPlan& p) { return p.cells.empty(); })) {
    std::string why;
    for (const ModelPlan& plan : plans) {
      if (!plan.early_rows.empty()) {
        why = ": host " + plan.host + " says " + plan.early_rows.front().error;
        break;
      }
    }
    return Status(StatusCode::Unavailable, "no host of the cluster can run any cell asked" + why,
                  "see what each host has with --dry-run, or `inferbench backends` on the host");
  }
  // --resume: what the run has already measured is neither run nor given again; a cell whose host
  // was lost is run again.
  if (!request.resumed_rows.empty()) {
    std::set<std::string> measured, given;
    for (const Row& row : request.resumed_rows) {
      given.insert(row_identity(row));
      if (!row.host || !row.host->lost) measured.insert(row_identity(row));
    }
    for (ModelPlan& plan : plans) {
      std::erase_if(plan.cells, [&](const Cell& c) { return measured.count(cell_identity(c)) > 0; });
      std::erase_if(plan.early_rows, [&](const Row& r) { return given.count(row_identity(r)) > 0; });
    }
  }

  // Artefacts, one per model and (format, precision of the artefact), per device for formats
  // compiled for one device (artefact_per_device) and per batch for formats compiled for one
  // input shape (artefact_per_batch). `key` tells one model's artefacts apart
  // ("aoti-fp16-cuda-b64", "aoti-fp16-cuda-b64-aoti-autotune=max").
  ArtefactCache cache(paths_.artefact_root, project_python(), exporter_dir());
  struct PlannedExport {
    std::string key;
    ExportRequest request;
  };
  auto planned_export = [&](const ModelPlan& plan, const std::string& format, const Cell& cell,
                            const std::map<std::string, std::string>& extra_flags = {}) {
    const bool per_batch = artefact_per_batch(format);
    const bool per_device = artefact_per_device(format);
    const std::string exported_precision = artefact_precision(format, cell.precision);
    auto flags = exporter_flags(format, cell.options);
    flags.insert(extra_flags.begin(), extra_flags.end());
    std::string key = format + "-" + exported_precision + (per_device ? "-" + cell.device : "") +
                      (per_batch ? "-b" + std::to_string(cell.batch) : "");
    for (const auto& [flag, value] : flags) {
      key.append("-").append(flag, flag.find_first_not_of('-')).append("=").append(value);
    }
    // INT8 artefacts are calibrated on the user's data when given.
    const bool calibrated = request.calibration && exported_precision == "int8";
    if (calibrated) key += "-calibrated";
    return PlannedExport{key,
                         {plan.model, format, exported_precision, request.seed, request.weights,
                          per_batch ? std::optional<int>(cell.batch) : std::nullopt,
                          per_device ? std::optional<std::string>(cell.device) : std::nullopt, flags,
                          calibrated ? request.calibration : std::nullopt,
                          is_python_model(plan.model) ? plan.sample_shape : std::vector<std::int64_t>{}}};
  };
  // Whether a fleet host builds cell's artefact itself: a format compiled for the machine that runs
  // it (place_on_host kept such a cell on a host only when the host can build it).
  auto built_on_host = [](const Cell& cell, const std::string& format) {
    return !cell.host.empty() && artefact_per_device(format);
  };
  // Whether `c` is a measured cell that also yields batch `batch`'s reference output.
  // One process only: several instances would read the file while instance 0 writes it.
  auto produces_reference = [&](const Cell& c, int batch) {
    return c.host.empty() && c.backend == kReferenceBackend && c.variant == kReferenceVariant && c.device == "cpu" &&
           c.precision == "fp32" && c.scenario == "sync" && c.batch == batch && c.instances == 1;
  };
  // The hidden cell that only computes batch `batch`'s reference output (no warm-up, one
  // iteration), for a model without such a measured cell.
  auto reference_cell = [&](const ModelPlan& plan, int batch) {
    Cell ref;
    ref.backend = kReferenceBackend;
    ref.variant = kReferenceVariant;
    ref.plugin_path = torch.plugin_path;
    ref.framework = reference_variant->framework;
    ref.device = "cpu";
    ref.precision = "fp32";
    ref.model = plan.row_model;
    ref.batch = batch;
    ref.warmup = 0;
    ref.iterations = 1;
    ref.max_seconds = request.max_seconds;
    ref.threads = request.threads.front();
    ref.seed = request.seed;
    return ref;
  };
  // The batches of `plan` whose reference needs a hidden cell.
  auto hidden_reference_batches = [&](const ModelPlan& plan) {
    std::vector<int> batches;
    if (!plan.reference_possible || plan.cells.empty()) return batches;
    for (int batch : request.batches) {
      if (std::none_of(plan.cells.begin(), plan.cells.end(), [&](const Cell& c) { return produces_reference(c, batch); })) {
        batches.push_back(batch);
      }
    }
    return batches;
  };
  // The description and variant a cell runs (the reference backend's even when not selected).
  // (A fleet host's plan has that host's descriptions; the hidden reference cells run here.)
  auto backend_of = [&](const ModelPlan& plan, const Cell& cell) -> const BackendDescription& {
    if (cell.backend == kReferenceBackend && cell.host.empty()) return torch;
    return *std::find_if(plan.backends.begin(), plan.backends.end(), [&](const auto& b) { return b.name == cell.backend; });
  };
  auto variant_of = [&](const ModelPlan& plan, const Cell& cell) -> const VariantDescription& {
    const BackendDescription& d = backend_of(plan, cell);
    return *std::find_if(d.variants.begin(), d.variants.end(), [&](const auto& v) { return v.name == cell.variant; });
  };

  if (request.dry_run) {
    RunPlan run_plan;
    for (const ModelPlan& plan : plans) {
      run_plan.unavailable.insert(run_plan.unavailable.end(), plan.early_rows.begin(), plan.early_rows.end());
    }
    auto plan_cell = [&](const ModelPlan& plan, const Cell& cell, const std::string& format, bool reference) {
      PlannedCell planned{label_of(cell), "", std::nullopt, plan.user_file.has_value(), reference};
      if (plan.user_file) {
        planned.artefact = "your file";
        planned.cached = plan.user_file->file;
      } else if (format != "none") {
        const PlannedExport e = planned_export(plan, format, cell);
        planned.artefact = (several_models ? plan.row_model + " " : std::string()) + e.key;
        if (built_on_host(cell, format)) {
          planned.artefact += " (built on host " + cell.host + ")";
        } else {
          planned.cached = cache.cached(e.request);
        }
      }
      run_plan.cells.push_back(std::move(planned));
    };
    for (const ModelPlan& plan : plans) {
      for (const Cell& cell : plan.cells) plan_cell(plan, cell, variant_of(plan, cell).artefact_format, false);
    }
    // The parity reference (torch:eager cpu fp32 sync) runs hidden for each model and batch
    // without such a cell.
    std::set<std::pair<std::size_t, int>> planned_references;  // (model, batch): one per model in a fleet
    for (const ModelPlan& plan : plans) {
      for (int batch : hidden_reference_batches(plan)) {
        if (!planned_references.insert({plan.ordinal, batch}).second) continue;
        plan_cell(plan, reference_cell(plan, batch), reference_variant->artefact_format, true);
      }
    }
    if (listener.plan) listener.plan(run_plan);
    coordinator.reset();
    if (!request.out_dir) fs::remove_all(work, ec);
    return Status::ok();
  }

  const auto has_cpu_cell = [](const ModelPlan& plan) {
    return std::any_of(plan.cells.begin(), plan.cells.end(), [](const Cell& c) { return c.device == "cpu"; });
  };
  // Work folder for cell files, reference outputs, input data and logs.
  fs::create_directories(work / "logs", ec);
  if (ec) return Status(StatusCode::Io, "cannot create work folder " + work.string() + ": " + ec.message());

  // The user's own FILE.py models, built and run once, and the user's input and calibration data
  // (--input, --calibration), once per sample shape, before anything runs: a model that does not
  // run, or data that does not fit it, stops the run here. The exporters read the calibration
  // data themselves; this checks it and records what it is.
  std::map<std::vector<std::int64_t>, InputData> inputs;
  // (A fleet's CPU rows are bounded by their own host's peak, which this machine cannot measure.)
  RunStart start{!coordinator && std::any_of(plans.begin(), plans.end(), has_cpu_cell), nullptr, nullptr};
  // --input: the samples the parity pass runs (--eval-samples), at least those a batch takes (the
  // largest batch's); --calibration: all of them.
  const int largest_batch = *std::max_element(request.batches.begin(), request.batches.end());
  const std::optional<int> input_limit =
      request.eval_samples > 0 ? std::optional<int>(std::max(largest_batch, request.eval_samples)) : std::nullopt;
  const auto prepare_data = [&](const fs::path& source, const std::string& name, std::optional<int> limit,
                                const std::optional<fs::path>& labels,
                                std::map<std::vector<std::int64_t>, InputData>& prepared, nlohmann::json& described) {
    described = nlohmann::json::array();
    for (const ModelPlan& plan : plans) {
      const std::vector<std::int64_t>& shape = plan.sample_shape;
      if (prepared.count(shape)) continue;
      const std::string file = name + "-" + std::to_string(prepared.size());
      // What the data became, and how long a large folder of images took to read (a source that
      // does not fit stays one line: the error).
      const auto reading_started = Clock::now();
      auto data = prepare_input_data(source, shape, work / (file + ".f32"), limit,
                                     request.out_dir ? std::optional<fs::path>(work / "logs" / (file + ".log")) : std::nullopt,
                                     labels);
      if (!data) {
        return Status(data.status().code(), "--" + name + ": " + data.status().message(), data.status().hint());
      }
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", std::chrono::duration<double>(Clock::now() - reading_started).count());
      progress("read " + std::to_string(data->samples) + " of the " +
               std::to_string(data->description.value("available", data->samples)) + " samples of --" + name + " (" +
               source.string() + ") as " + shape_text(shape) + (data->labels_file ? ", with labels," : "") + " in " +
               seconds + " s");
      nlohmann::json description = data->description;
      description["sample_shape"] = shape;
      described.push_back(std::move(description));
      prepared.emplace(shape, std::move(*data));
    }
    return Status::ok();
  };
  Status data_status = Status::ok();
  for (const ModelPlan& plan : plans) {
    if (data_status && is_python_model(plan.model)) {
      data_status = check_python_model(plan.model, plan.sample_shape, request.seed, request.weights);
    }
  }
  if (data_status && request.input) {
    data_status = prepare_data(*request.input, "input", input_limit, request.labels, inputs, start.input);
  }
  if (data_status && request.calibration) {
    std::map<std::vector<std::int64_t>, InputData> calibration;
    data_status = prepare_data(*request.calibration, "calibration", std::nullopt, std::nullopt, calibration,
                               start.calibration);
    for (const auto& [shape, data] : calibration) fs::remove(data.file, ec);
  }
  if (!data_status) {
    if (!request.out_dir) fs::remove_all(work, ec);
    return data_status;
  }

  if (listener.started) listener.started(start);
  std::size_t rows_given = 0;  // rows given to the listener so far: the next one's position
  const auto give_row = [&](const Row& row) {
    listener.row(row);
    return rows_given++;
  };
  for (const ModelPlan& plan : plans) {
    for (const auto& row : plan.early_rows) give_row(row);
  }

  std::map<std::pair<std::size_t, std::string>, Result<Artefact>> artefacts;  // (model, key) ->
  CellProgressTracker* current_tracker = nullptr;  // the cell being prepared, for its export phase
  // The run's time left (CellPhase::run_eta_s): set for each cell before it starts.
  std::optional<double> later_s;         // the cells to run after this one; empty = unknown
  std::optional<double> previous_run_s;  // how long this cell took the last time it ran
  const auto show_phase = [&](CellPhase phase) {
    std::optional<double> own = phase.eta_s;
    if (!own && previous_run_s) own = std::max(0.0, *previous_run_s - phase.elapsed_s);
    if (later_s && own) phase.run_eta_s = *own + *later_s;
    listener.phase(phase);
  };
  auto artefact_for = [&](const ModelPlan& plan, const std::string& format, const Cell& cell,
                          const std::map<std::string, std::string>& extra_flags = {}) -> const Result<Artefact>& {
    const PlannedExport planned = planned_export(plan, format, cell, extra_flags);
    const std::pair<std::size_t, std::string> key{plan.ordinal, planned.key};
    const ExportRequest& export_request = planned.request;
    auto it = artefacts.find(key);
    if (it != artefacts.end()) return it->second;
    if (plan.user_file) return artefacts.emplace(key, *plan.user_file).first->second;
    if (format == "none") {
      Artefact none;
      none.model = plan.model;
      none.sample_shape = plan.sample_shape;
      return artefacts.emplace(key, none).first->second;
    }
    const std::string device_part = export_request.device ? " " + *export_request.device : "";
    const std::string batch_part = export_request.batch ? " batch " + std::to_string(*export_request.batch) : "";
    std::string flag_part;
    for (const auto& [flag, value] : export_request.flags) flag_part += " " + flag + " " + value;
    progress("export " + plan.model + " -> " + format + " " + export_request.precision + device_part +
             batch_part + flag_part);
    if (listener.phase && current_tracker) show_phase(current_tracker->set_phase(kPhaseExport, Clock::now()));
    auto result = cache.get(export_request, work / "logs" / ("export-" + plan.row_model + "-" + planned.key + ".log"));
    if (result) {
      progress(std::string(result->cached ? "cached " : "exported ") + result->file.string());
    }
    return artefacts.emplace(key, std::move(result)).first->second;
  };

  // Each model's cells: its reference producers first, then its matrix in order.
  // In a fleet, each model's plans (one per host) share one reference per batch, computed here.
  std::set<int> hidden_reference_cells;
  std::set<std::pair<std::size_t, int>> references_made;  // (model, batch)
  for (ModelPlan& plan : plans) {
    std::vector<Cell>& cells = plan.cells;
    for (int batch : request.batches) {
      if (!plan.reference_possible || cells.empty()) break;
      const fs::path reference_file =
          work / ("reference-m" + std::to_string(plan.ordinal) + "-b" + std::to_string(batch) + ".f32");
      auto producer = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) { return produces_reference(c, batch); });
      if (producer != cells.end()) {
        producer->reference_out = reference_file.string();
      } else if (references_made.insert({plan.ordinal, batch}).second) {
        Cell ref = reference_cell(plan, batch);
        ref.index = index++;
        ref.reference_out = reference_file.string();
        hidden_reference_cells.insert(ref.index);
        cells.push_back(ref);
      }
      for (auto& c : cells) {
        if (c.batch == batch) {
          c.reference_in = reference_file.string();
          c.reference_label = reference_label;
        }
      }
    }
    std::stable_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
      return !a.reference_out.empty() && b.reference_out.empty();
    });
    if (request.input) {
      const InputData& data = inputs.at(plan.sample_shape);
      const int evaluated = request.eval_samples > 0 ? std::min(request.eval_samples, data.samples) : data.samples;
      for (Cell& cell : cells) {
        cell.input_file = data.file.string();
        cell.input_samples = data.samples;
        cell.requested["input"] = request.input->string();
        // Parity and accuracy on every sample read, each once (the reference cell writes them all);
        // a cell without a reference (a user's artefact file) still scores the labels.
        if (!cell.reference_in.empty() || !cell.reference_out.empty() || data.labels_file) {
          cell.eval_samples = evaluated;
          if (data.labels_file) cell.labels_file = data.labels_file->string();
        }
      }
    }
  }

  // With --rounds N the whole matrix runs N times in turn (the hidden reference cells once); a
  // cell's row is final after its last round, or after a round that was not ok.
  const int rounds = request.rounds;
  int total = 0;
  for (const ModelPlan& plan : plans) total += static_cast<int>(plan.cells.size());
  total = (total - static_cast<int>(hidden_reference_cells.size())) * rounds;
  int done = 0;
  std::vector<std::map<int, std::string>> reference_failures(plans.size());  // per model: batch -> why
  std::map<int, std::vector<Row>> round_rows;  // cell index -> its rows of the rounds so far
  std::map<int, std::size_t> given_rows;       // cell index -> position of its row given so far
  std::set<int> finished;                      // cells whose row is final before the last round
  // Every (round, cell) in the order they run (the steps), and how long each cell took the last
  // time it ran (its export left out: done once, in round 1): the run's time left once every cell
  // to come has run before.
  struct Step {
    int round = 1;
    std::size_t plan = 0;
    std::size_t cell = 0;
  };
  std::vector<Step> steps;
  for (int round = 1; round <= rounds; ++round) {
    for (std::size_t p = 0; p < plans.size(); ++p) {
      for (std::size_t c = 0; c < plans[p].cells.size(); ++c) {
        if (round == 1 || !hidden_reference_cells.count(plans[p].cells[c].index)) steps.push_back({round, p, c});
      }
    }
  }
  const auto cell_of = [&](std::size_t i) -> Cell& { return plans[steps[i].plan].cells[steps[i].cell]; };
  std::map<int, double> cell_seconds;
  const auto time_after = [&](std::size_t step) -> std::optional<double> {
    double sum = 0;
    bool any = false;
    for (std::size_t s = step + 1; s < steps.size(); ++s) {
      const int index = cell_of(s).index;
      if (finished.count(index)) continue;
      const auto known = cell_seconds.find(index);
      if (known == cell_seconds.end()) return std::nullopt;
      sum += known->second;
      any = true;
    }
    return any ? std::optional<double>(sum) : std::nullopt;
  };
  // A worker's row, or a failed row saying how the worker ended.
  const auto worker_row = [&](const Cell& cell, const Result<ChildOutcome>& outcome) {
    if (!outcome) {
      return status_row(cell, RowStatus::Failed,
                        (cell.host.empty() ? "cannot start worker: " : std::string()) + outcome.status().to_string());
    }
    auto reply = nlohmann::json::parse(last_line(outcome->stdout_text), nullptr, false);
    if (outcome->exited && outcome->exit_code == 0 && !reply.is_discarded() && reply.is_object()) {
      return reply.get<Row>();
    }
    std::string error = (cell.host.empty() ? "worker " : "worker on host " + cell.host + " ") + describe_outcome(*outcome);
    if (outcome->timed_out) {
      error += " (--timeout " + shortest_number(request.timeout_seconds) + " s)";
    }
    if (auto why = last_line(outcome->stderr_tail); !why.empty() && !outcome->timed_out && !outcome->stopped) {
      error += ": " + why;
    }
    // The worker handed over its measured row before a profiling pass that then ended it: the row
    // stands, without a profile.
    if (!reply.is_discarded() && reply.is_object()) {
      Row measured = reply.get<Row>();
      if (measured.status == RowStatus::Ok && measured.profile && measured.profile->reason == kProfileUnfinished) {
        measured.profile->reason = std::string(kProfileUnfinished) + ": " + error;
        measured.warnings.push_back("no profile: " + measured.profile->reason);
        return measured;
      }
    }
    Row failed = status_row(cell, RowStatus::Failed, error);
    failed.peak_rss_mb = outcome->peak_rss_mb;
    return failed;
  };

  // The steps run through an executor: this machine's, one cell at a time, or in a fleet the
  // hosts', one cell at a time per host and hosts at once. A host runs its own steps in their
  // order; in a fleet the hidden reference cells (on this machine) come first, so that no host
  // measures while this machine computes a reference, and every host's cell finds it.
  LocalExecutor local(paths_.worker_executable);
  std::unique_ptr<RayExecutor> remote = coordinator ? std::make_unique<RayExecutor>(*coordinator) : nullptr;
  const auto executor_for = [&](const std::string& host) -> CellExecutor& {
    if (host.empty()) return local;
    return *remote;
  };
  // A step under way: what finishing it needs.
  struct Running {
    std::string label;
    int round = 1;
    Clock::time_point started;
    std::unique_ptr<CellProgressTracker> tracker;
    const Artefact* artefact = nullptr;
    fs::path gate;
  };
  std::map<std::size_t, Running> running;  // step -> (the job id is the step)
  std::set<std::string> busy_hosts;        // hosts running a step
  std::map<std::string, std::string> gone_hosts;  // host -> what happened to it
  std::vector<bool> taken(steps.size(), false);

  // A row of a fleet run names its host (the host's record), and whether the host was lost.
  const auto on_host = [&](Row row, const std::string& host, bool lost = false) {
    if (!host.empty()) {
      const auto h = std::find_if(fleet_hosts.begin(), fleet_hosts.end(), [&](const FleetHost& x) { return x.name == host; });
      row.host = RowHost{host, h != fleet_hosts.end() ? h->env : nlohmann::json::object(), lost};
    }
    return row;
  };
  // A cell's row is final: given (or, measured in rounds, its rows so far revised).
  const auto give_final = [&](const Cell& cell, Row row) {
    if (auto given = given_rows.find(cell.index); given != given_rows.end() && listener.revise) {
      listener.revise(given->second, row);
    } else {
      give_row(row);
    }
  };

  // Prepares step `i` and hands it to its host's executor; false when it ends here (a cell whose
  // row is already final, an export that failed, a host that is gone).
  const auto start_step = [&](std::size_t i) -> bool {
    const Step& s = steps[i];
    ModelPlan& plan = plans[s.plan];
    Cell& cell = cell_of(i);
    const int round = s.round;
    const bool hidden = hidden_reference_cells.count(cell.index) > 0;
    if (finished.count(cell.index)) return false;
    std::map<int, std::string>& failures = reference_failures[plan.ordinal];
    if (auto gone = gone_hosts.find(cell.host); gone != gone_hosts.end()) {
      done += rounds - round + 1;
      finished.insert(cell.index);
      give_final(cell, on_host(status_row(cell, RowStatus::Failed, "not run: " + gone->second), cell.host, true));
      return false;
    }
    later_s = time_after(i);
    const auto last_time = cell_seconds.find(cell.index);
    previous_run_s = last_time == cell_seconds.end() ? std::nullopt : std::optional<double>(last_time->second);
    const VariantDescription& variant = variant_of(plan, cell);
    const std::string label = (rounds > 1 ? "round " + std::to_string(round) + "/" + std::to_string(rounds) + " "
                                          : std::string()) +
                              label_of(cell);
    Running r;
    r.label = label;
    r.round = round;
    // Live progress of this cell, from its export (if any) until its row is final.
    r.tracker = std::make_unique<CellProgressTracker>(hidden ? 0 : done + 1, total, label,
                                                      cell.protocol.adaptive() ? cell.protocol.targets.min_samples : cell.iterations,
                                                      cell.max_seconds, Clock::now());
    r.tracker->set_open_ended(cell.protocol.adaptive());
    current_tracker = cell.host.empty() ? r.tracker.get() : nullptr;
    // An artefact the host builds (built_on_host) is exported there, in the cell's own task.
    const bool host_builds = !plan.user_file && built_on_host(cell, variant.artefact_format);
    static const Result<Artefact> kBuiltThere = Artefact{};
    const auto& artefact = host_builds ? kBuiltThere : artefact_for(plan, variant.artefact_format, cell);
    current_tracker = nullptr;
    // The cell's time from here on: its export, done once, is not part of its later rounds.
    r.started = Clock::now();
    if (!artefact) {
      if (!hidden) {
        done += rounds - round + 1;  // its later rounds would fail alike
        finished.insert(cell.index);
        give_final(cell, on_host(status_row(cell, RowStatus::Failed, artefact.status().to_string()), cell.host));
      } else {
        failures[cell.batch] = artefact.status().to_string();
      }
      return false;
    }
    r.artefact = host_builds ? nullptr : &*artefact;
    cell.artefact = host_builds ? std::string() : artefact->file.string();
    // An AOTInductor package calls its kernels with no profiler marker: the profiling pass loads a
    // package exported with them (export.py --aoti-markers profile), which is never timed as a row.
    // Should that export fail, the pass runs on the row's package and its profile says why.
    if (cell.profile.enabled && !hidden && round == 1 && !host_builds && !plan.user_file &&
        variant.artefact_format == "aoti") {
      current_tracker = cell.host.empty() ? r.tracker.get() : nullptr;
      const auto& marked = artefact_for(plan, variant.artefact_format, cell, {{"--aoti-markers", "profile"}});
      current_tracker = nullptr;
      if (marked) cell.profile.artefact = marked->file.string();
    }
    cell.input_shape = {cell.batch};
    const std::vector<std::int64_t>& sample_shape = host_builds ? plan.sample_shape : artefact->sample_shape;
    cell.input_shape.insert(cell.input_shape.end(), sample_shape.begin(), sample_shape.end());
    // A reference that failed to appear leaves the cell without parity rather than failing it.
    if (!cell.reference_in.empty() && failures.count(cell.batch)) cell.reference_in.clear();
    if (!cell.reference_in.empty() && cell.reference_out.empty() && !fs::exists(cell.reference_in)) {
      cell.reference_in.clear();
    }

    progress(hidden ? "[reference] " + label + ": computing the FP32 reference output"
                    : "[" + std::to_string(done + 1) + "/" + std::to_string(total) + "] " + label + ": running");
    // One worker per instance (one for most cells), all started at once; instance 0 reports
    // progress and writes the reference output. They meet in `gate` (worker/instance_gate.h).
    const std::string cell_name = "cell-" + std::to_string(cell.index) + "-" + cell.backend;
    // What the cell's files are called: its worker log, its LoadGen logs.
    const std::string cell_stem = cell_name + "-" + (cell.host.empty() ? "" : cell.host + "-") +
                                  (cell.variant.empty() ? "" : cell.variant + "-") + cell.device + "-" + cell.precision +
                                  "-" + cell.scenario + "-b" + std::to_string(cell.batch) +
                                  (cell.requests ? "-q" + std::to_string(cell.requests) : "");
    // LoadGen's logs are kept with the results (DIR/work/loadgen/<cell>/, one folder per test);
    // without --out the worker writes them to a temporary folder and removes it.
    if (is_loadgen_scenario(cell.scenario) && request.out_dir) {
      cell.serving.log_dir = (work / "loadgen" / cell_stem).string();
    }
    // The profiling pass: once per cell (round 1, instance 0, never a hidden reference cell), its
    // Chrome trace kept with the results (DIR/profiles/<cell>.trace.json) and the framework's own
    // trace in DIR/profiles/<cell>/. A fleet host keeps the profile in the row, its files on the host.
    if (cell.profile.enabled && (hidden || round > 1)) cell.profile.enabled = false;
    if (cell.profile.enabled && cell.host.empty()) {
      const fs::path profiles = request.out_dir ? *request.out_dir / "profiles" : work / "profiles";
      cell.profile.trace_path = (profiles / (cell_stem + ".trace.json")).string();
      cell.profile.native_dir = (profiles / cell_stem).string();
      cell.profile.trace_label = request.out_dir ? "profiles/" + cell_stem + ".trace.json" : cell.profile.trace_path;
      cell.profile.native_label = request.out_dir ? "profiles/" + cell_stem : cell.profile.native_dir;
    }
    r.gate = work / ("gate-" + std::to_string(cell.index));
    if (cell.instances > 1) {
      fs::remove_all(r.gate, ec);
      fs::create_directories(r.gate, ec);
      cell.gate_dir = r.gate.string();
    }
    CellJob job;
    job.id = static_cast<int>(i);
    job.host = cell.host;
    job.timeout = std::chrono::milliseconds(static_cast<long long>(request.timeout_seconds * 1000));
    job.echo_stderr = request.verbose;
    job.loadgen_dir = cell.serving.log_dir;
    if (host_builds) job.export_request = export_request_json(planned_export(plan, variant.artefact_format, cell).request);
    for (int k = 0; k < cell.instances; ++k) {
      Cell instance = cell;
      instance.instance = k;
      if (k > 0) instance.reference_out.clear();
      if (k > 0) instance.profile.enabled = false;
      // The parity pass runs once per cell: the row keeps the first round's first instance's.
      if ((k > 0 || round > 1) && instance.eval_samples > 0) {
        instance.eval_samples = 0;
        instance.reference_in.clear();
        instance.labels_file.clear();
      }
      const std::string suffix = cell.instances > 1 ? "-i" + std::to_string(k) : "";
      job.instances.push_back(std::move(instance));
      job.cell_files.push_back(work / (cell_name + suffix + ".json"));
      job.log_files.push_back(work / "logs" / (cell_stem + suffix + (rounds > 1 ? "-r" + std::to_string(round) : "") + ".log"));
    }
    if (listener.phase && cell.host.empty()) {
      CellProgressTracker* tracker = r.tracker.get();
      job.on_progress_line = [this_tracker = tracker, &show_phase](std::string_view line) {
        if (auto phase = this_tracker->on_line(line, Clock::now())) show_phase(*phase);
      };
      job.on_wait = [this_tracker = tracker, &show_phase] { show_phase(this_tracker->snapshot(Clock::now())); };
    }
    // A worker's row, or a failed row saying how the worker ended: an instance that ends without
    // an ok row leaves the others waiting at the gate, so they are stopped.
    job.stop_others = [&, c = cell](const ChildOutcome& ended) {
      return worker_row(c, ended).status != RowStatus::Ok;
    };
    running.emplace(i, std::move(r));
    executor_for(cell.host).submit(std::move(job));
    return true;
  };

  // Turns step `i`'s outcome into its row (or, for a hidden reference cell, into what the cells of
  // its batch need to know).
  const auto finish_step = [&](std::size_t i, CellOutcome outcome) {
    Running r = std::move(running.at(i));
    running.erase(i);
    const Step& s = steps[i];
    ModelPlan& plan = plans[s.plan];
    Cell& cell = cell_of(i);
    busy_hosts.erase(cell.host);
    const int round = s.round;
    const bool hidden = hidden_reference_cells.count(cell.index) > 0;
    std::map<int, std::string>& failures = reference_failures[plan.ordinal];
    cell_seconds[cell.index] = std::chrono::duration<double>(Clock::now() - r.started).count();
    Row row;
    const bool lost = !outcome.host_lost.empty();
    if (lost) {
      // The host went away: its cells still to come are not run, and say so.
      gone_hosts.emplace(cell.host, "host " + cell.host + " gone (" + outcome.host_lost + ")");
      row = status_row(cell, RowStatus::Failed, outcome.host_lost);
    } else {
      std::vector<Row> instance_rows;
      for (const auto& child : outcome.instances) instance_rows.push_back(worker_row(cell, child));
      row = cell.instances > 1
                ? merge_instances(std::move(instance_rows),
                                  {cell.iterations * cell.instances, false, build_info().build_type, cpu_governor(),
                                   cell.protocol.adaptive()},
                                  usable_cpu_count())
                : std::move(instance_rows.front());
    }
    row = on_host(std::move(row), cell.host, lost);
    if (cell.instances > 1) fs::remove_all(r.gate, ec);
    if (hidden) {
      if (row.status != RowStatus::Ok) failures[cell.batch] = row.error;
      return;
    }
    const bool parity_here = round == 1 || cell.eval_samples == 0;  // later rounds keep round 1's
    if (row.status == RowStatus::Ok && !cell.reference_in.empty() && !row.parity && parity_here) {
      row.warnings.push_back("no parity: the FP32 reference output was not produced");
    }
    if (row.status == RowStatus::Ok && cell.input_samples > 0 && cell.batch > cell.input_samples) {
      row.warnings.push_back("the batch of " + std::to_string(cell.batch) + " repeats the " +
                             std::to_string(cell.input_samples) + " samples of --input: every timed iteration "
                             "runs some samples twice; give at least as many samples as the batch");
    }
    if (cell.reference_in.empty() && row.status == RowStatus::Ok) {
      const auto why = failures.count(cell.batch) ? failures[cell.batch]
                       : plan.reference_possible ? "the reference run did not finish"
                                            : "no PyTorch CPU FP32 reference for this model";
      row.warnings.push_back("no parity: " + why);
    }
    // The artefact shipped from here, or the one the host built (none when its build failed).
    const Artefact* artefact = r.artefact ? r.artefact : outcome.host_artefact ? &*outcome.host_artefact : nullptr;
    if (artefact) {
      row.export_ms = artefact->export_ms;
      row.artefact_bytes = artefact->bytes;
      row.params = artefact->params;
      row.macs_per_sample = artefact->macs_per_sample;
      if (auto delegation = delegation_text(artefact->manifest); delegation && row.status == RowStatus::Ok) {
        row.effective["delegation"] = *delegation;
      }
      if (auto calibration = calibration_text(artefact->manifest); calibration && row.status == RowStatus::Ok) {
        row.effective.emplace("calibration", *calibration);  // the plugin's own word, if any, stands
      }
    }
    if (!outcome.host_note.empty()) row.warnings.push_back(outcome.host_note);
    if (outcome.host_artefact) {
      row.effective["artefact_built_on"] =
          cell.host + (outcome.host_artefact->cached ? " (from its cache)" : " (exported there for this cell)");
    }
    ++done;
    progress("[" + std::to_string(done) + "/" + std::to_string(total) + "] " + r.label + ": " +
             row_status_name(row.status) + (row.status == RowStatus::Ok ? fmt_ok(row) : " — " + row.error));
    if (rounds > 1) {
      std::vector<Row>& so_far = round_rows[cell.index];
      so_far.push_back(std::move(row));
      const bool last = round == rounds || so_far.back().status != RowStatus::Ok;
      const int measured_rounds = static_cast<int>(so_far.size());
      const MeasurementContext context{cell.iterations * cell.instances * measured_rounds, false,
                                       build_info().build_type, cpu_governor(), cell.protocol.adaptive()};
      if (!last) {
        // The rounds so far, given now so that an interrupted run keeps them.
        if (!listener.revise) return;
        Row partial = merge_rounds(so_far, context);
        partial.warnings.push_back(rounds_so_far_warning(measured_rounds, rounds));
        if (auto given = given_rows.find(cell.index); given != given_rows.end()) {
          listener.revise(given->second, partial);
        } else {
          given_rows[cell.index] = give_row(partial);
        }
        return;
      }
      done += rounds - round;  // the rounds a failed cell skips
      finished.insert(cell.index);
      row = merge_rounds(std::move(so_far), context);
      round_rows.erase(cell.index);
    }
    give_final(cell, std::move(row));
  };

  for (;;) {
    // Every idle host takes its next step; in a fleet, the hosts wait for this machine's
    // reference cells.
    bool local_pending = false;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (cell_of(i).host.empty() && (!taken[i] || running.count(i))) local_pending = true;
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string& host = cell_of(i).host;
      if (taken[i] || busy_hosts.count(host) || (!host.empty() && local_pending)) continue;
      taken[i] = true;
      if (start_step(i)) busy_hosts.insert(host);
    }
    if (running.empty()) break;
    CellOutcome outcome = local.busy() ? local.wait() : remote->wait();
    finish_step(static_cast<std::size_t>(outcome.id), std::move(outcome));
  }
  if (!request.out_dir) fs::remove_all(work, ec);
  return Status::ok();
}

}  // namespace inferbench
