// SPDX-License-Identifier: Apache-2.0
// Subcommands and the run's output sinks (files written after every row, the store).
#include "cli/cli.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "cli/exit_codes.h"
#include "cli/options.h"
#include "cli/progress_display.h"
#include "core/env/environment.h"
#include "core/support/build_info.h"
#include "driver/artefacts.h"
#include "driver/catalogue.h"
#include "driver/compute_bound.h"
#include "driver/driver.h"
#include "driver/fleet.h"
#include "driver/spawn.h"
#include "report/comparison.h"
#include "report/format.h"
#include "report/reporter.h"
#include "report/summary.h"
#include "store/result_store.h"
#include "worker/serving/serving_run.h"
#include "worker/worker.h"

namespace fs = std::filesystem;

namespace inferbench::cli {
namespace {

void print_error(const Status& status) {
  std::cerr << "inferbench: " << status.to_string() << "\n";
}

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string new_run_id() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device device;
  return fmt::format("{}-{:06x}", stamp, device() & 0xffffff);
}

// Renders `run` in `format` into `path` through a temporary file, so a reader never sees a
// half-written file and an interrupted run keeps the previous complete one.
Status write_report_file(const RunResult& run, const std::string& format, const fs::path& path) {
  const fs::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return Status(StatusCode::Io, "cannot write " + temp.string(), "check the --out folder");
    auto reporter = make_reporter(format, out);
    if (!reporter) return reporter.status();
    report_run(**reporter, run);
    out.flush();
    if (!out) return Status(StatusCode::Io, "cannot write " + temp.string(), "check free disk space");
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return Status(StatusCode::Io, "cannot replace " + path.string() + ": " + ec.message());
  return Status::ok();
}

Status write_run_files(const RunResult& run, const fs::path& dir) {
  IB_RETURN_IF_ERROR(write_report_file(run, "json", dir / "results.json"));
  IB_RETURN_IF_ERROR(write_report_file(run, "csv", dir / "results.csv"));
  IB_RETURN_IF_ERROR(write_report_file(run, "markdown", dir / "results.md"));
  IB_RETURN_IF_ERROR(write_report_file(run, "guide", dir / "guide.md"));
  IB_RETURN_IF_ERROR(write_report_file(run, "html", dir / "report.html"));
  return Status::ok();
}

int exit_code_for_rows(const std::vector<Row>& rows) {
  int ok = 0, failed = 0;
  for (const auto& row : rows) {
    if (row.status == RowStatus::Ok) ++ok;
    if (row.status == RowStatus::Failed) ++failed;
  }
  if (ok == 0) return kExitNothingRan;
  return failed > 0 ? kExitSomeFailed : kExitOk;
}

void print_configuration(const RunRequest& request, const RunInfo& info) {
  std::cerr << fmt::format(
      "inferbench run {}\n  model {} | batch {} | {}{} | max {} s/cell | "
      "threads {} | seed {}\n  backends {} | devices {} | precisions {}\n  host {} | {} | {} "
      "usable CPUs\n",
      info.id, fmt::format("{}", fmt::join(request.models, ",")),
      fmt::format("{}", fmt::join(request.batches, ",")),
      request.protocol == kAdaptiveProtocol
          ? fmt::format("adaptive: warm-up to steady state (at most {}), timed until P50 +/-{:g}% and P99 +/-{:g}% "
                        "(at most {:g} s)",
                        request.warmup_max, request.targets.p50 * 100, request.targets.p99 * 100,
                        request.targets.max_window_s)
          : fmt::format("warm-up {} | iterations {}", request.warmup, request.iterations),
      request.rounds > 1 ? fmt::format(" x {} rounds", request.rounds) : std::string(),
      request.max_seconds,
      request.threads == std::vector<int>{0} ? "default" : fmt::format("{}", fmt::join(request.threads, ",")),
      request.seed,
      request.backends.empty() ? "all" : fmt::format("{}", fmt::join(request.backends, ",")),
      request.devices.empty() ? "all" : fmt::format("{}", fmt::join(request.devices, ",")),
      request.precisions.empty() ? "all" : fmt::format("{}", fmt::join(request.precisions, ",")),
      info.host, cpu_model_name(), usable_cpu_count());
  if (request.cluster) {
    std::cerr << fmt::format("  measured on the Ray cluster at {}, hosts {} (this machine only starts the run)\n",
                             *request.cluster, request.hosts.empty() ? "all" : fmt::format("{}", fmt::join(request.hosts, ",")));
  }
  if (!request.changed.empty()) {
    std::cerr << "  changed from defaults: " << fmt::format("{}", fmt::join(request.changed, " ")) << "\n";
  }
}

// `run --dry-run`: what the run would measure and export, with nothing run, exported or stored.
int dry_run_command(const Driver& driver, const RunRequest& request) {
  RunListener listener;
  std::optional<RunPlan> plan;
  listener.plan = [&](const RunPlan& p) { plan = p; };
  if (const Status status = driver.run(request, listener); !status) {
    print_error(status);
    return exit_code_for(status);
  }
  if (!plan) {
    print_error(Status(StatusCode::Internal, "the driver made no plan", "report this as a bug"));
    return kExitIo;
  }
  const auto count = [&](auto predicate) {
    return static_cast<std::size_t>(std::count_if(plan->cells.begin(), plan->cells.end(), predicate));
  };
  const std::size_t measured = count([](const PlannedCell& c) { return !c.reference; });
  const std::size_t references = plan->cells.size() - measured;
  std::set<std::string> exports;  // cells can share one artefact: it is exported once
  for (const auto& c : plan->cells) {
    if (!c.artefact.empty() && !c.cached) exports.insert(c.artefact);
  }
  const std::size_t to_export = exports.size();
  std::cout << fmt::format("inferbench run --dry-run: {} cell{} would be measured", measured, measured == 1 ? "" : "s");
  if (request.rounds > 1) std::cout << fmt::format(", each in {} rounds", request.rounds);
  if (references > 0) {
    std::cout << fmt::format(" (and {} hidden PyTorch CPU FP32 reference cell{} for parity)", references,
                             references == 1 ? "" : "s");
  }
  std::cout << fmt::format(", {} unavailable here; {} artefact{} to export. Nothing was run or exported.\n",
                           plan->unavailable.size(), to_export, to_export == 1 ? "" : "s");
  if (request.input) {
    std::cout << fmt::format("After its timed window each row would run {} of {} once for parity{} "
                             "(--eval-samples).\n",
                             request.eval_samples > 0 ? fmt::format("up to the first {} samples", request.eval_samples)
                                                      : std::string("every sample"),
                             request.input->string(), request.labels ? " and accuracy against " +
                                                                           request.labels->string() : "");
  }
  auto shown_label = [](const PlannedCell& c) { return (c.reference ? "[reference] " : "") + c.label; };
  std::size_t width = 0;
  for (const auto& c : plan->cells) width = std::max(width, shown_label(c).size());
  for (const auto& c : plan->cells) {
    const std::string artefact = c.artefact.empty() ? "no artefact"
                                 : c.user_file      ? "your file " + c.cached->string()
                                 : c.cached         ? c.artefact + ": cached " + c.cached->string()
                                                    : c.artefact + ": to export";
    std::cout << fmt::format("  {:<{}}  {}\n", shown_label(c), width, artefact);
  }
  if (!plan->unavailable.empty()) std::cout << "Unavailable here:\n";
  for (const Row& row : plan->unavailable) {
    std::cout << fmt::format("  {}: {}\n", report::row_label(row, request.models.size() > 1),
                             report::one_line(row.error));
  }
  return kExitOk;
}

Result<RunResult> load_result(const std::string& what, const std::string& db);

// The width to fit Table B to: empty (every column) with --wide or when stdout is not a terminal
// (a file or a pipe keeps the table as it always was, for scripts and diffs); otherwise the
// terminal's columns, from the terminal itself, else $COLUMNS, else 100.
std::optional<std::size_t> table_fit_width(bool wide) {
  if (wide || !isatty(STDOUT_FILENO)) return std::nullopt;
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long value = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && value > 0) return static_cast<std::size_t>(value);
  }
  return 100;
}

// Table B's reporter for stdout: fitted to the terminal (table_fit_width()) or with every column.
std::unique_ptr<Reporter> table_reporter_for_stdout(bool wide) {
  const std::optional<std::size_t> width = table_fit_width(wide);
  return width ? make_fitted_table_reporter(std::cout, *width) : make_table_reporter(std::cout);
}

// The path flags of `request`, parsed from a stored command line, made absolute against the
// folder the run was started in (`cwd`): a run resumed from another folder reads and writes the
// same files (its --out folder was written anew under the new folder).
void rebase_paths(RunRequest& request, const fs::path& cwd) {
  const auto rebase = [&](std::optional<fs::path>& path) {
    if (path && path->is_relative()) path = cwd / *path;
  };
  for (auto* path : {&request.weights, &request.input, &request.labels, &request.calibration, &request.out_dir,
                     &request.db_path}) {
    rebase(*path);
  }
  for (std::string& model : request.models) {
    if (find_model(model) != nullptr || fs::path(model).is_absolute()) continue;
    const bool file = is_python_model(model) ? fs::exists(cwd / python_model_file(model)) : fs::exists(cwd / model);
    if (file) model = (cwd / model).string();
  }
}

// `run --resume RUN`: the run to complete, and its own request with the rows it already has.
Result<RunResult> resumed_run(const RunRequest& asked, RunRequest& request) {
  for (const auto& flag : asked.changed) {
    if (flag != "--resume" && flag != "--db" && flag != "--verbose" && flag != "--wide" && flag != "--cluster") {
      return Status(StatusCode::Usage, "--resume runs the run's own settings; " + flag + " cannot change them",
                    "drop " + flag + " (only --db, --verbose, --wide and --cluster go with --resume)");
    }
  }
  auto loaded = load_result(*asked.resume, asked.db_path ? asked.db_path->string() : "");
  if (!loaded) return loaded.status();
  const nlohmann::json argv = loaded->run.request.value("argv", nlohmann::json());
  if (!argv.is_array()) {
    return Status(StatusCode::Input, "run " + loaded->run.id + " was recorded without its arguments, so it cannot be resumed",
                  "start it again");
  }
  auto parsed = parse_run_arguments(argv.get<std::vector<std::string>>());
  if (!parsed) return parsed.status();
  request = std::move(*parsed);
  if (const auto cwd = loaded->run.request.find("cwd"); cwd != loaded->run.request.end() && cwd->is_string()) {
    rebase_paths(request, cwd->get<std::string>());
  }
  request.verbose = asked.verbose;
  if (asked.db_path) request.db_path = asked.db_path;
  // A fleet run's cluster may have come back at another address; its hosts keep their names.
  if (asked.cluster) request.cluster = asked.cluster;
  request.resumed_rows = loaded->rows;
  return loaded;
}

// The results.json in `dir`, if there is one: its run's id ("" when it is no inferbench run's)
// and its row count.
std::optional<std::pair<std::string, std::size_t>> run_in_folder(const fs::path& dir) {
  const fs::path previous = dir / "results.json";
  std::error_code ec;
  if (!fs::exists(previous, ec)) return std::nullopt;
  std::ifstream in(previous);
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  std::string id;
  std::size_t rows = 0;
  if (json.is_object()) {
    if (const auto run = json.find("run"); run != json.end() && run->is_object()) id = run->value("id", "");
    if (const auto list = json.find("rows"); list != json.end() && list->is_array()) rows = list->size();
  }
  return std::pair{id, rows};
}

// The run already in --out `dir` that this run's files would replace, or nothing: refused unless
// --overwrite (`overwrite`), then described for remove_earlier_run(). The run being resumed
// (`resumed_id`) writes its own folder; a resume never replaces another run (its stored
// --overwrite was about the folder as it was then), and nothing replaces a results.json that is
// not an inferbench run's.
Result<std::optional<std::string>> earlier_run_in(const fs::path& dir, const std::string& resumed_id, bool overwrite) {
  const auto previous = run_in_folder(dir);
  if (!previous) return std::optional<std::string>();
  const auto& [id, rows] = *previous;
  if (!resumed_id.empty() && id == resumed_id) return std::optional<std::string>();
  if (id.empty()) {
    return Status(StatusCode::Usage, "--out " + dir.string() + " holds a results.json that is not an inferbench run's",
                  "give another --out folder");
  }
  const std::string what = "run " + id + " (" + std::to_string(rows) + (rows == 1 ? " row)" : " rows)");
  if (!resumed_id.empty()) {
    return Status(StatusCode::Usage, "--out " + dir.string() + " now holds " + what + ", which resuming run " +
                                         resumed_id + " would replace",
                  "move that folder away, then resume");
  }
  if (!overwrite) {
    return Status(StatusCode::Usage, "--out " + dir.string() + " already holds " + what + ", which this run's files would replace",
                  "give another --out folder, or add --overwrite to replace that run");
  }
  return std::optional<std::string>(what);
}

// --overwrite: the earlier run's files, work/ and profiles/ go, so that its logs are not mixed
// with the new run's.
Status remove_earlier_run(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  for (const char* name : {"results.json", "results.csv", "results.md", "guide.md", "report.html", "work", "profiles"}) {
    fs::remove_all(dir / name, ec);
    if (ec) return Status(StatusCode::Io, "--overwrite cannot remove " + (dir / name).string() + ": " + ec.message(), "");
  }
  std::cerr << "--overwrite: removed " << what << " from " << dir.string() << "\n";
  return Status::ok();
}

// `wide`: --wide (Table B with every column on a terminal too).
int run_command(const RunRequest& asked, const std::vector<std::string>& args, bool wide) {
  RunRequest request = asked;
  std::optional<RunResult> resumed;
  if (asked.resume) {
    auto loaded = resumed_run(asked, request);
    if (!loaded) {
      print_error(loaded.status());
      return exit_code_for(loaded.status());
    }
    resumed = std::move(*loaded);
  }
  Driver driver(DriverPaths::from_build());
  if (auto valid = driver.validate(request); !valid) {
    print_error(valid);
    return exit_code_for(valid);
  }
  // What a server test needs of the budget, by LoadGen's own early-stopping rule (the worker
  // library holds LoadGen; the driver does not link it).
  const bool server = std::find(request.scenarios.begin(), request.scenarios.end(), "server") != request.scenarios.end();
  if (auto fits = check_serving_request(request.serving, request.max_seconds, server); !fits) {
    print_error(fits);
    return exit_code_for(fits);
  }
  if (request.dry_run) return dry_run_command(driver, request);
  std::optional<std::string> earlier_run;
  if (request.out_dir) {
    auto earlier = earlier_run_in(*request.out_dir, resumed ? resumed->run.id : "", request.overwrite);
    if (!earlier) {
      print_error(earlier.status());
      return exit_code_for(earlier.status());
    }
    earlier_run = std::move(*earlier);
  }
  std::optional<ResultStore> store;
  if (request.store) {
    const fs::path db = request.db_path ? *request.db_path : default_store_path();
    auto opened = ResultStore::open(db);
    if (!opened) {
      const std::string prefix = "cannot open result store " + db.string();
      const std::string& why = opened.status().message();
      print_error(Status(StatusCode::Io, why.starts_with(prefix) ? why : prefix + ": " + why,
                         "choose a writable --db, or --no-store"));
      return kExitIo;
    }
    store.emplace(std::move(*opened));
  }
  // Before the driver writes its work folder (input data, logs), once the store has opened.
  if (earlier_run) {
    if (Status removed = remove_earlier_run(*request.out_dir, *earlier_run); !removed) {
      print_error(removed);
      return exit_code_for(removed);
    }
  }

  RunResult result;
  // A resumed run's rows whose host was lost, by cell: its new row takes their place.
  std::map<std::string, std::size_t> lost_rows;
  bool in_store = false;
  if (resumed) {
    result = std::move(*resumed);
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
      if (result.rows[i].host && result.rows[i].host->lost) lost_rows[row_identity(result.rows[i])] = i;
    }
    in_store = store && static_cast<bool>(store->load_run(result.run.id));
  } else {
    result.run.id = new_run_id();
    result.run.started_at = utc_now_iso();
    result.run.host = host_name();
    result.run.env = describe_environment();
    result.run.request = to_json(request);
    result.run.request["argv"] = args;  // what --resume parses again,
    std::error_code ec;
    result.run.request["cwd"] = fs::current_path(ec).string();  // with its relative paths from here
  }
  std::optional<CpuLimits> cpu_limits;
  // The store is not written again after a write it refused (each refusal can cost its busy
  // timeout, and rows after a missing one would be stored at the wrong place); --out's files are
  // written whole each time, so only the last write's failure counts.
  std::optional<Status> store_failure;
  std::optional<Status> files_failure;
  auto to_store = [&](const auto& write) {
    if (!store || store_failure) return;
    if (Status status = write(); !status) {
      print_error(Status(status.code(), "results not stored: " + status.message(),
                         std::string("the run goes on without the store; its rows are printed at the end") +
                             (request.out_dir ? " and written to --out" : "")));
      store_failure = std::move(status);
    }
  };
  auto to_files = [&] {
    if (!request.out_dir) return;
    Status status = write_run_files(result, *request.out_dir);
    if (status) {
      files_failure.reset();
      return;
    }
    if (!files_failure) {
      print_error(Status(status.code(), "results not written: " + status.message(),
                         "the run goes on; the next row tries again, and the rows are printed at the end"));
    }
    files_failure = std::move(status);
  };
  install_interrupt_handler();
  bool started = false;
  // What an interrupt keeps, and where, as the run goes: the line the interrupt handler prints.
  const auto note_what_is_kept = [&] {
    if (!started) {
      set_interrupt_note(resumed ? fmt::format("\ninterrupted before any cell ran: run {} keeps its {} rows\n",
                                               result.run.id, result.rows.size())
                                 : std::string("\ninterrupted before any cell ran: nothing was measured\n"));
      return;
    }
    const bool stored = store && !store_failure;
    const bool written = request.out_dir && !files_failure;
    if (!store && !request.out_dir) {
      set_interrupt_note("\ninterrupted: nothing is kept (--no-store and no --out)\n");
      return;
    }
    if (!stored && !written) {
      set_interrupt_note(fmt::format("\ninterrupted: the rows could not be kept ({}{}{})\n",
                                     store_failure ? "the store refused a write and holds the rows before it" : "",
                                     store_failure && files_failure ? "; " : "",
                                     files_failure ? "--out's files could not be written" : ""));
      return;
    }
    std::vector<std::string> kept;
    if (written) kept.push_back("in " + request.out_dir->string());
    if (stored) kept.push_back("in the store " + store->path().string());
    const std::string resume =
        stored ? result.run.id + (store->path() == default_store_path() ? "" : " --db " + store->path().string())
               : (*request.out_dir / "results.json").string();
    set_interrupt_note(fmt::format("\ninterrupted: the rows finished so far are kept {}; `inferbench run --resume {}` "
                                   "measures the rest\n",
                                   fmt::join(kept, " and "), resume));
  };
  note_what_is_kept();
  RunListener listener;
  listener.started = [&](const RunStart& start) {
    started = true;
    if (!start.input.is_null()) result.run.request["input_data"] = start.input;
    if (!start.calibration.is_null()) result.run.request["calibration_data"] = start.calibration;
    // The CPU's peak multiply-add rates, measured before any worker runs, for the CPU rows'
    // physical limits (docs/metrics.md); not when no cell runs on the CPU.
    if (start.cpu_cells) {
      cpu_limits = measure_cpu_limits(result.run.env);
      result.run.env["cpu"]["peak_multiply_adds"] = to_json(*cpu_limits, {*cpu_limits});
    }
    print_configuration(request, result.run);
    if (resumed) {
      std::cerr << "resuming run " << result.run.id << ": " << result.rows.size() << " rows so far\n";
    }
    if (!in_store) {
      to_store([&] { return store->begin_run(result.run); });
      for (std::size_t i = 0; i < result.rows.size(); ++i) {
        to_store([&] { return store->add_row(result.run.id, static_cast<int>(i), result.rows[i]); });
      }
    }
    to_files();
    note_what_is_kept();
  };
  ProgressDisplay display(std::cerr, ProgressDisplay::mode_for_stderr(), ProgressDisplay::stderr_width());
  listener.progress = [&](const std::string& line) { display.message("  " + line); };
  listener.phase = [&](const CellPhase& phase) { display.phase(phase); };
  // Where each row the driver gives went in result.rows: after a resumed run's rows, or in place of
  // one whose host was lost.
  std::vector<std::size_t> positions;
  listener.row = [&](Row row) {
    if (cpu_limits) row.compute_bound = compute_bound(row, *cpu_limits);
    if (auto lost = lost_rows.find(row_identity(row)); lost != lost_rows.end()) {
      const std::size_t position = lost->second;
      lost_rows.erase(lost);
      positions.push_back(position);
      result.rows.at(position) = std::move(row);
      to_store([&] { return store->replace_row(result.run.id, static_cast<int>(position), result.rows[position]); });
      to_files();
      return;
    }
    positions.push_back(result.rows.size());
    result.rows.push_back(std::move(row));
    to_store([&] { return store->add_row(result.run.id, static_cast<int>(result.rows.size() - 1), result.rows.back()); });
    to_files();
    note_what_is_kept();  // the store may have refused this row
  };
  listener.revise = [&](std::size_t given, Row row) {
    if (cpu_limits) row.compute_bound = compute_bound(row, *cpu_limits);
    const std::size_t position = positions.at(given);
    result.rows.at(position) = std::move(row);
    to_store([&] { return store->replace_row(result.run.id, static_cast<int>(position), result.rows[position]); });
    to_files();
    note_what_is_kept();
  };
  const Status status = driver.run(request, listener);
  display.clear();
  // The peaks again, now that the rows are measured: a neighbour's load during the first
  // measurement lowered it, and every bound with it. Per precision the higher of the two counts;
  // the rows' bounds, the stored run and the files follow it.
  if (cpu_limits) {
    const CpuLimits start = *cpu_limits;
    const CpuLimits end = measure_cpu_limits(result.run.env);
    cpu_limits = best_of(start, end);
    result.run.env["cpu"]["peak_multiply_adds"] = to_json(*cpu_limits, {start, end});
    to_store([&] { return store->update_env(result.run.id, result.run.env); });
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
      Row& row = result.rows[i];
      const auto bound = compute_bound(row, *cpu_limits);
      if (bound == row.compute_bound) continue;
      row.compute_bound = bound;
      to_store([&] { return store->replace_row(result.run.id, static_cast<int>(i), row); });
    }
    to_files();
  }
  if (started) to_store([&] { return store->finish_run(result.run.id); });
  if (!status) {
    print_error(status);
    if (result.rows.empty()) return exit_code_for(status);
  }

  std::cout << "\n";
  report_run(*table_reporter_for_stdout(wide), result);
  // The summary is written wherever stdout goes: a file of the run's output is read later, by
  // someone who wants the winners and the next command as much as one at a terminal does.
  report::RunPlaces places;
  if (request.out_dir) {
    if (files_failure) {
      places.out_failed = {request.out_dir->string(), files_failure->message()};
    } else {
      places.out_dir = request.out_dir->string();
    }
  }
  if (store) {
    if (store_failure) {
      places.store_failed = {store->path().string(), store_failure->message()};
    } else {
      places.store_path = store->path().string();
      places.default_store = store->path() == default_store_path();
    }
  }
  report::write_run_summary(std::cout, result, places);
  // A run whose results could not all be kept is not a success, whatever its rows.
  if (files_failure || store_failure) return kExitIo;
  return exit_code_for_rows(result.rows);
}

int backends_command(bool include_testing, bool as_json) {
  Driver driver(DriverPaths::from_build());
  const auto backends = driver.describe_backends(include_testing);
  if (as_json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : backends) {
      nlohmann::json variants = nlohmann::json::array();
      if (!without_variants(d.variants)) {
        for (const auto& v : d.variants) {
          nlohmann::json targets = nlohmann::json::array();
          for (const auto& t : v.targets) targets.push_back(t.device + ":" + t.precision);
          variants.push_back({{"name", v.name}, {"selector", d.name + ":" + v.name}, {"framework", v.framework},
                              {"targets", targets}, {"artefact_format", v.artefact_format},
                              {"suffixes", v.suffixes}, {"doc", v.doc}});
        }
      }
      list.push_back({{"name", d.name}, {"framework", d.framework}, {"available", d.loadable},
                      {"reason", d.reason}, {"version", d.version}, {"devices", d.devices},
                      {"unavailable_devices", d.unavailable_devices}, {"precisions", d.precisions},
                      {"artefact_format", d.artefact_format}, {"suffixes", d.suffixes},
                      {"default_scenarios", d.scenarios}, {"request_slots", d.request_slots},
                      {"options", d.options}, {"variants", variants}});
    }
    std::cout << list.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& d : backends) {
    if (!d.loadable) {
      std::cout << fmt::format("{:<11} unavailable  {}\n", d.name, d.reason);
      continue;
    }
    // Loaded, but usable only where a device is: a plugin whose every device is unavailable
    // (its runtime library missing, say) is listed as unavailable, with each device's reason.
    const bool any_device = d.unavailable_devices.size() < d.devices.size();
    std::vector<std::string> formats;
    for (const auto& v : d.variants) {
      if (std::find(formats.begin(), formats.end(), v.artefact_format) == formats.end()) formats.push_back(v.artefact_format);
    }
    std::cout << fmt::format("{:<11} {:<12} {} {} | precisions {} | loads {} ({})\n", d.name,
                             any_device ? "available" : "unavailable", d.framework, d.version, fmt::join(d.precisions, ","),
                             fmt::join(formats, ", "), fmt::join(d.suffixes, ","));
    for (const auto& device : d.devices) {
      auto it = d.unavailable_devices.find(device);
      std::cout << fmt::format("{:<11}   device {:<5} {}\n", "", device,
                               it == d.unavailable_devices.end() ? "available" : "unavailable: " + it->second);
    }
    // What a run measures without --scenarios, and what else the backend can run.
    std::vector<std::string> also;
    for (const auto& scenario : kKnownScenarios) {
      if (scenario != "sync" && std::find(d.scenarios.begin(), d.scenarios.end(), scenario) == d.scenarios.end()) {
        also.push_back(scenario);
      }
    }
    std::cout << fmt::format("{:<11}   scenarios {} by default; {}\n", "", fmt::join(d.scenarios, ", "),
                             d.request_slots ? fmt::format("with --scenarios also {} (request slots: --requests)",
                                                           fmt::join(also, ", "))
                                             : std::string("no request slots, so no async or LoadGen scenario"));
    // Each variant gives rows of its own: how to select it, the label its rows carry, what it
    // runs (devices this machine lacks marked), what it loads and what runs.
    if (!without_variants(d.variants)) {
      std::size_t width = 0;
      for (const auto& v : d.variants) width = std::max(width, d.name.size() + 1 + v.name.size());
      for (const auto& v : d.variants) {
        std::string targets = targets_summary(v.targets);
        std::vector<std::string> missing;
        for (const auto& device : target_devices(v.targets)) {
          if (d.unavailable_devices.count(device)) missing.push_back(device);
        }
        if (!missing.empty()) targets += fmt::format(" ({} unavailable here)", fmt::join(missing, ", "));
        std::cout << fmt::format("{:<11}   variant {:<{}}  \"{}\": {} | loads {} ({})\n", "", d.name + ":" + v.name,
                                 width, v.framework, targets, v.artefact_format, fmt::join(v.suffixes, ","));
        if (!v.doc.empty()) std::cout << fmt::format("{:<11}   {:<{}}  {}\n", "", "", width + 8, v.doc);
      }
    }
    for (const auto& o : d.options) {
      std::cout << fmt::format("{:<11}   option {}:{}=<{}> (default {}) {}\n", "", d.name,
                               o.value("name", ""), o.value("type", ""), o.value("default", ""),
                               o.value("doc", ""));
    }
  }
  return kExitOk;
}

int models_command(bool prune) {
  std::cout << "Models the exporters build:\n";
  for (const auto& m : model_catalogue()) {
    std::cout << fmt::format("  {:<19} {:<10} {}\n", m.name, fmt::format("{}", fmt::join(m.sample_shape, "x")),
                             m.description);
  }
  const auto root = ArtefactCache::default_root();
  ArtefactCache cache(root, project_python(), exporter_dir());
  auto mib = [](double bytes) { return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0)); };
  if (prune) {
    auto pruned = cache.prune();
    if (!pruned) {
      print_error(pruned.status());
      return kExitIo;
    }
    std::cout << fmt::format("\nPruned {} folder(s) from {}, {} freed\n", pruned->folders, root.string(),
                             mib(static_cast<double>(pruned->bytes)));
  }
  const auto manifests = cache.manifests();
  std::cout << "\nPrepared artefacts in " << root.string()
            << " (current: this build's exporters reuse it; stale: older exporter code or another Python made it):\n";
  if (manifests.empty()) std::cout << "  none yet (`inferbench run` exports what it needs)\n";
  int stale = 0;
  double stale_bytes = 0;
  double current_bytes = 0;
  for (const auto& m : manifests) {
    const bool current = m.value("current", false);
    (current ? current_bytes : stale_bytes) += m.value("disk_bytes", 0.0);
    stale += current ? 0 : 1;
    std::cout << fmt::format("  {:<7}  {:<14} {:<12} {:<5} {:>10} bytes  export {:>9.1f} ms  {}  ({})\n",
                             current ? "current" : "stale", m.value("model", "?"), m.value("format", "?"),
                             m.value("precision", "?"), m.value("bytes", 0LL), m.value("export_ms", 0.0),
                             (fs::path(m.value("folder", "")) / m.value("file", "?")).string(),
                             m.value("versions", nlohmann::json::object()).dump());
  }
  if (!manifests.empty()) {
    std::cout << fmt::format("  {} current ({}), {} stale ({}){}\n", manifests.size() - stale, mib(current_bytes),
                             stale, mib(stale_bytes),
                             stale ? ": `inferbench models --prune` deletes the stale ones" : "");
  }
  return kExitOk;
}

Result<RunResult> load_result(const std::string& given, const std::string& db) {
  std::error_code ec;
  std::string what = given;
  // A run's --out folder stands for its results.json.
  if (fs::is_directory(what, ec)) {
    if (!fs::is_regular_file(fs::path(what) / "results.json", ec)) {
      return Status(StatusCode::Input, what + " is a folder without a results.json",
                    "give a run's --out folder, its results.json, or a run id from `inferbench history`");
    }
    what = (fs::path(what) / "results.json").string();
  }
  if (!fs::exists(what, ec) && (what.find('/') != std::string::npos || fs::path(what).extension() == ".json")) {
    return Status(StatusCode::Input, "no file " + what, "give an existing results.json or --out folder, or a run id");
  }
  if (fs::is_regular_file(what, ec)) {
    std::ifstream in(what);
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("rows")) {
      return Status(StatusCode::Input, what + " is not an inferbench results.json",
                    "give a results.json written by `inferbench run --out` or a run id");
    }
    try {
      return json.get<RunResult>();
    } catch (const std::exception& e) {
      return Status(StatusCode::Input, what + " does not match the results schema: " + e.what(),
                    "see docs/results.schema.json");
    }
  }
  // Reading never creates a store (a mistyped --db left an empty one behind).
  const fs::path store_path = db.empty() ? default_store_path() : fs::path(db);
  if (!fs::exists(store_path, ec)) {
    return Status(StatusCode::Input, "no run '" + what + "': there is no result store at " + store_path.string(),
                  "give the --db the run was stored in, or a results.json or --out folder");
  }
  auto store = ResultStore::open(store_path);
  if (!store) return store.status();
  return store->load_run(what);
}

// `report BASE HEAD`: the two runs side by side, as a text table or Markdown.
int compare_command(const RunResult& base, const std::string& head_what, const std::string& format,
                    const std::string& db) {
  if (format != "table" && format != "markdown" && format != "md") {
    print_error(Status(StatusCode::Usage, "a comparison of two runs is written as table or markdown, not '" + format + "'",
                       "use --format table or --format markdown, or give one run"));
    return kExitUsage;
  }
  auto head = load_result(head_what, db);
  if (!head) {
    print_error(head.status());
    return exit_code_for(head.status());
  }
  report::write_comparison(std::cout, base, *head, report::compare_runs(base, *head), format != "table");
  return kExitOk;
}

int report_command(const std::string& what, const std::string& other, const std::string& format,
                   const std::string& db, const std::string& out_dir, const std::string& html, bool wide) {
  if (!other.empty() && (!out_dir.empty() || !html.empty())) {
    print_error(Status(StatusCode::Usage, "--out and --html write one run, and two runs were given",
                       "drop the second run, or drop --out/--html to compare"));
    return kExitUsage;
  }
  auto run = load_result(what, db);
  if (!run) {
    print_error(run.status());
    return exit_code_for(run.status());
  }
  if (!other.empty()) return compare_command(*run, other, format, db);
  auto reporter = make_reporter(format, std::cout);
  if (!reporter) {
    print_error(reporter.status());
    return kExitUsage;
  }
  if (format == "table") *reporter = table_reporter_for_stdout(wide);
  report_run(**reporter, *run);
  if (!out_dir.empty()) {
    // The same run's files are written again; another run's are not replaced.
    if (const auto previous = run_in_folder(out_dir); previous && previous->first != run->run.id) {
      print_error(Status(StatusCode::Usage,
                         "--out " + out_dir + " holds " +
                             (previous->first.empty() ? std::string("a results.json that is not an inferbench run's")
                                                      : "run " + previous->first) +
                             ", which run " + run->run.id + "'s files would replace",
                         "give another --out folder"));
      return kExitUsage;
    }
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (auto written = write_run_files(*run, out_dir); !written) {
      print_error(written);
      return kExitIo;
    }
  }
  if (!html.empty()) {
    std::error_code ec;
    if (fs::path(html).has_parent_path()) fs::create_directories(fs::path(html).parent_path(), ec);
    if (auto written = write_report_file(*run, "html", html); !written) {
      print_error(written);
      return kExitIo;
    }
    std::cerr << "inferbench: wrote " << html << "\n";
  }
  return kExitOk;
}

int history_command(const std::string& db, int limit) {
  const fs::path store_path = db.empty() ? default_store_path() : fs::path(db);
  std::error_code ec;
  if (!fs::exists(store_path, ec)) {  // reading never creates a store
    std::cout << "result store: " << store_path.string() << " (not there yet)\nno runs yet\n";
    return kExitOk;
  }
  auto store = ResultStore::open(store_path);
  if (!store) {
    print_error(store.status());
    return exit_code_for(store.status());
  }
  std::cout << "result store: " << store->path().string() << "\n";
  auto runs = store->list_runs(limit);
  if (!runs) {
    print_error(runs.status());
    return exit_code_for(runs.status());
  }
  if (runs->empty()) std::cout << "no runs yet\n";
  for (const auto& r : *runs) {
    std::cout << fmt::format("{}  {}  {:<10} {}  rows {:>3} (ok {}, failed {}, unavailable {})  {}{}\n", r.id,
                             r.started_at, r.host,
                             r.models.empty() ? "(no model)" : fmt::format("{}", fmt::join(r.models, ",")),
                             r.row_count, r.ok_count, r.failed_count,
                             r.unavailable_count,
                             r.best_fps ? fmt::format("best {:.2f} FPS {}", *r.best_fps, r.best_label) : "",
                             r.finished_at ? "" : "  (interrupted)");
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // The worker is a separate entry: it must not parse the user-facing options.
  if (argc >= 2 && std::string(argv[1]) == "worker") return worker_main(argc - 1, argv + 1);

  CLI::App app("inferbench: one model, several inference frameworks, one measurement protocol.",
               "inferbench");
  app.footer(kExitCodeHelp);
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "measure the model on every selected backend, device, "
                                        "precision and batch; print Table B and store the run");
  RunOptions run_options;
  run_options.add_to(*run);
  bool explain = false;
  run->add_flag("--explain", explain, "print the metric definitions (docs/metrics.md) and exit");

  auto* backends = app.add_subcommand("backends", "list backends: available or not (and why), "
                                                  "version, devices, precisions, options");
  bool backends_all = false, backends_json = false;
  backends->add_flag("--all", backends_all, "include the test-only plugins");
  backends->add_flag("--json", backends_json, "print JSON");

  auto* models = app.add_subcommand("models", "list known models and the prepared artefacts (sizes, export times, current or stale)");
  bool prune = false;
  models->add_flag("--prune", prune,
                   "first delete the artefacts this build would not reuse (stale) and what crashed exports left");

  auto* report = app.add_subcommand("report", "re-render a stored run or a results.json");
  std::string report_what, report_other, report_format = "table", report_db, report_out, report_html;
  report->add_option("RUN", report_what, "run id (or unique prefix) from `history`, or a results.json")->required();
  report->add_option("RUN2", report_other,
                     "a second run or results.json: print both side by side (RUN is the base), with "
                     "the change per row and whether it exceeds the confidence intervals");
  report->add_option("--format", report_format, "table, csv, markdown, json, guide (the deployment "
                                                "guide as Markdown) or html")->capture_default_str();
  report->add_option("--db", report_db, "result store to read");
  report->add_option("--out", report_out, "also write results.json/.csv/.md, guide.md and report.html into this folder");
  report->add_option("--html", report_html, "also write the self-contained HTML report (table, guide, charts) to this file");
  bool report_wide = false;
  report->add_flag("--wide", report_wide, "--format table: every column even on a terminal (by default Table B is "
                                          "fitted to the terminal's width; piped or redirected output has every column)");

  auto* history = app.add_subcommand("history", "list stored runs, newest first, and the store's path");
  std::string history_db;
  int history_limit = 20;
  history->add_option("--db", history_db, "result store to read");
  history->add_option("--limit", history_limit, "how many runs")->capture_default_str();

  auto* export_command = app.add_subcommand(
      "export-artefact", "build one artefact from an export request (JSON) in this machine's cache and print it as "
                         "JSON (what a fleet host runs for a format compiled for the machine that runs it, docs/fleet.md)");
  std::string export_request_file;
  export_command->add_option("REQUEST", export_request_file, "the export request, a JSON file")->required();
  auto* host_info_command = app.add_subcommand(
      "host-info", "print this build's revision, this machine's environment and every backend as JSON (what a "
                   "fleet run's discovery asks each host, docs/fleet.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "inferbench: " << e.what() << "; see `inferbench --help`\n";
    return kExitUsage;
  }

  try {
    if (run->parsed() && explain) {
      std::ifstream in(fs::path(build_info().source_dir) / "docs" / "metrics.md");
      if (!in) {
        print_error(Status(StatusCode::Io, "docs/metrics.md not found in the source tree"));
        return kExitIo;
      }
      std::cout << in.rdbuf();
      return kExitOk;
    }
    if (run->parsed()) {
      auto request = run_options.to_request(*run);
      if (!request) {
        print_error(request.status());
        return kExitUsage;
      }
      return run_command(*request, std::vector<std::string>(argv + 2, argv + argc), run_options.output.wide);
    }
    if (backends->parsed()) return backends_command(backends_all, backends_json);
    if (export_command->parsed()) return export_artefact_command(export_request_file);
    if (host_info_command->parsed()) {
      std::cout << host_info(Driver(DriverPaths::from_build())).dump() << "\n";
      return kExitOk;
    }
    if (models->parsed()) return models_command(prune);
    if (report->parsed()) {
      return report_command(report_what, report_other, report_format, report_db, report_out, report_html,
                            report_wide);
    }
    if (history->parsed()) return history_command(history_db, history_limit);
  } catch (const std::exception& e) {
    // Last resort: our code returns errors as values; this catches library surprises.
    std::cerr << "inferbench: internal error: " << e.what() << "\n";
    return kExitIo;
  }
  return kExitUsage;
}

}  // namespace inferbench::cli
