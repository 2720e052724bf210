// SPDX-License-Identifier: Apache-2.0
// Where a cell's worker processes run. The driver plans the matrix, prepares each cell's files
// and turns every outcome into a row; an executor only runs the workers of one cell and says how
// they ended. Two implementations: LocalExecutor (worker processes on this machine, one cell at a
// time) and RayExecutor (driver/fleet.h: the workers on a host of a Ray cluster, one cell at a time
// per host, hosts at once). A third engine is one more implementation of this interface.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/cell.h"
#include "core/support/status.h"
#include "driver/artefacts.h"
#include "driver/spawn.h"

namespace inferbench {

// The worker processes of one cell: one per instance, all started at once.
struct CellJob {
  int id = 0;            // the driver's number for it, unique in the run
  std::string host;      // where it runs: empty = this machine
  std::vector<Cell> instances;                    // each instance's cell, as its worker reads it
  std::vector<std::filesystem::path> cell_files;  // where each instance's cell is written here
  std::vector<std::filesystem::path> log_files;   // each instance's full stderr
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // per worker, hard kill
  bool echo_stderr = false;
  // This machine only: instance 0's progress lines and a tick about once a second (SpawnOptions).
  std::function<void(std::string_view line)> on_progress_line;
  std::function<void()> on_wait;
  // Whether an instance that ended means the others must stop (several instances).
  StopOthers stop_others;
  // Where the cell's LoadGen logs go on this machine (a host writes them there too); may be empty.
  std::string loadgen_dir;
  // A fleet host builds the cell's artefact itself, from this export request (export_request_json),
  // before the worker; null when the artefact travels with the cell.
  nlohmann::json export_request;
};

struct CellOutcome {
  int id = 0;
  // One per instance: how its worker ended, or why it could not start.
  std::vector<Result<ChildOutcome>> instances;
  // Not empty when the cell's host went away before or during the cell: what happened. The
  // instances then say nothing.
  std::string host_lost;
  // The artefact the host built for the cell (CellJob::export_request), as it described it.
  std::optional<Artefact> host_artefact;
  // What went wrong around a cell that ran on its host (its log or LoadGen files not written
  // here): the row's warning; empty otherwise.
  std::string host_note;
};

class CellExecutor {
 public:
  virtual ~CellExecutor() = default;
  // Starts `job` (or queues it: LocalExecutor runs it in wait()). At most one job per host at a
  // time: the driver submits a host's next cell only after its last one came back.
  virtual void submit(CellJob job) = 0;
  // Whether a submitted job has not come back yet.
  virtual bool busy() const = 0;
  // Waits for the next job to end and returns its outcome. Only when busy().
  virtual CellOutcome wait() = 0;
};

// This machine: run_children() of the job's workers, on the calling thread, in wait().
class LocalExecutor final : public CellExecutor {
 public:
  explicit LocalExecutor(std::filesystem::path worker_executable) : worker_(std::move(worker_executable)) {}
  void submit(CellJob job) override { job_ = std::move(job); }
  bool busy() const override { return job_.has_value(); }
  CellOutcome wait() override;

 private:
  std::filesystem::path worker_;
  std::optional<CellJob> job_;
};

// Writes each instance's cell file (the JSON its worker reads).
Status write_cell_files(const CellJob& job);

}  // namespace inferbench
