// SPDX-License-Identifier: Apache-2.0
// Warm-up, LoadGen's tests, the server search and the watchdog of one serving cell.
#include "worker/serving/serving_run.h"

#include <early_stopping.h>
#include <loadgen.h>
#include <test_settings.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <unistd.h>

#include "core/result/progress_message.h"
#include "core/stats/timed_window.h"
#include "core/support/number_text.h"
#include "core/timing/clock.h"
#include "worker/serving/loadgen_log.h"
#include "worker/serving/server_search.h"
#include "worker/serving/serving_sut.h"
#include "worker/serving/timer_slack.h"

namespace inferbench {
namespace {

namespace fs = std::filesystem;

// Multi-stream's samples per query: MLPerf's eight (mlperf.conf), LoadGen's default.
constexpr int kMultiStreamSamples = 8;
// Offline: each test issues at least this many full batches per request slot, so that the
// pipeline's fill and drain are a small part of it.
constexpr int kOfflineBatchesPerSlot = 16;
// The most samples an offline test issues unless --loadgen-official (LoadGen keeps a record of
// each): a million is minutes of any real model, and keeps a system that does nothing (noop) from
// filling the memory. A faster system's test runs shorter than --loadgen-seconds, and says so,
// rather than issue too few samples to last the duration (LoadGen's INVALID).
constexpr double kOfflineMaxSamples = 1e6;

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

mlperf::TestScenario loadgen_scenario(const std::string& scenario) {
  if (scenario == "single-stream") return mlperf::TestScenario::SingleStream;
  if (scenario == "multi-stream") return mlperf::TestScenario::MultiStream;
  if (scenario == "server") return mlperf::TestScenario::Server;
  return mlperf::TestScenario::Offline;
}

// mlperf.conf's name of a scenario.
const char* loadgen_scenario_name(mlperf::TestScenario scenario) {
  switch (scenario) {
    case mlperf::TestScenario::SingleStream: return "SingleStream";
    case mlperf::TestScenario::MultiStream: return "MultiStream";
    case mlperf::TestScenario::Server: return "Server";
    case mlperf::TestScenario::Offline: return "Offline";
  }
  return "Offline";
}

// Ends the cell when a request slot has been busy longer than its limit: the call into the plugin
// cannot be taken back, so the watchdog hands the row to `fire`, which ends the process.
class Watchdog {
 public:
  Watchdog(const SlotRunner& runner, double limit_seconds, std::function<void(int slot, double busy_s, double limit_s)> fire)
      : runner_(runner), limit_seconds_(limit_seconds), fire_(std::move(fire)), thread_([this] { watch(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void set_limit(double seconds) { limit_seconds_.store(seconds); }
  double limit() const { return limit_seconds_.load(); }

 private:
  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stop_; })) {
      const auto busy = runner_.longest_busy();
      if (!busy) continue;
      const double seconds = std::chrono::duration<double>(Clock::now() - busy->second).count();
      if (seconds > limit_seconds_.load()) fire_(busy->first, seconds, limit_seconds_.load());
    }
  }

  const SlotRunner& runner_;
  std::atomic<double> limit_seconds_;
  std::function<void(int, double, double)> fire_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

struct WarmUp {
  double first_ms = 0;
  int batches = 0;
  std::vector<double> solo_ms;  // batches on slot 0 alone (the first inference excluded)
  double slowest_ms = 0;
  double capacity = 0;          // samples per second with every slot busy
};

// Warm-up on every slot before LoadGen starts (it has no warm-up of its own): the first inference
// on slot 0 alone, half of the rest on slot 0 alone (one inference's time, for the latency hints),
// the other half in rounds that start every slot at once (the capacity, for the rates). Batches
// hold the library's first samples.
Status warm_up(SlotRunner& runner, const SampleLibrary& library, int batch, int warmup, Clock::time_point deadline,
               WarmUp& out) {
  std::vector<const float*> pointers(static_cast<std::size_t>(batch));
  for (int i = 0; i < batch; ++i) pointers[static_cast<std::size_t>(i)] = library.sample(static_cast<std::size_t>(i));
  const auto timed_run = [&](int slot, double& ms) {
    const auto start = Clock::now();
    if (!runner.run(slot, pointers.data(), pointers.size())) return false;
    ms = to_ms(Clock::now() - start);
    return true;
  };
  if (!timed_run(0, out.first_ms)) return Status(StatusCode::Backend, runner.error());
  out.batches = 1;
  out.slowest_ms = out.first_ms;
  const int rest = std::max(0, warmup - 1);
  const int solo = std::max(1, rest / 2);
  for (int i = 0; i < solo && (i == 0 || Clock::now() < deadline); ++i) {
    double ms = 0;
    if (!timed_run(0, ms)) return Status(StatusCode::Backend, runner.error());
    out.solo_ms.push_back(ms);
    out.slowest_ms = std::max(out.slowest_ms, ms);
    ++out.batches;
  }
  const int slots = runner.slots();
  const int rounds = std::max(1, (rest - solo + slots - 1) / slots);
  int together = 0;
  const auto rounds_start = Clock::now();
  for (int r = 0; r < rounds && (r == 0 || Clock::now() < deadline); ++r) {
    const auto round_start = Clock::now();
    for (int s = 0; s < slots; ++s) {
      if (!runner.start(s, pointers.data(), pointers.size())) return Status(StatusCode::Backend, runner.error());
    }
    for (int s = 0; s < slots; ++s) {
      if (!runner.finish(s)) return Status(StatusCode::Backend, runner.error());
    }
    out.slowest_ms = std::max(out.slowest_ms, to_ms(Clock::now() - round_start));
    together += slots;
  }
  out.batches += together;
  const double seconds = std::chrono::duration<double>(Clock::now() - rounds_start).count();
  out.capacity = seconds > 0 ? static_cast<double>(together) * batch / seconds : 0;
  return Status::ok();
}

// Without --out LoadGen's logs go to a temporary folder removed with the cell: no row points there.
void forget_log_dirs(Serving& serving) {
  serving.reported.log_dir.clear();
  for (auto& test : serving.tests) test.log_dir.clear();
}

// effective.input_staging: how the reported test's batches reached their slots.
std::string staging_text(const DispatchRecord& record, const SlotRunner& runner) {
  if (const std::string why = runner.staging_unavailable(); !why.empty()) return "none: " + why;
  if (!runner.can_stage()) return "none: the plugin keeps one input per request slot, so each batch is copied in as it starts";
  std::string text = std::to_string(record.staged) + " of " + std::to_string(record.batches) +
                     " batches written into their slot's standby input while its previous batch ran";
  if (record.taken_over > 0) {
    text += "; " + std::to_string(record.taken_over) +
            " more, taken ahead, were run by another slot that fell idle first with no full batch queued";
  }
  return text;
}

// One LoadGen test and what it measured.
struct TestOutcome {
  ServingTest test;
  LoadgenLog log;
  DispatchRecord record;
  double cpu_seconds = 0;  // the process's CPU time during the test
};

Result<TestOutcome> run_test(mlperf::TestSettings settings, Dispatcher& dispatcher, SampleLibrary& library,
                             const SlotRunner& runner, const fs::path& dir, std::size_t expected_samples,
                             double percentile) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Status(StatusCode::Io, "cannot create LoadGen's log folder " + dir.string() + ": " + ec.message());
  mlperf::LogSettings log_settings;
  log_settings.enable_trace = false;  // a Chrome trace of every sample: large, and not read
  log_settings.log_output.outdir = dir.string();
  // LoadGen lets an audit.config in the given path override the settings: name one that cannot exist.
  const fs::path no_audit = dir / "inferbench-no-audit.config";
  dispatcher.begin_test(expected_samples);
  const double cpu_before = process_cpu_seconds();
  const auto start = Clock::now();
  mlperf::StartTest(&dispatcher, &library, settings, log_settings, no_audit.string());
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  TestOutcome outcome;
  outcome.cpu_seconds = process_cpu_seconds() - cpu_before;
  outcome.record = dispatcher.end_test();
  if (runner.failed()) return Status(StatusCode::Backend, runner.error());
  auto log = read_loadgen_log(dir);
  if (!log) return log.status();
  outcome.log = std::move(*log);
  const LoadgenLog& l = outcome.log;
  ServingTest& t = outcome.test;
  const bool server = settings.scenario == mlperf::TestScenario::Server;
  const bool multi = settings.scenario == mlperf::TestScenario::MultiStream;
  if (server) t.target_qps = l.number("effective_target_qps");
  switch (settings.scenario) {
    case mlperf::TestScenario::Server:
      t.achieved_qps = l.number("result_completed_samples_per_sec").value_or(0);
      break;
    case mlperf::TestScenario::Offline:
      t.achieved_qps = l.number("result_samples_per_second").value_or(0);
      break;
    case mlperf::TestScenario::SingleStream:
      t.achieved_qps = l.number("result_qps_with_loadgen_overhead").value_or(0);
      break;
    case mlperf::TestScenario::MultiStream:
      if (auto mean = l.number("result_mean_query_latency_ns"); mean && *mean > 0) {
        t.achieved_qps = kMultiStreamSamples / (*mean / 1e9);
      }
      break;
  }
  if (auto key = loadgen_percentile_key(percentile, multi)) {
    if (auto ns = l.number(*key)) t.latency_ms = *ns / 1e6;
  }
  t.valid = l.text("result_validity") == "VALID";
  if (!t.valid) {
    std::string reason = l.text("result_invalid_reason").value_or("");
    if (l.flag("early_stopping_met") == false) {
      reason += (reason.empty() ? "" : " ") + std::string("Early stopping:") + l.text("early_stopping_result").value_or("");
    }
    t.invalid_reason = reason.empty() ? "LoadGen gave no reason" : reason;
  }
  for (const auto& error : l.errors) t.invalid_reason += (t.invalid_reason.empty() ? "" : "; ") + error;
  t.queries = static_cast<std::int64_t>(l.number("result_query_count").value_or(0));
  t.mean_batch = outcome.record.batches > 0 ? static_cast<double>(outcome.record.samples) / outcome.record.batches : 0;
  t.seconds = seconds;
  t.log_dir = dir.string();
  return outcome;
}

}  // namespace

std::int64_t early_stopping_queries(double percentile, int misses) {
  mlperf::loadgen::MinPassingQueriesFinder find_min_passing;
  // LoadGen's early stopping asks for a 99% confidence and no tolerance (results.cc).
  return find_min_passing(misses, percentile / 100.0, 0.0, 0.99) + misses;
}

std::int64_t server_test_queries(double percentile) { return early_stopping_queries(percentile, kServerMissesAllowed); }

Status check_serving_request(const ServingSettings& settings, double max_seconds, bool server) {
  if (!server || !settings.target_qps || settings.official) return Status::ok();
  const auto queries = server_test_queries(settings.latency_percentile);
  const double seconds = static_cast<double>(queries) / *settings.target_qps;
  if (seconds > max_seconds) {
    return Status(StatusCode::Usage,
                  "a server test at --target-qps " + shortest_number(*settings.target_qps) + " needs " +
                      std::to_string(queries) + " queries for LoadGen's early stopping at P" +
                      shortest_number(settings.latency_percentile) + ", " + fixed_number(seconds, 0) +
                      " s, more than --max-seconds " + shortest_number(max_seconds),
                  "raise --max-seconds or --target-qps");
  }
  return Status::ok();
}

Status run_serving(const ib_backend_api& api, ib_backend* backend, const Cell& cell, std::vector<float> samples,
                   std::size_t sample_values, const std::string& samples_description, Row& row,
                   const ServingHooks& hooks) {
  const auto report = [&](std::string_view phase, int done, int total) {
    if (hooks.progress) hooks.progress(phase, done, total);
  };
  const auto cell_start = Clock::now();
  const auto deadline = cell_start + std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(cell.max_seconds));
  const mlperf::TestScenario scenario = loadgen_scenario(cell.scenario);
  const bool server = scenario == mlperf::TestScenario::Server;
  const ServingSettings& settings = cell.serving;
  const int batch = cell.batch;
  const int slots = scenario == mlperf::TestScenario::SingleStream ? 1 : std::max(1, api.request_slots(backend));

  SampleLibrary library(std::move(samples), sample_values, samples_description);
  SlotRunner runner(api, backend, slots, sample_values);

  Serving serving;
  serving.requests_in_flight = slots;
  serving.max_batch = batch;
  serving.batch_timeout_ms = server ? settings.batch_timeout_ms : 0;
  serving.dispatch_poll_us = scenario == mlperf::TestScenario::SingleStream ? 0 : settings.dispatch_poll_us;
  serving.latency_percentile = server                                              ? settings.latency_percentile
                               : scenario == mlperf::TestScenario::SingleStream ? 90
                               : scenario == mlperf::TestScenario::MultiStream  ? 99
                                                                                : 0;
  if (server) serving.latency_bound_ms = settings.latency_bound_ms.value_or(100.0);
  serving.metric = scenario == mlperf::TestScenario::Offline        ? "samples_per_second"
                   : scenario == mlperf::TestScenario::SingleStream ? "p90_latency_ms"
                   : scenario == mlperf::TestScenario::MultiStream  ? "p99_query_latency_ms"
                   : settings.target_qps                            ? "qps"
                                                                    : "max_valid_qps";
  row.effective["requests_in_flight"] = std::to_string(slots);
  // A failure after some tests keeps them in the row.
  const auto failed = [&](Status status) {
    if (!serving.tests.empty()) {
      row.serving = serving;
      if (settings.log_dir.empty()) forget_log_dirs(*row.serving);
    }
    return status;
  };

  // What the watchdog hands over if a slot hangs: the row with every test finished so far.
  std::mutex snapshot_mutex;
  Row snapshot = row;
  const auto keep_snapshot = [&] {
    std::lock_guard<std::mutex> lock(snapshot_mutex);
    snapshot = row;
    snapshot.serving = serving;
  };
  Watchdog watchdog(runner, std::max(kStallFloorSeconds, cell.max_seconds), [&](int slot, double busy_s, double limit_s) {
    Row hung;
    {
      std::lock_guard<std::mutex> lock(snapshot_mutex);
      hung = snapshot;
    }
    hung.status = RowStatus::Failed;
    hung.error = "request slot " + std::to_string(slot) + " has not finished its batch after " +
                   fixed_number(busy_s, 1) + " s (the limit was " + fixed_number(limit_s, 1) +
                   " s: " + fixed_number(kStallFactor, 0) + " times the slowest warm-up batch, at least " +
                   fixed_number(kStallFloorSeconds, 0) +
                   " s): the backend hung, and the watchdog ended the cell; tests finished before are kept";
    if (hooks.abandon) hooks.abandon(hung);
    std::abort();  // abandon must not return
  });

  report(kPhaseWarmUp, 0, cell.warmup);
  WarmUp warm;
  IB_RETURN_IF_ERROR(warm_up(runner, library, batch, cell.warmup, deadline, warm));
  row.first_inference_ms = warm.first_ms;
  row.warmup = warm.batches;
  watchdog.set_limit(std::max(kStallFloorSeconds, kStallFactor * warm.slowest_ms / 1000.0));
  const double one_inference_ms = warm.solo_ms.empty() ? warm.first_ms : *std::min_element(warm.solo_ms.begin(), warm.solo_ms.end());
  const double solo_ms = warm.solo_ms.empty() ? warm.first_ms : median(warm.solo_ms);
  const double capacity = warm.capacity > 0 ? warm.capacity : batch / (solo_ms / 1000.0);
  row.effective["warmup_capacity_qps"] = fixed_number(capacity, 1);
  if (server && *serving.latency_bound_ms < one_inference_ms) {
    return Status(StatusCode::Usage,
                  "--latency-bound " + shortest_number(*serving.latency_bound_ms) +
                      " ms is shorter than one inference of a batch of " + std::to_string(batch) + " here (" +
                      fixed_number(one_inference_ms, 1) + " ms at best in warm-up): no request rate can meet it",
                  "raise --latency-bound or lower --batch");
  }
  keep_snapshot();

  // LoadGen's issuing (this thread) and the dispatcher's threads wake on time (timer_slack.h).
  const TimerSlack timer_slack(kServingTimerSlackNs);
  row.effective["timer_slack_ns"] = std::to_string(TimerSlack::current_ns());
  Dispatcher dispatcher(runner, library,
                        scenario == mlperf::TestScenario::SingleStream ? Dispatcher::Mode::Inline : Dispatcher::Mode::Queued,
                        batch,
                        std::chrono::duration_cast<Nanos>(std::chrono::duration<double, std::milli>(serving.batch_timeout_ms)),
                        std::chrono::duration_cast<Nanos>(std::chrono::duration<double, std::micro>(serving.dispatch_poll_us)));

  // The settings common to every test of the cell.
  mlperf::TestSettings base{};  // value-initialised: token_latency_scaling_factor has no initialiser
  base.scenario = scenario;
  base.mode = mlperf::TestMode::PerformanceOnly;
  if (settings.official) base.FromConfig("", "inferbench", loadgen_scenario_name(scenario), 0);
  if (!settings.official) {
    base.min_duration_ms = static_cast<std::uint64_t>(std::llround(settings.min_seconds * 1000));
    base.qsl_rng_seed = cell.seed;
    base.sample_index_rng_seed = cell.seed + 1;
    base.schedule_rng_seed = cell.seed + 2;
  }
  // LoadGen's expected-latency hints only size its pre-generated queries: below the real latency
  // is safe, above it LoadGen may run out of queries before the minimum duration.
  const auto half_inference_ns = std::max(1.0, solo_ms * 0.5e6);
  const fs::path log_root = settings.log_dir.empty() ? fs::temp_directory_path() / ("inferbench-loadgen-" + std::to_string(getpid()))
                                                     : fs::path(settings.log_dir);
  // Nobody asked to keep LoadGen's logs (no --out): the temporary folder goes however the cell
  // ends, and no row points into it.
  struct TemporaryLogs {
    const fs::path& root;
    const bool temporary;
    ~TemporaryLogs() {
      std::error_code ec;
      if (temporary) fs::remove_all(root, ec);
    }
  } temporary_logs{log_root, settings.log_dir.empty()};
  int test_index = 0;
  const auto test_dir = [&](const std::string& what) {
    char name[32];
    std::snprintf(name, sizeof name, "%02d-", ++test_index);
    return log_root / (name + what);
  };

  std::optional<TestOutcome> reported;
  bool out_of_time_without_valid = false;  // a server search that found no VALID rate in the time it had
  const auto record_test = [&](TestOutcome outcome) {
    if (serving.loadgen_version.empty()) serving.loadgen_version = outcome.log.text("loadgen_version").value_or("");
    serving.tests.push_back(outcome.test);
    keep_snapshot();
    return outcome;
  };

  std::string offline_shortened;  // why an offline test ran shorter than --loadgen-seconds
  std::string offline_retried;    // why a second offline test was run
  // An offline test's rate LoadGen plans for (`qps`): how many samples it issues, the duration
  // those fill, and (unless --loadgen-official) the shorter duration a million samples allow;
  // returns the samples the test's records are sized for.
  const auto set_offline_rate = [&](mlperf::TestSettings& ts, double qps) -> std::size_t {
    ts.offline_expected_qps = qps;
    if (!settings.official) {
      ts.min_query_count = static_cast<std::uint64_t>(kOfflineBatchesPerSlot) * static_cast<std::uint64_t>(slots * batch);
      // LoadGen issues 1.1 x the duration at the expected rate, and the test is VALID only if it
      // lasts the duration: fewer samples must mean a shorter duration, not a lower rate.
      const double asked_s = base.min_duration_ms / 1000.0;
      ts.min_duration_ms = base.min_duration_ms;
      offline_shortened.clear();
      if (1.1 * asked_s * qps > kOfflineMaxSamples) {
        const double fitted_s = kOfflineMaxSamples / (1.1 * qps);
        ts.min_duration_ms = static_cast<std::uint64_t>(std::max(1.0, std::floor(fitted_s * 1000)));
        offline_shortened = "the offline test ran at least " + fixed_number(fitted_s, 2) + " s, not --loadgen-seconds " +
                            shortest_number(asked_s) + ": at about " + fixed_number(qps, 0) +
                            " samples/s that is over a million samples (LoadGen keeps a record of each); "
                            "--loadgen-official runs mlperf.conf's length";
      }
    }
    return static_cast<std::size_t>(
        std::max<double>(static_cast<double>(ts.min_query_count), 1.1 * ts.min_duration_ms / 1000.0 * qps));
  };
  if (!server) {
    mlperf::TestSettings ts = base;
    std::size_t expected = 0;
    switch (scenario) {
      case mlperf::TestScenario::SingleStream:
        ts.single_stream_expected_latency_ns = half_inference_ns;
        if (!settings.official) ts.min_query_count = static_cast<std::uint64_t>(early_stopping_queries(90, 1));
        expected = static_cast<std::size_t>(std::max<double>(ts.min_query_count, ts.min_duration_ms / std::max(1e-3, solo_ms)));
        break;
      case mlperf::TestScenario::MultiStream:
        ts.multi_stream_samples_per_query = kMultiStreamSamples;
        ts.multi_stream_expected_latency_ns = half_inference_ns;
        if (!settings.official) ts.min_query_count = static_cast<std::uint64_t>(early_stopping_queries(99, 1));
        expected = ts.min_query_count * kMultiStreamSamples;
        break;
      default:  // offline
        expected = set_offline_rate(ts, capacity * 1.5);
        break;
    }
    report(kPhaseServe, 0, 0);
    auto outcome = run_test(ts, dispatcher, library, runner, test_dir(cell.scenario), expected, serving.latency_percentile);
    if (!outcome) return failed(outcome.status());
    reported = record_test(std::move(*outcome));
    // An offline test that used up the samples LoadGen issued (1.1 x the duration at the expected
    // rate) before its duration is INVALID for that alone: the warm-up's estimate of the rate was
    // low (small inferences, whose overhead the estimate over-counts). Once more, at the rate it
    // did, if the budget holds it.
    const ServingTest& first = reported->test;
    const double ran_out_at = ts.offline_expected_qps;
    if (scenario == mlperf::TestScenario::Offline && !first.valid && first.achieved_qps > ran_out_at &&
        first.seconds * 1000 < static_cast<double>(ts.min_duration_ms) &&
        Clock::now() + std::chrono::milliseconds(2 * ts.min_duration_ms) < deadline) {
      expected = set_offline_rate(ts, first.achieved_qps * 1.5);
      offline_retried = "the first offline test ran out of the samples LoadGen issued for " + fixed_number(ran_out_at, 0) +
                        " samples/s (it did " + fixed_number(first.achieved_qps, 0) +
                        "/s) before its duration; the reported test expected 1.5x that";
      report(kPhaseServe, 1, 0);
      auto again = run_test(ts, dispatcher, library, runner, test_dir(cell.scenario), expected, serving.latency_percentile);
      if (!again) return failed(again.status());
      reported = record_test(std::move(*again));
    }
  } else {
    mlperf::TestSettings ts = base;
    ts.server_target_latency_ns = static_cast<std::uint64_t>(std::llround(*serving.latency_bound_ms * 1e6));
    ts.server_target_latency_percentile = serving.latency_percentile / 100.0;
    if (!settings.official) ts.min_query_count = static_cast<std::uint64_t>(server_test_queries(serving.latency_percentile));
    // One server test at `qps`. An overloaded test ends once more queries wait than a test
    // meeting the bound could hold (Little's law with a fourfold margin): it was INVALID anyway.
    const auto probe = [&](double qps) -> Result<TestOutcome> {
      mlperf::TestSettings t = ts;
      t.server_target_qps = qps;
      t.server_max_async_queries = static_cast<std::uint64_t>(
          std::max(64.0, std::ceil(4 * qps * *serving.latency_bound_ms / 1000.0) + 2.0 * slots * batch));
      const double queries = std::max<double>(static_cast<double>(t.min_query_count), qps * t.min_duration_ms / 1000.0);
      report(kPhaseServe, test_index, 0);
      return run_test(t, dispatcher, library, runner, test_dir("server-" + fixed_number(qps, 1) + "qps"),
                      static_cast<std::size_t>(queries), serving.latency_percentile);
    };
    // The time a test at `qps` takes, for the budget: its queries at that rate (or the minimum
    // duration), and as long again to drain when it is overloaded.
    const auto test_seconds = [&](double qps) {
      return std::max(static_cast<double>(ts.min_query_count) / qps, ts.min_duration_ms / 1000.0) * 2;
    };
    if (settings.target_qps) {
      auto outcome = probe(*settings.target_qps);
      if (!outcome) return failed(outcome.status());
      reported = record_test(std::move(*outcome));
    } else {
      // Bracket, then bisect (geometrically): the highest rate judged VALID and the lowest judged
      // INVALID close in until they are within kServerSearchPrecision, or the budget runs out
      // (ServerSearch decides each step).
      ServerSearch search(capacity, *serving.latency_bound_ms, serving.latency_percentile);
      std::optional<TestOutcome> best, lowest;
      for (std::optional<double> qps = search.first(); qps;) {
        if (Clock::now() + std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(test_seconds(*qps))) > deadline &&
            !serving.tests.empty()) {
          search.out_of_time(*qps);
          break;
        }
        auto outcome = probe(*qps);
        if (!outcome) return failed(outcome.status());
        TestOutcome kept = record_test(std::move(*outcome));
        const ServerSearch::Test test{*qps, kept.test.valid, kept.test.latency_ms,
                                      share_over(kept.record.batch_ms, *serving.latency_bound_ms)};
        if (test.valid && (!best || *qps > *best->test.target_qps)) best = std::move(kept);
        if (!test.valid && (!lowest || *qps < *lowest->test.target_qps)) lowest = std::move(kept);
        qps = search.next(test);
      }
      serving.search = search.outcome();
      out_of_time_without_valid = search.out_of_time_without_valid();
      reported = best ? std::move(best) : std::move(lowest);
      if (best) serving.value = *best->test.target_qps;
    }
  }

  // The row: LoadGen's verdict and metric, the dispatcher's timings of the reported test.
  TestOutcome& r = *reported;
  serving.reported = r.test;
  serving.valid = r.test.valid;
  serving.invalid_reason = r.test.invalid_reason;
  serving.mean_batch_fill = r.test.mean_batch / batch;
  for (const auto& [key, value] : r.log.values) {
    if (key.rfind("effective_", 0) == 0) serving.settings[key.substr(10)] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  switch (scenario) {
    case mlperf::TestScenario::Offline:
      serving.value = r.test.achieved_qps;
      break;
    // LoadGen logs 0 for the estimate when its early stopping was not met (a test ended early):
    // no value then, never a latency of 0 ms.
    case mlperf::TestScenario::SingleStream:
      if (auto ns = r.log.number("early_stopping_latency_ss"); ns && *ns > 0) serving.value = *ns / 1e6;
      break;
    case mlperf::TestScenario::MultiStream:
      if (auto ns = r.log.number("early_stopping_latency_ms"); ns && *ns > 0) serving.value = *ns / 1e6;
      break;
    case mlperf::TestScenario::Server:
      if (settings.target_qps) serving.value = r.test.achieved_qps;
      break;
  }
  const bool offline = scenario == mlperf::TestScenario::Offline;
  std::vector<double> timings = offline ? r.record.batch_ms : r.record.sample_latency_ms;
  if (timings.empty()) return failed(Status(StatusCode::Backend, "the LoadGen test ran no sample"));
  set_timed_window(row, std::move(timings), r.test.seconds * 1000, true);
  row.throughput = r.test.achieved_qps;
  if (r.test.seconds > 0) row.effective[kCpusUsed] = fixed_number(r.cpu_seconds / r.test.seconds, 2);
  row.effective[kInputStaging] = staging_text(r.record, runner);
  // FPS: the scenario's rate. A server search's is the highest rate judged VALID, none when no
  // rate was: such a row is measured, and not ranked.
  if (server && !settings.target_qps) {
    row.fps = serving.value;
  } else {
    row.fps = r.test.achieved_qps;
  }
  if (!r.test.valid) {
    row.warnings.push_back("LoadGen judged the reported test INVALID: " + r.test.invalid_reason);
  }
  if (!offline_shortened.empty()) row.warnings.push_back(offline_shortened);
  if (!offline_retried.empty()) row.effective["offline_retry"] = offline_retried;
  if (server && !settings.target_qps && !serving.value) {
    row.warnings.push_back("no request rate met P" + shortest_number(serving.latency_percentile) + " <= " +
                           shortest_number(*serving.latency_bound_ms) + " ms: " + serving.search + "; " +
                           (out_of_time_without_valid ? "raise --max-seconds to test lower rates, or " : "") +
                           "raise --latency-bound, lower --batch, or add --requests");
  } else if (server && !settings.target_qps && serving.search.rfind("bracketed", 0) != 0) {
    row.warnings.push_back("the server search did not bracket the highest VALID rate within " +
                           fixed_number(kServerSearchPrecision * 100, 0) + "%: " + serving.search +
                           "; raise --max-seconds");
  }
  if (settings.log_dir.empty()) forget_log_dirs(serving);
  row.serving = std::move(serving);
  return Status::ok();
}

}  // namespace inferbench
