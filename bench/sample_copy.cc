// SPDX-License-Identifier: Apache-2.0
// What a LoadGen batch's copy costs: set_request_samples() copies each of a batch's samples from
// the sample library into the model's input. This times that copy alone, with MobileNetV2's
// shapes (8 samples of 3x224x224 float32 drawn at random from a 64-sample library, 38 MB, as the
// worker's default library), on an idle machine and with a second thread sweeping a 64 MB buffer
// beside it (caches and memory bandwidth shared, as with an inference running on the other
// core), each with memcpy and with streaming (non-temporal) stores.
//
//   build/bench/inferbench_sample_copy [batches]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

constexpr std::size_t kSampleValues = 3 * 224 * 224;
constexpr std::size_t kLibrarySamples = 64;
constexpr std::size_t kBatch = 8;

void copy_streaming(float* dst, const float* src, std::size_t count) {
#if defined(__SSE2__)
  std::size_t i = 0;
  for (; i < count && reinterpret_cast<std::uintptr_t>(dst + i) % 16 != 0; ++i) dst[i] = src[i];
  for (; i + 4 <= count; i += 4) _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
  for (; i < count; ++i) dst[i] = src[i];
  _mm_sfence();
#else
  std::memcpy(dst, src, count * sizeof(float));
#endif
}

struct Percentiles {
  double p50, p90, p99;
};

Percentiles percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))]; };
  return {at(0.5), at(0.9), at(0.99)};
}

// Milliseconds per batch copy, `batches` times.
template <typename Copy>
std::vector<double> time_copies(const std::vector<float>& library, std::vector<float>& input, int batches, Copy copy) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<std::size_t> pick(0, kLibrarySamples - 1);
  std::vector<double> ms;
  for (int b = 0; b < batches; ++b) {
    std::size_t index[kBatch];
    for (auto& i : index) i = pick(rng);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < kBatch; ++k) {
      copy(input.data() + k * kSampleValues, library.data() + index[k] * kSampleValues, kSampleValues);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const int batches = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (batches < 10) {
    std::fprintf(stderr, "batches must be at least 10, got %s\n", argv[1]);
    return 2;
  }
  std::vector<float> library(kLibrarySamples * kSampleValues);
  for (std::size_t i = 0; i < library.size(); ++i) library[i] = static_cast<float>(i % 1000) * 0.001f;
  std::vector<float> input(kBatch * kSampleValues, 0.0f);
  const auto memcpy_copy = [](float* d, const float* s, std::size_t n) { std::memcpy(d, s, n * sizeof(float)); };

  std::printf("One batch's copy into the model input: %zu samples of %zu float32 (%.1f MB) drawn at random from a "
              "%zu-sample library (%.0f MB); %d batches each, ms per batch\n",
              kBatch, kSampleValues, kBatch * kSampleValues * 4 / 1e6, kLibrarySamples,
              library.size() * 4 / 1e6, batches);
  std::printf("%-40s %8s %8s %8s %10s\n", "condition", "P50", "P90", "P99", "GB/s P50");
  const auto report = [&](const char* what, const std::vector<double>& ms) {
    const Percentiles p = percentiles(ms);
    std::printf("%-40s %8.3f %8.3f %8.3f %10.1f\n", what, p.p50, p.p90, p.p99,
                kBatch * kSampleValues * 4 / 1e6 / p.p50);
  };
  for (int pass = 0; pass < 2; ++pass) {
    const bool beside = pass == 1;
    std::atomic<bool> stop{false};
    std::thread sweeper;
    if (beside) {
      // Another core reading and writing 64 MB over and over: shared caches and memory bandwidth.
      sweeper = std::thread([&stop] {
        std::vector<std::uint64_t> buffer(64 * 1024 * 1024 / sizeof(std::uint64_t), 1);
        while (!stop.load(std::memory_order_relaxed)) {
          for (std::size_t i = 0; i < buffer.size(); i += 8) buffer[i] += 1;
        }
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    report(beside ? "memcpy, a memory sweep beside" : "memcpy, alone", time_copies(library, input, batches, memcpy_copy));
    report(beside ? "streaming stores, a memory sweep beside" : "streaming stores, alone",
           time_copies(library, input, batches, copy_streaming));
    if (beside) {
      stop = true;
      sweeper.join();
    }
  }
  return 0;
}
