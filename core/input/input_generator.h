// SPDX-License-Identifier: Apache-2.0
// Seeded input data: standard-normal float32 (like torch.randn), reproducible on every
// machine because generator and transform are ours (splitmix64 + Box-Muller), not the
// standard library's implementation-defined distributions.
#pragma once

#include <cstdint>
#include <vector>

namespace inferbench {

// `count` values; value i depends only on (seed, i), so a smaller batch is a prefix of a
// larger one with the same seed.
std::vector<float> make_input(std::uint64_t seed, std::size_t count);

}  // namespace inferbench
