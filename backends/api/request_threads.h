// SPDX-License-Identifier: Apache-2.0
// Request slots for a framework whose inference call blocks the calling thread (LibTorch on the
// CPU, ExecuTorch, LiteRT): one thread of the plugin's own per slot, so that start_request()
// returns at once and several requests compute at the same time, each with its share of the
// CPUs. Header-only, like backend_helper.h, so that a plugin links nothing of ours.
#pragma once

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backends/api/backend_helper.h"

namespace inferbench::plugin {

// CPUs in this process's affinity mask (what `taskset` or a container leaves it), at least 1.
inline int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

// The request slots a CPU plugin makes when the run names no count (--requests 0): one per four
// usable CPUs, and two on a machine with two or three, so that one request computes while the
// next is being handed over; one on a single CPU. OpenVINO's THROUGHPUT hint makes a comparable
// choice for its streams; the row records what was made (effective.requests).
inline int recommended_cpu_requests(int cpus) { return std::max(std::min(2, cpus), cpus / 4); }

// Each request's intra-op threads when `threads` (0 = one per usable CPU) are shared out among
// `requests` requests in flight: an even share, at least one.
inline int threads_per_request(int threads, int requests) {
  const int total = threads > 0 ? threads : usable_cpus();
  return std::max(1, total / std::max(1, requests));
}

// The slot count a plugin makes: the run's (`requested` > 0), else `recommended`; one for a
// scenario without requests in flight.
inline int request_count(const ib_prepare_args* args, int recommended) {
  if (!scenario_has_requests_in_flight(args->scenario)) return 1;
  return args->requests > 0 ? args->requests : std::max(1, recommended);
}

// One thread per slot, each running `work(slot)` when start(slot) asks. Thread-safe in the way
// the ABI asks: start() and wait() for different slots may be called from different threads at
// once; for one slot they alternate, start first.
class RequestThreads {
 public:
  using Work = std::function<ib_status(int slot)>;

  // Starts `slots` threads. `setup(slot)` (may be empty) runs first on each slot's own thread,
  // before any work: a framework whose thread count is a per-thread setting (LibTorch's
  // at::set_num_threads on the OpenMP build) is sized there.
  RequestThreads(int slots, Work work, std::function<void(int)> setup = {}) : work_(std::move(work)) {
    for (int i = 0; i < slots; ++i) slots_.push_back(std::make_unique<Slot>());
    for (int i = 0; i < slots; ++i) {
      slots_[static_cast<size_t>(i)]->thread = std::thread([this, i, setup] {
        if (setup) setup(i);
        loop(*slots_[static_cast<size_t>(i)], i);
      });
    }
  }

  RequestThreads(const RequestThreads&) = delete;
  RequestThreads& operator=(const RequestThreads&) = delete;

  // Waits for the work under way, then ends the threads.
  ~RequestThreads() {
    for (auto& slot : slots_) {
      {
        std::lock_guard<std::mutex> lock(slot->mutex);
        slot->stop = true;
      }
      slot->changed.notify_all();
    }
    for (auto& slot : slots_) slot->thread.join();
  }

  int size() const { return static_cast<int>(slots_.size()); }

  // Hands slot `slot` its work and returns at once.
  ib_status start(int slot) {
    if (slot < 0 || slot >= size()) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
    Slot& s = *slots_[static_cast<size_t>(slot)];
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      if (s.state == State::Started) {
        return fail(IB_ERROR_INVALID_ARGUMENT, "request slot " + std::to_string(slot) + " is still running");
      }
      s.state = State::Started;
    }
    s.changed.notify_all();
    return IB_OK;
  }

  // Blocks until the slot's work has finished: its status, and on failure its message in this
  // thread's last_error(). A slot never started is finished.
  ib_status wait(int slot) {
    if (slot < 0 || slot >= size()) return fail(IB_ERROR_INVALID_ARGUMENT, "no request slot " + std::to_string(slot));
    Slot& s = *slots_[static_cast<size_t>(slot)];
    std::unique_lock<std::mutex> lock(s.mutex);
    s.changed.wait(lock, [&] { return s.state != State::Started; });
    if (s.state == State::Idle) return IB_OK;
    s.state = State::Idle;
    if (s.status != IB_OK) last_error_storage() = s.message;  // the message was set on the slot's thread
    return s.status;
  }

 private:
  enum class State { Idle, Started, Done };
  struct Slot {
    std::mutex mutex;
    std::condition_variable changed;
    State state = State::Idle;
    bool stop = false;
    ib_status status = IB_OK;
    std::string message;
    std::thread thread;
  };

  void loop(Slot& s, int index) {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(s.mutex);
        s.changed.wait(lock, [&] { return s.stop || s.state == State::Started; });
        if (s.state != State::Started) return;  // stopping, nothing asked
      }
      const ib_status status = work_(index);
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.status = status;
        if (status != IB_OK) s.message = last_error();
        s.state = State::Done;
      }
      s.changed.notify_all();
    }
  }

  std::vector<std::unique_ptr<Slot>> slots_;
  Work work_;
};

}  // namespace inferbench::plugin
