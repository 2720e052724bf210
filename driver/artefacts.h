// SPDX-License-Identifier: Apache-2.0
// Model artefacts: exported once by the Python exporters under tools/export and cached by a
// content hash of everything that decides their bytes; or a user's own file, used as is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/support/status.h"

namespace inferbench {

struct Artefact {
  std::filesystem::path file;
  std::string model;
  std::string format;      // "torchscript", ...
  std::string precision;   // of the artefact itself ("fp32" for a TorchScript FP32 trace)
  std::vector<std::int64_t> sample_shape;  // one sample's input shape, e.g. {3, 224, 224}
  std::optional<double> export_ms;
  std::optional<std::int64_t> bytes;
  std::optional<std::int64_t> params;
  std::optional<std::int64_t> macs_per_sample;  // the exporter's count; empty for a user's file
  nlohmann::json manifest;   // the exporter's manifest (empty for a user file)
  bool cached = false;       // reused from the cache rather than exported now
};

struct ExportRequest {
  std::string model;       // a name from tools/export/models.py
  std::string format;
  std::string precision;
  std::uint64_t seed = 0;  // weight initialisation seed (no hub is reachable)
  std::optional<std::filesystem::path> weights;
  // The batch the artefact is compiled for, for formats with a fixed input shape (pte, tflite;
  // see artefact_per_batch()); empty for batch-generic formats.
  std::optional<int> batch;
  // The device the artefact is compiled for, for formats compiled for one device (aoti; see
  // artefact_per_device()); empty for the others.
  std::optional<std::string> device;
  // Exporter flags a backend option asks for ("--aoti-autotune" -> "max"; exporter_flags()):
  // they change what is made, so they are part of the content key.
  std::map<std::string, std::string> flags;
  // INT8: the user's calibration data (--calibration: a .npy array or a folder of images) instead
  // of the exporters' seeded synthetic set; its content is part of the key. Empty otherwise.
  std::optional<std::filesystem::path> calibration;
  // The user's FILE.py[:NAME] models (is_python_model): one sample's input shape, which their code
  // cannot say; empty for catalogue models. The file's content is part of the key as well.
  std::vector<std::int64_t> sample_shape;
};

class ArtefactCache {
 public:
  // `root` holds one folder per content key; `python` runs `tools_dir`/export.py.
  ArtefactCache(std::filesystem::path root, std::string python, std::filesystem::path tools_dir);

  // The default root: $INFERBENCH_CACHE/artefacts or ~/.cache/inferbench/artefacts.
  static std::filesystem::path default_root();

  // Returns the cached artefact for `request` or runs the exporter (its stderr goes to
  // `log_file` when set). Fails with the exporter's last error line.
  Result<Artefact> get(const ExportRequest& request,
                       const std::optional<std::filesystem::path>& log_file = std::nullopt) const;

  // The artefact file `request` would get from the cache without exporting, or nothing when it
  // would be exported (for `run --dry-run`).
  std::optional<std::filesystem::path> cached(const ExportRequest& request) const;

  // Manifests of every artefact in the cache, for `inferbench models`, each with "folder",
  // "disk_bytes" (the folder's size) and "current": whether this build's exporters would reuse
  // it (same exporter code and Pythons; see exporter_fingerprint).
  std::vector<nlohmann::json> manifests() const;

  // A hash of what, beside the request, decides an artefact's bytes: the exporters' code and
  // the Pythons that run them for `format`. Written beside each artefact it exports (kFingerprintFile),
  // so that an artefact left by older exporter code or another environment can be told apart.
  std::string exporter_fingerprint(const std::string& format) const;

  // Deletes the artefacts this build would not reuse (`current` false), folders without a
  // manifest, and staging folders of exports whose process is gone. Use it while no run is
  // using the cache.
  struct Pruned {
    int folders = 0;
    std::uintmax_t bytes = 0;
  };
  Result<Pruned> prune() const;

  static constexpr const char* kFingerprintFile = "exporter.fingerprint";
  // The host that exported the artefact (for a cache shared between hosts).
  static constexpr const char* kHostFile = "exported.host";

  const std::filesystem::path& root() const { return root_; }

  // The folder name `request`'s artefact is cached under: readable parts and a hash of everything
  // that decides its bytes (the exporters, the request, and the content of the files it reads:
  // weights, calibration data, a FILE.py model and the Python files beside it).
  std::string content_key(const ExportRequest& request) const;

 private:
  std::filesystem::path root_;
  std::string python_;
  std::filesystem::path tools_dir_;
};

// A user's artefact file: must exist and be a regular, non-empty file.
Result<Artefact> user_artefact(const std::filesystem::path& file,
                               std::vector<std::int64_t> sample_shape);

// "XNNPACK took 217 operators in 1 call; outside it: 18 dim_order_ops__to_dim_order_copy_default,
// 1 getitem", "XNNPACK took 123 operators in 20 partitions; outside it: 19 HARD_SWISH": the
// exporter's record of how a program was delegated (the ExecuTorch exporter's manifest
// "delegation", the LiteRT exporter's "xnnpack"); empty when the manifest has neither.
std::optional<std::string> delegation_text(const nlohmann::json& manifest);

// "user data (npy; ...); 300 samples, sha256 ...; nncf.quantize (...)": what an
// INT8 artefact was calibrated on, from its manifest (the words of handoff.calibration_text);
// empty when the manifest records no calibration.
std::optional<std::string> calibration_text(const nlohmann::json& manifest);

// Builds the user's FILE.py[:NAME] model (is_python_model) with the project's Python and runs it
// on one zero sample of `sample_shape` (tools/export/models.py --check), before anything is
// exported: a model that cannot be imported, built or run is an Input error with one line.
Status check_python_model(const std::string& spec, const std::vector<std::int64_t>& sample_shape, std::uint64_t seed,
                          const std::optional<std::filesystem::path>& weights);

// The project's Python, or an Unavailable error saying that `needed_by` ("--input") needs it.
Result<std::string> usable_project_python(const std::string& needed_by);

// The project's Python (INFERBENCH_PYTHON, else the one found at configure time) and the
// exporters' folder (INFERBENCH_TOOLS, else the source tree's tools/export).
std::string project_python();
std::filesystem::path exporter_dir();
// The ExecuTorch environment's Python, which export.py hands the pte export to
// (INFERBENCH_EXECUTORCH_PYTHON, else the one found at configure time); empty when there is none.
std::string executorch_python();
// The LiteRT environment's Python, which export.py hands the tflite export to
// (INFERBENCH_LITERT_PYTHON, else the one found at configure time); empty when there is none.
std::string litert_python();

}  // namespace inferbench
