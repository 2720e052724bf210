// SPDX-License-Identifier: Apache-2.0
// The few lines that close `inferbench run`, under Table B: the guide's winner per goal, where
// the run's files are, and the command that compares it with the next run.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>

#include "core/result/row.h"

namespace inferbench::report {

// Where a finished run was kept.
struct RunPlaces {
  std::optional<std::string> out_dir;     // the --out folder; empty when no files were written
  std::optional<std::string> store_path;  // the result store holding the run; empty with --no-store
  // Where the run was to be kept but could not be, and why (the last write's error): the --out
  // folder whose files are missing or out of date, the store that refused a write (the run is
  // not used with it after that, so what it holds is the rows before it, unfinished).
  std::optional<std::pair<std::string, std::string>> out_failed;    // folder, why
  std::optional<std::pair<std::string, std::string>> store_failed;  // store, why
  bool default_store = true;  // store_path is the default store: the commands given need no --db
};

// The goals the summary names, in its order: peak throughput, tail latency, start-up, memory
// (the guide's criteria a deployment is chosen on first; guide.md has the others).
//
// Writes, for a run of one model on one host, one line per goal with the guide's own winner and
// value ("Best for throughput:   OpenVINO CPU FP32 batch 64, 395.25 inputs/s": the rows and
// values of report::compute_guide(), worded by winner_rows() and winner_value()); for several
// models or hosts, one line per host and model with the four winners named (the guide computes
// them per host and per model, and so does this). Then one line on the files (report.html to
// open in a browser, or how to write them) and one with the command that compares this run with
// the next ("inferbench report <id> <next run id>", or the results.json files without a store).
// Plain text, no control characters: the same on a terminal and in a file.
void write_run_summary(std::ostream& out, const RunResult& run, const RunPlaces& places);

}  // namespace inferbench::report
