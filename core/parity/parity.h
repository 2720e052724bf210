// SPDX-License-Identifier: Apache-2.0
// Numerical agreement of a backend's output with the FP32 reference on the same input.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/result/row.h"
#include "core/support/status.h"

namespace inferbench {

// Compares `output` with `reference`, both [batch, classes] row-major float32 (any output
// whose last dimension is `classes`). Fails when sizes differ or a value is not finite.
Result<Parity> compare_outputs(std::span<const float> output, std::span<const float> reference,
                               std::int64_t classes);

// Fraction of the samples of `output` ([samples, classes] row-major) whose label is among
// their k largest outputs (a value tied with the k-th largest counts as among them). Fails when
// a label is outside [0, classes) or the counts do not match.
Result<double> top_k_accuracy(std::span<const float> output, std::span<const std::int32_t> labels,
                              std::int64_t classes, int k);

// Top-1 and top-5 accuracy (top-5 with more than 5 classes) of `output`, and of `reference` unless
// it is empty, against `labels`, one per sample.
Result<LabelAccuracy> label_accuracy(std::span<const float> output, std::span<const float> reference,
                                     std::span<const std::int32_t> labels, std::int64_t classes);

// Number of NaN or infinite values.
std::size_t count_non_finite(std::span<const float> values);

}  // namespace inferbench
