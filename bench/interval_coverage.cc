// SPDX-License-Identifier: Apache-2.0
// The coverage of the P50 and P99 confidence intervals on samples correlated in time (see
// interval_coverage.h): for each lag-1 autocorrelation phi of the simulated series, how often the
// interval computed as if the samples were independent, and the one computed for the effective
// sample count (what rows carry), contain the true quantile; the nominal level is 95%.
// Usage: inferbench_interval_coverage [reps] [samples]. Prints a Markdown table.
#include <cstdio>
#include <cstdlib>

#include "bench/interval_coverage.h"

using namespace inferbench::bench;

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int n = argc > 2 ? std::atoi(argv[2]) : 100;
  if (reps < 1 || n < 20) {
    std::fprintf(stderr, "usage: %s [reps >= 1] [samples >= 20]\n", argv[0]);
    return 2;
  }
  std::printf("%d series of %d samples per line, 95%% intervals; 'both sides' = intervals with "
              "both bounds, width = their mean width relative to the independent interval's\n\n",
              reps, n);
  std::printf("| marginal | quantile | phi | covered, as independent | covered, effective n | "
              "both sides (eff.) | width eff./indep. |\n|---|---|---:|---:|---:|---:|---:|\n");
  std::uint32_t seed = 1;
  for (Marginal marginal : {Marginal::Normal, Marginal::LogNormal}) {
    for (double q : {0.5, 0.99}) {
      for (double phi : {0.0, 0.3, 0.5, 0.7, 0.85}) {
        // Both computations see the same series: same seed.
        const Coverage plain = interval_coverage(phi, q, marginal, n, reps, false, seed);
        const Coverage widened = interval_coverage(phi, q, marginal, n, reps, true, seed);
        ++seed;
        const bool widths = plain.mean_width > 0 && widened.mean_width > 0;
        std::printf("| %s | P%g | %.2f | %.3f | %.3f | %.2f | %s |\n",
                    marginal == Marginal::Normal ? "normal" : "log-normal", q * 100, phi,
                    plain.covered, widened.covered, widened.both_sides,
                    widths ? std::to_string(widened.mean_width / plain.mean_width).substr(0, 4).c_str()
                           : "n/a");
      }
    }
  }
  return 0;
}
