// SPDX-License-Identifier: Apache-2.0
// The harness's own cost per timed iteration: the measurement loop driving the no-op plugin
// through the C ABI (function pointers, clock read, sample store) versus an empty loop body,
// and the same with live progress on (the per-iteration deadline check plus a progress line
// written to a pipe, here every millisecond, a thousand times the worker's once a second).
// Target: under 1 microsecond per iteration. Prints one line per configuration.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/timing/measure_loop.h"
#include "worker/plugin_loader.h"

using namespace inferbench;

namespace {

double per_iteration_ns(const LoopResult& r) {
  return static_cast<double>(r.wall.count()) / static_cast<double>(r.samples.size());
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const int repeats = 5;
  auto plugin = load_plugin(INFERBENCH_NOOP_PLUGIN);
  if (!plugin) {
    std::fprintf(stderr, "%s\n", plugin.status().to_string().c_str());
    return 1;
  }
  const int64_t shape[] = {1, 3, 8, 8};
  ib_prepare_args args{};
  args.artefact_path = "";
  args.device = "cpu";
  args.precision = "fp32";
  args.input_shape = shape;
  args.input_rank = 4;
  ib_backend* backend = nullptr;
  if (plugin->api->prepare(&args, &backend) != IB_OK) return 1;
  const auto run = plugin->api->run;
  const auto sync = plugin->api->sync;

  // Progress as the worker sends it: one short line written to a pipe per report. The pipe is
  // drained by nobody, so it is non-blocking and a full pipe only drops lines.
  int progress_pipe[2];
  if (pipe2(progress_pipe, O_NONBLOCK | O_CLOEXEC) != 0) return 1;
  // Every millisecond, a thousand times the worker's rate (once a second), so that even this
  // short loop exercises the periodic path; the real cost is smaller by as much.
  LoopProgress progress;
  progress.interval = std::chrono::milliseconds(1);
  int reports = 0;
  progress.report = [&](LoopPhase, int done, int total) {
    ++reports;
    const std::string line = "{\"phase\":\"measure\",\"done\":" + std::to_string(done) +
                             ",\"total\":" + std::to_string(total) + "}\n";
    [[maybe_unused]] const ssize_t n = write(progress_pipe[1], line.data(), line.size());
  };

  std::vector<double> empty_ns, plugin_ns, progress_ns, progress_total_ns;
  for (int r = 0; r < repeats; ++r) {
    LoopSpec spec;
    spec.warmup = 0;
    spec.iterations = iterations;
    spec.budget = std::chrono::seconds(600);
    volatile int sink = 0;
    empty_ns.push_back(per_iteration_ns(measure_loop(spec, [&] { sink = sink + 1; return true; })));
    plugin_ns.push_back(per_iteration_ns(
        measure_loop(spec, [&] { return run(backend) == IB_OK && sync(backend) == IB_OK; })));
    // The loop leaves the time spent reporting out of its window (LoopProgress); the clock
    // around the call counts it too (warm-up and the phase-start reports included).
    const auto before = Clock::now();
    progress_ns.push_back(per_iteration_ns(measure_loop(
        spec, [&] { return run(backend) == IB_OK && sync(backend) == IB_OK; }, &progress)));
    progress_total_ns.push_back(static_cast<double>((Clock::now() - before).count()) / iterations);
  }
  std::sort(empty_ns.begin(), empty_ns.end());
  std::sort(plugin_ns.begin(), plugin_ns.end());
  std::sort(progress_ns.begin(), progress_ns.end());
  std::sort(progress_total_ns.begin(), progress_total_ns.end());
  std::printf("timer overhead (median Clock::now pair): %lld ns\n",
              static_cast<long long>(timer_overhead().count()));
  std::printf("loop, empty body:          median %.1f ns/iteration (min %.1f, max %.1f) over %d x %d\n",
              empty_ns[repeats / 2], empty_ns.front(), empty_ns.back(), repeats, iterations);
  std::printf("loop, noop plugin run+sync: median %.1f ns/iteration (min %.1f, max %.1f) over %d x %d\n",
              plugin_ns[repeats / 2], plugin_ns.front(), plugin_ns.back(), repeats, iterations);
  std::printf("loop, noop + progress 1 kHz: median %.1f ns/iteration (min %.1f, max %.1f) over %d x %d, %d reports\n",
              progress_ns[repeats / 2], progress_ns.front(), progress_ns.back(), repeats, iterations, reports);
  std::printf("  same, reports included:     median %.1f ns/iteration (min %.1f, max %.1f)\n",
              progress_total_ns[repeats / 2], progress_total_ns.front(), progress_total_ns.back());
  const double worst = std::max(plugin_ns[repeats / 2], progress_total_ns[repeats / 2]);
  std::printf("target: < 1000 ns/iteration -> %s\n", worst < 1000 ? "met" : "NOT met");
  plugin->api->destroy(backend);
  return 0;
}
