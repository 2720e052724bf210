// SPDX-License-Identifier: Apache-2.0
// Multiply-add throughput microbenchmarks, one per vector instruction, with runtime dispatch.
#include "core/env/compute_peak.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <optional>
#include <system_error>
#include <thread>

#include "core/timing/clock.h"

#endif

namespace inferbench {

#if defined(__x86_64__)

namespace {

// Each kernel below runs `iterations` rounds of one multiply-add on every one of its
// accumulators. The accumulators are independent, so the loop is bound by how many of these
// instructions the core can start per cycle, not by one instruction's latency: that needs at
// least latency × pipes of them in flight (about 4–6 cycles × 2 pipes on current cores), and
// 16 zmm accumulators leave room. AVX2 and AVX-VNNI have only 16 ymm registers, two of which
// hold the inputs, so those kernels use 12.
//
// The inputs come from `io`, a volatile the caller set to 1, so the compiler cannot fold them;
// the sum of all accumulators is written back to it, so it cannot drop the work either. Each
// accumulator starts at a different value: identical ones get merged into one, which turns the
// loop into a single latency-bound chain. Float accumulators gain a tiny product each round
// until it falls below half their ulp, then stay put, so they remain finite and normal.
//
// Every kernel must compile to one loop holding nothing but its multiply-adds on
// register-resident accumulators plus the loop counter; check with objdump -d after touching
// them. `#pragma GCC unroll` is what turns the accumulator array into registers.
//
// IB_MAC_KERNEL(isa) compiles one kernel for `isa` (the rest of the binary still runs on any
// x86-64) and the same way in every build type: at -O0 (the dev preset) the accumulator array
// would live on the stack, and under UBSan its bounds checks stop the unrolling; either way the
// kernel would time loads and stores instead of multiply-adds. optimize must come before
// target: GCC 13 and 14 drop a target that they read before an optimize.
#define IB_MAC_KERNEL(isa) \
  __attribute__((optimize("O2"), target(isa), no_sanitize("address", "undefined")))

constexpr int kZmmAccumulators = 16;
constexpr int kYmmAccumulators = 12;

// The added product, per lane and round. A power of two, so it is exact in fp32 and bf16.
constexpr float kSmall = 0x1p-20f;

// Lanes are summed in plain code: GCC 12's _mm512_reduce_add_* warn -Wuninitialized inside a
// target("avx512f") function, which the -Werror preset turns into a failed build.
template <typename T, std::size_t N>
T sum_of(const T (&lanes)[N]) {
  T sum = 0;
  for (T lane : lanes) sum += lane;
  return sum;
}

IB_MAC_KERNEL("avx512f") void fma_zmm(std::int64_t iterations, volatile float* io) {
  const float one = *io;
  const __m512 a = _mm512_set1_ps(one);
  const __m512 b = _mm512_set1_ps(one * kSmall);
  __m512 acc[kZmmAccumulators];
#pragma GCC unroll 16
  for (int i = 0; i < kZmmAccumulators; ++i) acc[i] = _mm512_set1_ps(one + static_cast<float>(i));
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kZmmAccumulators; ++i) acc[i] = _mm512_fmadd_ps(a, b, acc[i]);
  }
#pragma GCC unroll 16
  for (int i = 1; i < kZmmAccumulators; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  *io = sum_of(lanes);
}

IB_MAC_KERNEL("avx2,fma") void fma_ymm(std::int64_t iterations, volatile float* io) {
  const float one = *io;
  const __m256 a = _mm256_set1_ps(one);
  const __m256 b = _mm256_set1_ps(one * kSmall);
  __m256 acc[kYmmAccumulators];
#pragma GCC unroll 16
  for (int i = 0; i < kYmmAccumulators; ++i) acc[i] = _mm256_set1_ps(one + static_cast<float>(i));
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kYmmAccumulators; ++i) acc[i] = _mm256_fmadd_ps(a, b, acc[i]);
  }
#pragma GCC unroll 16
  for (int i = 1; i < kYmmAccumulators; ++i) acc[0] = _mm256_add_ps(acc[0], acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc[0]);
  *io = sum_of(lanes);
}

IB_MAC_KERNEL("avx512bf16,avx512f") void dpbf16_zmm(std::int64_t iterations, volatile float* io) {
  const float one = *io;
  const __m512 small = _mm512_set1_ps(one * kSmall);
  const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(one), _mm512_set1_ps(one));
  const __m512bh b = _mm512_cvtne2ps_pbh(small, small);
  __m512 acc[kZmmAccumulators];
#pragma GCC unroll 16
  for (int i = 0; i < kZmmAccumulators; ++i) acc[i] = _mm512_set1_ps(one + static_cast<float>(i));
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kZmmAccumulators; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
  }
#pragma GCC unroll 16
  for (int i = 1; i < kZmmAccumulators; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, acc[0]);
  *io = sum_of(lanes);
}

// int8 bytes: unsigned 1 times signed +1, -1, +1, -1, so each round adds 0 to every lane and
// the accumulators never wrap. vpdpbusd takes the same time whatever the values.
constexpr auto kPlusMinusOne = static_cast<std::int32_t>(0xff01ff01u);

IB_MAC_KERNEL("avx512vnni,avx512f") void dpbusd_zmm(std::int64_t iterations, volatile float* io) {
  const auto one = static_cast<std::int32_t>(*io);
  const __m512i a = _mm512_set1_epi8(static_cast<char>(one));
  const __m512i b = _mm512_set1_epi32(kPlusMinusOne * one);
  __m512i acc[kZmmAccumulators];
#pragma GCC unroll 16
  for (int i = 0; i < kZmmAccumulators; ++i) acc[i] = _mm512_set1_epi32(one + i);
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kZmmAccumulators; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
#pragma GCC unroll 16
  for (int i = 1; i < kZmmAccumulators; ++i) acc[0] = _mm512_add_epi32(acc[0], acc[i]);
  alignas(64) std::int32_t lanes[16];
  _mm512_store_si512(lanes, acc[0]);
  *io = static_cast<float>(sum_of(lanes));
}

IB_MAC_KERNEL("avxvnni") void dpbusd_ymm(std::int64_t iterations, volatile float* io) {
  const auto one = static_cast<std::int32_t>(*io);
  const __m256i a = _mm256_set1_epi8(static_cast<char>(one));
  const __m256i b = _mm256_set1_epi32(kPlusMinusOne * one);
  __m256i acc[kYmmAccumulators];
#pragma GCC unroll 16
  for (int i = 0; i < kYmmAccumulators; ++i) acc[i] = _mm256_set1_epi32(one + i);
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kYmmAccumulators; ++i) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
  }
#pragma GCC unroll 16
  for (int i = 1; i < kYmmAccumulators; ++i) acc[0] = _mm256_add_epi32(acc[0], acc[i]);
  alignas(32) std::int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc[0]);
  *io = static_cast<float>(sum_of(lanes));
}

#undef IB_MAC_KERNEL

using Kernel = void (*)(std::int64_t iterations, volatile float* io);

struct KernelSpec {
  const char* precision;
  const char* name;
  double macs_per_iteration;
  Kernel run;
};

// The widest multiply-add per precision that this CPU and its OS (saved vector state) allow;
// __builtin_cpu_supports checks both. MACs per iteration: accumulators × 32-bit lanes ×
// multiply-adds per lane.
std::vector<KernelSpec> kernels_for_this_cpu() {
  std::vector<KernelSpec> kernels;
  if (__builtin_cpu_supports("avx512f")) {
    kernels.push_back({"fp32", "AVX-512 FMA (vfmadd231ps zmm)", kZmmAccumulators * 16 * 1.0,
                       fma_zmm});
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernels.push_back({"fp32", "AVX2 FMA (vfmadd231ps ymm)", kYmmAccumulators * 8 * 1.0, fma_ymm});
  }
  if (__builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512f")) {
    kernels.push_back({"bf16", "AVX512-BF16 (vdpbf16ps zmm)", kZmmAccumulators * 16 * 2.0,
                       dpbf16_zmm});
  }
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512f")) {
    kernels.push_back({"int8", "AVX512-VNNI (vpdpbusd zmm)", kZmmAccumulators * 16 * 4.0,
                       dpbusd_zmm});
  } else if (__builtin_cpu_supports("avxvnni")) {
    kernels.push_back({"int8", "AVX-VNNI (vpdpbusd ymm)", kYmmAccumulators * 8 * 4.0, dpbusd_ymm});
  }
  return kernels;
}

double seconds(Nanos d) { return std::chrono::duration<double>(d).count(); }

// Iterations after which one thread has run for about `target` seconds, from doubling a short
// run until it takes an eighth of that. This also serves as warm-up: cores lower their clock
// and power up the upper vector lanes when wide instructions start, and that settles here.
std::int64_t calibrate(Kernel kernel, double target) {
  constexpr std::int64_t kMaxIterations = std::int64_t{1} << 40;
  for (std::int64_t n = 256;; n *= 2) {
    volatile float io = 1.0f;
    const auto start = Clock::now();
    kernel(n, &io);
    const double elapsed = seconds(Clock::now() - start);
    if (elapsed >= target / 8 || n >= kMaxIterations) {
      const double scaled = static_cast<double>(n) * target / std::max(elapsed, 1e-9);
      return std::clamp<std::int64_t>(std::llround(scaled), 1, kMaxIterations);
    }
  }
}

// Wall time from releasing `threads` threads, each running `iterations` rounds of `kernel`,
// to the last join; nullopt when a thread could not be started.
std::optional<Nanos> run_on_threads(Kernel kernel, std::int64_t iterations, int threads) {
  std::int64_t rounds = iterations;
  std::latch ready(threads);
  std::latch go(1);
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  // std::thread reports a failed start only by throwing; the started threads must still be
  // released and joined, with nothing left to run, before we give up on this kernel.
  bool started = true;
  try {
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        volatile float io = 1.0f;
        ready.count_down();
        go.wait();
        kernel(rounds, &io);
      });
    }
  } catch (const std::system_error&) {
    started = false;
  }
  if (!started) {
    rounds = 0;
    go.count_down();
    for (auto& w : workers) w.join();
    return std::nullopt;
  }
  ready.wait();
  const auto start = Clock::now();
  go.count_down();
  for (auto& w : workers) w.join();
  return std::chrono::duration_cast<Nanos>(Clock::now() - start);
}

}  // namespace

std::vector<ComputePeak> measure_cpu_peaks(int threads, double seconds_per_kernel) {
  constexpr int kRepetitions = 3;
  constexpr double kMinSeconds = 1e-3;
  threads = std::max(threads, 1);
  if (!(seconds_per_kernel >= kMinSeconds)) seconds_per_kernel = kMinSeconds;

  std::vector<ComputePeak> peaks;
  for (const auto& k : kernels_for_this_cpu()) {
    const std::int64_t iterations = calibrate(k.run, seconds_per_kernel);
    std::optional<Nanos> best;
    for (int r = 0; r < kRepetitions; ++r) {
      const auto wall = run_on_threads(k.run, iterations, threads);
      if (!wall) break;
      if (!best || *wall < *best) best = wall;
    }
    if (!best) continue;
    const double macs = k.macs_per_iteration * static_cast<double>(iterations) * threads;
    peaks.push_back({k.precision, k.name, threads, macs / std::max(seconds(*best), 1e-9) / 1e9});
  }
  return peaks;
}

#else  // not x86-64: no kernels yet.

std::vector<ComputePeak> measure_cpu_peaks(int /*threads*/, double /*seconds_per_kernel*/) {
  return {};
}

#endif

}  // namespace inferbench
