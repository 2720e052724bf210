// SPDX-License-Identifier: Apache-2.0
// fork/exec with pipes, poll and a deadline.
#include "driver/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>

#include "core/timing/clock.h"

namespace inferbench {
namespace {

// The process group of the child being waited for; 0 when none. Read by the signal handler.
volatile sig_atomic_t g_running_child = 0;

void on_interrupt(int signal) {
  if (g_running_child > 0) kill(-static_cast<pid_t>(g_running_child), SIGKILL);
  std::signal(signal, SIG_DFL);
  raise(signal);
}

void append_tail(std::string& tail, const char* data, std::size_t n, std::size_t limit) {
  tail.append(data, n);
  if (tail.size() > 2 * limit) tail.erase(0, tail.size() - limit);
}

}  // namespace

Result<ChildOutcome> run_child(const std::vector<std::string>& argv, const SpawnOptions& options) {
  int out_pipe[2], err_pipe[2];
  int progress_pipe[2] = {-1, -1};
  const bool with_progress = static_cast<bool>(options.on_progress_line);
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      (with_progress && pipe2(progress_pipe, O_CLOEXEC) != 0)) {
    return Status(StatusCode::Io, std::string("cannot create pipes: ") + std::strerror(errno));
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
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    return Status(StatusCode::Io, std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child: its own process group, so a timeout kills any helpers it started too.
    setpgid(0, 0);
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
  g_running_child = pid;
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (with_progress) close(progress_pipe[1]);

  std::ofstream log;
  if (options.log_file) log.open(*options.log_file, std::ios::trunc);

  ChildOutcome outcome;
  const auto deadline = start + options.timeout;
  // stdout, stderr and (when asked) the progress pipe; poll skips negative descriptors.
  pollfd fds[3] = {
      {out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {progress_pipe[0], POLLIN, 0}};
  int open_fds = with_progress ? 3 : 2;
  std::string progress_text;  // an incomplete progress line waiting for its newline
  char buffer[65536];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      outcome.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    const int ready = poll(fds, 3, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (auto& fd : fds) {
      if (fd.fd < 0 || !(fd.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fd.fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fd.fd);
        fd.fd = -1;
        --open_fds;
        continue;
      }
      if (&fd == &fds[0]) {
        outcome.stdout_text.append(buffer, static_cast<std::size_t>(n));
      } else if (&fd == &fds[1]) {
        append_tail(outcome.stderr_tail, buffer, static_cast<std::size_t>(n), options.stderr_tail_bytes);
        if (log) log.write(buffer, n);
        if (options.echo_stderr) std::cerr.write(buffer, n);
      } else {
        progress_text.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t end; (end = progress_text.find('\n')) != std::string::npos;) {
          options.on_progress_line(std::string_view(progress_text).substr(0, end));
          progress_text.erase(0, end + 1);
        }
      }
    }
    if (options.on_wait) options.on_wait();
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  // Helpers the worker may have left in its group go with it.
  kill(-pid, SIGKILL);
  g_running_child = 0;
  outcome.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  outcome.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  if (outcome.stderr_tail.size() > options.stderr_tail_bytes) {
    outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - options.stderr_tail_bytes);
  }
  return outcome;
}

void install_interrupt_handler() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

std::string describe_outcome(const ChildOutcome& outcome) {
  char text[160];
  if (outcome.timed_out) {
    std::snprintf(text, sizeof text, "timed out after %.1f s and was killed", outcome.wall_seconds);
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

}  // namespace inferbench
