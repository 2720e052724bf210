// SPDX-License-Identifier: Apache-2.0
// The user's input data (--input): a .npy array or a folder of images, turned into raw float32
// samples by tools/export/input_data.py once per run and sample shape, for every worker to read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/support/status.h"

namespace inferbench {

struct InputData {
  std::filesystem::path file;  // the samples, raw little-endian float32, one after the other
  int samples = 0;
  // Their true classes (--labels, or the class folders of a folder of images), int32 one per
  // sample; none without labels.
  std::optional<std::filesystem::path> labels_file;
  // What input_data.py said of them: samples, source ("npy" or "images"), preprocess, sha256 of
  // the samples, and for images the file names in the order used.
  nlohmann::json description;
};

// Converts `source` (its first `limit` samples, when given) into samples of `sample_shape` in
// `file` with the project's Python, and their labels (from `labels`, or the source's class
// folders) into `file` with the suffix ".labels". A source or labels that do not fit (wrong shape,
// no images, unreadable, too few labels) are an Input error with the script's one line; its whole
// output goes to `log_file` when given.
Result<InputData> prepare_input_data(const std::filesystem::path& source, const std::vector<std::int64_t>& sample_shape,
                                     const std::filesystem::path& file, std::optional<int> limit,
                                     const std::optional<std::filesystem::path>& log_file,
                                     const std::optional<std::filesystem::path>& labels = std::nullopt);

}  // namespace inferbench
