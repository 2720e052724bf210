// SPDX-License-Identifier: Apache-2.0
// Measurement diagnostics: stability, drift, outliers, tail precision, build and governor.
#include "core/stats/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/stats/percentile.h"

namespace inferbench {
namespace {

std::string format(const char* fmt, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, fmt, args...);
  return buffer;
}

double median_of(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return percentile(x, 50);
}

}  // namespace

std::optional<double> lag1_autocorrelation(const std::vector<double>& samples) {
  if (samples.size() < static_cast<std::size_t>(kMinCorrelationSamples)) return std::nullopt;
  double mean = 0;
  for (double v : samples) mean += v;
  mean /= static_cast<double>(samples.size());
  double products = 0;
  double squares = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double d = samples[i] - mean;
    squares += d * d;
    if (i + 1 < samples.size()) products += d * (samples[i + 1] - mean);
  }
  if (squares <= 0) return std::nullopt;
  return products / squares;
}

double effective_sample_size(const std::vector<double>& samples) {
  const auto n = static_cast<double>(samples.size());
  const auto r = lag1_autocorrelation(samples);
  if (!r || *r <= 0) return n;
  return n * (1 - *r) / (1 + *r);
}

std::vector<std::string> diagnose(const std::vector<double>& samples_ms,
                                  const LatencySummary& summary,
                                  const MeasurementContext& context) {
  std::vector<std::string> warnings;
  const auto n = static_cast<int>(samples_ms.size());
  // More samples: the study protocol counts them, the adaptive one gets them from a longer window.
  const std::string more = context.adaptive ? "raise --max-window" : "raise --iters";

  if (context.budget_exhausted && context.adaptive) {
    warnings.push_back(format("stopped at the time budget (--max-seconds) after %d timed iterations, short of the "
                              "precision asked; raise --max-seconds",
                              n));
  } else if (context.budget_exhausted && context.warmup_cut) {
    warnings.push_back(format(
        "stopped at the time budget during the warm-up, after %d of %d warm-up iterations, so only %d of %d "
        "timed iterations ran; lower --warmup or raise --max-seconds",
        context.warmup_cut->first, context.warmup_cut->second, n, context.iterations_requested));
  } else if (context.budget_exhausted) {
    warnings.push_back(format(
        "stopped at the time budget after %d of %d timed iterations; raise --max-seconds or "
        "lower --iters",
        n, context.iterations_requested));
  }
  // A percentile is only as good as the number of samples beyond it.
  const double beyond_p99 = n * 0.01;
  if (beyond_p99 < kTailSamplesWanted) {
    warnings.push_back(format(
        "P99 rests on %.1f sample(s) above it (n=%d) and P99.9 on %.2f: treat both as rough; "
        "%s %d or more for a meaningful P99",
        beyond_p99, n, n * 0.001, context.adaptive ? "raise --max-window for samples numbering" : "use --iters",
        kTailSamplesWanted * 100));
  }
  if (summary.cv > kHighCv) {
    warnings.push_back(format(
        "unstable: CV %.1f%% exceeds %.0f%%; close other programs, pin --threads below the "
        "core count, or %s",
        summary.cv * 100, kHighCv * 100, more.c_str()));
  }
  if (n >= 8) {
    const auto quarter = static_cast<size_t>(n / 4);
    const double first = median_of({samples_ms.begin(), samples_ms.begin() + quarter});
    const double last = median_of({samples_ms.end() - quarter, samples_ms.end()});
    const double drift = last / first - 1.0;
    if (std::abs(drift) > kDriftRatio) {
      warnings.push_back(format(
          "latency drifted %+.1f%% from the first to the last quarter of the timed window "
          "(frequency, thermals or other load); compare rows from one run, or rerun",
          drift * 100));
    }
  }
  if (n >= 20) {
    std::vector<double> deviations;
    deviations.reserve(samples_ms.size());
    for (double v : samples_ms) deviations.push_back(std::abs(v - summary.p50));
    const double mad = 1.4826 * median_of(deviations);
    if (mad > 0) {
      const double limit = summary.p50 + kOutlierMads * mad;
      const auto outliers = std::count_if(samples_ms.begin(), samples_ms.end(),
                                          [&](double v) { return v > limit; });
      if (outliers > kOutlierShare * n) {
        warnings.push_back(format(
            "%d of %d samples are outliers (above %.3f ms = median + %.0f scaled MAD); the "
            "samples are kept, see the latency plot",
            static_cast<int>(outliers), n, limit, kOutlierMads));
      }
    }
  }
  // Runs of slow and fast iterations (another tenant, frequency steps) carry less information
  // than their count; the intervals are already computed for effective_sample_size() samples.
  if (auto r = lag1_autocorrelation(samples_ms); r && *r > kCorrelated) {
    warnings.push_back(format(
        "samples are correlated (lag-1 autocorrelation %.2f: worth about %.0f independent samples "
        "of %d, for which the confidence intervals are computed); quiet the machine or %s for "
        "tighter intervals",
        *r, effective_sample_size(samples_ms), n, more.c_str()));
  }
  if (!context.build_type.empty() && context.build_type != "Release" &&
      context.build_type != "RelWithDebInfo") {
    warnings.push_back("inferbench was built as '" + context.build_type +
                       "'; rebuild with CMAKE_BUILD_TYPE=Release before trusting timings");
  }
  if (context.governor && *context.governor != "performance") {
    warnings.push_back("CPU frequency governor is '" + *context.governor +
                       "'; set 'performance' for stable numbers");
  }
  return warnings;
}

}  // namespace inferbench
