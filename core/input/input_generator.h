// SPDX-License-Identifier: Apache-2.0
// Input data: seeded standard-normal float32 (like torch.randn), reproducible on every machine
// because generator and transform are ours (splitmix64 + Box-Muller), not the standard
// library's implementation-defined distributions; or batches of the user's samples (--input).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace inferbench {

// `count` values; value i depends only on (seed, i), so a smaller batch is a prefix of a
// larger one with the same seed.
std::vector<float> make_input(std::uint64_t seed, std::size_t count);

// `count` values from `samples` (whole samples of `sample_size` values, one after the other):
// sample 0, 1, ... in turn, starting again at sample 0 after the last, so a batch larger than
// the data repeats it.
std::vector<float> batch_from_samples(std::span<const float> samples, std::size_t sample_size, std::size_t count);

}  // namespace inferbench
