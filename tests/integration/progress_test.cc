// SPDX-License-Identifier: Apache-2.0
// Live progress end to end: the real binary on a pseudo-terminal redraws a status line with
// the phase, iterations and ETA; with output to a pipe, or with CI=true, it writes plain phase
// lines and no control characters. The no-op plugin busy-waits 1 ms per iteration, so the
// timed loop lasts long enough (2.5 s) for the once-a-second updates.
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

std::vector<std::string> run_args(const std::string& out_dir) {
  return {"run",
          "--model",
          "tiny_cnn",
          "--backends",
          "noop",
          "--scenarios",
          "sync",
          "--batch",
          "1",
          "--warmup",
          "1",
          "--iters",
          "2500",
          "--backend-option",
          "noop:spin_us=1000",
          "--out",
          out_dir,
          "--no-store"};
}

struct TerminalRun {
  int exit_code = -1;
  std::string output;  // everything the terminal received, stdout and stderr together
};

// Runs inferbench on a fresh pseudo-terminal 200 columns wide, with TERM set and CI as given
// (nullptr: unset).
TerminalRun run_on_terminal(const std::vector<std::string>& args, const char* ci) {
  TerminalRun run;
  winsize size{};
  size.ws_col = 200;
  size.ws_row = 50;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) {
    ADD_FAILURE() << "forkpty failed: " << std::strerror(errno);
    return run;
  }
  if (pid == 0) {
    setenv("TERM", "xterm-256color", 1);
    if (ci) {
      setenv("CI", ci, 1);
    } else {
      unsetenv("CI");
    }
    std::vector<char*> argv = {const_cast<char*>(INFERBENCH_BINARY)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n > 0) {
      run.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child and its workers have closed the terminal
    }
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

TEST(Progress, TerminalShowsARedrawnStatusLineWithPhaseIterationsAndEta) {
  const auto dir = fresh_dir("progress-tty");
  const TerminalRun run = run_on_terminal(run_args(dir.string()), nullptr);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("\r\x1b[2K  [1/1] noop cpu fp32 sync batch 1 | compile"),
            std::string::npos)
      << run.output;
  EXPECT_NE(
      run.output.find("\r\x1b[2K  [1/1] noop cpu fp32 sync batch 1 | measure 0/2500 [----------]"),
      std::string::npos);
  // At least one update from inside the timed loop, with a time-left estimate.
  const std::regex update(
      "\\| measure [1-9][0-9]*/2500 \\[#*-*\\] \\| [0-9.]+ s \\| ETA [0-9.]+ s");
  EXPECT_TRUE(std::regex_search(run.output, update)) << run.output;
  // The ordinary messages are still there, each on its own line.
  EXPECT_NE(run.output.find("  [1/1] noop cpu fp32 sync batch 1: running\r\n"), std::string::npos);
  EXPECT_NE(run.output.find("  [1/1] noop cpu fp32 sync batch 1: ok (P50 "), std::string::npos);
}

TEST(Progress, CiTerminalGetsPlainLines) {
  const auto dir = fresh_dir("progress-ci-tty");
  const TerminalRun run = run_on_terminal(run_args(dir.string()), "true");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("\x1b["), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find(" | measure "), std::string::npos);
  EXPECT_NE(run.output.find("  [1/1] noop cpu fp32 sync batch 1: measure (2500 iterations)\r\n"),
            std::string::npos)
      << run.output;
}

TEST(Progress, PipedOutputGetsOneLinePerPhaseAndNoControlCharacters) {
  const auto dir = fresh_dir("progress-pipe");
  const auto run = run_inferbench(run_args(dir.string()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find('\r'), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("\x1b"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("ETA"), std::string::npos) << run.err;
  const std::string cell = "  [1/1] noop cpu fp32 sync batch 1: ";
  const std::vector<std::string> expected = {
      cell + "running\n", cell + "compile\n", cell + "warm-up (1 iteration)\n",
      cell + "measure (2500 iterations)\n", cell + "ok (P50 "};
  std::size_t at = 0;
  for (const std::string& line : expected) {
    const auto found = run.err.find(line, at);
    ASSERT_NE(found, std::string::npos) << "missing, or out of order: " << line << "\n" << run.err;
    at = found + line.size();
  }
  // Each phase once: the periodic updates of the timed loop are not logged.
  EXPECT_EQ(run.err.find(cell + "measure", run.err.find(cell + "measure") + 1), std::string::npos);
}

// With --rounds, once every cell to come has run before, the progress says how long the run has
// left: not in round 1 (cells not run yet), not for the run's last cell (its own ETA says it).
TEST(Progress, RoundsAfterTheFirstShowTheRunsTimeLeft) {
  const auto dir = fresh_dir("progress-run-eta");
  const auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--scenarios", "sync",
                                   "--batch", "1,2", "--warmup", "1", "--iters", "300", "--rounds", "2",
                                   "--backend-option", "noop:spin_us=1000", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::regex with_eta("round 2/2 noop cpu fp32 sync batch 1: measure \\(300 iterations\\) \\| run ETA [0-9.]+ s\n");
  EXPECT_TRUE(std::regex_search(run.err, with_eta)) << run.err;
  EXPECT_NE(run.err.find("round 1/2 noop cpu fp32 sync batch 1: measure (300 iterations)\n"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("round 2/2 noop cpu fp32 sync batch 2: measure (300 iterations)\n"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace inferbench::testing
