// SPDX-License-Identifier: Apache-2.0
// fork/exec with pipes, poll and a deadline.
#include "driver/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/support/check.h"
#include "core/timing/clock.h"

namespace inferbench {
namespace {

// The process groups of the children being waited for; 0 in a free slot. Read by the signal
// handler, which may interrupt any moment of run_children.
volatile sig_atomic_t g_running_children[kMaxChildren] = {};

// The line the handler writes before the process ends (set_interrupt_note()); fixed storage,
// since the handler may neither allocate nor lock.
char g_interrupt_note[1024] = {};
volatile sig_atomic_t g_interrupt_note_size = 0;

void on_interrupt(int signal) {
  for (auto& child : g_running_children) {
    if (child > 0) kill(-static_cast<pid_t>(child), SIGKILL);
  }
  if (const sig_atomic_t size = g_interrupt_note_size; size > 0) {
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, g_interrupt_note, static_cast<std::size_t>(size));
  }
  std::signal(signal, SIG_DFL);
  raise(signal);
}

void append_tail(std::string& tail, const char* data, std::size_t n, std::size_t limit) {
  tail.append(data, n);
  if (tail.size() > 2 * limit) tail.erase(0, tail.size() - limit);
}

// One child between fork and reaping.
struct Running {
  const SpawnOptions* options = nullptr;
  pid_t pid = -1;
  int fds[3] = {-1, -1, -1};  // stdout, stderr and (when asked) the progress pipe
  std::ofstream log;
  std::string progress_text;  // an incomplete progress line waiting for its newline
  Clock::time_point start;
  Clock::time_point deadline;
  bool killed = false;
  bool reaped = false;
  ChildOutcome outcome;
};

// Forks `argv` into `child` in its own process group, recorded in `slot` for the interrupt
// handler. Fails only when the child cannot be started.
Status start_child(const std::vector<std::string>& argv, Running& child, std::size_t slot) {
  const SpawnOptions& options = *child.options;
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int progress_pipe[2] = {-1, -1};
  const auto close_all = [&] {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], progress_pipe[0], progress_pipe[1]}) {
      if (fd >= 0) close(fd);
    }
  };
  const bool with_progress = static_cast<bool>(options.on_progress_line);
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      (with_progress && pipe2(progress_pipe, O_CLOEXEC) != 0)) {
    const int error = errno;
    close_all();
    return Status(StatusCode::Io, std::string("cannot create pipes: ") + std::strerror(error));
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  // SIGINT/SIGTERM stay blocked until the child's process group exists and is recorded, so an
  // interrupt can never leave a child running that the handler does not know about.
  sigset_t interrupts, previous;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  sigprocmask(SIG_BLOCK, &interrupts, &previous);
  child.start = Clock::now();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    close_all();
    return Status(StatusCode::Io, std::string("fork failed: ") + std::strerror(error));
  }
  if (pid == 0) {
    // Child: its own process group, so a timeout kills any helpers it started too.
    setpgid(0, 0);
    // And it dies with this process even when this one is killed outright (SIGKILL, an OOM kill,
    // a fleet task force-cancelled during `export-artefact`), which no handler here sees: no
    // worker or exporter keeps running beside a later measurement. The thread that forks is the
    // one that waits for the child (run_child, run_children), so it outlives it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // this process had already died
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    if (with_progress) {
      // Last, so it cannot be overwritten; dup2 clears close-on-exec on the copy, and when the
      // pipe already has that number the flag is cleared by hand.
      if (progress_pipe[1] == kChildProgressFd) {
        fcntl(kChildProgressFd, F_SETFD, 0);
      } else {
        dup2(progress_pipe[1], kChildProgressFd);
      }
    }
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot execute %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so it holds before we might kill the group
  g_running_children[slot] = pid;
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (with_progress) close(progress_pipe[1]);
  child.pid = pid;
  child.fds[0] = out_pipe[0];
  child.fds[1] = err_pipe[0];
  child.fds[2] = progress_pipe[0];
  child.deadline = child.start + options.timeout;
  if (options.log_file) child.log.open(*options.log_file, std::ios::trunc);
  return Status::ok();
}

// Reads what `fd` (index `which` of the child's pipes) has; closes it at its end.
void read_pipe(Running& child, int which) {
  char buffer[65536];
  const ssize_t n = read(child.fds[which], buffer, sizeof buffer);
  if (n <= 0) {
    close(child.fds[which]);
    child.fds[which] = -1;
    return;
  }
  const auto size = static_cast<std::size_t>(n);
  const SpawnOptions& options = *child.options;
  if (which == 0) {
    child.outcome.stdout_text.append(buffer, size);
  } else if (which == 1) {
    append_tail(child.outcome.stderr_tail, buffer, size, options.stderr_tail_bytes);
    if (child.log) child.log.write(buffer, n);
    if (options.echo_stderr) std::cerr.write(buffer, n);
  } else {
    child.progress_text.append(buffer, size);
    for (std::size_t end; (end = child.progress_text.find('\n')) != std::string::npos;) {
      options.on_progress_line(std::string_view(child.progress_text).substr(0, end));
      child.progress_text.erase(0, end + 1);
    }
  }
}

// Waits for the child whose pipes have all closed and records how it ended.
void reap(Running& child, std::size_t slot) {
  int status = 0;
  rusage usage{};
  while (wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  // Helpers the worker may have left in its group go with it.
  kill(-child.pid, SIGKILL);
  g_running_children[slot] = 0;
  child.reaped = true;
  ChildOutcome& outcome = child.outcome;
  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - child.start).count();
  outcome.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  if (outcome.stderr_tail.size() > child.options->stderr_tail_bytes) {
    outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - child.options->stderr_tail_bytes);
  }
}

}  // namespace

std::vector<Result<ChildOutcome>> run_children(const std::vector<ChildSpec>& specs,
                                               const StopOthers& stop_others) {
  IB_CHECK(specs.size() <= static_cast<std::size_t>(kMaxChildren)) << specs.size() << " children";
  std::vector<Running> children(specs.size());
  std::vector<std::optional<Status>> start_errors(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    children[i].options = &specs[i].options;
    if (Status started = start_child(specs[i].argv, children[i], i); !started.is_ok()) {
      start_errors[i] = started;
      children[i].reaped = true;
    }
  }
  std::vector<pollfd> fds;
  std::vector<std::pair<std::size_t, int>> owners;  // (child, pipe) of each pollfd
  while (std::any_of(children.begin(), children.end(), [](const Running& c) { return !c.reaped; })) {
    fds.clear();
    owners.clear();
    auto wait = std::chrono::milliseconds(1000);
    const auto now = Clock::now();
    for (std::size_t i = 0; i < children.size(); ++i) {
      Running& child = children[i];
      if (child.reaped) continue;
      if (!child.killed && now >= child.deadline) {
        child.outcome.timed_out = true;
        child.killed = true;
        kill(-child.pid, SIGKILL);
      }
      if (!child.killed) {
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(child.deadline - now));
      }
      for (int which = 0; which < 3; ++which) {
        if (child.fds[which] < 0) continue;
        fds.push_back({child.fds[which], POLLIN, 0});
        owners.emplace_back(i, which);
      }
    }
    if (!fds.empty()) {
      const int ready = poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait.count(), 0)));
      if (ready < 0 && errno != EINTR) break;
      for (std::size_t k = 0; k < fds.size(); ++k) {
        if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) read_pipe(children[owners[k].first], owners[k].second);
      }
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
      Running& child = children[i];
      if (child.reaped || child.fds[0] >= 0 || child.fds[1] >= 0 || child.fds[2] >= 0) continue;
      reap(child, i);
      if (!stop_others || !stop_others(child.outcome)) continue;
      for (Running& other : children) {
        if (other.reaped || other.killed) continue;
        other.outcome.stopped = true;
        other.killed = true;
        kill(-other.pid, SIGKILL);
      }
    }
    for (Running& child : children) {
      if (!child.reaped && child.options->on_wait) child.options->on_wait();
    }
  }
  // Only after a failed poll: nothing more can be read, so make sure every child is gone.
  for (std::size_t i = 0; i < children.size(); ++i) {
    Running& child = children[i];
    if (child.reaped) continue;
    kill(-child.pid, SIGKILL);
    for (int& fd : child.fds) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
    reap(child, i);
  }
  std::vector<Result<ChildOutcome>> outcomes;
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (start_errors[i]) {
      outcomes.emplace_back(*start_errors[i]);
    } else {
      outcomes.emplace_back(std::move(children[i].outcome));
    }
  }
  return outcomes;
}

Result<ChildOutcome> run_child(const std::vector<std::string>& argv, const SpawnOptions& options) {
  return std::move(run_children({ChildSpec{argv, options}}).front());
}

void set_interrupt_note(std::string_view note) {
  const std::size_t size = std::min(note.size(), sizeof g_interrupt_note);
  // The handler reads nothing while the text changes: the size is cleared before and set after,
  // with the compiler kept from moving the copy across either.
  g_interrupt_note_size = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(g_interrupt_note, note.data(), size);
  if (size < note.size()) g_interrupt_note[size - 1] = '\n';  // cut short: still a whole line
  std::atomic_signal_fence(std::memory_order_seq_cst);
  g_interrupt_note_size = static_cast<sig_atomic_t>(size);
}

void install_interrupt_handler() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

std::string describe_outcome(const ChildOutcome& outcome) {
  char text[160];
  if (outcome.timed_out) {
    std::snprintf(text, sizeof text, "timed out after %.1f s and was killed", outcome.wall_seconds);
  } else if (outcome.stopped) {
    std::snprintf(text, sizeof text, "was stopped after %.1f s because another instance failed", outcome.wall_seconds);
  } else if (outcome.exited) {
    std::snprintf(text, sizeof text, "exited with code %d", outcome.exit_code);
  } else if (outcome.signal == SIGKILL) {
    std::snprintf(text, sizeof text,
                  "was killed by SIGKILL (often the kernel's out-of-memory killer; peak RSS "
                  "%.0f MB)", outcome.peak_rss_mb);
  } else {
    std::snprintf(text, sizeof text, "was killed by signal %d (SIG%s)", outcome.signal,
                  sigabbrev_np(outcome.signal) ? sigabbrev_np(outcome.signal) : "?");
  }
  return text;
}

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  return last;
}

}  // namespace inferbench
