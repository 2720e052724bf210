// SPDX-License-Identifier: Apache-2.0
// inferbench as LoadGen's system under test: the query sample library (the run's input samples,
// resident before any test) and the dispatcher (LoadGen's SUT), which only queues what LoadGen
// issues and lets one thread per request slot batch the queued samples and run them on the
// plugin. Nothing here knows a framework: the plugin's request slots are reached through the C
// ABI (SlotRunner).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <query_sample_library.h>
#include <system_under_test.h>

#include "backends/api/inferbench_backend.h"
#include "core/timing/clock.h"

namespace inferbench {

// The samples LoadGen draws its queries from: `count` samples of `sample_values` float32 values
// each, one after the other, all resident from the start (LoadSamplesToRam has nothing to do).
class SampleLibrary final : public mlperf::QuerySampleLibrary {
 public:
  SampleLibrary(std::vector<float> samples, std::size_t sample_values, std::string description);
  const std::string& Name() override { return name_; }
  std::size_t TotalSampleCount() override { return count_; }
  std::size_t PerformanceSampleCount() override { return count_; }
  void LoadSamplesToRam(const std::vector<mlperf::QuerySampleIndex>&) override {}
  void UnloadSamplesFromRam(const std::vector<mlperf::QuerySampleIndex>&) override {}

  std::size_t count() const { return count_; }
  std::size_t sample_values() const { return sample_values_; }
  const float* sample(std::size_t index) const { return samples_.data() + (index % count_) * sample_values_; }

 private:
  std::vector<float> samples_;
  std::size_t sample_values_;
  std::size_t count_;
  std::string name_;
};

// The plugin's request slots, one blocking call per batch, with what a watchdog needs to know:
// since when each slot has been busy. Thread-safe for different slots, as the ABI allows.
class SlotRunner {
 public:
  SlotRunner(const ib_backend_api& api, ib_backend* backend, int slots, std::size_t sample_values);

  int slots() const { return static_cast<int>(busy_since_.size()); }

  // Gives slot `slot` the `n` samples and starts it / waits for it. False on a plugin failure,
  // whose message error() keeps (the first one).
  bool start(int slot, const float* const* samples, std::size_t n);
  bool finish(int slot);
  // Whether the plugin can stage a slot's next samples while its request runs
  // (stage_request_samples, and no instance of it said it cannot); stage() writes them,
  // launch() starts the slot on what was staged.
  enum class Staging { Staged, Unavailable, Failed };
  bool can_stage() const { return api_.stage_request_samples != nullptr && !stage_unavailable_.load(); }
  Staging stage(int slot, const float* const* samples, std::size_t n);
  bool launch(int slot);
  // Why staging stopped: the plugin's message when stage_request_samples() said this instance
  // cannot stage; empty otherwise.
  std::string staging_unavailable() const;
  bool run(int slot, const float* const* samples, std::size_t n) { return start(slot, samples, n) && finish(slot); }

  // The slot busy the longest and since when (steady clock), or empty when every slot is idle.
  std::optional<std::pair<int, Clock::time_point>> longest_busy() const;
  bool failed() const { return failed_.load(); }
  std::string error() const;

 private:
  void record_error(const char* during, int slot);
  bool submit(int slot);  // start_request; the slot already marked busy

  const ib_backend_api& api_;
  ib_backend* backend_;
  std::size_t sample_values_;
  std::vector<std::atomic<std::int64_t>> busy_since_;  // steady-clock ns; 0 = idle
  std::atomic<bool> failed_{false};
  std::atomic<bool> stage_unavailable_{false};
  mutable std::mutex error_mutex_;
  std::string error_;
  std::string stage_unavailable_message_;
};

// What the dispatcher did during one test.
struct DispatchRecord {
  // Each sample's latency inside the SUT, ms: from IssueQuery handing it over to its completion
  // (LoadGen's own sample latency adds its issue delay, from the scheduled time to IssueQuery).
  std::vector<double> sample_latency_ms;
  // Each batch's service time: from the samples given to the slot (a staged batch: from its
  // start) to done.
  std::vector<double> batch_ms;
  std::int64_t batches = 0;
  std::int64_t samples = 0;
  std::int64_t staged = 0;  // batches written into their slot while its previous batch ran
  // Batches taken ahead by one slot and run by another that fell idle first (see Dispatcher).
  std::int64_t taken_over = 0;
};

// LoadGen's system under test. IssueQuery only queues (or, single-stream, runs the one sample at
// once on slot 0: LoadGen issues the next query after completion, and a thread hop would only
// add latency); each slot's thread takes up to `max_batch` queued samples, waiting at most
// `batch_timeout` after the oldest one's arrival for more when fewer are queued (0: never), runs
// them (a partial batch padded by the plugin) and completes them with QuerySamplesComplete. A
// failed batch still completes its samples, so that LoadGen never waits for them, and the
// runner remembers the failure.
//
// Staging: where the plugin can (SlotRunner::can_stage), a slot's thread, once its batch is
// running, takes the next batch and writes it into the slot's standby input, so that the copy
// overlaps the computation and the next batch starts the moment this one completes. It does so
// only when that batch is what it would take anyway: a full one queued (or the rest after
// LoadGen's flush) while no other slot is idle to take it. Should another slot fall idle first
// and find no full batch queued, it takes that batch over (the oldest such) and gives it to its
// own slot, rather than wait for the busy one or run a part batch: no full batch waits on a busy
// slot while another is idle. The slot that staged it then leaves its standby input unused (its
// next set_request_samples discards it, as the ABI says). Where a full batch is queued, the idle
// slot takes that one and the staged batch keeps its saved copy. A plugin instance that says it
// cannot stage gets each batch through set_request_samples.
//
// Polling (--dispatch-poll): an idle slot's thread sleeps on the queue's condition variable, and
// IssueQuery wakes one (a thread wake-up per sample). With `poll`, one idle slot's thread at a
// time, and only while no slot runs a batch (the runtime idle, so its cores are spare), polls the
// queue instead for up to `poll`, and IssueQuery wakes nobody; the others sleep as before.
//
// The queue's mutex is held for well under a microsecond at a time; IssueQuery and the slots'
// threads take it spinning briefly before they block (serving_sut.cc: lock_spinning), so that
// finding it held does not cost a sleep and a wake-up from another CPU.
class Dispatcher final : public mlperf::SystemUnderTest {
 public:
  enum class Mode { Inline, Queued };
  // poll: how long an idle slot's thread polls the queue, while no slot runs a batch, before it
  // sleeps on the queue's condition variable (0: it sleeps at once). One thread polls at a time.
  // complete: how a batch's samples are handed back, LoadGen's QuerySamplesComplete unless a
  // unit test, which runs no LoadGen test, collects them itself.
  using Complete = void (*)(mlperf::QuerySampleResponse* responses, std::size_t count);
  Dispatcher(SlotRunner& runner, const SampleLibrary& library, Mode mode, int max_batch, Nanos batch_timeout,
             Nanos poll = Nanos{0}, Complete complete = nullptr);
  ~Dispatcher() override;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  const std::string& Name() override { return name_; }
  void IssueQuery(const std::vector<mlperf::QuerySample>& samples) override;
  void FlushQueries() override;

  // Around each LoadGen test: begin_test() clears the record (reserving room for about
  // `expected_samples`); end_test() returns it, once every slot is idle.
  void begin_test(std::size_t expected_samples);
  DispatchRecord end_test();

 private:
  struct Queued {
    mlperf::QuerySample sample;
    Clock::time_point arrival;
  };
  using Timed = std::pair<Clock::time_point, double>;  // completed at, ms
  struct SlotRecord {
    std::vector<Timed> sample_latency_ms;
    std::vector<Timed> batch_ms;
    std::int64_t batches = 0;
    std::int64_t samples = 0;
    std::int64_t staged = 0;
    std::int64_t taken_over = 0;
  };
  // One batch taken from the queue, and the samples' addresses in the library.
  struct Batch {
    std::vector<Queued> queued;
    std::vector<const float*> pointers;
    std::size_t n = 0;
  };
  // A batch a slot's thread took while its previous batch ran: while `Staging`, the thread
  // writes it into its slot's standby input (without the mutex); once `Ready`, the slot runs it
  // next, unless an idle slot takes it over first (`TakenOver`). Guarded by mutex_.
  enum class AheadState { None, Staging, Ready, TakenOver };
  struct Ahead {
    AheadState state = AheadState::None;
    Batch batch;
  };
  void serve(int slot);
  // With a batch timeout and fewer than max_batch queued: waits until the oldest queued sample
  // has waited batch_timeout_, the batch fills, LoadGen flushes, a batch taken ahead is ready to
  // take over, or the dispatcher stops; with mutex_ held.
  void wait_to_fill(std::unique_lock<std::mutex>& lock);
  // Moves up to max_batch queued samples into `batch`; called with mutex_ held.
  void take(Batch& batch);
  // Swaps the oldest Ready batch of another slot into `batch` and marks it taken over; with
  // mutex_ held and ahead_ready().
  void take_over(Batch& batch);
  // Whether a slot holds a batch taken ahead, Ready to be taken over; with mutex_ held.
  bool ahead_ready() const;
  // Polls the queue, without the mutex, until a sample is queued, a slot starts a batch, the
  // dispatcher stops or poll_ has passed.
  void poll_queue() const;
  // Whether a slot's thread, its batch running, should take and stage the next one now; with
  // mutex_ held.
  bool should_stage() const;
  void run_batch(int slot, const Queued* queued, std::size_t n, SlotRecord& record,
                 std::vector<const float*>& pointers, std::vector<mlperf::QuerySampleResponse>& responses);
  // Completes a batch that ran on `slot` from `start` (ok: it did not fail).
  void complete(const Queued* queued, std::size_t n, Clock::time_point start, SlotRecord& record,
                std::vector<mlperf::QuerySampleResponse>& responses);

  SlotRunner& runner_;
  const SampleLibrary& library_;
  const Mode mode_;
  const std::size_t max_batch_;
  const Nanos batch_timeout_;
  const Nanos poll_;
  const Complete complete_;
  const std::string name_;

  std::mutex mutex_;
  std::condition_variable queued_;   // samples queued, a flush, or stop
  std::condition_variable idle_;     // a slot finished its batch
  std::deque<Queued> queue_;
  std::atomic<std::size_t> queued_count_{0};  // queue_.size(), for poll_queue
  bool flushed_ = false;
  std::atomic<bool> stop_{false};
  bool polling_ = false;  // a slot's thread is in poll_queue: IssueQuery need not wake one
  std::atomic<int> busy_{0};  // slots running a batch, or holding a staged one
  std::vector<SlotRecord> records_;  // one per slot; each written by its slot's thread only
  std::vector<Ahead> ahead_;         // one per slot
  // Inline mode's scratch (slot 0 on LoadGen's thread).
  std::vector<const float*> inline_pointers_;
  std::vector<mlperf::QuerySampleResponse> inline_responses_;
  std::vector<std::thread> threads_;
};

}  // namespace inferbench
