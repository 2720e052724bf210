// SPDX-License-Identifier: Apache-2.0
#include "core/profile/categories.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace inferbench {
namespace {

struct CategoryName {
  OpCategory category;
  std::string_view id;
  std::string_view label;
};

constexpr std::array<CategoryName, 10> kNames = {{
    {OpCategory::Convolution, "convolution", "convolution"},
    {OpCategory::DepthwiseConvolution, "depthwise_convolution", "depthwise convolution"},
    {OpCategory::PointwiseConvolution, "pointwise_convolution", "pointwise (1x1) convolution"},
    {OpCategory::MatMul, "matmul", "matmul / fully connected"},
    {OpCategory::Activation, "activation", "activation"},
    {OpCategory::Pooling, "pooling", "pooling"},
    {OpCategory::Elementwise, "elementwise", "elementwise"},
    {OpCategory::Layout, "layout", "reshape / copy / layout"},
    {OpCategory::Quantize, "quantize", "quantize / dequantize"},
    {OpCategory::Other, "other", "other"},
}};

// The families after convolution, tried in this order on a lower-cased name: the first whose
// word appears wins. The order settles names that hold two words: a resize before "linear"
// ("RESIZE_BILINEAR", "upsample_bilinear2d" multiply no matrices), "matmul" before "mul",
// "addmm" before "add", "pad" before "add" ("Padding"), "quantize" before "relu"
// ("quantized_relu" quantizes nothing, but is rare; a quantize op named after its consumer is not).
struct Family {
  OpCategory category;
  std::array<std::string_view, 12> words;
};

const std::array<Family, 9> kFamilies = {{
    {OpCategory::Other, {"resize", "upsample", "interpolate"}},
    {OpCategory::MatMul, {"matmul", "fully connected", "fullyconnected", "fully_connected", "linear", "addmm", "gemm",
                          "innerproduct", "inner_product", "bmm"}},
    {OpCategory::Quantize, {"quantize", "dequantize", "requantize", "fakequantize", "convert"}},
    {OpCategory::Pooling, {"pool", "mean", "reduce", "avg"}},
    {OpCategory::Activation, {"relu", "clamp", "hardtanh", "hard_tanh", "swish", "sigmoid", "gelu", "tanh", "silu",
                              "softmax", "elu", "clip"}},
    {OpCategory::Layout, {"pad"}},
    {OpCategory::Elementwise, {"add", "sub", "mul", "div", "eltwise", "binary", "batch_norm", "batchnorm", "maximum",
                               "minimum", "subgraph", "scaleshift"}},
    {OpCategory::Layout, {"reshape", "view", "flatten", "squeeze", "transpose", "permute", "reorder", "copy",
                          "concat", "contiguous", "slice"}},
    {OpCategory::Layout, {"to_dense", "to_mkldnn", "split", "gather", "shape", "stack", "expand", "aten::cat"}},
}};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Whether `name` holds "conv" other than as the start of "convert" (a precision conversion).
bool names_convolution(const std::string& name) {
  for (size_t at = name.find("conv"); at != std::string::npos; at = name.find("conv", at + 1)) {
    if (name.compare(at, 7, "convert") != 0) return true;
  }
  return false;
}

std::optional<OpCategory> family_of(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const std::string name = lower(text);
  if (names_convolution(name)) return OpCategory::Convolution;
  for (const Family& family : kFamilies) {
    for (std::string_view word : family.words) {
      if (!word.empty() && name.find(word) != std::string::npos) return family.category;
    }
  }
  return std::nullopt;
}

// The words of a kernel name, split at anything but a letter or digit: "jit_avx512_dw_f32" ->
// jit, avx512, dw, f32; "Convolution (NHWC, F32) IGEMM" -> convolution, nhwc, f32, igemm.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// "[32,1,3,3]" -> {32, 1, 3, 3}; empty when it is not a list of integers.
std::vector<long long> shape_of(std::string_view text) {
  std::vector<long long> dims;
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return dims;
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    long long value = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (error != std::errc() || end != item.data() + item.size()) return {};
    dims.push_back(value);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return dims;
}

// A convolution's kind from its weight: [O, I/groups, kH, kW] (PyTorch, OpenVINO's Convolution),
// or [groups, O/groups, I/groups, kH, kW] (OpenVINO's GroupConvolution).
std::optional<OpCategory> convolution_from_shape(std::string_view text) {
  const std::vector<long long> dims = shape_of(text);
  if (dims.size() == 4) {
    if (dims[2] == 1 && dims[3] == 1) return OpCategory::PointwiseConvolution;
    if (dims[1] == 1 && dims[0] > 1) return OpCategory::DepthwiseConvolution;
    return OpCategory::Convolution;
  }
  if (dims.size() == 5) {
    if (dims[3] == 1 && dims[4] == 1) return OpCategory::PointwiseConvolution;
    if (dims[1] == 1 && dims[2] == 1) return OpCategory::DepthwiseConvolution;
    return OpCategory::Convolution;
  }
  return std::nullopt;
}

// A convolution's kind from its kernel's name: oneDNN's "dw" and "1x1", XNNPACK's "DWConv" and
// "GEMM" (XNNPACK runs a 1x1 convolution as a plain GEMM, any other as an indirect "IGEMM").
std::optional<OpCategory> convolution_from_kernel(std::string_view kernel, std::string_view name) {
  for (std::string_view text : {kernel, name}) {
    for (const std::string& word : words_of(text)) {
      if (word == "dw" || word == "dwconv" || word == "depthwise") return OpCategory::DepthwiseConvolution;
      if (word == "1x1" || word == "gemm") return OpCategory::PointwiseConvolution;
    }
    if (lower(text).find("depthwise") != std::string::npos) return OpCategory::DepthwiseConvolution;
  }
  return std::nullopt;
}

}  // namespace

const std::vector<OpCategory>& all_categories() {
  static const std::vector<OpCategory> categories = [] {
    std::vector<OpCategory> all;
    for (const auto& n : kNames) all.push_back(n.category);
    return all;
  }();
  return categories;
}

std::string_view category_id(OpCategory category) {
  for (const auto& n : kNames) {
    if (n.category == category) return n.id;
  }
  return "other";
}

std::string_view category_label(OpCategory category) {
  for (const auto& n : kNames) {
    if (n.category == category) return n.label;
  }
  return "other";
}

std::optional<OpCategory> category_from_id(std::string_view id) {
  for (const auto& n : kNames) {
    if (n.id == id) return n.category;
  }
  return std::nullopt;
}

std::string category_label_of(std::string_view id) {
  const auto category = category_from_id(id);
  return std::string(category ? category_label(*category) : id);
}

OpCategory categorize(const OpDescription& op) {
  std::optional<OpCategory> family = family_of(op.op_type);
  if (!family) family = family_of(op.kernel);
  if (!family) family = family_of(op.name);
  if (!family) return OpCategory::Other;
  // A depthwise convolution that a framework names as its own op type ("DEPTHWISE_CONV_2D").
  if (*family == OpCategory::Convolution) {
    if (lower(op.op_type).find("depthwise") != std::string::npos) return OpCategory::DepthwiseConvolution;
    if (auto from_shape = convolution_from_shape(op.shape)) return *from_shape;
    if (auto from_kernel = convolution_from_kernel(op.kernel, op.name)) return *from_kernel;
  }
  return *family;
}

}  // namespace inferbench
