// SPDX-License-Identifier: Apache-2.0
// The one table that puts every framework's operators into the same few categories, so that
// profiles of different runtimes can be set side by side (docs/metrics.md, "Where the time goes").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inferbench {

enum class OpCategory {
  Convolution,           // a dense convolution with a spatial kernel (3x3, 7x7)
  DepthwiseConvolution,  // one filter per channel
  PointwiseConvolution,  // 1x1: a matrix multiply over channels
  MatMul,                // matmul, fully connected, linear
  Activation,            // ReLU, clamp, hard-swish, sigmoid, softmax
  Pooling,               // average/max pooling, global mean, reductions
  Elementwise,           // add, multiply, batch norm's scale and shift
  Layout,                // reshape, copy, transpose, reorder, padding, concatenation
  Quantize,              // quantize, dequantize, requantize, precision conversion
  Other,
};

// Every category, in the order reports list them.
const std::vector<OpCategory>& all_categories();

// "depthwise_convolution": the id rows and plugins use.
std::string_view category_id(OpCategory category);
// "depthwise convolution": what reports print.
std::string_view category_label(OpCategory category);
std::optional<OpCategory> category_from_id(std::string_view id);
// The label of a category id, or the id itself when it is no category's.
std::string category_label_of(std::string_view id);

// What is known of one operator for the table: the framework's op type ("Convolution",
// "aten::conv2d", "CONV_2D", "Convolution (NHWC, F32)"), the kernel that ran
// ("jit_avx512_dw_f32", "mkldnn_convolution", "DWConv"), its name, and its weight shape
// ("[32,1,3,3]"; "" when unknown).
struct OpDescription {
  std::string_view op_type;
  std::string_view kernel;
  std::string_view name;
  std::string_view shape;
};

// The operator's category: the family from its op type (else its kernel, else its name), and a
// convolution told depthwise or pointwise from its kernel's name or its weight shape.
OpCategory categorize(const OpDescription& op);

}  // namespace inferbench
