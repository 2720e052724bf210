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
  // Parameters and multiply-adds per 224x224 sample as tools/export/models.py counts them.
  static const std::vector<std::int64_t> kImage = {3, 224, 224};
  static const std::vector<ModelEntry> entries = {
      {"mobilenet_v2", "torchvision MobileNetV2, 3.5 M parameters, 0.30 G multiply-adds (the study's model)", kImage},
      {"mobilenet_v3_small", "torchvision MobileNetV3-Small, 2.5 M parameters, 0.06 G multiply-adds", kImage},
      {"mobilenet_v3_large", "torchvision MobileNetV3-Large, 5.5 M parameters, 0.22 G multiply-adds", kImage},
      {"efficientnet_b0", "torchvision EfficientNet-B0, 5.3 M parameters, 0.39 G multiply-adds", kImage},
      {"resnet18", "torchvision ResNet-18, 11.7 M parameters, 1.8 G multiply-adds", kImage},
      {"resnet50", "torchvision ResNet-50, 25.6 M parameters, 4.1 G multiply-adds", kImage},
      {"regnet_y_400mf", "torchvision RegNetY-400MF, 4.3 M parameters, 0.40 G multiply-adds", kImage},
      {"shufflenet_v2_x1_0", "torchvision ShuffleNetV2 1.0x, 2.3 M parameters, 0.14 G multiply-adds", kImage},
      {"convnext_tiny", "torchvision ConvNeXt-Tiny, 28.6 M parameters, 4.5 G multiply-adds", kImage},
      {"tiny_cnn", "a two-layer test CNN, 10 classes (for fast tests)", {3, 32, 32}, /*testing=*/true},
  };
  return entries;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (std::int64_t dim : shape) {
    if (!text.empty()) text += 'x';
    text += std::to_string(dim);
  }
  return text;
}

bool is_python_model(std::string_view spec) {
  return spec.ends_with(".py") || spec.find(".py:") != std::string_view::npos;
}

std::filesystem::path python_model_file(std::string_view spec) {
  const std::size_t end = spec.rfind(".py");
  return std::filesystem::path(std::string(spec.substr(0, end + 3)));
}

std::string python_model_row_name(std::string_view spec) {
  const std::size_t end = spec.rfind(".py") + 3;
  return python_model_file(spec).filename().string() + std::string(spec.substr(end));
}

const ModelEntry* find_model(std::string_view name) {
  for (const auto& entry : model_catalogue()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace inferbench
