// SPDX-License-Identifier: Apache-2.0
// The serving path's own cost: LoadGen's server scenario driving the worker's dispatcher and the
// no-op plugin at zero service time (a request is done the moment it is submitted), so that
// every microsecond of a sample's latency is LoadGen's issuing plus the harness. Beside it,
// LoadGen with a null system under test that completes each sample inside IssueQuery, the
// floor LoadGen itself sets on this machine. The dispatcher runs as a run would: its slots'
// threads asleep until IssueQuery wakes one (the default), or with --dispatch-poll's polling
// thread; with 2 request slots (noop's recommendation) and with 1. Rates alternate between the
// systems, several rounds. Both systems' tests run with the timer slack of run_serving's
// (timer_slack.h), so that LoadGen issues on time in each.
//
// Targets (issue #20): the server path sustains >= 50,000 samples/s (LoadGen's completed rate,
// VALID at a 10 ms bound, LoadGen's issuing included), and adds < 20 us at P99 to a sample's
// latency: the dispatcher's own latency (IssueQuery handing a sample over to its completion).
//
//   build/bench/inferbench_serving_overhead [seconds-per-test] [rounds]
#include <unistd.h>

#include <loadgen.h>
#include <query_sample_library.h>
#include <system_under_test.h>
#include <test_settings.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/input/input_generator.h"
#include "core/stats/percentile.h"
#include "core/timing/clock.h"
#include "worker/plugin_loader.h"
#include "worker/serving/loadgen_log.h"
#include "worker/serving/serving_run.h"
#include "worker/serving/timer_slack.h"

using namespace inferbench;
namespace fs = std::filesystem;

namespace {

constexpr double kBoundMs = 10;
constexpr int kBatch = 8;

// One way of running the dispatcher: request slots, and --dispatch-poll's µs (0: sleep).
struct Dispatch {
  const char* name;
  int slots;
  double poll_us;
};
constexpr double kPollUs = 10000;
constexpr Dispatch kDispatches[] = {
    {"sleep x2", 2, 0}, {"sleep x1", 1, 0}, {"poll x2", 2, kPollUs}, {"poll x1", 1, kPollUs}};

// LoadGen's floor: every sample completed inside IssueQuery, on LoadGen's own thread.
class NullSut final : public mlperf::SystemUnderTest {
 public:
  const std::string& Name() override { return name_; }
  void IssueQuery(const std::vector<mlperf::QuerySample>& samples) override {
    for (const auto& sample : samples) {
      mlperf::QuerySampleResponse response(sample.id, 0, 0);
      mlperf::QuerySamplesComplete(&response, 1);
    }
  }
  void FlushQueries() override {}

 private:
  std::string name_ = "null";
};

class NullQsl final : public mlperf::QuerySampleLibrary {
 public:
  const std::string& Name() override { return name_; }
  std::size_t TotalSampleCount() override { return 64; }
  std::size_t PerformanceSampleCount() override { return 64; }
  void LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>&) override {}
  void UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>&) override {}

 private:
  std::string name_ = "null";
};

struct Measured {
  bool valid = false;
  double completed_qps = 0;
  double loadgen_p50_us = 0, loadgen_p99_us = 0;
  double sut_p50_us = 0, sut_p99_us = 0, sut_p999_us = 0;  // the dispatcher's; none for the null SUT
  double mean_batch = 0;
};

Measured from_log(const fs::path& dir) {
  Measured m;
  auto log = read_loadgen_log(dir);
  if (!log) {
    std::fprintf(stderr, "%s\n", log.status().to_string().c_str());
    std::exit(1);
  }
  m.valid = log->text("result_validity") == "VALID";
  m.completed_qps = log->number("result_completed_samples_per_sec").value_or(0);
  m.loadgen_p50_us = log->number("result_50.00_percentile_latency_ns").value_or(0) / 1e3;
  m.loadgen_p99_us = log->number("result_99.00_percentile_latency_ns").value_or(0) / 1e3;
  return m;
}

Measured null_test(double qps, double seconds, const fs::path& dir) {
  const TimerSlack slack(kServingTimerSlackNs);  // LoadGen issues on time, as in run_serving's tests
  fs::remove_all(dir);
  fs::create_directories(dir);
  NullSut sut;
  NullQsl qsl;
  mlperf::TestSettings settings{};
  settings.scenario = mlperf::TestScenario::Server;
  settings.server_target_qps = qps;
  settings.server_target_latency_ns = static_cast<std::uint64_t>(kBoundMs * 1e6);
  settings.min_duration_ms = static_cast<std::uint64_t>(seconds * 1000);
  settings.min_query_count = static_cast<std::uint64_t>(server_test_queries(99));
  mlperf::LogSettings log;
  log.enable_trace = false;
  log.log_output.outdir = dir.string();
  mlperf::StartTest(&sut, &qsl, settings, log, (dir / "no-audit.config").string());
  return from_log(dir);
}

Measured harness_test(const LoadedPlugin& plugin, const Dispatch& dispatch, double qps, double seconds,
                      const fs::path& dir) {
  const std::int64_t shape[] = {kBatch, 3, 8, 8};
  ib_prepare_args args{};
  args.artefact_path = "";
  args.device = "cpu";
  args.precision = "fp32";
  args.input_shape = shape;
  args.input_rank = 4;
  args.scenario = "server";
  args.requests = dispatch.slots;
  ib_backend* backend = nullptr;
  if (plugin.api->prepare(&args, &backend) != IB_OK) {
    std::fprintf(stderr, "noop prepare failed: %s\n", plugin.api->last_error());
    std::exit(1);
  }
  Cell cell;
  cell.scenario = "server";
  cell.batch = kBatch;
  cell.warmup = 50;
  cell.max_seconds = 600;
  cell.serving.target_qps = qps;
  cell.serving.latency_bound_ms = kBoundMs;
  cell.serving.min_seconds = seconds;
  cell.serving.dispatch_poll_us = dispatch.poll_us;
  cell.serving.log_dir = dir.string();
  fs::remove_all(dir);
  const std::size_t sample_values = 3 * 8 * 8;
  Row row;
  row.batch = kBatch;
  const Status served = run_serving(*plugin.api, backend, cell, make_input(0, 64 * sample_values), sample_values,
                                    "seeded", row, {});
  plugin.api->destroy(backend);
  if (!served) {
    std::fprintf(stderr, "%s\n", served.to_string().c_str());
    std::exit(1);
  }
  Measured m;
  const ServingTest& t = row.serving->reported;
  m.valid = t.valid;
  m.completed_qps = t.achieved_qps;
  const Measured logged = from_log(t.log_dir);
  m.loadgen_p50_us = logged.loadgen_p50_us;
  m.loadgen_p99_us = logged.loadgen_p99_us;
  std::vector<double> sorted = row.latency_samples_ms;
  std::sort(sorted.begin(), sorted.end());
  m.sut_p50_us = percentile(sorted, 50) * 1e3;
  m.sut_p99_us = percentile(sorted, 99) * 1e3;
  m.sut_p999_us = percentile(sorted, 99.9) * 1e3;
  m.mean_batch = t.mean_batch;
  return m;
}

// The floor of any hand-over between threads on this machine: one thread stamps the time and
// wakes another through a condition variable, `rate` times a second for `seconds`, as LoadGen's
// thread hands a sample to a dispatcher thread; the woken thread's delay, microseconds.
std::vector<double> wake_delays_us(double rate, double seconds) {
  std::mutex mutex;
  std::condition_variable wake;
  bool posted = false, stop = false;
  Clock::time_point stamp;
  std::vector<double> delays;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return posted || stop; });
      if (stop) return;
      delays.push_back(std::chrono::duration<double, std::micro>(Clock::now() - stamp).count());
      posted = false;
    }
  });
  const auto period = std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(1.0 / rate));
  const auto end = Clock::now() + std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(seconds));
  for (auto next = Clock::now(); next < end; next += period) {
    std::this_thread::sleep_until(next);
    {
      std::lock_guard<std::mutex> lock(mutex);
      stamp = Clock::now();
      posted = true;
    }
    wake.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
  }
  wake.notify_one();
  waiter.join();
  std::sort(delays.begin(), delays.end());
  return delays;
}

void print(const char* what, double qps, int round, const Measured& m, bool harness) {
  std::printf("%-9s %8.0f %5d  %-7s %12.0f %12.1f %12.1f", what, qps, round, m.valid ? "VALID" : "INVALID",
              m.completed_qps, m.loadgen_p50_us, m.loadgen_p99_us);
  if (harness) {
    std::printf(" %10.1f %10.1f %10.1f %6.2f\n", m.sut_p50_us, m.sut_p99_us, m.sut_p999_us, m.mean_batch);
  } else {
    std::printf(" %10s %10s %10s %6s\n", "-", "-", "-", "-");
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  auto plugin = load_plugin(INFERBENCH_NOOP_PLUGIN);
  if (!plugin) {
    std::fprintf(stderr, "%s\n", plugin.status().to_string().c_str());
    return 1;
  }
  const fs::path root = fs::temp_directory_path() / ("inferbench-serving-overhead-" + std::to_string(getpid()));
  std::printf("LoadGen server scenario, bound %.0f ms at P99, %.0f s per test (at least %lld queries); harness: the "
              "worker's dispatcher, noop plugin at zero service time, batch %d; sleep xN: N request slots, "
              "their threads asleep until a sample arrives (the default); poll xN: --dispatch-poll %.0f\n",
              kBoundMs, seconds, static_cast<long long>(server_test_queries(99)), kBatch, kPollUs);
  std::printf("%-9s %8s %5s  %-7s %12s %12s %12s %10s %10s %10s %6s\n", "system", "qps", "round", "verdict",
              "completed/s", "LG P50 us", "LG P99 us", "SUT P50 us", "SUT P99 us", "SUT P99.9", "batch");
  for (double qps : {1000.0, 10000.0, 50000.0, 60000.0}) {
    for (int round = 1; round <= rounds; ++round) {
      print("null", qps, round, null_test(qps, seconds, root / "null"), false);
      for (const Dispatch& dispatch : kDispatches) {
        print(dispatch.name, qps, round, harness_test(*plugin, dispatch, qps, seconds, root / "harness"), true);
      }
    }
  }
  std::printf("\nThe machine's floor for one hand-over between two threads (a condition variable, as LoadGen's "
              "thread wakes a dispatcher thread), microseconds:\n%8s %8s %8s %8s %8s\n", "rate/s", "P50", "P90", "P99",
              "P99.9");
  for (double rate : {1000.0, 10000.0}) {
    for (int round = 1; round <= rounds; ++round) {
      const std::vector<double> delays = wake_delays_us(rate, seconds);
      std::printf("%8.0f %8.1f %8.1f %8.1f %8.1f\n", rate, percentile(delays, 50), percentile(delays, 90),
                  percentile(delays, 99), percentile(delays, 99.9));
    }
  }
  // The same floor while LoadGen drives its null system under test at the same rate beside it (its
  // issuing and logging threads busy as in a server test): what any dispatcher thread faces here.
  std::printf("\nThe same hand-over floor while LoadGen runs a server test of the null system under test at that "
              "rate beside it, microseconds:\n%8s %8s %8s %8s %8s\n", "rate/s", "P50", "P90", "P99", "P99.9");
  for (double rate : {1000.0, 10000.0}) {
    for (int round = 1; round <= rounds; ++round) {
      std::thread loadgen([&] { null_test(rate, seconds + 1, root / "beside"); });
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // LoadGen's own start-up
      const std::vector<double> delays = wake_delays_us(rate, seconds);
      loadgen.join();
      std::printf("%8.0f %8.1f %8.1f %8.1f %8.1f\n", rate, percentile(delays, 50), percentile(delays, 90),
                  percentile(delays, 99), percentile(delays, 99.9));
    }
  }
  fs::remove_all(root);
  return 0;
}
