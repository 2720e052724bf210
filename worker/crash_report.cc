// SPDX-License-Identifier: Apache-2.0
#include "worker/crash_report.h"

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace inferbench {
namespace {

std::atomic<const char*> g_phase{"start"};
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int kMaxFrames = 64;
// A stack of its own: a crash from a stack overflow still gets its report.
alignas(16) char g_alternate_stack[64 * 1024];

void put(const char* text) { [[maybe_unused]] ssize_t n = write(STDERR_FILENO, text, strlen(text)); }

const char* signal_name(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "a fatal signal";
  }
}

// Only async-signal-safe calls, except backtrace(), whose first-call allocation is done at install.
void on_fatal_signal(int signal) {
  const char* phase = g_phase.load();
  put("inferbench worker: ");
  put(signal_name(signal));
  put(" during ");
  put(phase);
  put("; native stack:\n");
  void* frames[kMaxFrames];
  const int count = backtrace(frames, kMaxFrames);
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
  // The driver quotes the last line of stderr in the failed row.
  put("inferbench worker: ");
  put(signal_name(signal));
  put(" during ");
  put(phase);
  put(" (native stack above, in this worker's log)\n");
  // SA_RESETHAND restored the default action: dying of the same signal keeps it visible.
  raise(signal);
}

}  // namespace

void install_crash_report() {
  void* warm[1];
  backtrace(warm, 1);  // loads libgcc's unwinder now, not inside the handler
  stack_t stack{};
  stack.ss_sp = g_alternate_stack;
  stack.ss_size = sizeof g_alternate_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (int signal : kSignals) sigaction(signal, &action, nullptr);
}

void set_crash_phase(const char* phase) { g_phase.store(phase); }

}  // namespace inferbench
