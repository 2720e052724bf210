// SPDX-License-Identifier: Apache-2.0
// Several children at once: each with its own outcome, and the others stopped when one fails.
#include "driver/spawn.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

std::vector<std::string> shell(const std::string& script) { return {"/bin/sh", "-c", script}; }

TEST(RunChildren, EachChildHasItsOwnOutcome) {
  SpawnOptions options;
  options.timeout = std::chrono::seconds(30);
  const auto outcomes = run_children({{shell("echo first; exit 0"), options},
                                      {shell("sleep 0.3; echo second >&2; exit 3"), options}});
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[0] && outcomes[1]);
  EXPECT_EQ(outcomes[0]->stdout_text, "first\n");
  EXPECT_EQ(outcomes[0]->exit_code, 0);
  EXPECT_EQ(outcomes[1]->stderr_tail, "second\n");
  EXPECT_EQ(outcomes[1]->exit_code, 3);
  // They ran at once: the second's wall time is not the sum of both.
  EXPECT_LT(outcomes[1]->wall_seconds, 5.0);
}

TEST(RunChildren, AFailureStopsTheOthersWhenAsked) {
  SpawnOptions options;
  options.timeout = std::chrono::seconds(60);
  const auto failed = [](const ChildOutcome& ended) { return !ended.exited || ended.exit_code != 0; };
  const auto start = std::chrono::steady_clock::now();
  const auto outcomes = run_children({{shell("exec sleep 30"), options}, {shell("sleep 0.2; exit 1"), options}}, failed);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(outcomes[0] && outcomes[1]);
  EXPECT_LT(seconds, 10.0);
  EXPECT_TRUE(outcomes[0]->stopped);
  EXPECT_FALSE(outcomes[0]->exited);
  EXPECT_EQ(describe_outcome(*outcomes[0]).find("was stopped after"), 0u) << describe_outcome(*outcomes[0]);
  EXPECT_FALSE(outcomes[1]->stopped);
  EXPECT_EQ(outcomes[1]->exit_code, 1);
}

TEST(RunChildren, EachChildKeepsItsOwnTimeout) {
  SpawnOptions quick;
  quick.timeout = std::chrono::milliseconds(300);
  SpawnOptions patient;
  patient.timeout = std::chrono::seconds(30);
  const auto outcomes = run_children({{shell("exec sleep 30"), quick}, {shell("sleep 0.6; echo done"), patient}});
  ASSERT_TRUE(outcomes[0] && outcomes[1]);
  EXPECT_TRUE(outcomes[0]->timed_out);
  EXPECT_FALSE(outcomes[1]->timed_out);
  EXPECT_EQ(outcomes[1]->stdout_text, "done\n");
}

}  // namespace
}  // namespace inferbench
