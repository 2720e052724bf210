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

// Number of NaN or infinite values.
std::size_t count_non_finite(std::span<const float> values);

}  // namespace inferbench
