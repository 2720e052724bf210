// SPDX-License-Identifier: Apache-2.0
// The dispatcher's hand-overs, step by step: request slots whose requests end when the test says
// (a slot table of the plugin ABI written here, no framework), and completions collected here
// instead of by a LoadGen test. What LoadGen's scenarios do with it: tests/integration/serving_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "worker/serving/serving_sut.h"

namespace inferbench {
namespace {

using namespace std::chrono_literals;

// Request slots that hold each request until release() (or, with `auto_release`, end it at
// once), and record every call with the samples it carried (a sample's one value is its index).
struct Slots {
  struct Call {
    int slot;
    std::string what;  // "set" | "stage" | "start"
    std::vector<int> samples;
    Clock::time_point at;
  };

  explicit Slots(int count)
      : input(static_cast<std::size_t>(count)),
        standby(static_cast<std::size_t>(count)),
        staged(static_cast<std::size_t>(count)),
        releases(static_cast<std::size_t>(count)) {}

  void record(int slot, const char* what, const std::vector<int>& samples) {
    calls.push_back({slot, what, samples, Clock::now()});
    changed.notify_all();
  }
  std::vector<Call> of(const std::string& what) {
    std::lock_guard lock(mutex);
    std::vector<Call> out;
    for (const Call& call : calls) {
      if (call.what == what) out.push_back(call);
    }
    return out;
  }
  // Whether `ready` held within two seconds; `ready` runs with `mutex` held.
  template <typename Ready>
  bool wait_for(Ready ready) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 2s, [&] { return ready(); });
  }
  std::size_t count(const std::string& what) {
    std::lock_guard lock(mutex);
    return calls_of(what);
  }
  // With `mutex` held (in wait_for's predicates).
  std::size_t calls_of(const std::string& what) const {
    std::size_t n = 0;
    for (const Call& call : calls) n += call.what == what ? 1 : 0;
    return n;
  }
  // Ends every request from now on: what a test that stops early leaves running must end for
  // the dispatcher's threads to join.
  void release_all() {
    std::lock_guard lock(mutex);
    auto_release = true;
    changed.notify_all();
  }
  void release(int slot) {
    std::lock_guard lock(mutex);
    ++releases[static_cast<std::size_t>(slot)];
    changed.notify_all();
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Call> calls;
  std::vector<std::vector<int>> input, standby;
  std::vector<bool> staged;
  std::vector<int> releases;
  bool auto_release = false;
};

Slots& slots_of(ib_backend* b) { return *reinterpret_cast<Slots*>(b); }

std::vector<int> indices(const float* const* samples, std::size_t n) {
  std::vector<int> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<int>(*samples[i]));
  return out;
}

ib_status set_samples(ib_backend* b, int slot, const float* const* samples, std::size_t n, std::size_t) {
  Slots& s = slots_of(b);
  std::lock_guard lock(s.mutex);
  s.input[static_cast<std::size_t>(slot)] = indices(samples, n);
  s.staged[static_cast<std::size_t>(slot)] = false;  // discards what was staged, as the ABI says
  s.record(slot, "set", indices(samples, n));
  return IB_OK;
}

ib_status stage_samples(ib_backend* b, int slot, const float* const* samples, std::size_t n, std::size_t) {
  Slots& s = slots_of(b);
  std::lock_guard lock(s.mutex);
  s.standby[static_cast<std::size_t>(slot)] = indices(samples, n);
  s.staged[static_cast<std::size_t>(slot)] = true;
  s.record(slot, "stage", indices(samples, n));
  return IB_OK;
}

ib_status start(ib_backend* b, int slot) {
  Slots& s = slots_of(b);
  std::lock_guard lock(s.mutex);
  const auto i = static_cast<std::size_t>(slot);
  if (s.staged[i]) {
    std::swap(s.input[i], s.standby[i]);
    s.staged[i] = false;
  }
  s.record(slot, "start", s.input[i]);
  return IB_OK;
}

ib_status wait(ib_backend* b, int slot) {
  Slots& s = slots_of(b);
  std::unique_lock lock(s.mutex);
  auto& releases = s.releases[static_cast<std::size_t>(slot)];
  s.changed.wait(lock, [&] { return s.auto_release || releases > 0; });
  if (!s.auto_release) --releases;
  return IB_OK;
}

const char* no_error() { return ""; }

ib_backend_api slot_api() {
  ib_backend_api api{};
  api.set_request_samples = set_samples;
  api.stage_request_samples = stage_samples;
  api.start_request = start;
  api.wait_request = wait;
  api.last_error = no_error;
  return api;
}

// The completed samples' response ids, for every test in this file.
std::mutex completed_mutex;
std::vector<mlperf::ResponseId> completed;

void collect(mlperf::QuerySampleResponse* responses, std::size_t count) {
  std::lock_guard lock(completed_mutex);
  for (std::size_t i = 0; i < count; ++i) completed.push_back(responses[i].id);
}

std::vector<mlperf::ResponseId> take_completed() {
  std::lock_guard lock(completed_mutex);
  return std::exchange(completed, {});
}

// Sixteen samples of one value each: sample i holds i.
SampleLibrary library() {
  std::vector<float> values;
  for (int i = 0; i < 16; ++i) values.push_back(static_cast<float>(i));
  return SampleLibrary(std::move(values), 1, "indices");
}

std::vector<mlperf::QuerySample> samples(int first, int count) {
  std::vector<mlperf::QuerySample> out;
  for (int i = first; i < first + count; ++i) {
    out.push_back({static_cast<mlperf::ResponseId>(1000 + i), static_cast<mlperf::QuerySampleIndex>(i)});
  }
  return out;
}

// Two request slots of Slots behind a SlotRunner, the sixteen samples, and a dispatcher made by
// the test with its batch, batch timeout and polling; completions collected here.
class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() : runner_(api_, reinterpret_cast<ib_backend*>(&slots), 2, 1) { take_completed(); }
  // Every request is ended before the dispatcher joins its threads, however the test ended.
  ~DispatcherTest() override {
    slots.release_all();
    dispatcher.reset();
  }
  Dispatcher& make(int batch, Nanos batch_timeout = Nanos{0}, Nanos poll = Nanos{0}) {
    dispatcher = std::make_unique<Dispatcher>(runner_, library_, Dispatcher::Mode::Queued, batch, batch_timeout, poll,
                                              collect);
    return *dispatcher;
  }

  Slots slots{2};
  std::unique_ptr<Dispatcher> dispatcher;

 private:
  const ib_backend_api api_ = slot_api();
  SlotRunner runner_;
  const SampleLibrary library_ = library();
};

TEST_F(DispatcherTest, AnIdleSlotTakesOverABatchAnotherSlotStagedRatherThanWaitForIt) {
  Dispatcher& dispatcher = make(2);
  dispatcher.begin_test(6);
  // Three full batches at once: each slot starts one, and whichever checks second with a full
  // batch still queued and no slot idle stages the third.
  dispatcher.IssueQuery(samples(0, 6));
  ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == 2 && slots.calls_of("stage") == 1; }));
  const Slots::Call stage = slots.of("stage").front();
  const int other = 1 - stage.slot;
  // The slot that did not stage ends first and finds nothing queued: it runs the staged batch
  // on its own slot, copied in there, instead of leaving it for the busy slot.
  slots.release(other);
  ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == 3; }))
      << "the staged batch waited for its busy slot while slot " << other << " was idle";
  const Slots::Call third = slots.of("start").back();
  EXPECT_EQ(third.slot, other);
  EXPECT_EQ(third.samples, stage.samples);
  slots.release(other);
  slots.release(stage.slot);
  const DispatchRecord record = dispatcher.end_test();
  EXPECT_EQ(record.batches, 3);
  EXPECT_EQ(record.samples, 6);
  EXPECT_EQ(record.taken_over, 1);
  EXPECT_EQ(record.staged, 0);  // the staged input was never started
  EXPECT_EQ(take_completed().size(), 6u);
}

TEST_F(DispatcherTest, AStagedBatchRunsOnItsOwnSlotWhenAFullBatchIsQueuedForTheIdleOne) {
  Dispatcher& dispatcher = make(2);
  dispatcher.begin_test(8);
  dispatcher.IssueQuery(samples(0, 6));
  ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == 2 && slots.calls_of("stage") == 1; }));
  const Slots::Call stage = slots.of("stage").front();
  const int other = 1 - stage.slot;
  dispatcher.IssueQuery(samples(6, 2));  // a fourth batch, queued
  slots.release(other);
  // The idle slot takes the queued batch; the staged one keeps its copy and starts on its slot.
  ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == 3; }));
  EXPECT_EQ(slots.of("start").back().slot, other);
  EXPECT_EQ(slots.of("start").back().samples, (std::vector<int>{6, 7}));
  slots.release(stage.slot);
  ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == 4; }));
  EXPECT_EQ(slots.of("start").back().slot, stage.slot);
  EXPECT_EQ(slots.of("start").back().samples, stage.samples);
  slots.release(other);
  slots.release(stage.slot);
  const DispatchRecord record = dispatcher.end_test();
  EXPECT_EQ(record.taken_over, 0);
  EXPECT_EQ(record.staged, 1);
  EXPECT_EQ(take_completed().size(), 8u);
}

TEST_F(DispatcherTest, TheBatchTimeoutRunsFromTheOldestSampleStillQueued) {
  slots.auto_release = true;
  constexpr auto kTimeout = 200ms;
  Dispatcher& dispatcher = make(4, kTimeout);
  dispatcher.begin_test(5);
  dispatcher.IssueQuery(samples(0, 1));  // both idle slots wait for a batch of 4
  std::this_thread::sleep_for(50ms);
  const auto second = Clock::now();
  dispatcher.IssueQuery(samples(1, 4));  // fills one batch at once, one sample over
  ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == 2; }));
  const auto starts = slots.of("start");
  EXPECT_EQ(starts[0].samples, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(starts[1].samples, (std::vector<int>{4}));
  // Sample 4 waited its own batch timeout for company, not what was left of sample 0's.
  EXPECT_GE(starts[1].at - second, kTimeout) << "sample 4 was sent after "
                                             << to_ms(starts[1].at - second) << " ms";
  dispatcher.end_test();
  EXPECT_EQ(take_completed().size(), 5u);
}

TEST_F(DispatcherTest, WhatAPollingSlotLeavesQueuedWakesAnotherSlot) {
  // Batches of one; an idle slot polls for up to a second, and IssueQuery then wakes nobody.
  Dispatcher& dispatcher = make(1, Nanos{0}, 1s);
  for (int round = 0; round < 8; ++round) {
    dispatcher.begin_test(2);
    std::this_thread::sleep_for(5ms);  // a slot's thread back to polling
    const std::size_t before = slots.count("start");
    // Two queries back to back, most often both queued before the polling slot takes the first.
    dispatcher.IssueQuery(samples(2 * round, 1));
    dispatcher.IssueQuery(samples(2 * round + 1, 1));
    ASSERT_TRUE(slots.wait_for([&] { return slots.calls_of("start") == before + 2; }))
        << "round " << round << ": the second sample waited for the first one's slot while the other slept";
    slots.release(0);
    slots.release(1);
    dispatcher.end_test();
    EXPECT_EQ(take_completed().size(), 2u);
  }
}

}  // namespace
}  // namespace inferbench
