// SPDX-License-Identifier: Apache-2.0
// Artefact cache: content keys, exporter invocation, manifests.
#include "driver/artefacts.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/env/environment.h"
#include "core/support/build_info.h"
#include "driver/catalogue.h"
#include "driver/spawn.h"

namespace fs = std::filesystem;

namespace inferbench {
namespace {

// FNV-1a, 64 bit: a stable content hash for cache keys (not a security boundary).
class Fnv1a {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash_ ^= c;
      hash_ *= 0x100000001b3ULL;
    }
    hash_ ^= 0xff;  // field separator, so ("ab","c") and ("a","bc") differ
    hash_ *= 0x100000001b3ULL;
  }
  void add_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    add(path.filename().string());
    add(content.str());
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

Result<Artefact> from_manifest(const fs::path& dir, bool cached) {
  std::ifstream in(dir / "manifest.json");
  if (!in) return Status(StatusCode::Io, "no manifest.json in " + dir.string());
  auto manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object()) {
    return Status(StatusCode::Io, "unreadable manifest " + (dir / "manifest.json").string());
  }
  Artefact artefact;
  artefact.file = dir / manifest.value("file", "");
  artefact.model = manifest.value("model", "");
  artefact.format = manifest.value("format", "");
  artefact.precision = manifest.value("precision", "");
  artefact.sample_shape = manifest.value("sample_shape", std::vector<std::int64_t>{});
  if (manifest.contains("export_ms")) artefact.export_ms = manifest["export_ms"].get<double>();
  if (manifest.contains("bytes")) artefact.bytes = manifest["bytes"].get<std::int64_t>();
  if (manifest.contains("params")) artefact.params = manifest["params"].get<std::int64_t>();
  if (manifest.contains("macs_per_sample") && manifest["macs_per_sample"].is_number_integer()) {
    artefact.macs_per_sample = manifest["macs_per_sample"].get<std::int64_t>();
  }
  artefact.manifest = std::move(manifest);
  artefact.cached = cached;
  std::error_code ec;
  if (!fs::is_regular_file(artefact.file, ec)) {
    return Status(StatusCode::Io, "manifest names a missing file " + artefact.file.string());
  }
  // Every file the artefact is made of (an OpenVINO IR's weights beside its .xml): a folder that
  // lost one is exported again rather than failing to compile.
  if (const auto files = artefact.manifest.find("files"); files != artefact.manifest.end() && files->is_array()) {
    for (const auto& name : *files) {
      if (name.is_string() && !fs::is_regular_file(dir / name.get<std::string>(), ec)) {
        return Status(StatusCode::Io, "manifest names a missing file " + (dir / name.get<std::string>()).string());
      }
    }
  }
  return artefact;
}

}  // namespace

std::optional<std::string> delegation_text(const nlohmann::json& manifest) {
  // ExecuTorch's "delegation" (operators the partitioner lowered, delegate calls in the program)
  // or LiteRT's "xnnpack" (operators in the XNNPACK partitions the interpreter made, partitions).
  const bool executorch = manifest.contains("delegation");
  const auto it = manifest.find(executorch ? "delegation" : "xnnpack");
  if (it == manifest.end() || !it->is_object() || !it->contains("delegated_ops")) return std::nullopt;
  const auto& d = *it;
  const auto calls = d.value(executorch ? "delegate_calls" : "partitions", 0);
  const char* unit = executorch ? (calls == 1 ? " call" : " calls") : (calls == 1 ? " partition" : " partitions");
  std::string text = "XNNPACK took " + std::to_string(d.value("delegated_ops", 0)) + " operators in " +
                     std::to_string(calls) + unit;
  const nlohmann::json operators = d.value(executorch ? "outside_delegate" : "outside", nlohmann::json::object());
  std::string outside;
  for (const auto& [name, count] : operators.items()) {
    outside += (outside.empty() ? "" : ", ") + std::to_string(count.get<int>()) + " " + name;
  }
  return text + "; outside it: " + (outside.empty() ? "none" : outside);
}

std::optional<std::string> calibration_text(const nlohmann::json& manifest) {
  const auto it = manifest.find("calibration");
  if (it == manifest.end() || !it->is_object() || !it->contains("source")) return std::nullopt;
  const auto& c = *it;
  const nlohmann::json seed = c.value("seed", nlohmann::json(nullptr));
  const std::string origin = seed.is_number() ? "seed " + std::to_string(seed.get<long long>())
                                              : "sha256 " + c.value("sha256", std::string("?"));
  return c.value("source", std::string()) + "; " + std::to_string(c.value("samples", 0)) + " samples, " + origin +
         "; " + c.value("method", std::string("?"));
}

Result<std::string> usable_project_python(const std::string& needed_by) {
  const std::string python = project_python();
  if (python.empty() || !fs::exists(python)) {
    return Status(StatusCode::Unavailable, "the project's Python '" + python + "' does not exist, and " + needed_by +
                                               " needs it", "run `make setup` or set INFERBENCH_PYTHON");
  }
  return python;
}

Status check_python_model(const std::string& spec, const std::vector<std::int64_t>& sample_shape, std::uint64_t seed,
                          const std::optional<fs::path>& weights) {
  auto python = usable_project_python("--model " + spec);
  if (!python) return python.status();
  std::vector<std::string> argv = {*python, (exporter_dir() / "models.py").string(), "--check", spec,
                                   "--sample-shape", shape_text(sample_shape), "--seed", std::to_string(seed)};
  if (weights) argv.insert(argv.end(), {"--weights", fs::absolute(*weights).string()});
  SpawnOptions options;
  options.timeout = std::chrono::minutes(10);
  auto outcome = run_child(argv, options);
  if (!outcome) return outcome.status();
  if (outcome->exited && outcome->exit_code == 0) return Status::ok();
  const std::string why = last_line(outcome->stderr_tail);
  if (why.starts_with("model: running ")) {
    return Status(StatusCode::Input, why.substr(7), "give --input-shape one sample's shape (default 3x224x224)");
  }
  if (why.starts_with("model: ")) return Status(StatusCode::Input, why.substr(7));
  return Status(StatusCode::Input, "checking the model " + spec + " failed (" + describe_outcome(*outcome) + ")" +
                                       (why.empty() ? "" : ": " + why));
}

std::string project_python() {
  if (const char* env = std::getenv("INFERBENCH_PYTHON"); env && *env) return env;
  return build_info().python;
}

std::string executorch_python() {
  if (const char* env = std::getenv("INFERBENCH_EXECUTORCH_PYTHON"); env && *env) return env;
  return build_info().executorch_python;
}

std::string litert_python() {
  if (const char* env = std::getenv("INFERBENCH_LITERT_PYTHON"); env && *env) return env;
  return build_info().litert_python;
}

namespace {

// A format whose converter pins its own torch, so that export.py builds the model and hands the
// conversion to tools/export/<name>_export.py in an environment of its own.
struct ExporterEnvironment {
  std::string_view name;      // for messages: "ExecuTorch"
  std::string_view option;    // export.py's option naming that environment's Python
  std::string_view variable;  // the environment variable overriding the configure-time Python
  std::string (*python)();
};

std::optional<ExporterEnvironment> exporter_environment(const std::string& format) {
  if (format == "pte") {
    return ExporterEnvironment{"ExecuTorch", "--executorch-python", "INFERBENCH_EXECUTORCH_PYTHON", executorch_python};
  }
  if (format == "tflite") {
    return ExporterEnvironment{"LiteRT", "--litert-python", "INFERBENCH_LITERT_PYTHON", litert_python};
  }
  return std::nullopt;
}

}  // namespace

fs::path exporter_dir() {
  if (const char* env = std::getenv("INFERBENCH_TOOLS"); env && *env) return env;
  return fs::path(build_info().source_dir) / "tools" / "export";
}

ArtefactCache::ArtefactCache(fs::path root, std::string python, fs::path tools_dir)
    : root_(std::move(root)), python_(std::move(python)), tools_dir_(std::move(tools_dir)) {}

fs::path ArtefactCache::default_root() {
  if (const char* env = std::getenv("INFERBENCH_CACHE"); env && *env) return fs::path(env) / "artefacts";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "inferbench" / "artefacts";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/tmp") / ".cache" / "inferbench" / "artefacts";
}

namespace {

// What beside the request decides an artefact's bytes: the exporters' own code, and the Pythons
// that run them (a different environment may hold different framework versions).
void add_exporter(Fnv1a& hash, const fs::path& tools_dir, const std::string& python, const std::string& format) {
  std::vector<fs::path> scripts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tools_dir, ec)) {
    if (entry.path().extension() == ".py") scripts.push_back(entry.path());
  }
  std::sort(scripts.begin(), scripts.end());
  for (const auto& script : scripts) hash.add_file(script);
  hash.add(python);
  // The converter's own environment, for the formats exported in one.
  if (const auto environment = exporter_environment(format)) hash.add(environment->python());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text << "\n";
}

std::uintmax_t folder_bytes(const fs::path& dir) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    std::error_code size_ec;
    if (entry.is_regular_file(size_ec)) total += entry.file_size(size_ec);
  }
  return total;
}

// The Python files a FILE.py model can import from beside it (its folder is on sys.path): the
// folder's other .py modules and its packages (sub-folders with an __init__.py, and theirs), in
// path order. Not the rest of the folder: a model in a home or data folder must not walk it all.
void add_python_sources(const fs::path& folder, const fs::path& model_file, std::vector<fs::path>& sources) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, fs::directory_options::skip_permission_denied, ec)) {
    const fs::path& path = entry.path();
    if (entry.is_directory(ec)) {
      // Not through a link: a link to a folder above would loop.
      if (!entry.is_symlink(ec) && fs::is_regular_file(path / "__init__.py", ec)) {
        add_python_sources(path, model_file, sources);
      }
    } else if (path.extension() == ".py" && entry.is_regular_file(ec) && !fs::equivalent(path, model_file, ec)) {
      sources.push_back(path);
    }
  }
}

std::vector<fs::path> python_sources_beside(const fs::path& model_file) {
  std::vector<fs::path> sources;
  add_python_sources(model_file.parent_path().empty() ? fs::path(".") : model_file.parent_path(), model_file, sources);
  std::sort(sources.begin(), sources.end());
  return sources;
}

}  // namespace

std::string ArtefactCache::exporter_fingerprint(const std::string& format) const {
  Fnv1a hash;
  add_exporter(hash, tools_dir_, python_, format);
  return hash.hex();
}

std::string ArtefactCache::content_key(const ExportRequest& request) const {
  Fnv1a hash;
  add_exporter(hash, tools_dir_, python_, request.format);
  hash.add(request.model);
  hash.add(request.format);
  hash.add(request.precision);
  hash.add(std::to_string(request.seed));
  if (request.weights) hash.add_file(*request.weights);
  std::string name = request.model;  // the folder's name starts with it
  if (is_python_model(request.model)) {
    hash.add_file(python_model_file(request.model));
    // The file imports modules beside it (its folder is on sys.path): a change to one of them
    // changes the model as much as a change to the file.
    for (const fs::path& source : python_sources_beside(python_model_file(request.model))) {
      hash.add(source.lexically_relative(python_model_file(request.model).parent_path()).string());
      hash.add_file(source);
    }
    for (std::int64_t dim : request.sample_shape) hash.add(std::to_string(dim));
    name = python_model_row_name(request.model);
    std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-'; }, '_');
  }
  if (request.calibration) {
    // Every file of a folder (by name, in name order) or the one file: what the exporter reads.
    hash.add("calibration");
    // A folder of class folders (ImageFolder layout) is read through its sub-folders, so those
    // count too, each file by its path below the folder.
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(*request.calibration, ec)) {
      fs::recursive_directory_iterator it(*request.calibration, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(*request.calibration);
    }
    for (const fs::path& file : files) {
      hash.add(fs::is_directory(*request.calibration, ec) ? file.lexically_relative(*request.calibration).string()
                                                         : file.filename().string());
      hash.add_file(file);
    }
  }
  const std::string batch = request.batch ? "-b" + std::to_string(*request.batch) : "";
  if (request.batch) hash.add(batch);
  const std::string device = request.device ? "-" + *request.device : "";
  if (request.device) hash.add("device" + device);
  std::string flags;
  for (const auto& [flag, value] : request.flags) {
    hash.add(flag + "=" + value);
    flags += "-" + value;  // "-max" for --aoti-autotune max: visible in the folder's name
  }
  return name + "-" + request.format + "-" + request.precision + device + batch + flags +
         (request.calibration ? "-calibrated" : "") + "-" + hash.hex();
}

std::optional<fs::path> ArtefactCache::cached(const ExportRequest& request) const {
  auto artefact = from_manifest(root_ / content_key(request), /*cached=*/true);
  if (!artefact) return std::nullopt;
  return artefact->file;
}

Result<Artefact> ArtefactCache::get(const ExportRequest& request,
                                    const std::optional<fs::path>& log_file) const {
  if (request.weights && !fs::is_regular_file(*request.weights)) {
    return Status(StatusCode::Input, "weights file " + request.weights->string() + " not found",
                  "give --weights an existing checkpoint (a torch state_dict)");
  }
  if (!fs::is_regular_file(tools_dir_ / "export.py")) {
    return Status(StatusCode::Unavailable, "exporter " + (tools_dir_ / "export.py").string() + " not found",
                  "set INFERBENCH_TOOLS to the tools/export folder of the source tree");
  }
  const fs::path dir = root_ / content_key(request);
  if (fs::is_regular_file(dir / "manifest.json")) {
    auto cached = from_manifest(dir, /*cached=*/true);
    if (cached) {
      // Found under this build's key, so current: mark it for `models` if an older version of
      // inferbench exported it without the mark.
      if (!fs::exists(dir / kFingerprintFile)) write_text(dir / kFingerprintFile, exporter_fingerprint(request.format));
      return cached;
    }
  }
  std::error_code stale;
  fs::remove_all(dir, stale);  // a folder without a usable manifest is re-exported

  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return Status(StatusCode::Io, "cannot create artefact cache " + root_.string() + ": " + ec.message());
  // Export into a private folder, then rename: concurrent runs never see half an artefact.
  // Named by process and host: machines sharing the cache (an NFS home, a CI volume) may run
  // exports with the same process id.
  const fs::path staging =
      root_ / (".staging-" + std::to_string(getpid()) + "@" + host_name() + "@" + dir.filename().string());
  fs::remove_all(staging, ec);
  std::vector<std::string> argv = {python_, (tools_dir_ / "export.py").string(),
                                   "--model", request.model, "--format", request.format,
                                   "--precision", request.precision,
                                   "--seed", std::to_string(request.seed),
                                   "--out", staging.string()};
  if (request.weights) {
    argv.push_back("--weights");
    argv.push_back(fs::absolute(*request.weights).string());
  }
  if (request.batch) {
    argv.push_back("--batch");
    argv.push_back(std::to_string(*request.batch));
  }
  if (request.device) {
    argv.push_back("--device");
    argv.push_back(*request.device);
  }
  for (const auto& [flag, value] : request.flags) {
    argv.push_back(flag);
    argv.push_back(value);
  }
  if (!request.sample_shape.empty()) {
    argv.push_back("--sample-shape");
    argv.push_back(shape_text(request.sample_shape));
  }
  if (request.calibration) {
    argv.push_back("--calibration");
    argv.push_back(fs::absolute(*request.calibration).string());
  }
  if (const auto environment = exporter_environment(request.format)) {
    const std::string python = environment->python();
    if (python.empty() || !fs::exists(python)) {
      return Status(StatusCode::Unavailable,
                    "the " + std::string(environment->name) + " environment's Python '" + python +
                        "' does not exist",
                    "run `make setup` or set " + std::string(environment->variable));
    }
    argv.push_back(std::string(environment->option));
    argv.push_back(python);
  }
  if (python_.empty() || !fs::exists(python_)) {
    return Status(StatusCode::Unavailable, "the project's Python '" + python_ + "' does not exist",
                  "run `make setup` or set INFERBENCH_PYTHON");
  }
  SpawnOptions options;
  options.timeout = std::chrono::minutes(60);
  options.log_file = log_file;
  auto outcome = run_child(argv, options);
  if (!outcome) return outcome.status();
  if (!outcome->exited || outcome->exit_code != 0) {
    fs::remove_all(staging, ec);
    std::string why = last_line(outcome->stderr_tail);
    return Status(StatusCode::Backend,
                  "exporting " + request.model + " to " + request.format + " " + request.precision +
                      (request.device ? " for " + *request.device : "") +
                      " failed (" + describe_outcome(*outcome) + ")" + (why.empty() ? "" : ": " + why),
                  log_file ? "see " + log_file->string() : "rerun with --verbose");
  }
  write_text(staging / kFingerprintFile, exporter_fingerprint(request.format));
  write_text(staging / kHostFile, host_name());
  fs::rename(staging, dir, ec);
  if (ec) {
    // Another run exported the same key meanwhile: its complete folder wins.
    fs::remove_all(staging, ec);
    if (fs::is_regular_file(dir / "manifest.json")) return from_manifest(dir, /*cached=*/true);
    return Status(StatusCode::Io, "cannot move artefact into " + dir.string());
  }
  return from_manifest(dir, /*cached=*/false);
}

std::vector<nlohmann::json> ArtefactCache::manifests() const {
  std::vector<nlohmann::json> result;
  const std::string this_host = host_name();
  std::map<std::string, std::string> fingerprints;  // per format: hashing reads every exporter script
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    if (!entry.is_directory() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path() / "manifest.json");
    auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_discarded()) continue;
    manifest["folder"] = entry.path().string();
    manifest["disk_bytes"] = folder_bytes(entry.path());
    const std::string format = manifest.value("format", "");
    if (!fingerprints.count(format)) fingerprints[format] = exporter_fingerprint(format);
    const std::string mark = read_text(entry.path() / kFingerprintFile);
    manifest["current"] = !mark.empty() && mark == fingerprints[format];
    // A FILE.py model's artefact outlives its file only as waste: no request can name it again
    // with the same content (a test's temporary model, say).
    // Only for an artefact this host exported (or one from before the host was written): in a
    // cache shared between hosts, another host's model file is not on this one.
    const std::string model = manifest.value("model", "");
    const std::string exported_on = read_text(entry.path() / kHostFile);
    if (is_python_model(model) && (exported_on.empty() || exported_on == this_host) &&
        !fs::exists(python_model_file(model), ec)) {
      manifest["current"] = false;
    }
    result.push_back(std::move(manifest));
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.value("folder", "") < b.value("folder", "");
  });
  return result;
}

Result<ArtefactCache::Pruned> ArtefactCache::prune() const {
  Pruned pruned;
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return pruned;
  auto remove = [&](const fs::path& dir, std::uintmax_t bytes) -> Status {
    std::error_code remove_ec;
    fs::remove_all(dir, remove_ec);
    if (remove_ec) {
      return Status(StatusCode::Io, "cannot delete " + dir.string() + ": " + remove_ec.message(),
                    "check the cache folder's permissions");
    }
    ++pruned.folders;
    pruned.bytes += bytes;
    return Status::ok();
  };
  // Staging folders (".staging-<pid>@<host>@<key>", before that ".staging-<pid>-<key>") of this
  // host's exports whose process has gone, which a crash left (another host's processes cannot be
  // asked), and artefact folders without a manifest (an export only ever renames a complete one).
  std::vector<fs::path> orphans;
  const std::string this_host = host_name();
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory()) continue;
    if (name.starts_with(".staging-")) {
      char* end = nullptr;
      const long pid = std::strtol(name.c_str() + std::strlen(".staging-"), &end, 10);
      if (*end == '@') {
        const std::string rest(end + 1);
        if (rest.substr(0, rest.find('@')) != this_host) continue;
      }
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) orphans.push_back(entry.path());
    } else if (!name.starts_with(".") && !fs::is_regular_file(entry.path() / "manifest.json")) {
      orphans.push_back(entry.path());
    }
  }
  for (const auto& dir : orphans) {
    if (auto status = remove(dir, folder_bytes(dir)); !status) return status;
  }
  for (const auto& manifest : manifests()) {
    if (manifest.value("current", false)) continue;
    // manifests() has measured the folder already.
    if (auto status = remove(manifest.value("folder", ""), manifest.value("disk_bytes", std::uintmax_t{0})); !status) {
      return status;
    }
  }
  return pruned;
}

Result<Artefact> user_artefact(const fs::path& file, std::vector<std::int64_t> sample_shape) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return Status(StatusCode::Input, "model file " + file.string() + " not found",
                  "give --model a known name (see `inferbench models`) or an existing file");
  }
  if (!fs::is_regular_file(file, ec)) {
    return Status(StatusCode::Input, "model path " + file.string() + " is not a regular file",
                  "give --model a file, not a folder");
  }
  const auto size = fs::file_size(file, ec);
  if (ec || size == 0) {
    return Status(StatusCode::Input, "model file " + file.string() + " is empty",
                  "re-export the model");
  }
  Artefact artefact;
  artefact.file = fs::absolute(file);
  artefact.model = file.filename().string();
  artefact.sample_shape = std::move(sample_shape);
  artefact.bytes = static_cast<std::int64_t>(size);
  return artefact;
}

}  // namespace inferbench
