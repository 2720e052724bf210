// SPDX-License-Identifier: Apache-2.0
// The local executor: a cell's worker processes on this machine.
#include "driver/executor.h"

#include <fstream>

#include <nlohmann/json.hpp>

namespace inferbench {

Status write_cell_files(const CellJob& job) {
  for (std::size_t k = 0; k < job.instances.size(); ++k) {
    std::ofstream out(job.cell_files.at(k));
    out << nlohmann::json(job.instances[k]).dump(2);
    if (!out) return Status(StatusCode::Io, "cannot write cell file " + job.cell_files[k].string());
  }
  return Status::ok();
}

CellOutcome LocalExecutor::wait() {
  CellJob job = std::move(*job_);
  job_.reset();
  CellOutcome outcome;
  outcome.id = job.id;
  if (Status written = write_cell_files(job); !written) {
    for (std::size_t k = 0; k < job.instances.size(); ++k) outcome.instances.emplace_back(written);
    return outcome;
  }
  std::vector<ChildSpec> children;
  for (std::size_t k = 0; k < job.instances.size(); ++k) {
    ChildSpec child;
    child.options.timeout = job.timeout;
    child.options.log_file = job.log_files.at(k);
    child.options.echo_stderr = job.echo_stderr;
    child.argv = {worker_.string(), "worker"};
    if (k == 0 && job.on_progress_line) {
      child.options.on_progress_line = job.on_progress_line;
      child.options.on_wait = job.on_wait;
      child.argv.insert(child.argv.end(), {"--progress-fd", std::to_string(kChildProgressFd)});
    }
    child.argv.push_back(job.cell_files[k].string());
    children.push_back(std::move(child));
  }
  outcome.instances = run_children(children, job.instances.size() > 1 ? job.stop_others : nullptr);
  return outcome;
}

}  // namespace inferbench
