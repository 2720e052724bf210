// SPDX-License-Identifier: Apache-2.0
// A bounds check of a .tflite file before LiteRT reads it. LiteRtCreateModelFromFile trusts the
// file's offsets: a truncated file (an interrupted copy or download) makes it read past the end and
// crash the process rather than return an error. The check walks the FlatBuffer from its root to
// the model's buffers (the weights, most of the file) and says what lies outside the file.
#pragma once

#include <optional>
#include <string>

namespace inferbench::litert_c {

// Why the file at `path` cannot be a whole .tflite model ("buffer 6's data ends at byte 9876 of a
// 5380-byte file"), or nothing when every offset checked lies inside it. Reads the whole file.
std::optional<std::string> tflite_file_problem(const std::string& path);

}  // namespace inferbench::litert_c
