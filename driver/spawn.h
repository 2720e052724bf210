// SPDX-License-Identifier: Apache-2.0
// Runs a child process with a wall-clock limit, capturing its stdout and the tail of its
// stderr. A child that outlives the limit is killed with its whole process group.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/support/status.h"

namespace inferbench {

// The file descriptor number at which a child finds the progress pipe (on_progress_line).
inline constexpr int kChildProgressFd = 3;

struct SpawnOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  std::optional<std::filesystem::path> log_file;  // full stderr copy, when set
  bool echo_stderr = false;                       // also pass stderr through to ours
  std::size_t stderr_tail_bytes = 4096;
  // When set, the child gets one more pipe as file descriptor kChildProgressFd, and each
  // complete line it writes there is passed here without its newline. Called on the calling
  // thread, from run_child's wait loop.
  std::function<void(std::string_view line)> on_progress_line;
  // When set, called about once a second while the child runs (and after each batch of output),
  // so a progress display can refresh elapsed times between messages.
  std::function<void()> on_wait;
};

struct ChildOutcome {
  int exit_code = -1;        // valid when exited
  bool exited = false;
  int signal = 0;            // the signal that killed it, when !exited
  bool timed_out = false;    // we killed it at the limit
  bool stopped = false;      // we killed it because another child of run_children failed
  std::string stdout_text;
  std::string stderr_tail;   // the last stderr_tail_bytes bytes
  double peak_rss_mb = 0;    // from wait4's rusage
  double wall_seconds = 0;
};

// Starts argv[0] (an absolute path) with argv. Fails only when the child cannot be started.
Result<ChildOutcome> run_child(const std::vector<std::string>& argv, const SpawnOptions& options);

// The most children run_children runs at once.
inline constexpr int kMaxChildren = 64;

struct ChildSpec {
  std::vector<std::string> argv;
  SpawnOptions options;
};

// Whether a child that has just ended (its outcome complete) means the others must stop.
using StopOthers = std::function<bool(const ChildOutcome& ended)>;

// Starts every child at once and waits for all of them, each as run_child does (its own
// timeout, log, progress pipe and callbacks, all called on this thread). When `stop_others`
// says so of a child that ended, the children still running are killed (`stopped` in their
// outcome). One result per spec, in order; an element fails only when that child could not be
// started. At most kMaxChildren specs.
std::vector<Result<ChildOutcome>> run_children(const std::vector<ChildSpec>& specs,
                                               const StopOthers& stop_others = nullptr);

// On SIGINT or SIGTERM, kills the running child's process group before this process dies,
// so that an interrupted run leaves no worker behind. Rows already written stay written.
void install_interrupt_handler();

// The line (newline included) the interrupt handler writes to stderr before the process dies:
// what was kept and how to go on. At most 1,024 bytes are kept; empty writes nothing.
void set_interrupt_note(std::string_view note);

// "killed by signal 6 (SIGABRT)", "exited with code 3", "timed out after 5.0 s".
std::string describe_outcome(const ChildOutcome& outcome);

// The last line of a child's output (stdout_text, stderr_tail) that is not blank, without its
// line end; empty when there is none.
std::string last_line(const std::string& text);

}  // namespace inferbench
