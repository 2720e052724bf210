// SPDX-License-Identifier: Apache-2.0
// The harness's own cost per timed iteration: the measurement loop driving the no-op plugin
// through the C ABI (function pointers, clock read, sample store) versus an empty loop body.
// Target: under 1 microsecond per iteration. Prints one line per configuration.
#include <algorithm>
#include <cstdio>
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

  std::vector<double> empty_ns, plugin_ns;
  for (int r = 0; r < repeats; ++r) {
    const LoopSpec spec{0, iterations, std::chrono::seconds(600)};
    volatile int sink = 0;
    empty_ns.push_back(per_iteration_ns(measure_loop(spec, [&] { sink = sink + 1; return true; })));
    plugin_ns.push_back(per_iteration_ns(
        measure_loop(spec, [&] { return run(backend) == IB_OK && sync(backend) == IB_OK; })));
  }
  std::sort(empty_ns.begin(), empty_ns.end());
  std::sort(plugin_ns.begin(), plugin_ns.end());
  std::printf("timer overhead (median Clock::now pair): %lld ns\n",
              static_cast<long long>(timer_overhead().count()));
  std::printf("loop, empty body:          median %.1f ns/iteration (min %.1f, max %.1f) over %d x %d\n",
              empty_ns[repeats / 2], empty_ns.front(), empty_ns.back(), repeats, iterations);
  std::printf("loop, noop plugin run+sync: median %.1f ns/iteration (min %.1f, max %.1f) over %d x %d\n",
              plugin_ns[repeats / 2], plugin_ns.front(), plugin_ns.back(), repeats, iterations);
  std::printf("target: < 1000 ns/iteration -> %s\n", plugin_ns[repeats / 2] < 1000 ? "met" : "NOT met");
  plugin->api->destroy(backend);
  return 0;
}
