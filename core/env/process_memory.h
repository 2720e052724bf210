// SPDX-License-Identifier: Apache-2.0
// This process's own peak memory, for a row's peak_rss_mb.
#pragma once

namespace inferbench {

// The peak resident set of this process since it was exec'd, in MB (2^20 bytes): the kernel's
// VmHWM. Not getrusage's ru_maxrss, which on Linux also keeps the peak of the process this one
// was forked from (a fleet host's Ray worker, a Python launcher), so a light worker would report
// its launcher's memory. Falls back to ru_maxrss where /proc is not readable.
double peak_resident_mb();

}  // namespace inferbench
