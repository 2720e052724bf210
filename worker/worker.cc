// SPDX-License-Identifier: Apache-2.0
// One cell, measured: plugin load, prepare, input, warm-up, timed loop, parity, summary.
#include "worker/worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>

#include "core/energy/energy.h"
#include "core/env/environment.h"
#include "core/env/process_memory.h"
#include "core/input/input_generator.h"
#include "core/parity/parity.h"
#include "core/result/progress_message.h"
#include "core/result/scenario.h"
#include "core/stats/diagnostics.h"
#include "core/stats/timed_window.h"
#include "core/support/build_info.h"
#include "core/support/json_text.h"
#include "core/timing/async_loop.h"
#include "core/timing/measure_loop.h"
#include "core/timing/wall_clock.h"
#include "worker/adaptive_protocol.h"
#include "worker/crash_report.h"
#include "worker/instance_gate.h"
#include "worker/plugin_loader.h"
#include "worker/profile_pass.h"
#include "worker/serving/serving_run.h"

namespace inferbench {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

Row fail_row(Row row, RowStatus status, std::string error) {
  row.status = status;
  row.error = std::move(error);
  return row;
}

std::string plugin_error(const LoadedPlugin& plugin, const char* during) {
  return std::string(during) + ": " + plugin_message(plugin);
}

Status write_floats(const std::string& path, std::span<const float> values) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size_bytes()));
  if (!out) return Status(StatusCode::Io, "cannot write reference output " + path);
  return Status::ok();
}

// The raw values of `path` (float32, or int32 labels), the `what` of the cell ("reference output",
// "input data"): all of them, or `count` from the `first`.
template <typename T>
Result<std::vector<T>> read_values(const std::string& path, const std::string& what, std::size_t first = 0,
                                   std::optional<std::size_t> count = std::nullopt) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status(StatusCode::Io, "cannot read " + what + " " + path);
  const auto held = static_cast<size_t>(in.tellg()) / sizeof(T);
  if (first > held || (count && *count > held - first)) {
    return Status(StatusCode::Io, what + " " + path + " holds " + std::to_string(held) + " values, not " +
                                      std::to_string(first + count.value_or(0)));
  }
  std::vector<T> values(count.value_or(held - first));
  in.seekg(static_cast<std::streamoff>(first * sizeof(T)));
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
  if (!in) return Status(StatusCode::Io, "short read of " + what + " " + path);
  return values;
}

Result<std::vector<float>> read_floats(const std::string& path, const std::string& what, std::size_t first = 0,
                                       std::optional<std::size_t> count = std::nullopt) {
  return read_values<float>(path, what, first, count);
}

// One progress message to the driver. A single write(2) of a line shorter than PIPE_BUF is
// atomic on a pipe; when it fails the display misses one update and nothing else changes.
void send_progress(int fd, std::string_view phase, int done = 0, int total = 0) {
  set_crash_phase(phase.data());  // the kPhase* constants: NUL-terminated literals
  if (fd < 0) return;
  const std::string line = format_progress_message({std::string(phase), done, total});
  [[maybe_unused]] const ssize_t written = write(fd, line.data(), line.size());
}

// A plugin that declares this option (a folder for the framework's compiled-model cache) gets
// `cached_compile_ms` measured: see cached_compile_ms() and docs/metrics.md.
constexpr const char* kModelCacheOption = "model_cache";

bool declares_option(const ib_backend_info& info, const char* name) {
  for (size_t i = 0; i < info.num_options; ++i) {
    if (std::string(info.options[i].name) == name) return true;
  }
  return false;
}

// The compile time of a load that finds the framework's model cache filled: prepare() once
// with an empty cache folder (which fills it), destroy, then prepare() again, timed with the
// same clock as compile_ms, and destroy. The folder is private to this worker and removed.
// Returns nothing, with `why` set, when a prepare() fails.
std::optional<double> cached_compile_ms(const LoadedPlugin& plugin, ib_prepare_args args,
                                        std::vector<ib_key_value> options, int cell_index,
                                        std::string& why) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = fs::temp_directory_path(ec) /
                          ("inferbench-model-cache-" + std::to_string(getpid()) + "-" +
                           std::to_string(cell_index));
  fs::remove_all(folder, ec);
  fs::create_directories(folder, ec);
  if (ec) {
    why = "cannot create " + folder.string() + ": " + ec.message();
    return std::nullopt;
  }
  const std::string folder_text = folder.string();
  options.push_back({kModelCacheOption, folder_text.c_str()});
  args.options = options.data();
  args.num_options = options.size();
  std::optional<double> result;
  ib_backend* filling = nullptr;
  if (plugin.api->prepare(&args, &filling) != IB_OK) {
    why = plugin_error(plugin, "prepare with an empty model cache failed");
  } else {
    plugin.api->destroy(filling);
    ib_backend* cached = nullptr;
    const auto start = Clock::now();
    const ib_status prepared = plugin.api->prepare(&args, &cached);
    const auto end = Clock::now();
    if (prepared != IB_OK) {
      why = plugin_error(plugin, "prepare with a filled model cache failed");
    } else {
      result = to_ms(end - start);
      plugin.api->destroy(cached);
    }
  }
  fs::remove_all(folder, ec);
  return result;
}

// The four request-slot entry points, all present (the ABI has them NULL together).
bool has_request_slots(const ib_backend_api& api) {
  return api.request_slots && api.start_request && api.wait_request && api.set_request_samples;
}

const ib_variant_info* find_variant(const ib_backend_info& info, const std::string& name) {
  for (size_t i = 0; i < info.num_variants; ++i) {
    if (name == info.variants[i].name) return &info.variants[i];
  }
  return nullptr;
}

std::string variant_names(const ib_backend_info& info) {
  std::string names;
  for (size_t i = 0; i < info.num_variants; ++i) names += (i ? ", " : "") + std::string(info.variants[i].name);
  return names;
}

// The device's own time for each timed iteration: the last `timed` of the plugin's records.
// Fewer records than timed iterations means they cannot be matched, and the row gets none.
void collect_device_times(const LoadedPlugin& plugin, ib_backend* backend, size_t timed, Row& row) {
  const double* ms = nullptr;
  size_t count = 0;
  if (plugin.api->device_times(backend, &ms, &count) != IB_OK) {
    row.warnings.push_back(plugin_error(plugin, "no device time: device_times failed"));
    return;
  }
  if (count < timed) {
    row.warnings.push_back("no device time: the plugin recorded " + std::to_string(count) + " device times for " +
                           std::to_string(timed) + " timed iterations");
    return;
  }
  row.device_time_samples_ms.assign(ms + (count - timed), ms + count);
}

// Output 0 of the last run, checked: the plugin's values (valid until its next run) and the class
// count, its last dimension. A failed output() or a NaN or infinite value is an error; `which`
// names the run in the message (empty for the timed one, " on samples 0 to 63" in the parity pass).
struct CheckedOutput {
  std::span<const float> values;
  std::int64_t classes = 1;
};

Result<CheckedOutput> checked_output(const LoadedPlugin& plugin, ib_backend* backend, const std::string& which) {
  const float* data = nullptr;
  size_t count = 0;
  const int64_t* shape = nullptr;
  size_t rank = 0;
  if (plugin.api->output(backend, &data, &count, &shape, &rank) != IB_OK) {
    return Status(StatusCode::Backend, plugin_error(plugin, ("output" + which + " failed").c_str()));
  }
  const std::span<const float> values(data, count);
  // A backend that computes NaN is broken, however fast.
  if (const auto bad = count_non_finite(values); bad > 0) {
    return Status(StatusCode::Backend, "the backend's output" + which + " has " + std::to_string(bad) + " of " +
                                           std::to_string(count) +
                                           " values that are NaN or infinite; the artefact or the backend is broken");
  }
  return CheckedOutput{values, rank > 0 ? shape[rank - 1] : 1};
}

// The parity pass over the user's data: the first cell.eval_samples samples of --input, each run
// once after the timed window, batch by batch (a last, partial batch is filled by repeating its
// own samples, whose extra outputs are dropped). Returns their outputs, one after the other.
Result<std::vector<float>> evaluate_input(const LoadedPlugin& plugin, ib_backend* backend, const Cell& cell,
                                          std::size_t sample_size, int progress_fd) {
  const auto batch = static_cast<std::size_t>(cell.batch);
  const auto samples = static_cast<std::size_t>(cell.eval_samples);
  const int batches = static_cast<int>((samples + batch - 1) / batch);
  std::vector<float> outputs;
  for (int k = 0; k < batches; ++k) {
    send_progress(progress_fd, kPhaseParity, k, batches);
    const std::size_t first = static_cast<std::size_t>(k) * batch;
    const std::size_t real = std::min(batch, samples - first);
    auto chunk = read_floats(cell.input_file, "input data", first * sample_size, real * sample_size);
    if (!chunk) return chunk.status();
    const std::vector<float> input = batch_from_samples(*chunk, sample_size, batch * sample_size);
    const std::string which = " on samples " + std::to_string(first) + " to " + std::to_string(first + real - 1);
    if (plugin.api->set_input(backend, input.data(), input.size()) != IB_OK) {
      return Status(StatusCode::Backend, plugin_error(plugin, ("set_input" + which + " failed").c_str()));
    }
    if (plugin.api->run(backend) != IB_OK || plugin.api->sync(backend) != IB_OK) {
      return Status(StatusCode::Backend, plugin_error(plugin, ("inference" + which + " failed").c_str()));
    }
    auto output = checked_output(plugin, backend, which);
    if (!output) return output.status();
    const std::size_t count = output->values.size();
    if (count % batch != 0) {
      return Status(StatusCode::Backend, "the output of " + std::to_string(count) + " values is not " +
                                             std::to_string(batch) + " samples' worth");
    }
    const auto kept = output->values.first(real * (count / batch));  // the repeats filling the batch dropped
    outputs.insert(outputs.end(), kept.begin(), kept.end());
  }
  send_progress(progress_fd, kPhaseParity, batches, batches);
  return outputs;
}

// Parity and accuracy of `output` (the timed batch's, or the parity pass's): against the reference
// cell's output (`reference`, empty without one) and, with labels, against them (the reference's
// accuracy beside the row's). Labels that do not fit the model's outputs leave the row without
// accuracy, with a warning saying why; a failed comparison with the reference fails the row.
Status compare_with_reference_and_labels(std::span<const float> output, std::span<const float> reference,
                                         std::int64_t classes, const Cell& cell, Row& row) {
  const auto samples = output.size() / static_cast<std::size_t>(classes);
  if (!cell.reference_in.empty()) {
    auto parity = compare_outputs(output, reference, classes);
    if (!parity) return Status(parity.status().code(), "parity: " + parity.status().message(), parity.status().hint());
    parity->reference = cell.reference_label;
    parity->samples = static_cast<int>(samples);
    row.parity = *parity;
  }
  if (!cell.labels_file.empty()) {
    auto labels = read_values<std::int32_t>(cell.labels_file, "labels", 0, samples);
    auto accuracy = labels ? label_accuracy(output, reference, *labels, classes) : Result<LabelAccuracy>(labels.status());
    if (accuracy) {
      row.accuracy = *accuracy;
    } else {
      row.warnings.push_back("no accuracy: " + accuracy.status().to_string());
    }
  }
  return Status::ok();
}

// The samples LoadGen's queries draw from: --loadgen-samples, by default kServingSamples (and two
// batches' worth), the
// seeded ones or the first of --input (as many as it holds, repeated when fewer).
constexpr std::size_t kServingSamples = 64;

Result<std::vector<float>> serving_samples(const Cell& cell, std::size_t sample_values, std::string& description) {
  const std::size_t wanted = cell.serving.samples > 0 ? static_cast<std::size_t>(cell.serving.samples)
                                                      : std::max<std::size_t>(kServingSamples, 2 * static_cast<std::size_t>(cell.batch));
  if (cell.input_file.empty()) {
    description = std::to_string(wanted) + " seeded random samples (seed " + std::to_string(cell.seed) + ")";
    return make_input(cell.seed, wanted * sample_values);
  }
  const auto available = static_cast<std::size_t>(std::max(0, cell.input_samples));
  const std::size_t taken = std::min(wanted, available);
  if (taken == 0) return Status(StatusCode::Io, "input data " + cell.input_file + " has no samples");
  auto samples = read_floats(cell.input_file, "input data", 0, taken * sample_values);
  if (!samples) return samples.status();
  description = "the first " + std::to_string(taken) + " samples of --input";
  return std::move(*samples);
}

}  // namespace

Row run_cell(const Cell& cell, int progress_fd, const std::function<void(const Row&)>& abandon,
             const std::function<void(const Row&)>& measured) {
  Row row = row_for_cell(cell);

  send_progress(progress_fd, kPhaseLoad);
  auto loaded = load_plugin(cell.plugin_path);
  if (!loaded) {
    const auto status = loaded.status().code() == StatusCode::Unavailable ? RowStatus::Unavailable
                                                                          : RowStatus::Failed;
    return fail_row(row, status, loaded.status().to_string());
  }
  const LoadedPlugin& plugin = *loaded;
  row.framework = plugin.info->framework;
  row.framework_version = plugin.info->framework_version;
  // A plugin with variants runs the one the cell names, and its rows carry that variant's label.
  if (plugin.info->num_variants > 0) {
    const ib_variant_info* variant = find_variant(*plugin.info, cell.variant);
    if (!variant) {
      return fail_row(row, RowStatus::Failed,
                      "plugin " + cell.backend + " has no variant '" + cell.variant + "' (it has " +
                          variant_names(*plugin.info) + "); rebuild inferbench and its plugins together");
    }
    row.framework = variant->framework;
  } else if (!cell.variant.empty()) {
    return fail_row(row, RowStatus::Failed,
                    "plugin " + cell.backend + " has no variants, but the cell asks for '" + cell.variant +
                        "'; rebuild inferbench and its plugins together");
  }

  const char* reason = nullptr;
  if (!plugin.api->is_available(cell.device.c_str(), &reason)) {
    return fail_row(row, RowStatus::Unavailable, reason ? reason : "device not available");
  }

  // The device's energy meter, and its idle power before anything of the cell is loaded. Where
  // no counter is visible (source none) nothing more is done: no thread, no read in the window.
  // A LoadGen row has none: its window holds the warm-up and every test of a search.
  const bool loadgen = is_loadgen_scenario(cell.scenario);
  EnergySource energy = loadgen ? EnergySource{nullptr, "not measured in LoadGen's scenarios: their window holds "
                                                        "LoadGen's warm-up and every test of a search"}
                                : open_energy_source(cell.device);
  Nanos min_energy_window{0};
  std::optional<IdlePower> idle_power;
  std::string no_idle_power;
  if (energy.meter) {
    min_energy_window = cell.min_energy_window_s
                            ? std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(*cell.min_energy_window_s))
                            : energy.meter->min_window();
    idle_power = measure_idle_power(*energy.meter, energy.meter->min_window(), no_idle_power);
    if (!idle_power) row.warnings.push_back("no idle power: " + no_idle_power);
  }

  // Inputs are made before prepare so that their allocation is outside every timer.
  const auto count = static_cast<size_t>(std::accumulate(
      cell.input_shape.begin(), cell.input_shape.end(), std::int64_t{1}, std::multiplies<>()));
  std::vector<float> input;
  if (cell.input_file.empty()) {
    input = make_input(cell.seed, count);
  } else {
    // The driver's conversion of --input (input_samples samples of this cell's sample shape): the
    // first ones, as many as the batch takes.
    const std::size_t sample_size = count / static_cast<std::size_t>(cell.batch);
    const auto taken = static_cast<std::size_t>(std::min(cell.batch, cell.input_samples));
    auto samples = taken > 0 ? read_floats(cell.input_file, "input data", 0, taken * sample_size)
                             : Result<std::vector<float>>(Status(StatusCode::Io, "input data " + cell.input_file +
                                                                                     " has no samples"));
    if (!samples) return fail_row(row, RowStatus::Failed, samples.status().to_string());
    input = batch_from_samples(*samples, sample_size, count);
  }

  std::vector<std::string> option_keys, option_values;
  for (const auto& [k, v] : cell.options) {
    option_keys.push_back(k);
    option_values.push_back(v);
  }
  std::vector<ib_key_value> options;
  for (size_t i = 0; i < option_keys.size(); ++i) {
    options.push_back({option_keys[i].c_str(), option_values[i].c_str()});
  }
  ib_prepare_args args{};
  args.artefact_path = cell.artefact.c_str();
  args.device = cell.device.c_str();
  args.precision = cell.precision.c_str();
  args.threads = cell.threads;
  args.input_shape = cell.input_shape.data();
  args.input_rank = cell.input_shape.size();
  args.options = options.data();
  args.num_options = options.size();
  args.scenario = cell.scenario.c_str();
  args.variant = plugin.info->num_variants > 0 ? cell.variant.c_str() : nullptr;
  args.requests = has_requests_in_flight(cell.scenario) ? cell.requests : 1;

  ib_backend* backend = nullptr;
  send_progress(progress_fd, kPhaseCompile);
  const auto compile_start = Clock::now();
  const ib_status prepared = plugin.api->prepare(&args, &backend);
  const auto compile_end = Clock::now();
  if (prepared != IB_OK) {
    const auto status = prepared == IB_ERROR_UNAVAILABLE ? RowStatus::Unavailable : RowStatus::Failed;
    return fail_row(row, status, plugin_error(plugin, "prepare failed"));
  }
  row.compile_ms = to_ms(compile_end - compile_start);

  if (plugin.api->set_input(backend, input.data(), input.size()) != IB_OK) {
    return fail_row(row, RowStatus::Failed, plugin_error(plugin, "set_input failed"));
  }

  const std::size_t sample_values = count / static_cast<std::size_t>(cell.batch);
  LoopResult loop;
  std::optional<AdaptiveRules> adaptive;
  double window_cpu_seconds = 0;
  const bool async = cell.scenario == "async";
  int slots = 1;
  // Device timestamps around each run() (sync scenario): the plugin keeps the last `iterations`
  // of them, which after the loop are those of the timed iterations.
  bool device_timing = false;
  // A LoadGen scenario, measured by run_serving(); otherwise the closed loop (sync or async).
  if (loadgen) {
    if (!has_request_slots(*plugin.api)) {
      return fail_row(row, RowStatus::Unavailable, row.framework + " has no request slots, which LoadGen's scenarios need");
    }
    std::string description;
    auto samples = serving_samples(cell, sample_values, description);
    if (!samples) return fail_row(row, RowStatus::Failed, samples.status().to_string());
    ServingHooks hooks;
    hooks.progress = [progress_fd](std::string_view phase, int done, int total) {
      send_progress(progress_fd, phase, done, total);
    };
    hooks.abandon = [&abandon](const Row& hung) {
      if (abandon) abandon(hung);
      _exit(3);
    };
    loop.window_start = Clock::now();
    if (Status served = run_serving(*plugin.api, backend, cell, std::move(*samples), sample_values, description, row, hooks);
        !served) {
      return fail_row(row, RowStatus::Failed, served.to_string());
    }
    loop.window_end = Clock::now();
    // The output parity compares: one inference of the cell's input, outside every test. The
    // serving batches have left other samples in the slots' inputs, so the input is set again.
    if (plugin.api->set_input(backend, input.data(), input.size()) != IB_OK) {
      return fail_row(row, RowStatus::Failed, plugin_error(plugin, "set_input after the LoadGen test failed"));
    }
    if (plugin.api->run(backend) != IB_OK || plugin.api->sync(backend) != IB_OK) {
      return fail_row(row, RowStatus::Failed, plugin_error(plugin, "inference for parity after the LoadGen test failed"));
    }
  } else {
    LoopSpec spec;
    spec.warmup = cell.warmup;
    spec.iterations = cell.iterations;
    spec.budget = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(cell.max_seconds));
    // The adaptive protocol's rules (docs/metrics.md, "The adaptive protocol"). Several instances end their
    // warm-ups each on its own, then measure for the same time: one instance's precision cannot
    // stop the others.
    if (cell.protocol.adaptive()) {
      adaptive.emplace(cell, async);
      spec.warmed_up = [&](Nanos latency) { return adaptive->warm_up.steady_after(latency); };
      spec.enough = [&](const std::vector<Nanos>& samples, Nanos window) {
        return adaptive->precision.enough(samples, window);
      };
    }
    // Called by the loop between iterations only, about once a second (LoopProgress). An adaptive
    // window's length is not known in advance: its total is the samples the warm-up's pace fits
    // in --max-window (at least the minimum), an estimate for the progress display.
    LoopProgress progress;
    progress.report = [progress_fd, &adaptive](LoopPhase phase, int done, int total) {
      if (adaptive && phase == LoopPhase::Measure) total = adaptive->expected_samples();
      send_progress(progress_fd, phase == LoopPhase::WarmUp ? kPhaseWarmUp : kPhaseMeasure, done,
                    total);
    };
    // Always given: without a progress pipe the reports only keep the crash report's phase.
    const LoopProgress* loop_progress = &progress;
    // Several instances start their timed windows together, and leave them before any of them
    // does anything else (output, a cached-compile measurement) that would disturb the others.
    const std::string instance_label =
        "instance " + std::to_string(cell.instance) + " of " + std::to_string(cell.instances);
    // The process's CPU time when the window opens, for effective.cpus_used; several instances
    // first wait for each other there.
    double cpu_at_window = 0;
    // The energy window opens in before_timed and closes right after the loop returns: the device
    // has finished its work at both ends (each iteration synchronises it).
    std::optional<Status> energy_began;
    spec.before_timed = [&] {
      if (cell.instances > 1 &&
          !meet_instances(cell.gate_dir, "ready", cell.instance, cell.instances, spec.budget)) {
        return false;
      }
      cpu_at_window = process_cpu_seconds();
      if (energy.meter) energy_began = energy.meter->begin();  // the last thing before the window
      return true;
    };
    if (!async && plugin.api->record_device_times) {
      // An adaptive window's length is not known in advance: the device keeps this many, and a
      // longer window gets no device time (the row says why).
      const int kept = cell.protocol.adaptive() ? kAdaptiveDeviceTimes : cell.iterations;
      const ib_status recording = plugin.api->record_device_times(backend, static_cast<size_t>(kept));
      device_timing = recording == IB_OK;
      if (recording != IB_OK && recording != IB_ERROR_UNAVAILABLE) {
        row.warnings.push_back(plugin_error(plugin, "no device time: record_device_times failed"));
      }
    }
    if (async) {
      const auto* api = plugin.api;
      if (!api->request_slots || !api->start_request || !api->wait_request) {
        return fail_row(row, RowStatus::Unavailable, row.framework + " has no asynchronous path");
      }
      slots = api->request_slots(backend);
      if (slots < 1) return fail_row(row, RowStatus::Failed, plugin_error(plugin, "request_slots failed"));
      if (adaptive) adaptive->slots = slots;
      loop = measure_async_loop(
          spec, slots, [&](int s) { return api->start_request(backend, s) == IB_OK; },
          [&](int s) { return api->wait_request(backend, s) == IB_OK; }, loop_progress);
    } else {
      const auto run = plugin.api->run;
      const auto sync = plugin.api->sync;
      loop = measure_loop(spec, [&] { return run(backend) == IB_OK && sync(backend) == IB_OK; },
                          loop_progress);
    }
    const Result<EnergyWindow> energy_read = !energy_began ? Result<EnergyWindow>(EnergyWindow{})
                                             : !*energy_began ? Result<EnergyWindow>(*energy_began)
                                                              : energy.meter->end();
    if (loop.gate_failed) {
      return fail_row(row, RowStatus::Failed,
                      instance_label + ": the other instances did not finish their warm-up within --max-seconds");
    }
    // How many CPUs the process kept busy in its window, on average (spinning counts).
    window_cpu_seconds = process_cpu_seconds() - cpu_at_window;
    if (cell.instances > 1 && loop.failed_at < 0 &&
        !meet_instances(cell.gate_dir, "done", cell.instance, cell.instances, spec.budget)) {
      return fail_row(row, RowStatus::Failed,
                      instance_label + ": the other instances did not finish their timed window within --max-seconds");
    }
    send_progress(progress_fd, kPhaseFinish);
    row.warmup = loop.warmup_done;
    if (loop.failed_at >= 0) {
      return fail_row(row, RowStatus::Failed,
                      plugin_error(plugin, ("inference " + std::to_string(loop.failed_at) + " failed").c_str()));
    }
    row.first_inference_ms = to_ms(loop.first_inference);
    if (energy.meter) {
      // Requests drained after an async window ended early ran inside the energy window too.
      const auto inputs = static_cast<std::int64_t>(loop.samples.size() + loop.drained) * cell.batch;
      row.energy = energy_record(*energy.meter, energy_read, inputs, min_energy_window, row.warnings);
      if (idle_power) {
        row.energy->idle_power_w = idle_power->watts;
        row.energy->idle_window_s = idle_power->window_s;
      }
    }
  }
  if (!energy.meter) row.energy = no_energy(energy.none_reason);

  // The timed output must be valid; parity compares it unless the parity pass below runs.
  auto timed_output = checked_output(plugin, backend, "");
  if (!timed_output) return fail_row(row, RowStatus::Failed, timed_output.status().message());
  const int64_t classes = timed_output->classes;
  std::vector<float> output;
  if (cell.eval_samples == 0) output.assign(timed_output->values.begin(), timed_output->values.end());

  const ib_key_value* pairs = nullptr;
  size_t num_pairs = 0;
  if (plugin.api->effective(backend, &pairs, &num_pairs) == IB_OK) {
    for (size_t i = 0; i < num_pairs; ++i) row.effective[pairs[i].key] = pairs[i].value;
  }
  if (async) row.effective["requests_in_flight"] = std::to_string(slots);
  const double window_ms = loadgen ? row.wall_ms.value_or(0) : to_ms(loop.wall);
  row.window_started_at = utc_iso_ms(loop.window_start);
  row.window_finished_at = utc_iso_ms(loop.window_end);
  if (cell.instances > 1) {
    row.effective[kWindowStartNs] = std::to_string(loop.window_start.time_since_epoch().count());
    row.effective[kWindowEndNs] = std::to_string(loop.window_end.time_since_epoch().count());
  }
  // A LoadGen row's comes from run_serving(): its reported test's, not the whole search's.
  if (window_ms > 0 && !loadgen) {
    char cpus[32];
    std::snprintf(cpus, sizeof cpus, "%.2f", window_cpu_seconds / (window_ms / 1000.0));
    row.effective[kCpusUsed] = cpus;
  }
  if (device_timing) collect_device_times(plugin, backend, loop.samples.size(), row);
  // A worker started below normal priority (under `nice`, or by a Ray worker, which runs at 15
  // unless its node sets RAY_worker_niceness) loses the CPU to every other process.
  errno = 0;
  if (const int niceness = getpriority(PRIO_PROCESS, 0); errno == 0 && niceness > 0) {
    row.warnings.push_back("this cell ran at niceness " + std::to_string(niceness) +
                           ", below other processes' CPU priority, so anything else running slowed it: start it at "
                           "niceness 0 (a fleet host: RAY_worker_niceness=0, as tools/fleet/inferbench-host sets)");
  }
  if (plugin.api->peak_device_memory) {
    double mib = 0;
    const ib_status peak = plugin.api->peak_device_memory(backend, &mib);
    if (peak == IB_OK) {
      row.peak_device_memory_mb = mib;
    } else if (peak != IB_ERROR_UNAVAILABLE) {
      row.warnings.push_back(plugin_error(plugin, "no peak device memory: peak_device_memory failed"));
    }
  }
  if (auto it = row.effective.find("target_hardware"); it != row.effective.end()) {
    row.target_hardware = it->second;
  } else if (cell.device == "cpu") {
    // "<CPU model> (<ISA the framework used>, <threads> threads)": what executed the row.
    const auto isa = row.effective.count("isa") ? row.effective["isa"] : cpu_isa_summary();
    const auto threads = row.effective.count("threads") ? row.effective["threads"] : "?";
    row.target_hardware = cpu_model_name() + " (" + isa + ", " + threads + (threads == "1" ? " thread)" : " threads)");
  }
  // The worker's memory up to here: the parity pass below reads more of the user's data.
  row.peak_rss_mb = peak_resident_mb();

  // Parity and accuracy: the timed batch's output, or every sample of --input run once, against
  // the reference cell's (which writes its own for the cells after it) and the labels.
  if (cell.eval_samples > 0) {
    auto evaluated = evaluate_input(plugin, backend, cell, count / static_cast<std::size_t>(cell.batch), progress_fd);
    if (!evaluated) return fail_row(row, RowStatus::Failed, "parity pass: " + evaluated.status().to_string());
    output = std::move(*evaluated);
  }
  send_progress(progress_fd, kPhaseFinish);
  if (!cell.reference_out.empty()) {
    if (auto written = write_floats(cell.reference_out, output); !written) {
      return fail_row(row, RowStatus::Failed, written.to_string());
    }
  }
  std::vector<float> reference;
  if (!cell.reference_in.empty()) {
    auto read = read_floats(cell.reference_in, "reference output");
    if (!read) return fail_row(row, RowStatus::Failed, "parity: " + read.status().to_string());
    reference = std::move(*read);
  }
  if (auto compared = compare_with_reference_and_labels(output, reference, classes, cell, row); !compared) {
    return fail_row(row, RowStatus::Failed, compared.to_string());
  }
  plugin.api->destroy(backend);

  // Statistics, from the raw samples (a LoadGen row has its own: run_serving set them).
  if (!loadgen) {
    std::vector<double> samples_ms;
    samples_ms.reserve(loop.samples.size());
    for (auto s : loop.samples) samples_ms.push_back(to_ms(s));
    set_timed_window(row, std::move(samples_ms), to_ms(loop.wall), async);
    if (adaptive) adaptive->describe(loop, cell, row.latency_samples_ms, row);
  }
  // A LoadGen row runs the same under both: LoadGen's early stopping ends its tests.
  row.effective["protocol"] = cell.protocol.name;
  // The judgements of the samples come first, before the notes on device measurements. Several
  // instances are judged together by the driver, on their merged samples. A LoadGen row's
  // latencies include queueing by design; LoadGen's verdict judges them.
  if (cell.instances == 1 && !loadgen) {
    const std::vector<std::string> judgements =
        diagnose(row.latency_samples_ms, *row.latency_ms,
                 {cell.iterations, loop.budget_exhausted && !adaptive, build_info().build_type, cpu_governor(),
                  cell.protocol.adaptive(),
                  loop.warmup_cut && !adaptive ? std::optional(std::pair(loop.warmup_done, cell.warmup)) : std::nullopt});
    row.warnings.insert(row.warnings.begin(), judgements.begin(), judgements.end());
  }

  // After everything above, so that neither the row's memory nor its timings see it.
  if (declares_option(*plugin.info, kModelCacheOption) && !cell.options.count(kModelCacheOption) &&
      cell.instance == 0) {
    std::string why;
    row.cached_compile_ms = cached_compile_ms(plugin, args, options, cell.index, why);
    if (!row.cached_compile_ms) row.warnings.push_back("no cached compile time: " + why);
  }
  row.status = RowStatus::Ok;
  // Last of all, on a fresh instance: nothing above sees it.
  if (cell.profile.enabled) {
    row.profile = Profile{};
    row.profile->reason = kProfileUnfinished;
    if (measured) measured(row);
    const std::string label = row.framework + " " + cell.precision + " " + cell.scenario + ", batch " +
                              std::to_string(cell.batch);
    row.profile = profile_pass(plugin, args, cell, input, label, [progress_fd](int done, int total) {
      send_progress(progress_fd, kPhaseProfile, done, total);
    });
    if (!row.profile->available) row.warnings.push_back("no profile: " + row.profile->reason);
  }
  return row;
}

nlohmann::json describe_plugin(const std::string& plugin_path) {
  auto loaded = load_plugin(plugin_path);
  if (!loaded) return {{"error", loaded.status().to_string()}};
  const ib_backend_info* info = loaded->info;
  nlohmann::json options = nlohmann::json::array();
  for (size_t i = 0; i < info->num_options; ++i) {
    const auto& o = info->options[i];
    options.push_back({{"name", o.name}, {"type", o.type}, {"default", o.default_value},
                       {"doc", o.doc}});
  }
  nlohmann::json devices = nlohmann::json::object();
  for (const auto& device : split_list(info->devices)) {
    const char* reason = nullptr;
    const bool available = loaded->api->is_available(device.c_str(), &reason) != 0;
    devices[device] = {{"available", available}, {"reason", available || !reason ? "" : reason}};
  }
  nlohmann::json variants = nlohmann::json::array();
  for (size_t i = 0; i < info->num_variants; ++i) {
    const auto& v = info->variants[i];
    variants.push_back({{"name", v.name}, {"framework", v.framework}, {"targets", split_list(v.targets)},
                        {"artefact_format", v.artefact_format},
                        {"artefact_suffixes", split_list(v.artefact_suffixes)}, {"doc", v.doc}});
  }
  return {{"info",
           {{"name", info->name},
            {"framework", info->framework},
            {"framework_version", info->framework_version},
            {"devices", split_list(info->devices)},
            {"precisions", split_list(info->precisions)},
            {"artefact_format", info->artefact_format},
            {"artefact_suffixes", split_list(info->artefact_suffixes)},
            {"scenarios", split_list(info->scenarios)},
            {"request_slots", has_request_slots(*loaded->api)},
            {"options", options},
            {"variants", variants}}},
          {"devices", devices}};
}

int worker_main(int argc, char** argv) {
  // A framework that crashes the process leaves its native stack and phase in the log.
  install_crash_report();
  // The result goes to the real stdout; frameworks that print to stdout are sent to stderr so
  // they cannot corrupt it.
  const int result_fd = dup(STDOUT_FILENO);
  std::fflush(stdout);
  dup2(STDERR_FILENO, STDOUT_FILENO);
  auto emit = [&](const nlohmann::json& j) {
    const std::string text = json_text(j) + "\n";
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = write(result_fd, text.data() + done, text.size() - done);
      if (n <= 0) return 1;
      done += static_cast<size_t>(n);
    }
    return 0;
  };

  if (argc == 3 && std::string(argv[1]) == "--describe") return emit(describe_plugin(argv[2]));
  int progress_fd = -1;
  if (argc == 4 && std::string(argv[1]) == "--progress-fd") {
    try {
      progress_fd = std::stoi(argv[2]);
    } catch (const std::exception&) {
      progress_fd = -1;
    }
    if (progress_fd < 0) {
      std::cerr << "inferbench worker: --progress-fd needs a file descriptor number, not '"
                << argv[2] << "'\n";
      return 2;
    }
    // The driver reads the pipe until this process ends; should it go away first, a write
    // must fail with EPIPE rather than kill the worker with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    // Helper processes a framework may start must not inherit the pipe: the driver reads it
    // until every writer has closed it.
    fcntl(progress_fd, F_SETFD, FD_CLOEXEC);
    argv += 2;
    argc -= 2;
  }
  if (argc != 2) {
    std::cerr << "usage: inferbench worker [--progress-fd N] CELL.json | inferbench worker "
                 "--describe PLUGIN.so\n";
    return 2;
  }
  Cell cell;
  try {
    std::ifstream in(argv[1]);
    cell = nlohmann::json::parse(in).get<Cell>();
  } catch (const std::exception& e) {
    std::cerr << "inferbench worker: cannot read cell " << argv[1] << ": " << e.what() << "\n";
    return 2;
  }
  // A hung request slot in a LoadGen test: the watchdog's row is written and the process ends
  // (exit status 0: the row says what happened).
  const auto abandon = [&](const Row& hung) {
    emit(hung);
    _exit(0);
  };
  // The row before a profiling pass: the driver keeps it should the pass end the process.
  const auto measured = [&](const Row& row) { emit(row); };
  return emit(run_cell(cell, progress_fd, abandon, measured));
}

}  // namespace inferbench
