// SPDX-License-Identifier: Apache-2.0
// The query sample library, the request-slot runner and the dispatcher LoadGen drives.
#include "worker/serving/serving_sut.h"

#include <loadgen.h>

#include <algorithm>

namespace inferbench {

namespace {

// How long a thread that finds the dispatcher's mutex held spins for it before it sleeps.
constexpr Nanos kLockSpin{50'000};

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Takes the dispatcher's mutex, spinning on try_lock for up to kLockSpin before blocking. What
// it guards is held for well under a microsecond at a time (queue a sample, take a batch, count
// a slot busy), so a thread that finds it held nearly always gets it by spinning. Blocking
// instead puts the thread to sleep in the kernel, and the holder's unlock must then wake it
// from the other CPU: on the 2-vCPU Xeon VM that wake-up took tens of microseconds, and it was
// most of the dispatcher's P99 (bench/results/serving_lock_spin_xeon.txt).
void lock_spinning(std::unique_lock<std::mutex>& lock) {
  if (lock.try_lock()) return;  // the usual case: no clock read
  const auto until = Clock::now() + kLockSpin;
  for (unsigned spins = 1;; ++spins) {
    cpu_relax();
    if (lock.try_lock()) return;
    if (spins % 64 == 0 && Clock::now() >= until) break;
  }
  lock.lock();
}

void complete_to_loadgen(mlperf::QuerySampleResponse* responses, std::size_t count) {
  mlperf::QuerySamplesComplete(responses, count);
}

}  // namespace

SampleLibrary::SampleLibrary(std::vector<float> samples, std::size_t sample_values, std::string description)
    : samples_(std::move(samples)),
      sample_values_(sample_values),
      count_(sample_values > 0 ? samples_.size() / sample_values : 0),
      name_("inferbench samples: " + std::move(description)) {}

SlotRunner::SlotRunner(const ib_backend_api& api, ib_backend* backend, int slots, std::size_t sample_values)
    : api_(api), backend_(backend), sample_values_(sample_values), busy_since_(static_cast<std::size_t>(slots)) {
  for (auto& since : busy_since_) since.store(0);
}

void SlotRunner::record_error(const char* during, int slot) {
  const char* message = api_.last_error ? api_.last_error() : nullptr;
  std::lock_guard<std::mutex> lock(error_mutex_);
  if (!failed_.exchange(true)) {
    error_ = std::string(during) + " on request slot " + std::to_string(slot) + " failed: " +
             (message && *message ? message : "no message from plugin");
  }
}

bool SlotRunner::start(int slot, const float* const* samples, std::size_t n) {
  busy_since_[static_cast<std::size_t>(slot)].store(Clock::now().time_since_epoch().count());
  if (api_.set_request_samples(backend_, slot, samples, n, sample_values_) != IB_OK) {
    record_error("set_request_samples", slot);
    busy_since_[static_cast<std::size_t>(slot)].store(0);
    return false;
  }
  return submit(slot);
}

bool SlotRunner::launch(int slot) {
  busy_since_[static_cast<std::size_t>(slot)].store(Clock::now().time_since_epoch().count());
  return submit(slot);
}

bool SlotRunner::submit(int slot) {
  if (api_.start_request(backend_, slot) != IB_OK) {
    record_error("start_request", slot);
    busy_since_[static_cast<std::size_t>(slot)].store(0);
    return false;
  }
  return true;
}

SlotRunner::Staging SlotRunner::stage(int slot, const float* const* samples, std::size_t n) {
  const ib_status status = api_.stage_request_samples(backend_, slot, samples, n, sample_values_);
  if (status == IB_OK) return Staging::Staged;
  if (status == IB_ERROR_UNAVAILABLE) {
    const char* message = api_.last_error ? api_.last_error() : nullptr;
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (!stage_unavailable_.exchange(true)) {
      stage_unavailable_message_ = message && *message ? message : "the plugin cannot stage on this instance";
    }
    return Staging::Unavailable;
  }
  record_error("stage_request_samples", slot);
  return Staging::Failed;
}

std::string SlotRunner::staging_unavailable() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  return stage_unavailable_message_;
}

bool SlotRunner::finish(int slot) {
  const bool ok = api_.wait_request(backend_, slot) == IB_OK;
  if (!ok) record_error("wait_request", slot);
  busy_since_[static_cast<std::size_t>(slot)].store(0);
  return ok;
}

std::optional<std::pair<int, Clock::time_point>> SlotRunner::longest_busy() const {
  std::optional<std::pair<int, Clock::time_point>> longest;
  for (std::size_t i = 0; i < busy_since_.size(); ++i) {
    const std::int64_t since = busy_since_[i].load();
    if (since == 0) continue;
    const Clock::time_point at{Clock::duration(since)};
    if (!longest || at < longest->second) longest = std::pair{static_cast<int>(i), at};
  }
  return longest;
}

std::string SlotRunner::error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  return error_;
}

Dispatcher::Dispatcher(SlotRunner& runner, const SampleLibrary& library, Mode mode, int max_batch, Nanos batch_timeout,
                       Nanos poll, Complete complete)
    : runner_(runner),
      library_(library),
      mode_(mode),
      max_batch_(static_cast<std::size_t>(std::max(1, max_batch))),
      batch_timeout_(batch_timeout),
      poll_(poll),
      complete_(complete ? complete : complete_to_loadgen),
      name_("inferbench dispatcher"),
      records_(static_cast<std::size_t>(runner.slots())),
      ahead_(static_cast<std::size_t>(runner.slots())) {
  if (mode_ == Mode::Inline) {
    inline_pointers_.resize(max_batch_);
    inline_responses_.resize(max_batch_);
    return;
  }
  for (int slot = 0; slot < runner_.slots(); ++slot) threads_.emplace_back([this, slot] { serve(slot); });
}

Dispatcher::~Dispatcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  queued_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void Dispatcher::IssueQuery(const std::vector<mlperf::QuerySample>& samples) {
  const auto arrival = Clock::now();
  if (mode_ == Mode::Inline) {
    // Single-stream: one sample per query, the next issued after its completion.
    for (const auto& sample : samples) {
      const Queued queued{sample, arrival};
      run_batch(0, &queued, 1, records_[0], inline_pointers_, inline_responses_);
    }
    return;
  }
  bool polled = false;
  {
    std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
    lock_spinning(lock);
    for (const auto& sample : samples) queue_.push_back({sample, arrival});
    queued_count_.store(queue_.size(), std::memory_order_release);
    polled = polling_;
  }
  // A slot waiting for its batch to fill must see every arrival; otherwise one idle slot is
  // enough, and a polling one needs no wake-up.
  if (batch_timeout_.count() > 0 || samples.size() > 1) {
    queued_.notify_all();
  } else if (!polled) {
    queued_.notify_one();
  }
}

void Dispatcher::FlushQueries() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    flushed_ = true;
  }
  queued_.notify_all();
}

void Dispatcher::serve(int slot) {
  std::vector<mlperf::QuerySampleResponse> responses(max_batch_);
  Batch current;
  Ahead& ahead_slot = ahead_[static_cast<std::size_t>(slot)];
  for (Batch* batch : {&current, &ahead_slot.batch}) {
    batch->queued.resize(max_batch_);
    batch->pointers.resize(max_batch_);
  }
  SlotRecord& record = records_[static_cast<std::size_t>(slot)];
  bool ahead = false;   // `current` was taken while the slot's previous batch ran
  bool staged = false;  // and waits in the slot's standby input
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (!ahead) {
      if (poll_.count() > 0 && queue_.empty() && !polling_ && busy_ == 0 && !stop_) {
        polling_ = true;
        lock.unlock();
        poll_queue();
        lock_spinning(lock);
        polling_ = false;
      }
      queued_.wait(lock, [&] { return stop_ || !queue_.empty() || ahead_ready(); });
      wait_to_fill(lock);
      if (stop_) return;
      // A full batch queued first (a batch taken ahead is full too, and its slot saves the copy);
      // else a batch another slot took ahead, rather than wait for that slot or run a part batch.
      const bool full_batch_queued = queue_.size() >= max_batch_ || (flushed_ && !queue_.empty());
      if (!full_batch_queued && ahead_ready()) {
        take_over(current);
        ++record.taken_over;
      } else if (queue_.empty()) {
        continue;  // another slot took them
      } else {
        take(current);
      }
      ++busy_;
      // What this slot left is for another idle one: IssueQuery woke nobody while a slot polled,
      // and woke one per call for what may now be several batches.
      if (!queue_.empty() || ahead_ready()) queued_.notify_one();
    }
    lock.unlock();
    // After a failure the remaining samples are completed at once: the row is failed already,
    // and LoadGen must not wait for them.
    const auto start = Clock::now();
    bool running = false;
    if (!runner_.failed()) {
      running = staged ? runner_.launch(slot) : runner_.start(slot, current.pointers.data(), current.n);
    }
    if (staged) ++record.staged;
    ahead = staged = false;
    if (running && runner_.can_stage()) {
      lock_spinning(lock);
      if (should_stage()) {
        take(ahead_slot.batch);
        ahead_slot.state = AheadState::Staging;
        ahead = true;
      }
      lock.unlock();
      if (ahead) {
        // A failed stage is remembered by the runner, and the batch then completes at once; one
        // the plugin cannot stage runs as any other, its samples given at its start.
        staged = runner_.stage(slot, ahead_slot.batch.pointers.data(), ahead_slot.batch.n) ==
                 SlotRunner::Staging::Staged;
        lock_spinning(lock);
        ahead_slot.state = AheadState::Ready;
        // A slot that fell idle while this one staged takes the batch over.
        const bool idle_slot = busy_ < runner_.slots();
        lock.unlock();
        if (idle_slot) queued_.notify_one();
      }
    }
    if (running) runner_.finish(slot);
    complete(current.queued.data(), current.n, start, record, responses);
    lock_spinning(lock);
    if (ahead && ahead_slot.state == AheadState::Ready) {
      ahead_slot.state = AheadState::None;
      std::swap(current, ahead_slot.batch);
    } else {
      ahead_slot.state = AheadState::None;  // nothing taken ahead, or another slot ran it
      ahead = staged = false;
      --busy_;
      idle_.notify_all();
    }
  }
}

void Dispatcher::wait_to_fill(std::unique_lock<std::mutex>& lock) {
  if (batch_timeout_.count() <= 0) return;
  const auto waiting = [&] {
    return !stop_ && !flushed_ && !ahead_ready() && !queue_.empty() && queue_.size() < max_batch_;
  };
  // The deadline is the oldest queued sample's: when another slot takes that one, the next
  // oldest's (a deadline kept from a sample gone would send the rest before their time).
  while (waiting()) {
    const auto oldest = queue_.front().sample.id;
    const bool changed = queued_.wait_until(lock, queue_.front().arrival + batch_timeout_,
                                            [&] { return !waiting() || queue_.front().sample.id != oldest; });
    if (!changed) return;  // the oldest has waited its batch timeout
  }
}

void Dispatcher::poll_queue() const {
  const auto until = Clock::now() + poll_;
  for (unsigned polls = 1;; ++polls) {
    if (queued_count_.load(std::memory_order_acquire) > 0 || busy_.load(std::memory_order_relaxed) > 0 ||
        stop_.load(std::memory_order_relaxed)) {
      return;
    }
    cpu_relax();
    if (polls % 64 == 0 && Clock::now() >= until) return;
  }
}

void Dispatcher::take(Batch& batch) {
  batch.n = std::min(max_batch_, queue_.size());
  std::copy_n(queue_.begin(), batch.n, batch.queued.begin());
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(batch.n));
  queued_count_.store(queue_.size(), std::memory_order_relaxed);
  for (std::size_t i = 0; i < batch.n; ++i) batch.pointers[i] = library_.sample(batch.queued[i].sample.index);
}

void Dispatcher::take_over(Batch& batch) {
  Ahead* oldest = nullptr;
  for (Ahead& ahead : ahead_) {
    if (ahead.state != AheadState::Ready) continue;
    if (!oldest || ahead.batch.queued[0].arrival < oldest->batch.queued[0].arrival) oldest = &ahead;
  }
  std::swap(batch, oldest->batch);
  oldest->state = AheadState::TakenOver;
}

bool Dispatcher::ahead_ready() const {
  return std::any_of(ahead_.begin(), ahead_.end(), [](const Ahead& ahead) { return ahead.state == AheadState::Ready; });
}

bool Dispatcher::should_stage() const {
  const bool batch_ready = queue_.size() >= max_batch_ || (flushed_ && !queue_.empty());
  return batch_ready && busy_ >= runner_.slots() && !stop_;
}

void Dispatcher::run_batch(int slot, const Queued* queued, std::size_t n, SlotRecord& record,
                           std::vector<const float*>& pointers, std::vector<mlperf::QuerySampleResponse>& responses) {
  for (std::size_t i = 0; i < n; ++i) pointers[i] = library_.sample(queued[i].sample.index);
  const auto start = Clock::now();
  if (!runner_.failed()) runner_.run(slot, pointers.data(), n);
  complete(queued, n, start, record, responses);
}

void Dispatcher::complete(const Queued* queued, std::size_t n, Clock::time_point start, SlotRecord& record,
                          std::vector<mlperf::QuerySampleResponse>& responses) {
  const auto done = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    responses[i] = mlperf::QuerySampleResponse(queued[i].sample.id, 0, 0);
    record.sample_latency_ms.push_back({done, to_ms(done - queued[i].arrival)});
  }
  record.batch_ms.push_back({done, to_ms(done - start)});
  ++record.batches;
  record.samples += static_cast<std::int64_t>(n);
  complete_(responses.data(), n);
}

void Dispatcher::begin_test(std::size_t expected_samples) {
  std::lock_guard<std::mutex> lock(mutex_);
  flushed_ = false;
  const std::size_t per_slot = expected_samples / records_.size() + max_batch_;
  for (auto& record : records_) {
    record = SlotRecord{};
    record.sample_latency_ms.reserve(mode_ == Mode::Inline ? expected_samples : per_slot * 2);
    record.batch_ms.reserve(mode_ == Mode::Inline ? expected_samples : per_slot);
  }
}

DispatchRecord Dispatcher::end_test() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] { return busy_ == 0 && queue_.empty(); });
  // Each slot kept its own, in its order; together they are put in completion order, the order
  // of measurement the statistics expect.
  std::vector<Timed> latencies, batches;
  DispatchRecord merged;
  for (auto& record : records_) {
    latencies.insert(latencies.end(), record.sample_latency_ms.begin(), record.sample_latency_ms.end());
    batches.insert(batches.end(), record.batch_ms.begin(), record.batch_ms.end());
    merged.batches += record.batches;
    merged.samples += record.samples;
    merged.staged += record.staged;
    merged.taken_over += record.taken_over;
    record = SlotRecord{};
  }
  const auto in_order = [](std::vector<Timed>& timed) {
    std::stable_sort(timed.begin(), timed.end(), [](const Timed& a, const Timed& b) { return a.first < b.first; });
    std::vector<double> ms;
    ms.reserve(timed.size());
    for (const auto& [at, value] : timed) ms.push_back(value);
    return ms;
  };
  merged.sample_latency_ms = in_order(latencies);
  merged.batch_ms = in_order(batches);
  return merged;
}

}  // namespace inferbench
