// SPDX-License-Identifier: Apache-2.0
// What the driver knows about backends and models without loading any framework: names, the
// artefact format each plugin loads, and labels for rows of plugins that are not built.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inferbench {

// One device/precision pair a backend runs, "cuda" "fp16".
struct Target {
  std::string device;
  std::string precision;
  bool operator==(const Target&) const = default;
};

// One way a backend runs a model (the plugin's ib_variant_info), as known without the plugin.
struct VariantEntry {
  std::string name;             // "aoti", selected with --backends torch:aoti
  std::string framework;        // table label of its rows, "PyTorch (AOTInductor)"
  std::string artefact_format;  // exporter --format, "aoti"
  std::vector<Target> targets;  // rows to report when the plugin is missing
};

struct BackendEntry {
  std::string name;             // plugin name, "torch"
  std::string framework;        // table label, "OpenVINO"; the framework as a whole ("PyTorch") with variants
  std::string artefact_format;  // exporter --format, "torchscript"; "none" for test plugins
  std::vector<std::string> default_devices;     // rows to report when the plugin is missing
  std::vector<std::string> default_precisions;
  bool testing = false;         // test-only plugin, never part of --backends all
  std::vector<VariantEntry> variants;  // empty: the backend runs one way only
};

// Every backend this version knows, product backends first.
const std::vector<BackendEntry>& backend_catalogue();
const BackendEntry* find_backend(std::string_view name);

// What `--backends` names: a backend ("torch": every variant) or one variant ("torch:aoti").
struct BackendSelector {
  std::string backend;
  std::string variant;  // empty = every variant of the backend
};
BackendSelector parse_backend_selector(std::string_view text);

// The backend and variant of the FP32 reference output for parity: PyTorch's eager TorchScript
// module on the CPU.
inline constexpr const char* kReferenceBackend = "torch";
inline constexpr const char* kReferenceVariant = "eager";

// "cpu:fp32" -> {cpu, fp32}; an item without ':' gives nothing.
std::optional<Target> parse_target(std::string_view text);
// Every pair of `devices` and `precisions`, devices outermost.
std::vector<Target> cross_targets(const std::vector<std::string>& devices,
                                  const std::vector<std::string>& precisions);
// The devices, then the precisions, of `targets` in first-seen order.
std::vector<std::string> target_devices(const std::vector<Target>& targets);
std::vector<std::string> target_precisions(const std::vector<Target>& targets);
// "cpu fp32, bf16; cuda fp16": targets grouped by device, for messages and `inferbench backends`.
std::string targets_summary(const std::vector<Target>& targets);

struct ModelEntry {
  std::string name;
  std::string description;
  std::vector<std::int64_t> sample_shape;  // one sample's input, e.g. {3, 224, 224}
  bool testing = false;  // for the test suite: left out of `--model all`
};

// Models the exporters can build (tools/export/models.py is authoritative).
const std::vector<ModelEntry>& model_catalogue();
const ModelEntry* find_model(std::string_view name);

// The user's own PyTorch model as Python code, exported like a catalogue model
// (tools/export/models.py): "FILE.py" or "FILE.py:NAME", NAME (default `model`) the function or
// class in FILE that builds it. Whether `spec` names one, its file, and what rows call it
// ("net.py", "net.py:Net").
bool is_python_model(std::string_view spec);

// "3x224x224": a sample shape as the exporters' --sample-shape and --input-shape take it.
std::string shape_text(const std::vector<std::int64_t>& shape);
std::filesystem::path python_model_file(std::string_view spec);
std::string python_model_row_name(std::string_view spec);

inline const std::vector<std::string> kKnownDevices = {"cpu", "cuda", "gpu", "npu"};
inline const std::vector<std::string> kKnownPrecisions = {"fp32", "fp16", "bf16", "int8"};
// Every scenario --scenarios names (core/result/scenario.h says what each measures).
inline const std::vector<std::string> kKnownScenarios = {"sync",   "async",  "single-stream",
                                                         "multi-stream", "server", "offline"};

// The precision of the artefact a backend loads to run `precision`: INT8 needs a quantised
// artefact of its own; an AOTInductor package is compiled in the precision it runs; every other
// precision is derived by the framework from the FP32 one (TorchScript is always exported in
// FP32).
std::string artefact_precision(const std::string& format, const std::string& precision);

// Whether an artefact of `format` is compiled for one device, so that it is exported per device
// (--device): an AOTInductor package holds kernels for the CPU or for a CUDA GPU. Every other
// format runs on any device its framework drives.
bool artefact_per_device(const std::string& format);
// The exporter flags that a backend's options ask of the artefact `format`: torch's
// aoti_autotune=max is `--aoti-autotune max` for the aoti format. The option's default (off) asks
// nothing, so default packages keep their cache key.
std::map<std::string, std::string> exporter_flags(const std::string& format,
                                                  const std::map<std::string, std::string>& options);

// Whether an artefact of `format` is compiled for one batch size, so that each batch of a sweep
// is exported on its own: an ExecuTorch program (pte) has static shapes, memory-planned ahead of
// time, a LiteRT model (tflite) is converted with a static batch, and an AOTInductor package
// (aoti) is compiled for the example input's shape. Every other format is batch-generic.
bool artefact_per_batch(const std::string& format);

}  // namespace inferbench
