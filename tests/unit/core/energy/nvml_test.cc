// SPDX-License-Identifier: Apache-2.0
// The NVML meter against a stub library built beside the tests (nvml_stub.c), loaded in place of
// the driver's: the counter, a counter that did not move, a GPU without the counter (power
// samples), and every way of having no meter.
#include "core/energy/nvml.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <thread>

#include "core/energy/energy.h"

namespace inferbench {
namespace {

using namespace std::chrono_literals;

// Each test's stub settings, cleared again afterwards so that no test sees another's.
class Nvml : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) unsetenv(name);
    unsetenv("CUDA_VISIBLE_DEVICES");
    unsetenv("CUDA_DEVICE_ORDER");
  }
  void TearDown() override { SetUp(); }
  static constexpr const char* kVariables[] = {"INFERBENCH_NVML_STUB_INIT", "INFERBENCH_NVML_STUB_GPUS",
                                               "INFERBENCH_NVML_STUB_ENERGY_MJ", "INFERBENCH_NVML_STUB_STEP_MJ",
                                               "INFERBENCH_NVML_STUB_POWER_MW", kNvmlLibraryVariable};
};

TEST_F(Nvml, CounterDifferenceOverTheWindow) {
  setenv("INFERBENCH_NVML_STUB_ENERGY_MJ", "5000000", 1);
  setenv("INFERBENCH_NVML_STUB_STEP_MJ", "2500", 1);
  auto meter = open_nvml_meter(INFERBENCH_NVML_STUB, 0);
  ASSERT_TRUE(meter) << meter.status().to_string();
  EXPECT_EQ((*meter)->source(), "nvml");
  EXPECT_EQ((*meter)->method(), "energy counter");
  EXPECT_EQ((*meter)->scope(), "GPU 0 board (Stub GPU 0)");
  ASSERT_TRUE((*meter)->begin());
  const auto window = (*meter)->end();
  ASSERT_TRUE(window) << window.status().to_string();
  EXPECT_DOUBLE_EQ(window->joules, 2.5);  // one step of 2500 mJ between the two reads
  EXPECT_GT(window->length, Nanos::zero());
  // Beside the counter, the board's power readings (the stub's constant 100 W), time-averaged:
  // the check of the counter's average power, which the row carries.
  ASSERT_TRUE(window->sampled_power_w);
  EXPECT_NEAR(*window->sampled_power_w, 100.0, 1e-9);
  std::vector<std::string> warnings;
  const Energy energy = energy_record(**meter, window, 640, Nanos::zero(), warnings);
  ASSERT_TRUE(energy.sampled_power_w);
  EXPECT_NEAR(*energy.sampled_power_w, 100.0, 1e-9);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(Nvml, CounterThatDidNotMoveGivesNoNumber) {
  setenv("INFERBENCH_NVML_STUB_STEP_MJ", "0", 1);
  auto meter = open_nvml_meter(INFERBENCH_NVML_STUB, 0);
  ASSERT_TRUE(meter) << meter.status().to_string();
  ASSERT_TRUE((*meter)->begin());
  const auto window = (*meter)->end();
  std::vector<std::string> warnings;
  const Energy energy = energy_record(**meter, window, 640, Nanos::zero(), warnings);
  EXPECT_FALSE(energy.energy_j);
  EXPECT_FALSE(energy.samples_per_joule);
  EXPECT_NE(energy.reason.find("the nvml counter did not move"), std::string::npos) << energy.reason;
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("--iters"), std::string::npos) << warnings[0];
}

TEST_F(Nvml, GpuWithoutTheCounterIntegratesPowerSamples) {
  setenv("INFERBENCH_NVML_STUB_ENERGY_MJ", "unsupported", 1);
  setenv("INFERBENCH_NVML_STUB_POWER_MW", "150000", 1);
  auto meter = open_nvml_meter(INFERBENCH_NVML_STUB, 0, 10ms);
  ASSERT_TRUE(meter) << meter.status().to_string();
  EXPECT_EQ((*meter)->method(), "power samples");
  ASSERT_TRUE((*meter)->begin());
  std::this_thread::sleep_for(100ms);
  const auto window = (*meter)->end();
  ASSERT_TRUE(window) << window.status().to_string();
  ASSERT_GE(window->length, 100ms);
  // A constant 150 W over the samples' span: the trapezoid rule gives exactly 150 W x span.
  const double seconds = std::chrono::duration<double>(window->length).count();
  EXPECT_NEAR(window->joules / seconds, 150.0, 1e-9);
  // The readings are the number here: there is nothing independent to check it by.
  EXPECT_FALSE(window->sampled_power_w);
}

TEST_F(Nvml, MissingLibrarySaysWhich) {
  auto meter = open_nvml_meter("/nonexistent/libnvidia-ml.so.1", 0);
  ASSERT_FALSE(meter);
  EXPECT_NE(meter.status().message().find("cannot load /nonexistent/libnvidia-ml.so.1 (NVML, from the NVIDIA driver)"),
            std::string::npos)
      << meter.status().message();
}

TEST_F(Nvml, FailedInitialisationNamesNvmlsError) {
  setenv("INFERBENCH_NVML_STUB_INIT", "9", 1);
  auto meter = open_nvml_meter(INFERBENCH_NVML_STUB, 0);
  ASSERT_FALSE(meter);
  EXPECT_EQ(meter.status().message(), "nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)");
}

TEST_F(Nvml, CudaDeviceThatNvmlDoesNotHave) {
  auto meter = open_nvml_meter(INFERBENCH_NVML_STUB, 1);
  ASSERT_FALSE(meter);
  EXPECT_EQ(meter.status().message(), "NVML sees 1 GPUs, no GPU 1");
}

TEST_F(Nvml, SeveralGpusNeedPciBusOrderOrAUuid) {
  setenv("INFERBENCH_NVML_STUB_GPUS", "2", 1);
  auto meter = open_nvml_meter(INFERBENCH_NVML_STUB, 0);
  ASSERT_FALSE(meter);
  EXPECT_NE(meter.status().message().find("CUDA_DEVICE_ORDER=PCI_BUS_ID"), std::string::npos);
  setenv("CUDA_DEVICE_ORDER", "PCI_BUS_ID", 1);
  meter = open_nvml_meter(INFERBENCH_NVML_STUB, 1);
  ASSERT_TRUE(meter) << meter.status().to_string();
  EXPECT_EQ((*meter)->scope(), "GPU 1 board (Stub GPU 1)");
  unsetenv("CUDA_DEVICE_ORDER");
  setenv("CUDA_VISIBLE_DEVICES", "GPU-stub-0", 1);
  meter = open_nvml_meter(INFERBENCH_NVML_STUB, 0);
  ASSERT_TRUE(meter) << meter.status().to_string();
  EXPECT_EQ((*meter)->scope(), "GPU GPU-stub-0 board (Stub GPU 0)");
}

TEST_F(Nvml, CudaRowsFindTheLibraryThroughTheOverride) {
  setenv(kNvmlLibraryVariable, INFERBENCH_NVML_STUB, 1);
  EnergySource source = open_energy_source("cuda:0");
  ASSERT_TRUE(source.meter) << source.none_reason;
  EXPECT_EQ(source.meter->source(), "nvml");
  setenv(kNvmlLibraryVariable, "/nonexistent/libnvidia-ml.so.1", 1);
  source = open_energy_source("cuda");
  EXPECT_FALSE(source.meter);
  EXPECT_NE(source.none_reason.find("cannot load /nonexistent/libnvidia-ml.so.1"), std::string::npos);
}

}  // namespace
}  // namespace inferbench
