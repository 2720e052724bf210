// SPDX-License-Identifier: Apache-2.0
// The inferbench command line: run, backends, models, report, history, worker.
#pragma once

namespace inferbench::cli {

// The whole program; returns the process exit code (see exit_codes.h).
int main(int argc, char** argv);

}  // namespace inferbench::cli
