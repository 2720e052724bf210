// SPDX-License-Identifier: Apache-2.0
// A thread that calls one function at a fixed period until stopped: the energy meters' sampler
// (RAPL counters' wrap-arounds, NVML power samples). It sleeps on a condition variable between
// calls, so it costs one wake-up per period and stops at once.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/timing/clock.h"

namespace inferbench {

class PeriodicSampler {
 public:
  PeriodicSampler() = default;
  PeriodicSampler(const PeriodicSampler&) = delete;
  PeriodicSampler& operator=(const PeriodicSampler&) = delete;
  ~PeriodicSampler() { stop(); }

  // Calls `sample` every `period` on a thread of its own, the first time one period from now.
  void start(Nanos period, std::function<void()> sample) {
    stop();
    stopping_ = false;
    thread_ = std::thread([this, period, sample = std::move(sample)] {
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
        lock.unlock();
        sample();
        lock.lock();
      }
    });
  }

  // Returns once the thread has ended (a call in progress finishes first); no-op when not running.
  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace inferbench
