// SPDX-License-Identifier: Apache-2.0
// The instances' meeting point: nobody leaves before the last one arrives, everybody leaves
// soon after, and a missing instance ends the wait at the timeout.
#include "worker/instance_gate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <unistd.h>

namespace inferbench {
namespace {

std::string fresh_gate(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("inferbench-gate-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(InstanceGate, NobodyLeavesBeforeTheLastArrives) {
  const std::string dir = fresh_gate("meet");
  const auto start = Clock::now();
  Clock::time_point left_early{}, left_late{};
  std::thread early([&] {
    EXPECT_TRUE(meet_instances(dir, "ready", 0, 2, std::chrono::seconds(10)));
    left_early = Clock::now();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(meet_instances(dir, "ready", 1, 2, std::chrono::seconds(10)));
  left_late = Clock::now();
  early.join();
  EXPECT_GE(left_early - start, std::chrono::milliseconds(300));
  // Within a few polling periods of each other (200 us each; generous for a loaded machine).
  EXPECT_LT(left_early - left_late, std::chrono::milliseconds(50));
  EXPECT_LT(left_late - left_early, std::chrono::milliseconds(50));
  // A later stage is a separate meeting.
  EXPECT_FALSE(meet_instances(dir, "done", 0, 2, std::chrono::milliseconds(50)));
  std::filesystem::remove_all(dir);
}

TEST(InstanceGate, AMissingInstanceEndsTheWaitAtTheTimeout) {
  const std::string dir = fresh_gate("alone");
  const auto start = Clock::now();
  EXPECT_FALSE(meet_instances(dir, "ready", 0, 3, std::chrono::milliseconds(100)));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(100));
  // A folder that cannot take the mark: refused at once.
  EXPECT_FALSE(meet_instances("/proc/inferbench-no-such-gate", "ready", 0, 2, std::chrono::seconds(10)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace inferbench
