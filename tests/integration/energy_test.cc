// SPDX-License-Identifier: Apache-2.0
// Energy end to end with the no-op plugin: without power counters every row says none with the
// reason (never a 0); on a fake powercap tree whose package counter a thread of the test advances
// (as the hardware would), every row has a RAPL number, Table B its Samples/J column, and a window
// shorter than --min-energy-window none with the remedy in a warning.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kNoopRun = {"run", "--model", "tiny_cnn", "--backends", "noop", "--scenarios", "sync",
                                           "--batch", "2", "--warmup", "2", "--no-store", "--backend-option",
                                           "noop:spin_us=1000"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(Energy, WithoutCountersEveryRowSaysNoneAndWhy) {
  const auto dir = fresh_dir("energy-none");
  const fs::path missing = dir / "no-powercap";
  auto run = run_inferbench(with(kNoopRun, {"--iters", "5", "--out", dir.string()}), 600,
                            {"INFERBENCH_POWERCAP_ROOT=" + missing.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  ASSERT_FALSE(results["rows"].empty());
  for (const auto& row : results["rows"]) {
    ASSERT_EQ(row["status"], "ok") << row.dump();
    EXPECT_EQ(row["energy"]["source"], "none");
    EXPECT_EQ(row["energy"]["reason"], "no power counters visible: " + missing.string() + " absent");
    EXPECT_TRUE(row["energy"]["energy_j"].is_null());
    EXPECT_TRUE(row["energy"]["samples_per_joule"].is_null());
  }
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  EXPECT_EQ(read_file(dir / "results.md").find("Samples/J"), std::string::npos);
}

// A package counter the test advances by 1 J every 2 ms (500 W) while inferbench runs.
class AdvancingPackage {
 public:
  explicit AdvancingPackage(const fs::path& root) : zone_(root / "intel-rapl:0") {
    fs::create_directories(zone_);
    std::ofstream(zone_ / "name") << "package-0\n";
    std::ofstream(zone_ / "max_energy_range_uj") << "262143328850\n";
    write(0);
    thread_ = std::thread([this] {
      for (std::uint64_t uj = 1'000'000; !stop_; uj += 1'000'000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        write(uj % 262143328850);
      }
    });
  }
  ~AdvancingPackage() {
    stop_ = true;
    thread_.join();
  }

 private:
  void write(std::uint64_t uj) {
    std::ofstream(zone_ / "energy_uj.new") << uj << '\n';
    fs::rename(zone_ / "energy_uj.new", zone_ / "energy_uj");  // a reader sees one value whole
  }
  fs::path zone_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(Energy, FakePackageCounterGivesEveryRowANumber) {
  const auto dir = fresh_dir("energy-rapl");
  AdvancingPackage package(dir / "powercap");
  auto run = run_inferbench(with(kNoopRun, {"--iters", "200", "--out", dir.string()}), 600,
                            {"INFERBENCH_POWERCAP_ROOT=" + (dir / "powercap").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  for (const auto& row : results["rows"]) {
    ASSERT_EQ(row["status"], "ok") << row.dump();
    const auto& energy = row["energy"];
    EXPECT_EQ(energy["source"], "rapl") << energy.dump();
    EXPECT_EQ(energy["scope"], "CPU package-0");
    ASSERT_TRUE(energy["energy_j"].is_number()) << energy.dump();
    EXPECT_GT(energy["energy_j"].get<double>(), 0);
    EXPECT_EQ(energy["samples"], 400);  // batch 2 x 200 iterations
    EXPECT_NEAR(energy["samples_per_joule"].get<double>(), 400 / energy["energy_j"].get<double>(), 1e-9);
    EXPECT_NEAR(energy["avg_power_w"].get<double>(),
                energy["energy_j"].get<double>() / energy["window_s"].get<double>(), 1e-9);
    // The window holds the 200 timed iterations of at least 1 ms each.
    EXPECT_GE(energy["window_s"].get<double>(), row["wall_ms"].get<double>() / 1000);
    EXPECT_TRUE(energy["idle_power_w"].is_number()) << energy.dump();
  }
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  EXPECT_NE(read_file(dir / "results.md").find("Samples/J"), std::string::npos);
  EXPECT_NE(read_file(dir / "guide.md").find("most inferences per joule"), std::string::npos);
}

TEST(Energy, WindowShorterThanTheMinimumGetsNoNumberAndAWarning) {
  const auto dir = fresh_dir("energy-short");
  AdvancingPackage package(dir / "powercap");
  auto run = run_inferbench(with(kNoopRun, {"--iters", "5", "--min-energy-window", "30", "--out", dir.string()}),
                            600, {"INFERBENCH_POWERCAP_ROOT=" + (dir / "powercap").string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(results["run"]["request"]["min_energy_window_s"], 30.0);
  for (const auto& row : results["rows"]) {
    EXPECT_EQ(row["energy"]["source"], "rapl");
    EXPECT_TRUE(row["energy"]["energy_j"].is_null());
    EXPECT_NE(row["energy"]["reason"].get<std::string>().find("shorter than the 30 s"), std::string::npos)
        << row["energy"].dump();
    EXPECT_NE(row["warnings"].dump().find("--min-energy-window"), std::string::npos) << row["warnings"].dump();
  }
}

TEST(Energy, BadMinimumWindowIsOneLineSayingWhatToDo) {
  auto run = run_inferbench(with(kNoopRun, {"--min-energy-window", "0", "--out", fresh_dir("energy-bad").string()}));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("--min-energy-window '0' is not a positive number"), std::string::npos) << run.err;
  // One that no window reaches (1e12 s would also overflow the window's nanoseconds).
  auto huge = run_inferbench(with(kNoopRun, {"--min-energy-window", "1e12", "--out", fresh_dir("energy-bad").string()}));
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_NE(huge.err.find("--min-energy-window 1e12 is more than a day"), std::string::npos) << huge.err;
}

}  // namespace
}  // namespace inferbench::testing
