// SPDX-License-Identifier: Apache-2.0
// Runs a child process with a wall-clock limit, capturing its stdout and the tail of its
// stderr. A child that outlives the limit is killed with its whole process group.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/support/status.h"

namespace inferbench {

struct SpawnOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  std::optional<std::filesystem::path> log_file;  // full stderr copy, when set
  bool echo_stderr = false;                       // also pass stderr through to ours
  std::size_t stderr_tail_bytes = 4096;
};

struct ChildOutcome {
  int exit_code = -1;        // valid when exited
  bool exited = false;
  int signal = 0;            // the signal that killed it, when !exited
  bool timed_out = false;    // we killed it at the limit
  std::string stdout_text;
  std::string stderr_tail;   // the last stderr_tail_bytes bytes
  double peak_rss_mb = 0;    // from wait4's rusage
  double wall_seconds = 0;
};

// Starts argv[0] (an absolute path) with argv. Fails only when the child cannot be started.
Result<ChildOutcome> run_child(const std::vector<std::string>& argv, const SpawnOptions& options);

// On SIGINT or SIGTERM, kills the running child's process group before this process dies,
// so that an interrupted run leaves no worker behind. Rows already written stay written.
void install_interrupt_handler();

// "killed by signal 6 (SIGABRT)", "exited with code 3", "timed out after 5.0 s".
std::string describe_outcome(const ChildOutcome& outcome);

}  // namespace inferbench
