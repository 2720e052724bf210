// SPDX-License-Identifier: Apache-2.0
// A worker's peak memory is its own, not that of the process it was forked from.
#include "core/env/process_memory.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace inferbench {
namespace {

// In the child the test below forks and execs (this program again): print its own peak and end
// before any test runs.
[[maybe_unused]] const bool kChildPrintedItsPeak = [] {
  if (std::getenv("INFERBENCH_PRINT_PEAK") == nullptr) return false;
  std::printf("peak %.1f\n", peak_resident_mb());
  std::fflush(stdout);
  std::_Exit(0);
}();

TEST(ProcessMemory, PeakIsTheExecutedProgramsOwn) {
  // This process touches 400 MB; the program it forks and execs does not. ru_maxrss read in the
  // child says about 400 (the fork's copy of this peak survives exec on Linux); VmHWM does not.
  std::vector<char> ballast(400U << 20);
  std::memset(ballast.data(), 1, ballast.size());
  EXPECT_GT(peak_resident_mb(), 400);
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    setenv("INFERBENCH_PRINT_PEAK", "1", 1);
    execl("/proc/self/exe", "process_memory_child", nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
  const auto at = text.find("peak ");
  ASSERT_NE(at, std::string::npos) << text;
  const double child_peak = std::strtod(text.c_str() + at + 5, nullptr);
  EXPECT_GT(child_peak, 0);
  EXPECT_LT(child_peak, 200) << "the child's peak carries this process's 400 MB";
  ballast[ballast.size() / 2] = 2;  // keeps the ballast alive past the child
}

}  // namespace
}  // namespace inferbench
