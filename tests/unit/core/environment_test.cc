// SPDX-License-Identifier: Apache-2.0
// The NVIDIA driver version read from /proc/driver/nvidia/version, in both kernel modules' wording.
// The open module's ("... Open Kernel Module for x86_64  580.159.04 ...") was recorded as "for" on
// the H100 of results/h100-cuda before the parser looked for the version-shaped word.
#include "core/env/environment.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

TEST(NvidiaDriverVersion, ProprietaryModule) {
  EXPECT_EQ(parse_nvidia_driver_version(
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024"),
            "550.54.14");
}

TEST(NvidiaDriverVersion, OpenModule) {
  EXPECT_EQ(parse_nvidia_driver_version("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  "
                                        "Release Build  (dvs-builder@U16-I3-B03-4-3)  Tue Oct 14 00:00:00 UTC 2025"),
            "580.159.04");
}

TEST(NvidiaDriverVersion, NoVersionNoGuess) {
  EXPECT_EQ(parse_nvidia_driver_version("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64"), std::nullopt);
  EXPECT_EQ(parse_nvidia_driver_version("something else entirely 1.2.3"), std::nullopt);
}

}  // namespace
}  // namespace inferbench
