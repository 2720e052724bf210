// SPDX-License-Identifier: Apache-2.0
// Fleet runs (docs/fleet.md): one matrix across the hosts of a Ray cluster. The driver starts one
// coordinator process (tools/fleet/inferbench_fleet, Python, in the fleet environment) and talks
// to it in JSON lines (tools/fleet/PROTOCOL.md): discover the hosts, run one cell on a host, come
// back with how its worker ended. Ray pins each cell to its host and holds the host's one
// benchmark slot while it runs; the binary links nothing of Ray.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/support/status.h"
#include "driver/artefacts.h"
#include "driver/driver.h"
#include "driver/executor.h"

namespace inferbench {

// One host of the cluster as discovery found it: what its own inferbench (`host-info`) said.
struct FleetHost {
  std::string name;     // its Ray node's inferbench/host label
  std::string node_id;
  std::string ip;
  std::string error;    // why discovery failed on it; empty when it answered
  std::string revision;  // its inferbench build's git revision (with "+dirty" when modified)
  nlohmann::json env;    // its environment record (describe_environment())
  std::vector<BackendDescription> backends;  // every backend its build has, as it described them
};

// The hosts a fleet run measures on, into `chosen`: every host that answered discovery (`wanted`
// empty or "all"; one that did not is left out, said through `progress`), or those named. A named
// host that is not there or did not answer, a host whose inferbench is another build than
// `revision`, or no host left: one line, nothing chosen to run.
Status choose_hosts(const std::vector<FleetHost>& found, const std::vector<std::string>& wanted,
                    const std::string& revision, std::vector<FleetHost>& chosen,
                    const std::function<void(const std::string&)>& progress);

// What `inferbench host-info` prints: this build's revision, this machine's environment and every
// backend as this machine describes it. Discovery runs it on each host.
nlohmann::json host_info(const Driver& driver);
// This build's revision as host_info() gives it: "<git revision>" or "<git revision>+dirty".
std::string build_revision();

// An export request and its artefact through JSON: a format compiled for the machine that runs it
// (an AOTInductor package) is built on the host by `inferbench export-artefact REQUEST.json`, which
// prints the artefact's.
nlohmann::json export_request_json(const ExportRequest& request);
ExportRequest export_request_from_json(const nlohmann::json& j);
nlohmann::json artefact_json(const Artefact& artefact);
Artefact artefact_from_json(const nlohmann::json& j);
// `inferbench export-artefact REQUEST.json`: the artefact from this machine's cache, exported when
// missing, as one JSON line on stdout; the exporter's log on stderr. 0 when it is there.
int export_artefact_command(const std::filesystem::path& request_file);

nlohmann::json backend_description_json(const BackendDescription& d);
BackendDescription backend_description_from_json(const nlohmann::json& j);

// The coordinator process and its JSON-lines pipe.
class FleetCoordinator {
 public:
  // Starts the coordinator for the Ray cluster at `address` ("auto": RAY_ADDRESS) and waits for its
  // first line. Fails with one line when the fleet environment is missing or the cluster cannot be
  // reached. Its stderr goes to `log_file`.
  static Result<std::unique_ptr<FleetCoordinator>> start(const std::string& address,
                                                         const std::filesystem::path& log_file);
  ~FleetCoordinator();
  FleetCoordinator(const FleetCoordinator&) = delete;
  FleetCoordinator& operator=(const FleetCoordinator&) = delete;

  // Every host offering a benchmark slot, each described by its own inferbench, by name.
  Result<std::vector<FleetHost>> discover(std::chrono::seconds timeout);

  Status send(const nlohmann::json& message);
  // The next message; an error when the coordinator ended (or nothing came within `timeout`).
  Result<nlohmann::json> receive(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  const std::filesystem::path& log_file() const { return log_file_; }

 private:
  FleetCoordinator() = default;
  std::string ended_reason() const;

  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  std::filesystem::path log_file_;
};

// Cells on the hosts of a fleet: each job goes to its host through the coordinator, which ships
// the files the cell names (artefact, input, labels, reference) by content hash and runs the
// host's own `inferbench worker` there.
class RayExecutor final : public CellExecutor {
 public:
  explicit RayExecutor(FleetCoordinator& coordinator) : coordinator_(coordinator) {}
  void submit(CellJob job) override;
  bool busy() const override { return !in_flight_.empty(); }
  CellOutcome wait() override;

 private:
  FleetCoordinator& coordinator_;
  std::map<int, std::string> in_flight_;  // job id -> host
  std::vector<CellOutcome> ready_;        // outcomes known without waiting (a send that failed)
  std::string broken_;                    // the coordinator ended: why
};

// The files of a cell's artefact that travel with it: the file and its siblings of the same stem
// (an OpenVINO model.xml with its model.bin).
std::vector<std::filesystem::path> artefact_files(const std::filesystem::path& file);

}  // namespace inferbench
