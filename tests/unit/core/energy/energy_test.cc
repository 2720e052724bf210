// SPDX-License-Identifier: Apache-2.0
// A row's energy record: the numbers from a reading, the short-window rule, a counter that did not
// move, a failed reading, and "none" with its reason (never a 0) through the JSON mapping.
#include "core/energy/energy.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

using namespace std::chrono_literals;

// A meter whose readings the test gives energy_record() itself.
class FixedMeter final : public EnergyMeter {
 public:
  std::string source() const override { return "rapl"; }
  std::string scope() const override { return "CPU package-0"; }
  std::string method() const override { return "energy counter"; }
  Nanos min_window() const override { return 100ms; }
  Status begin() override { return Status::ok(); }
  Result<EnergyWindow> end() override { return EnergyWindow{}; }
};

TEST(EnergyRecord, NumbersFromTheReading) {
  std::vector<std::string> warnings;
  const Energy energy = energy_record(FixedMeter(), EnergyWindow{10.0, 2s}, 500, 100ms, warnings);
  EXPECT_EQ(energy.source, "rapl");
  EXPECT_EQ(energy.scope, "CPU package-0");
  EXPECT_EQ(energy.reason, "");
  EXPECT_DOUBLE_EQ(*energy.energy_j, 10.0);
  EXPECT_DOUBLE_EQ(*energy.window_s, 2.0);
  EXPECT_DOUBLE_EQ(*energy.j_per_sample, 0.02);
  EXPECT_DOUBLE_EQ(*energy.samples_per_joule, 50.0);
  EXPECT_DOUBLE_EQ(*energy.avg_power_w, 5.0);
  EXPECT_EQ(energy.samples, 500);
  EXPECT_TRUE(warnings.empty());
}

TEST(EnergyRecord, WindowShorterThanTheMinimumGivesNoNumberAndNamesTheRemedy) {
  std::vector<std::string> warnings;
  const Energy energy = energy_record(FixedMeter(), EnergyWindow{0.4, 400ms}, 64, 1s, warnings);
  EXPECT_FALSE(energy.energy_j);
  EXPECT_FALSE(energy.j_per_sample);
  EXPECT_FALSE(energy.avg_power_w);
  EXPECT_DOUBLE_EQ(*energy.window_s, 0.4);
  EXPECT_EQ(energy.reason, "the timed window of 0.4 s is shorter than the 1 s a rapl reading needs");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("run more iterations (--iters, or under --protocol adaptive a longer --max-window) or lower --min-energy-window"), std::string::npos)
      << warnings[0];
}

TEST(EnergyRecord, CounterThatDidNotMoveGivesNoNumberNotZero) {
  std::vector<std::string> warnings;
  const Energy energy = energy_record(FixedMeter(), EnergyWindow{0.0, 2s}, 64, 1s, warnings);
  EXPECT_FALSE(energy.energy_j);
  EXPECT_EQ(energy.reason, "the rapl counter did not move in 2 s");
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(EnergyRecord, FailedReadingKeepsItsMessage) {
  std::vector<std::string> warnings;
  const Energy energy =
      energy_record(FixedMeter(), Status(StatusCode::Unavailable, "cannot read x: gone"), 64, 1s, warnings);
  EXPECT_FALSE(energy.energy_j);
  EXPECT_FALSE(energy.window_s);
  EXPECT_EQ(energy.reason, "cannot read x: gone");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "no energy: cannot read x: gone");
}

TEST(EnergyRecord, NoneIsWrittenWithItsReasonAndNullNeverZero) {
  Row row;
  row.energy = no_energy("no power counters visible: /sys/class/powercap absent");
  const nlohmann::json j = row;
  EXPECT_EQ(j["energy"]["source"], "none");
  EXPECT_EQ(j["energy"]["reason"], "no power counters visible: /sys/class/powercap absent");
  for (const char* key : {"energy_j", "j_per_sample", "samples_per_joule", "avg_power_w", "idle_power_w"}) {
    EXPECT_TRUE(j["energy"][key].is_null()) << key << ": " << j["energy"][key];
  }
  EXPECT_EQ(j.get<Row>().energy, row.energy);
  // A row recorded before rows carried energy reads back without it.
  nlohmann::json old = j;
  old.erase("energy");
  EXPECT_FALSE(old.get<Row>().energy);
}

TEST(EnergySource, DevicesWithoutASource) {
  const EnergySource source = open_energy_source("gpu");
  EXPECT_FALSE(source.meter);
  EXPECT_EQ(source.none_reason, "no energy source for device 'gpu': inferbench reads RAPL for cpu and NVML for cuda");
}

}  // namespace
}  // namespace inferbench
