// SPDX-License-Identifier: Apache-2.0
// Energy of merged rows: instances share one device-wide reading (never a sum), rounds add up,
// and a round without a number leaves the merged row none, with that round's reason.
#include <gtest/gtest.h>

#include "driver/merge_support.h"

namespace inferbench {
namespace {

Row with_energy(std::optional<double> joules, double window_s, std::int64_t samples, std::optional<double> idle_w) {
  Row row;
  Energy energy;
  energy.source = "rapl";
  energy.scope = "CPU package-0";
  energy.method = "energy counter";
  energy.energy_j = joules;
  energy.window_s = window_s;
  energy.samples = samples;
  energy.idle_power_w = idle_w;
  if (!joules) energy.reason = "the rapl counter did not move in 1 s";
  row.energy = energy;
  return row;
}

std::string label(std::size_t k) { return "round " + std::to_string(k + 1); }

TEST(InstancesEnergy, OneReadingOfTheDeviceForEveryInstancesInputs) {
  // Two instances read the same package over nearly the same window: 20 J and 21 J, not 41 J.
  const std::vector<Row> rows = {with_energy(20.0, 1.0, 100, 12.0), with_energy(21.0, 1.05, 100, 10.0)};
  const std::optional<Energy> merged = instances_energy(rows);
  ASSERT_TRUE(merged);
  EXPECT_DOUBLE_EQ(*merged->energy_j, 21.0);  // the longest window's
  EXPECT_EQ(merged->samples, 200);
  EXPECT_DOUBLE_EQ(*merged->samples_per_joule, 200.0 / 21.0);
  EXPECT_DOUBLE_EQ(*merged->avg_power_w, 20.0);
  EXPECT_DOUBLE_EQ(*merged->idle_power_w, 10.0);  // the lowest
}

TEST(InstancesEnergy, NoneWithoutEnergy) { EXPECT_FALSE(instances_energy({Row{}, Row{}})); }

TEST(RoundsEnergy, WindowsOneAfterAnotherAddUp) {
  const std::vector<Row> rows = {with_energy(10.0, 1.0, 100, 8.0), with_energy(30.0, 3.0, 300, 12.0)};
  const std::optional<Energy> merged = rounds_energy(rows, label);
  ASSERT_TRUE(merged);
  EXPECT_DOUBLE_EQ(*merged->energy_j, 40.0);
  EXPECT_DOUBLE_EQ(*merged->window_s, 4.0);
  EXPECT_EQ(merged->samples, 400);
  EXPECT_DOUBLE_EQ(*merged->j_per_sample, 0.1);
  EXPECT_DOUBLE_EQ(*merged->avg_power_w, 10.0);
  EXPECT_DOUBLE_EQ(*merged->idle_power_w, 10.0);  // the mean
}

TEST(RoundsEnergy, SampledPowerIsWeightedByTheRoundsWindowsAndOnlyWhenEveryRoundHasIt) {
  std::vector<Row> rows = {with_energy(10.0, 1.0, 100, 8.0), with_energy(30.0, 3.0, 300, 12.0)};
  rows[0].energy->sampled_power_w = 11.0;
  rows[1].energy->sampled_power_w = 9.0;
  const std::optional<Energy> merged = rounds_energy(rows, label);
  ASSERT_TRUE(merged && merged->sampled_power_w);
  EXPECT_DOUBLE_EQ(*merged->sampled_power_w, (11.0 * 1.0 + 9.0 * 3.0) / 4.0);
  rows[1].energy->sampled_power_w.reset();
  EXPECT_FALSE(rounds_energy(rows, label)->sampled_power_w);
}

TEST(RoundsEnergy, ARoundWithoutANumberLeavesNoneWithItsReason) {
  const std::vector<Row> rows = {with_energy(10.0, 1.0, 100, 8.0), with_energy(std::nullopt, 1.0, 100, 8.0)};
  const std::optional<Energy> merged = rounds_energy(rows, label);
  ASSERT_TRUE(merged);
  EXPECT_FALSE(merged->energy_j);
  EXPECT_FALSE(merged->samples_per_joule);
  EXPECT_EQ(merged->reason, "round 2: the rapl counter did not move in 1 s");
}

}  // namespace
}  // namespace inferbench
