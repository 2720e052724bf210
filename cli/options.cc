// SPDX-License-Identifier: Apache-2.0
// The `run` option groups and their parsing rules.
#include "cli/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <tuple>

#include "driver/catalogue.h"

namespace inferbench::cli {
namespace {

CLI::Option* single(CLI::Option* option) {
  // A flag given twice is rejected rather than silently resolved to one of the values.
  return option->multi_option_policy(CLI::MultiOptionPolicy::Throw);
}

Result<std::int64_t> parse_int(const std::string& text, const char* what) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status(StatusCode::Usage, std::string(what) + ": '" + text + "' is not an integer",
                  "give whole numbers, for example 1,8,64");
  }
  return value;
}

constexpr double kMaxEnergyWindowS = 86400;

// A positive (or, with `zero_ok`, non-negative) finite number, or a Usage error naming the flag.
Result<double> parse_number(const std::string& text, const char* flag, bool zero_ok, const char* hint) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0 ||
      (value == 0 && !zero_ok)) {
    return Status(StatusCode::Usage,
                  std::string(flag) + " '" + text + "' is not a " + (zero_ok ? "non-negative" : "positive") + " number",
                  hint);
  }
  return value;
}

}  // namespace

Result<std::vector<std::string>> parse_list(const std::string& text, const char* flag) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    items.push_back(item);
  }
  if (!text.empty() && text.back() == ',') items.emplace_back();  // getline drops a last empty item
  // An empty item is a slip (an unset shell variable, a doubled comma), never a wish for "all".
  if (items.empty() || std::find(items.begin(), items.end(), "") != items.end()) {
    return Status(StatusCode::Usage, std::string(flag) + " '" + text + "' has an empty item",
                  "give a comma list without empty items, or all");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (std::find(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(i), items[i]) != items.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Status(StatusCode::Usage, std::string(flag) + " names '" + items[i] + "' twice", "give each once");
    }
  }
  if (items.size() == 1 && items[0] == "all") items.clear();
  return items;
}

Result<std::vector<int>> parse_int_list(const std::string& text, const char* flag) {
  std::vector<int> values;
  auto items = parse_list(text, flag);
  if (!items) return items.status();
  for (const auto& item : *items) {
    auto value = parse_int(item, flag);
    if (!value) return value.status();
    if (*value < -1000000000 || *value > 1000000000) {
      return Status(StatusCode::Usage, std::string(flag) + ": " + item + " is out of range",
                    "give a reasonable size");
    }
    values.push_back(static_cast<int>(*value));
  }
  if (values.empty()) {
    return Status(StatusCode::Usage, std::string(flag) + " is empty", "give at least one value");
  }
  return values;
}

Result<BackendOption> parse_backend_option(const std::string& text) {
  const auto colon = text.find(':');
  const auto equals = text.find('=');
  if (colon == std::string::npos || equals == std::string::npos || equals < colon || colon == 0 ||
      equals == colon + 1) {
    return Status(StatusCode::Usage, "--backend-option '" + text + "' is not BACKEND:KEY=VALUE",
                  "for example --backend-option noop:spin_us=10");
  }
  return BackendOption{text.substr(0, colon), text.substr(colon + 1, equals - colon - 1),
                       text.substr(equals + 1)};
}

void ModelOptions::add_to(CLI::App& app) {
  single(app.add_option("--model", model,
                        "a known model name (see `inferbench models`), your own PyTorch model as "
                        "Python code (FILE.py[:NAME], NAME building the torch.nn.Module; default "
                        "`model`), or an artefact file, or a comma list of them: each runs the "
                        "whole matrix in turn; all = every known model but the test one")
             ->capture_default_str()->group("Model"));
  single(app.add_option("--weights", weights,
                        "checkpoint (torch state_dict) for a named or FILE.py model; default: "
                        "seeded random weights")->group("Model"));
  single(app.add_option("--input-shape", input_shape,
                        "per-sample input shape of a model FILE or FILE.py model, e.g. 3x224x224 "
                        "(default 3x224x224)")->group("Model"));
}

Status ModelOptions::apply(RunRequest& request) const {
  // "all": every model of the catalogue but the test ones.
  request.models.clear();
  if (model == "all") {
    for (const ModelEntry& entry : model_catalogue()) {
      if (!entry.testing) request.models.push_back(entry.name);
    }
  }
  if (model != "all") {
    auto names = parse_list(model, "--model");
    if (!names) return names.status();
    request.models = std::move(*names);
  }
  if (!weights.empty()) request.weights = weights;
  if (!input_shape.empty()) {
    std::stringstream in(input_shape);
    for (std::string dim; std::getline(in, dim, 'x');) {
      auto value = parse_int(dim, "--input-shape");
      if (!value || *value < 1) {
        return Status(StatusCode::Usage, "--input-shape '" + input_shape + "' is not DxDx...",
                      "give positive dimensions separated by x, e.g. 3x224x224");
      }
      request.sample_shape.push_back(*value);
    }
  }
  return Status::ok();
}

void MatrixOptions::add_to(CLI::App& app) {
  single(app.add_option("--backends", backends, "comma list of backends (a backend with variants: all of them, "
                        "or one as BACKEND:VARIANT, e.g. torch:aoti), or all")
             ->capture_default_str()->group("Matrix"));
  single(app.add_option("--devices", devices, "comma list of devices (cpu, cuda, gpu, npu), or all "
                        "(every device each backend declares)")->capture_default_str()->group("Matrix"));
  single(app.add_option("--precisions", precisions, "comma list of fp32, fp16, bf16, int8, or all "
                        "(every precision each backend declares)")->capture_default_str()->group("Matrix"));
  single(app.add_option("--scenarios", scenarios, "comma list of sync (one request at a time, "
                        "synchronised: the study's latency protocol), async (requests in flight: "
                        "throughput mode) and LoadGen's single-stream, multi-stream, server, offline; "
                        "default = each backend's own (sync, and async for OpenVINO); all = every one")
             ->capture_default_str()->group("Matrix"));
  single(app.add_option("--batch", batches, "batch size, or a comma list for a sweep (1..4096)")
             ->capture_default_str()->group("Matrix"));
  app.add_option("--backend-option", backend_options,
                 "BACKEND:KEY=VALUE passed to one backend (repeatable; see `inferbench backends`)")
      ->group("Matrix");
}

Status MatrixOptions::apply(RunRequest& request) const {
  for (auto [list, text, flag] : {std::tuple{&request.backends, &backends, "--backends"},
                                   std::tuple{&request.devices, &devices, "--devices"},
                                   std::tuple{&request.precisions, &precisions, "--precisions"}}) {
    auto items = parse_list(*text, flag);
    if (!items) return items.status();
    *list = std::move(*items);
  }
  // "default" (each backend's own) is the empty list; "all" is every scenario by name.
  if (scenarios == "all") {
    request.scenarios = kKnownScenarios;
  } else if (scenarios != "default") {
    auto items = parse_list(scenarios, "--scenarios");
    if (!items) return items.status();
    request.scenarios = std::move(*items);
  }
  auto parsed = parse_int_list(batches, "--batch");
  if (!parsed) return parsed.status();
  request.batches = *parsed;
  for (const auto& text : backend_options) {
    auto option = parse_backend_option(text);
    if (!option) return option.status();
    auto& pairs = request.backend_options[option->backend];
    if (pairs.count(option->key)) {
      return Status(StatusCode::Usage, "--backend-option " + option->backend + ":" + option->key + " given twice",
                    "give each option once");
    }
    pairs[option->key] = option->value;
  }
  return Status::ok();
}

void MeasurementOptions::add_to(CLI::App& app) {
  single(app.add_option("--warmup", warmup, "warm-up iterations (the first inference is one of them)")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--iters", iterations, "timed iterations per cell")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--protocol", protocol, "how each cell's warm-up and timed window end: study (the "
                        "study's fixed --warmup and --iters) or adaptive (warm-up until the latencies are "
                        "steady, then timed iterations until the P50's and P99's 95% intervals are as tight "
                        "as --target-precision and --tail-precision ask, or --max-window)")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--warmup-max", warmup_max, "adaptive: most warm-up iterations (the first "
                        "inference is one of them) when the latencies do not settle")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--target-precision", target_precision, "adaptive: stop once the P50's 95% "
                        "interval lies within this many percent of the P50 (throughput rows: the "
                        "throughput's interval)")->capture_default_str()->group("Measurement"));
  single(app.add_option("--tail-precision", tail_precision, "adaptive: ... and the P99's within this many "
                        "percent of the P99")->capture_default_str()->group("Measurement"));
  single(app.add_option("--max-window", max_window, "adaptive: seconds after which a timed window stops "
                        "even short of its precision (once it holds 60 samples), saying what it reached")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--max-seconds", max_seconds,
                        "time budget per cell for warm-up + timed loop, seconds (stops early, "
                        "with a warning in the row)")->capture_default_str()->group("Measurement"));
  single(app.add_option("--timeout", timeout_seconds,
                        "hard limit per worker process, seconds: a worker still running is "
                        "killed and its row is failed")->capture_default_str()->group("Measurement"));
  single(app.add_option("--threads", threads, "intra-op threads for every framework, or a comma list "
                        "for a sweep (e.g. 1,2); 0 = each framework's default")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--instances", instances, "instances of each cell run at once, each its own "
                        "worker process with its timed window started with the others' (a comma "
                        "list makes a sweep); with --threads 0 each CPU instance gets CPUs / N "
                        "threads")->capture_default_str()->group("Measurement"));
  single(app.add_option("--rounds", rounds, "measure the whole matrix this many times in turn, "
                        "each cell's rounds interleaved with the other cells' (each round its own "
                        "warm-up and --iters), and merge each cell's rounds into its row: drift of "
                        "the machine's speed then hits every cell alike")
             ->capture_default_str()->group("Measurement"));
  single(app.add_option("--seed", seed, "seed of the random input (and of the model's random "
                        "weights)")->check(CLI::NonNegativeNumber)->capture_default_str()->group("Measurement"));
  single(app.add_option("--input", input, "the data to run and compare on instead of seeded random "
                        "values: a .npy array shaped (N, C, H, W), or a folder of images, "
                        "preprocessed for torchvision's ImageNet models (resize, centre crop, "
                        "normalise), or a folder of class folders of images (labelled by "
                        "folder); the timed batches take the first samples, and parity runs "
                        "every sample read once (--eval-samples)")->group("Measurement"));
  single(app.add_option("--eval-samples", eval_samples, "with --input: how many of its samples "
                        "(the first N, or all) each row runs once after its timed window, for "
                        "parity and accuracy")->capture_default_str()->group("Measurement"));
  single(app.add_option("--labels", labels, "with --input: the samples' true classes (a .npy "
                        "array of N integers, a text file of one per line, or NAME LABEL lines "
                        "naming the image files), for each row's top-1/top-5 accuracy beside the "
                        "FP32 reference's")->group("Measurement"));
  single(app.add_option("--min-energy-window", min_energy_window, "the shortest timed window, seconds, "
                        "that gets an energy number (a shorter one gets none and a warning); default: "
                        "the source's own, 1 for NVML, 0.1 for RAPL")->group("Measurement"));
  single(app.add_flag("--profile", profile, "after each row's timed window, a separate profiling pass on a "
                      "fresh instance: where an inference spends its time, by operator and category, "
                      "from the framework's own profiler, and a Chrome trace under DIR/profiles/")
             ->group("Measurement"));
  single(app.add_option("--profile-runs", profile_runs, "with --profile: the profiled runs its means are "
                        "over (after a warm-up of 5 runs and at least 2 s)")->capture_default_str()->group("Measurement"));
  single(app.add_option("--calibration", calibration, "INT8 artefacts: calibrate on this data (a .npy "
                        "array or a folder of images, as --input reads them) instead of a seeded "
                        "synthetic set")->group("Measurement"));
}

Status MeasurementOptions::apply(RunRequest& request) const {
  request.warmup = warmup;
  request.iterations = iterations;
  request.protocol = protocol;
  request.warmup_max = warmup_max;
  const auto percent = [](const std::string& text, const char* flag) {
    const bool sign = !text.empty() && text.back() == '%';
    return parse_number(sign ? text.substr(0, text.size() - 1) : text, flag, false,
                        "give a percentage, e.g. 1 (or 1%) for +/-1%");
  };
  auto p50 = percent(target_precision, "--target-precision");
  if (!p50) return p50.status();
  request.targets.p50 = *p50 / 100;
  auto p99 = percent(tail_precision, "--tail-precision");
  if (!p99) return p99.status();
  request.targets.p99 = *p99 / 100;
  auto window = parse_number(max_window, "--max-window", false, "give seconds, e.g. 10");
  if (!window) return window.status();
  request.targets.max_window_s = *window;
  request.max_seconds = max_seconds;
  request.timeout_seconds = timeout_seconds;
  auto parsed = parse_int_list(threads, "--threads");
  if (!parsed) return parsed.status();
  request.threads = *parsed;
  auto instances_parsed = parse_int_list(instances, "--instances");
  if (!instances_parsed) return instances_parsed.status();
  request.instances = *instances_parsed;
  request.rounds = rounds;
  request.seed = seed;
  if (!min_energy_window.empty()) {
    auto window = parse_number(min_energy_window, "--min-energy-window", false,
                               "give seconds, e.g. --min-energy-window 0.5");
    if (!window) return window.status();
    // Longer than any cell can run (and past what a window's nanosecond count holds near 1e10 s).
    if (*window > kMaxEnergyWindowS) {
      return Status(StatusCode::Usage,
                    "--min-energy-window " + min_energy_window + " is more than a day: no timed window is that long",
                    "give seconds up to 86400, e.g. --min-energy-window 2");
    }
    request.min_energy_window_s = *window;
  }
  request.profile = profile;
  if (auto runs = parse_int(profile_runs, "--profile-runs"); !runs || *runs < 1 || *runs > 100000) {
    return Status(StatusCode::Usage, "--profile-runs " + profile_runs + " is not a number of runs",
                  "give a count from 1 to 100000, e.g. --profile --profile-runs 10");
  } else {
    request.profile_runs = static_cast<int>(*runs);
  }
  if (!profile && profile_runs != "10") {
    return Status(StatusCode::Usage, "--profile-runs is about the profiling pass, and no --profile was given",
                  "add --profile");
  }
  if (!input.empty()) request.input = input;
  if (!calibration.empty()) request.calibration = calibration;
  if (!labels.empty()) request.labels = labels;
  if (input.empty() && (!labels.empty() || eval_samples != std::to_string(kDefaultEvalSamples))) {
    return Status(StatusCode::Usage, std::string(labels.empty() ? "--eval-samples" : "--labels") +
                                         " is about the samples of --input, and no --input was given",
                  "add --input FILE.npy|DIR");
  }
  if (eval_samples == "all") {
    request.eval_samples = 0;
  } else {
    auto parsed_samples = parse_int(eval_samples, "--eval-samples");
    if (!parsed_samples || *parsed_samples < 1 || *parsed_samples > 10'000'000) {
      return Status(StatusCode::Usage, "--eval-samples " + eval_samples + " is not a number of samples",
                    "give a count from 1 to 10000000, or all");
    }
    request.eval_samples = static_cast<int>(*parsed_samples);
  }
  return Status::ok();
}

void ServingOptions::add_to(CLI::App& app) {
  single(app.add_option("--requests", requests, "requests in flight in async and the LoadGen scenarios but "
                        "single-stream (a comma list makes a sweep); 0 = each backend's recommendation")
             ->capture_default_str()->group("Serving"));
  single(app.add_option("--target-qps", target_qps, "server: run one LoadGen test at this many samples "
                        "per second, judged against --latency-bound (default 100 ms)")->group("Serving"));
  single(app.add_option("--latency-bound", latency_bound, "server: the bound, ms, on the "
                        "--latency-percentile latency; alone, finds the highest rate LoadGen judges VALID "
                        "under it")->group("Serving"));
  single(app.add_option("--latency-percentile", latency_percentile, "server: the percentile the bound "
                        "applies to (0 < P < 100)")->capture_default_str()->group("Serving"));
  single(app.add_option("--batch-timeout", batch_timeout, "server: ms a request slot waits, after the "
                        "first queued sample, for more to fill its batch (0 = never waits)")
             ->capture_default_str()->group("Serving"));
  single(app.add_option("--dispatch-poll", dispatch_poll, "server, multi-stream, offline: µs an idle request "
                        "slot's thread polls the queue, while no slot runs a batch, before it sleeps (0 = sleeps "
                        "at once): a hand-over of about 1 µs instead of a thread wake-up, for a core kept busy "
                        "whenever the runtime is idle")
             ->capture_default_str()->group("Serving"));
  single(app.add_option("--loadgen-seconds", loadgen_seconds, "the shortest duration of each LoadGen test "
                        "(each also runs the queries LoadGen's early stopping needs)")
             ->capture_default_str()->group("Serving"));
  single(app.add_option("--loadgen-samples", loadgen_samples, "samples in LoadGen's sample library (its performance "
                        "sample count), all resident before the first test; 0 = 64 and at least two batches")
             ->capture_default_str()->group("Serving"));
  app.add_flag("--loadgen-official", loadgen_official, "LoadGen tests with mlperf.conf's durations, query "
               "counts and seeds (ten minutes each), for submission-length runs")->group("Serving");
}

Status ServingOptions::apply(RunRequest& request) const {
  auto counts = parse_int_list(requests, "--requests");
  if (!counts) return counts.status();
  request.requests = *counts;
  ServingSettings& s = request.serving;
  if (!target_qps.empty()) {
    auto q = parse_number(target_qps, "--target-qps", false, "give the rate in samples per second, e.g. --target-qps 50");
    if (!q) return q.status();
    s.target_qps = *q;
  }
  if (!latency_bound.empty()) {
    auto bound = parse_number(latency_bound, "--latency-bound", false, "give the bound in milliseconds, e.g. --latency-bound 100");
    if (!bound) return bound.status();
    s.latency_bound_ms = *bound;
  }
  auto percentile = parse_number(latency_percentile, "--latency-percentile", false, "give a percentile between 0 and 100, e.g. 99");
  if (!percentile) return percentile.status();
  if (*percentile >= 100) {
    return Status(StatusCode::Usage, "--latency-percentile " + latency_percentile + " is not below 100",
                  "give a percentile between 0 and 100, e.g. 99 or 99.9");
  }
  s.latency_percentile = *percentile;
  auto timeout = parse_number(batch_timeout, "--batch-timeout", true, "give milliseconds, 0 or more");
  if (!timeout) return timeout.status();
  s.batch_timeout_ms = *timeout;
  auto poll = parse_number(dispatch_poll, "--dispatch-poll", true, "give microseconds, 0 or more, e.g. 10000");
  if (!poll) return poll.status();
  if (*poll > 1e6) {
    return Status(StatusCode::Usage, "--dispatch-poll " + dispatch_poll + " is more than a second of polling",
                  "give microseconds up to 1000000, e.g. 10000");
  }
  s.dispatch_poll_us = *poll;
  auto seconds = parse_number(loadgen_seconds, "--loadgen-seconds", false, "give seconds, e.g. 1");
  if (!seconds) return seconds.status();
  s.min_seconds = *seconds;
  if (loadgen_samples < 0 || loadgen_samples > 1'000'000) {
    return Status(StatusCode::Usage, "--loadgen-samples " + std::to_string(loadgen_samples) + " is out of range",
                  "give 0 (64, at least two batches) or a count up to 1000000");
  }
  s.samples = loadgen_samples;
  s.official = loadgen_official;
  return Status::ok();
}

void OutputOptions::add_to(CLI::App& app) {
  single(app.add_option("--out", out_dir, "folder for results.json, .csv and .md, guide.md, report.html and "
                        "the worker logs (written as each cell finishes); a folder holding another run's "
                        "results.json is refused unless --overwrite")->group("Output"));
  app.add_flag("--overwrite", overwrite, "let --out replace the run already in that folder (its files, "
               "work/ and profiles/ are removed when the run starts)")->group("Output");
  single(app.add_option("--db", db, "result store (SQLite); default $INFERBENCH_DB or "
                        "~/.local/share/inferbench/history.sqlite")->group("Output"));
  app.add_flag("--no-store", no_store, "do not record this run in the result store")->group("Output");
  app.add_flag("--verbose", verbose, "show the frameworks' own log output")->group("Output");
  app.add_flag("--dry-run", dry_run, "print the cells this run would measure, the unavailable ones with "
               "their reason, and each artefact cached or to export; run and export nothing")->group("Output");
  app.add_flag("--wide", wide, "print Table B with every column even on a terminal (by default it is fitted to the "
               "terminal's width; piped or redirected output always has every column)")->group("Output");
}

Status OutputOptions::apply(RunRequest& request) const {
  if (!out_dir.empty()) request.out_dir = out_dir;
  if (!db.empty()) request.db_path = db;
  request.store = !no_store;
  request.verbose = verbose;
  request.dry_run = dry_run;
  request.overwrite = overwrite;
  return Status::ok();
}

void FleetOptions::add_to(CLI::App& app) {
  single(app.add_option("--cluster", cluster, "measure on the hosts of this Ray cluster (HOST:PORT of its head, or "
                        "auto for RAY_ADDRESS) instead of this machine: each cell on every host that can run it, "
                        "one at a time per host, hosts at once (docs/fleet.md)")->group("Fleet"));
  single(app.add_option("--hosts", hosts, "with --cluster: comma list of host names to measure on, or all")
             ->capture_default_str()->group("Fleet"));
  single(app.add_option("--resume", resume, "complete run RUN (a run id or prefix from `history`, or its "
                        "results.json): run, with the run's own settings, the cells that have no row yet and those "
                        "whose host was lost, and add them to that run")->group("Fleet"));
}

Status FleetOptions::apply(RunRequest& request) const {
  if (!cluster.empty()) request.cluster = cluster;
  auto host_names = parse_list(hosts, "--hosts");
  if (!host_names) return host_names.status();
  request.hosts = std::move(*host_names);
  if (!resume.empty()) request.resume = resume;
  return Status::ok();
}

void RunOptions::add_to(CLI::App& app) {
  model.add_to(app);
  matrix.add_to(app);
  measurement.add_to(app);
  serving.add_to(app);
  output.add_to(app);
  fleet.add_to(app);
}

Result<RunRequest> RunOptions::to_request(const CLI::App& app) const {
  // A value given empty is a slip (an unset shell variable: `--weights "$CKPT"`), never a wish for
  // the default, which is what dropping it would give.
  for (const CLI::Option* option : app.get_options()) {
    if (option->count() == 0 || option->get_type_size() == 0) continue;  // a flag takes no value
    const auto& values = option->results();
    if (std::any_of(values.begin(), values.end(), [](const std::string& value) { return value.empty(); })) {
      return Status(StatusCode::Usage, option->get_name() + " is empty", "give it a value, or drop " + option->get_name());
    }
  }
  RunRequest request;
  IB_RETURN_IF_ERROR(model.apply(request));
  IB_RETURN_IF_ERROR(matrix.apply(request));
  IB_RETURN_IF_ERROR(measurement.apply(request));
  IB_RETURN_IF_ERROR(serving.apply(request));
  IB_RETURN_IF_ERROR(output.apply(request));
  IB_RETURN_IF_ERROR(fleet.apply(request));
  for (const auto* option : app.get_options()) {
    if (option->count() > 0 && option->get_name() != "--help") {
      request.changed.push_back(option->get_name());
    }
  }
  if (request.db_path && !request.store) {
    return Status(StatusCode::Usage, "--db names a store, and --no-store keeps this run out of every store",
                  "drop one of them");
  }
  if (request.overwrite && !request.out_dir) {
    return Status(StatusCode::Usage, "--overwrite is about the --out folder, and no --out was given", "add --out DIR");
  }
  // A default gives way to the limit the user set beside it, so that the worker's hard limit
  // leaves it its time budget: --timeout alone halves the cell budget's default where that is
  // shorter, --max-seconds alone doubles the timeout's. Both given are checked (Driver::validate()).
  // A value out of range is left to Driver::validate(), which names the flag given.
  const auto in_range = [](double seconds) { return seconds > 0 && seconds <= kMaxCellSeconds; };
  if (changed(request, "--timeout") && !changed(request, "--max-seconds") && in_range(request.timeout_seconds)) {
    request.max_seconds = std::min(request.max_seconds, request.timeout_seconds / 2);
  }
  if (changed(request, "--max-seconds") && !changed(request, "--timeout") && in_range(request.max_seconds)) {
    request.timeout_seconds = std::min(kMaxCellSeconds, std::max(request.timeout_seconds, 2 * request.max_seconds));
  }
  // The adaptive window's default (10 s) gives way to a shorter cell budget; one the user gave
  // is checked against it (check_protocol()).
  if (!changed(request, "--max-window")) request.targets.max_window_s = std::min(request.targets.max_window_s, request.max_seconds);
  return request;
}

Result<RunRequest> parse_run_arguments(const std::vector<std::string>& args) {
  CLI::App app("inferbench run", "run");
  RunOptions options;
  options.add_to(app);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return Status(StatusCode::Usage, e.what(), "see `inferbench run --help`");
  }
  return options.to_request(app);
}

}  // namespace inferbench::cli
