// SPDX-License-Identifier: Apache-2.0
// The CPU's measured multiply-add peak, the "physical limit" printed beside inference rows:
// for each operand type this CPU has a vector multiply-add instruction for, that instruction is
// issued back to back on independent accumulators by N threads at once, and the multiply-adds
// done are divided by the wall time. It is measured, never read from a spec table, so it already
// carries this machine's clocks, its AVX-512 frequency, SMT sharing and busy neighbours.
#pragma once

#include <string>
#include <vector>

namespace inferbench {

// The measured multiply-add rate of one vector instruction of this CPU, all threads together.
struct ComputePeak {
  std::string precision;  // "fp32" | "bf16" | "int8": the operand type of the multiply-adds
  std::string kernel;     // what ran: "AVX-512 FMA (vfmadd231ps zmm)", "AVX2 FMA (vfmadd231ps ymm)",
                          // "AVX512-BF16 (vdpbf16ps zmm)", "AVX512-VNNI (vpdpbusd zmm)", "AVX-VNNI (vpdpbusd ymm)"
  int threads = 0;        // threads that ran it at once
  double gmacs = 0;       // multiply-adds per second of all threads together, in 1e9
};

// Measures, for each precision this CPU has a multiply-add instruction for, the widest such
// instruction's rate with `threads` threads running it at once, each for about
// `seconds_per_kernel` seconds. Best of a few repetitions. fp32: FMA (AVX-512 if avx512f, else AVX2 FMA);
// bf16: AVX512-BF16 vdpbf16ps (2 MACs per 32-bit lane); int8: AVX512-VNNI vpdpbusd (4 MACs per 32-bit lane),
// else AVX-VNNI on ymm. Precisions without an instruction are left out. Empty on non-x86.
//
// Result order is fp32, bf16, int8. Blocks the caller for about 4 × `seconds_per_kernel` per
// precision (a one-thread calibration, which also brings the vector units up to speed, then
// three timed repetitions); more when `threads` exceed the free CPUs. `threads` <= 0 is taken
// as 1; `seconds_per_kernel` below 1 ms (NaN included) is taken as 1 ms. Threads are not
// pinned, so asking more threads than usable CPUs measures the same CPUs shared, not a higher
// peak. A precision whose threads could not be started is left out rather than reported low;
// the std::system_error is not passed on. Safe to call from any thread, but two calls at once
// measure each other.
std::vector<ComputePeak> measure_cpu_peaks(int threads, double seconds_per_kernel = 0.1);

}  // namespace inferbench
