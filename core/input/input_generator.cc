// SPDX-License-Identifier: Apache-2.0
// splitmix64-driven Box-Muller normal values.
#include "core/input/input_generator.h"

#include <cmath>
#include <cstdint>
#include <numbers>

#include "core/support/check.h"

namespace inferbench {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in (0, 1]: never 0, so log() is finite.
double uniform(std::uint64_t bits) { return (static_cast<double>(bits >> 11) + 1.0) * 0x1.0p-53; }

}  // namespace

std::vector<float> make_input(std::uint64_t seed, std::size_t count) {
  std::vector<float> values(count);
  const std::uint64_t base = splitmix64(seed);
  for (std::size_t pair = 0; 2 * pair < count; ++pair) {
    const double u1 = uniform(splitmix64(base ^ (2 * pair)));
    const double u2 = uniform(splitmix64(base ^ (2 * pair + 1)));
    const double r = std::sqrt(-2.0 * std::log(u1));
    values[2 * pair] = static_cast<float>(r * std::cos(2 * std::numbers::pi * u2));
    if (2 * pair + 1 < count) {
      values[2 * pair + 1] = static_cast<float>(r * std::sin(2 * std::numbers::pi * u2));
    }
  }
  return values;
}

std::vector<float> batch_from_samples(std::span<const float> samples, std::size_t sample_size, std::size_t count) {
  IB_CHECK(sample_size > 0 && samples.size() >= sample_size && samples.size() % sample_size == 0)
      << samples.size() << " values are not whole samples of " << sample_size;
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = samples[i % samples.size()];
  return values;
}

}  // namespace inferbench
