// SPDX-License-Identifier: Apache-2.0
// The backend and model catalogues.
#include "driver/catalogue.h"

namespace inferbench {

const std::vector<BackendEntry>& backend_catalogue() {
  static const std::vector<BackendEntry> entries = {
      {"torch", "PyTorch (Native)", "torchscript", {"cpu"}, {"fp32"}, false},
      {"openvino", "OpenVINO", "openvino-ir", {"cpu", "gpu"}, {"fp32", "bf16", "int8"}, false},
      {"executorch", "ExecuTorch", "pte", {"cpu"}, {"fp32", "int8"}, false},
      {"litert", "TFLite (LiteRT)", "tflite", {"cpu"}, {"fp32"}, false},
      {"tensorrt", "TensorRT", "tensorrt", {"cuda"}, {"fp16"}, false},
      {"noop", "Testing (noop)", "none", {"cpu"}, {"fp32"}, true},
      {"abort", "Testing (abort)", "none", {"cpu"}, {"fp32"}, true},
      {"hang", "Testing (hang)", "none", {"cpu"}, {"fp32"}, true},
      {"bad_output", "Testing (bad_output)", "none", {"cpu"}, {"fp32"}, true},
  };
  return entries;
}

const BackendEntry* find_backend(std::string_view name) {
  for (const auto& entry : backend_catalogue()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::string artefact_precision(const std::string& format, const std::string& precision) {
  if (format == "torchscript") return "fp32";
  return precision == "int8" ? "int8" : "fp32";
}

bool artefact_per_batch(const std::string& format) { return format == "pte"; }

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
