// SPDX-License-Identifier: Apache-2.0
// The backend and model catalogues.
#include "driver/catalogue.h"

#include <algorithm>

namespace inferbench {

const std::vector<BackendEntry>& backend_catalogue() {
  static const std::vector<BackendEntry> entries = {
      {"torch",
       "PyTorch",
       "torchscript",
       {"cpu", "cuda"},
       {"fp32", "fp16", "bf16"},
       false,
       {{"eager", "PyTorch (Native)", "torchscript", {{"cpu", "fp32"}, {"cuda", "fp32"}, {"cuda", "fp16"}}},
        {"cuda_graph", "PyTorch (CUDA graph)", "torchscript", {{"cuda", "fp16"}}},
        {"aoti", "PyTorch (AOTInductor)", "aoti", {{"cpu", "fp32"}, {"cpu", "bf16"}, {"cuda", "fp16"}}},
        {"aoti_cuda_graph", "PyTorch (AOTInductor + CUDA graph)", "aoti", {{"cuda", "fp16"}}}}},
      {"openvino", "OpenVINO", "openvino-ir", {"cpu", "gpu"}, {"fp32", "bf16", "int8"}, false, {}},
      {"executorch", "ExecuTorch", "pte", {"cpu"}, {"fp32", "int8"}, false, {}},
      {"litert", "TFLite (LiteRT)", "tflite", {"cpu"}, {"fp32", "int8"}, false, {}},
      {"tensorrt", "TensorRT", "onnx", {"cuda"}, {"fp16"}, false, {}},
      {"noop", "Testing (noop)", "none", {"cpu"}, {"fp32"}, true, {}},
      {"abort", "Testing (abort)", "none", {"cpu"}, {"fp32"}, true, {}},
      {"hang", "Testing (hang)", "none", {"cpu"}, {"fp32"}, true, {}},
      {"bad_output", "Testing (bad_output)", "none", {"cpu"}, {"fp32"}, true, {}},
  };
  return entries;
}

const BackendEntry* find_backend(std::string_view name) {
  for (const auto& entry : backend_catalogue()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

BackendSelector parse_backend_selector(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return {std::string(text), ""};
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::optional<Target> parse_target(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return Target{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::vector<Target> cross_targets(const std::vector<std::string>& devices,
                                  const std::vector<std::string>& precisions) {
  std::vector<Target> targets;
  for (const auto& device : devices) {
    for (const auto& precision : precisions) targets.push_back({device, precision});
  }
  return targets;
}

namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

std::vector<std::string> target_devices(const std::vector<Target>& targets) {
  std::vector<std::string> devices;
  for (const auto& t : targets) add_unique(devices, t.device);
  return devices;
}

std::vector<std::string> target_precisions(const std::vector<Target>& targets) {
  std::vector<std::string> precisions;
  for (const auto& t : targets) add_unique(precisions, t.precision);
  return precisions;
}

std::string targets_summary(const std::vector<Target>& targets) {
  std::string text;
  for (const auto& device : target_devices(targets)) {
    text += (text.empty() ? "" : "; ") + device;
    bool first = true;
    for (const auto& t : targets) {
      if (t.device != device) continue;
      text += (first ? " " : ", ") + t.precision;
      first = false;
    }
  }
  return text;
}

std::string artefact_precision(const std::string& format, const std::string& precision) {
  if (format == "torchscript") return "fp32";
  if (format == "aoti") return precision;
  return precision == "int8" ? "int8" : "fp32";
}

bool artefact_per_device(const std::string& format) { return format == "aoti"; }

std::map<std::string, std::string> exporter_flags(const std::string& format,
                                                  const std::map<std::string, std::string>& options) {
  std::map<std::string, std::string> flags;
  if (format == "aoti") {
    if (auto it = options.find("aoti_autotune"); it != options.end() && it->second != "off") {
      flags["--aoti-autotune"] = it->second;
    }
  }
  return flags;
}

bool artefact_per_batch(const std::string& format) {
  return format == "pte" || format == "tflite" || format == "aoti";
}

const std::vector<ModelEntry>& model_catalogue() {
  static const std::vector<ModelEntry> entries = {
      {"mobilenet_v2", "torchvision MobileNetV2, 3,504,872 parameters, 3x224x224 input, 1000 classes"},
      {"tiny_cnn", "a two-layer test CNN, 3x32x32 input, 10 classes (for fast tests)"},
  };
  return entries;
}

const ModelEntry* find_model(std::string_view name) {
  for (const auto& entry : model_catalogue()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace inferbench
