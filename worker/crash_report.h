// SPDX-License-Identifier: Apache-2.0
// What a worker says when a framework kills it: a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
// SIGABRT) prints the native stack and the phase it died in to stderr (the worker's log), then
// the process dies of the same signal, so that the driver still reports the signal.
#pragma once

namespace inferbench {

// Installs the handlers (once, before the plugin is loaded).
void install_crash_report();

// The phase the worker is in ("load", "compile", ...): a string with static storage.
void set_crash_phase(const char* phase);

}  // namespace inferbench
