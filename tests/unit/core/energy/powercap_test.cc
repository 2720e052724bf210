// SPDX-License-Identifier: Apache-2.0
// The RAPL meter on a fake powercap tree in a temporary folder: a counter difference, a
// wrap-around, wraps only the sampler sees, a missing folder, an unreadable file, and the zones
// it takes and leaves.
#include "core/energy/powercap.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "core/energy/energy.h"

namespace inferbench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Replaces the file's text at once (a rename), as the kernel's counter changes: a sampler reading
// meanwhile sees the old value or the new one, never half of one.
void write_text(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".new";
  std::ofstream(temporary) << text << '\n';
  fs::rename(temporary, path);
}

class FakePowercap : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("inferbench-powercap-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void zone(const std::string& folder, const std::string& name, std::uint64_t energy_uj, std::uint64_t range_uj) {
    fs::create_directories(root_ / folder);
    write_text(root_ / folder / "name", name);
    write_text(root_ / folder / "energy_uj", std::to_string(energy_uj));
    write_text(root_ / folder / "max_energy_range_uj", std::to_string(range_uj));
  }
  void set_energy(const std::string& folder, std::uint64_t energy_uj) {
    write_text(root_ / folder / "energy_uj", std::to_string(energy_uj));
  }

  fs::path root_;
};

constexpr std::uint64_t kIntelRange = 262143328850;  // a typical Intel package's max_energy_range_uj

TEST_F(FakePowercap, CounterDifferenceOfPackagesAndDram) {
  zone("intel-rapl:0", "package-0", 1'000'000, kIntelRange);
  zone("intel-rapl:0:0", "core", 500'000, kIntelRange);      // inside the package: not added
  zone("intel-rapl:0:1", "dram", 2'000'000, kIntelRange);
  zone("intel-rapl:1", "psys", 9'000'000, kIntelRange);      // the platform holds the package: not added
  zone("intel-rapl-mmio:0", "package-0", 1'000'000, kIntelRange);  // the same package again: not added
  auto meter = open_rapl_meter(root_);
  ASSERT_TRUE(meter) << meter.status().to_string();
  EXPECT_EQ((*meter)->source(), "rapl");
  EXPECT_EQ((*meter)->scope(), "CPU package-0 + dram-0");
  ASSERT_TRUE((*meter)->begin());
  set_energy("intel-rapl:0", 3'500'000);
  set_energy("intel-rapl:0:0", 9'500'000);
  set_energy("intel-rapl:0:1", 2'250'000);
  set_energy("intel-rapl:1", 99'000'000);
  const auto window = (*meter)->end();
  ASSERT_TRUE(window) << window.status().to_string();
  EXPECT_DOUBLE_EQ(window->joules, 2.75);  // 2.5 J package + 0.25 J DRAM
}

TEST_F(FakePowercap, OneWrapAroundBetweenTheReads) {
  zone("intel-rapl:0", "package-0", 9'000'000, 10'000'000);
  auto meter = open_rapl_meter(root_);
  ASSERT_TRUE(meter) << meter.status().to_string();
  ASSERT_TRUE((*meter)->begin());
  set_energy("intel-rapl:0", 500'000);
  const auto window = (*meter)->end();
  ASSERT_TRUE(window) << window.status().to_string();
  EXPECT_DOUBLE_EQ(window->joules, 1.5);  // 1 J to the top, 0.5 J after it
}

TEST_F(FakePowercap, TheSamplerCountsWrapsTheTwoReadsAloneWouldMiss) {
  // A 20 J counter (sampled every 10 ms) wraps twice and ends where it began: 20 J, not 0.
  zone("intel-rapl:0", "package-0", 15'000'000, 20'000'000);
  auto meter = open_rapl_meter(root_);
  ASSERT_TRUE(meter) << meter.status().to_string();
  ASSERT_TRUE((*meter)->begin());
  for (std::uint64_t value : {5'000'000, 12'000'000, 2'000'000, 15'000'000}) {
    std::this_thread::sleep_for(300ms);  // thirty sampling periods
    set_energy("intel-rapl:0", value);
  }
  const auto window = (*meter)->end();
  ASSERT_TRUE(window) << window.status().to_string();
  EXPECT_DOUBLE_EQ(window->joules, 40.0);  // 10 + 7 + 10 + 13
}

TEST(WrappingCounter, AddsEachStepModuloTheRange) {
  WrappingCounter counter(1000);
  counter.add(900);
  EXPECT_EQ(counter.total_uj(), 0u);
  counter.add(100);  // wrapped: 100 to the top, 100 after
  counter.add(800);
  counter.add(50);   // wrapped: 200 + 50
  EXPECT_EQ(counter.total_uj(), 200u + 700u + 250u);
}

TEST(RaplSamplePeriod, TwiceWithinAWrapAtOneKilowattAndAtLeastOnceASecond) {
  EXPECT_EQ(rapl_sample_period(kIntelRange), 1s);  // 262 kJ: 131 s at 1 kW, so once a second
  EXPECT_EQ(rapl_sample_period(1'000'000'000), 500ms);  // 1 kJ wraps in 1 s at 1 kW
  EXPECT_EQ(rapl_sample_period(1'000'000), 10ms);  // never faster than every 10 ms
}

TEST_F(FakePowercap, MissingFolderSaysSoAndGivesNoMeter) {
  const fs::path missing = root_ / "powercap";
  auto meter = open_rapl_meter(missing);
  ASSERT_FALSE(meter);
  EXPECT_EQ(meter.status().message(), "no power counters visible: " + missing.string() + " absent");
  setenv(kPowercapRootVariable, missing.c_str(), 1);
  const EnergySource source = open_energy_source("cpu");
  unsetenv(kPowercapRootVariable);
  EXPECT_FALSE(source.meter);
  EXPECT_EQ(source.none_reason, "no power counters visible: " + missing.string() + " absent");
}

TEST_F(FakePowercap, FolderWithoutAPackageZone) {
  zone("intel-rapl:0", "psys", 1, kIntelRange);
  auto meter = open_rapl_meter(root_);
  ASSERT_FALSE(meter);
  EXPECT_EQ(meter.status().message(), "no power counters visible: " + root_.string() + " has no RAPL package zone");
}

TEST_F(FakePowercap, UnreadableCounterNamesTheFileAndTheRemedy) {
  // The tests run as root, whom chmod 000 does not stop: the read itself is refused instead, as
  // the kernel refuses energy_uj to other users since Linux 5.10.
  zone("intel-rapl:0", "package-0", 1, kIntelRange);
  const ReadText refusing = [](const fs::path& path) -> Result<std::string> {
    if (path.filename() == "energy_uj") return Status(StatusCode::Unavailable, std::strerror(EACCES));
    return read_text_file(path);
  };
  auto meter = open_rapl_meter(root_, refusing);
  ASSERT_FALSE(meter);
  const std::string& message = meter.status().message();
  EXPECT_NE(message.find("cannot read " + (root_ / "intel-rapl:0" / "energy_uj").string() + ": Permission denied"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("root-only since Linux 5.10"), std::string::npos) << message;
}

TEST_F(FakePowercap, CounterThatStopsBeingReadableFailsTheWindow) {
  zone("intel-rapl:0", "package-0", 1, kIntelRange);
  auto meter = open_rapl_meter(root_);
  ASSERT_TRUE(meter) << meter.status().to_string();
  ASSERT_TRUE((*meter)->begin());
  fs::remove(root_ / "intel-rapl:0" / "energy_uj");
  const auto window = (*meter)->end();
  ASSERT_FALSE(window);
  EXPECT_NE(window.status().message().find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace inferbench
