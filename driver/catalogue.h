// SPDX-License-Identifier: Apache-2.0
// What the driver knows about backends and models without loading any framework: names, the
// artefact format each plugin loads, and labels for rows of plugins that are not built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inferbench {

struct BackendEntry {
  std::string name;             // plugin name, "torch"
  std::string framework;        // table label, "PyTorch (Native)"
  std::string artefact_format;  // exporter --format, "torchscript"; "none" for test plugins
  std::vector<std::string> default_devices;     // rows to report when the plugin is missing
  std::vector<std::string> default_precisions;
  bool testing = false;         // test-only plugin, never part of --backends all
};

// Every backend this version knows, product backends first.
const std::vector<BackendEntry>& backend_catalogue();
const BackendEntry* find_backend(std::string_view name);

struct ModelEntry {
  std::string name;
  std::string description;
};

// Models the exporters can build (tools/export/models.py is authoritative).
const std::vector<ModelEntry>& model_catalogue();
const ModelEntry* find_model(std::string_view name);

inline const std::vector<std::string> kKnownDevices = {"cpu", "cuda", "gpu", "npu"};
inline const std::vector<std::string> kKnownPrecisions = {"fp32", "fp16", "bf16", "int8"};
// sync: one request at a time, synchronised after each (the study's latency protocol);
// async: several requests in flight (throughput mode).
inline const std::vector<std::string> kKnownScenarios = {"sync", "async"};

// The precision of the artefact a backend loads to run `precision`: INT8 needs a quantised
// artefact of its own; every other precision is derived by the framework from the FP32 one
// (TorchScript is always exported in FP32).
std::string artefact_precision(const std::string& format, const std::string& precision);

// Whether an artefact of `format` is compiled for one batch size, so that each batch of a sweep
// is exported on its own: an ExecuTorch program (pte) has static shapes, memory-planned ahead of
// time. Every other format is batch-generic.
bool artefact_per_batch(const std::string& format);

}  // namespace inferbench
