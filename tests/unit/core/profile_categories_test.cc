// SPDX-License-Identifier: Apache-2.0
// The category table on the names each framework's profiler really reports for MobileNetV2
// (OpenVINO's node and exec types, XNNPACK's operator names through ExecuTorch and LiteRT,
// TFLite's built-ins, LibTorch's aten ops and AOTInductor's shims), and on the shapes that tell a
// convolution's kind.
#include "core/profile/categories.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

OpCategory of(std::string_view op_type, std::string_view kernel = "", std::string_view shape = "",
              std::string_view name = "") {
  return categorize({op_type, kernel, name, shape});
}

TEST(ProfileCategories, IdsAndLabelsRoundTrip) {
  EXPECT_EQ(all_categories().size(), 10u);
  for (OpCategory category : all_categories()) {
    EXPECT_EQ(category_from_id(category_id(category)), category);
    EXPECT_FALSE(category_label(category).empty());
  }
  EXPECT_FALSE(category_from_id("convolutions").has_value());
  EXPECT_EQ(category_label(OpCategory::PointwiseConvolution), "pointwise (1x1) convolution");
}

TEST(ProfileCategories, OpenVinoNodesByExecType) {
  EXPECT_EQ(of("Convolution", "brgconv_avx512_1x1_f32"), OpCategory::PointwiseConvolution);
  EXPECT_EQ(of("Convolution", "jit_avx512_dw_f32"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("Convolution", "brgconv_avx512_f32"), OpCategory::Convolution);
  EXPECT_EQ(of("Convolution", "jit_avx512_1x1_I8"), OpCategory::PointwiseConvolution);
  EXPECT_EQ(of("FullyConnected", "brgemm_avx512_f32"), OpCategory::MatMul);
  EXPECT_EQ(of("Reduce", "jit_avx512_f32"), OpCategory::Pooling);
  EXPECT_EQ(of("Eltwise", "jit_avx512_f32"), OpCategory::Elementwise);
  EXPECT_EQ(of("Subgraph", "jit_avx512_f32"), OpCategory::Elementwise);
  EXPECT_EQ(of("Reorder", "jit_uni_f32"), OpCategory::Layout);
  EXPECT_EQ(of("Reshape", "unknown_f32"), OpCategory::Layout);
  EXPECT_EQ(of("FakeQuantize", "jit_avx512_f32"), OpCategory::Quantize);
  // A precision conversion is not a convolution, though its name starts the same way.
  EXPECT_EQ(of("Convert", "unknown_f32"), OpCategory::Quantize);
}

TEST(ProfileCategories, XnnpackOperatorsByMicrokernel) {
  // XNNPACK runs a 1x1 convolution as a GEMM, any other as an indirect GEMM.
  EXPECT_EQ(of("Convolution (NHWC, F32)", "GEMM"), OpCategory::PointwiseConvolution);
  EXPECT_EQ(of("Convolution (NHWC, F32)", "IGEMM"), OpCategory::Convolution);
  EXPECT_EQ(of("Convolution (NHWC, F32)", "DWConv"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("Convolution (NHWC, QC8)", "", "", "Convolution (NHWC, QC8) DWConv #3"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("Fully Connected (NC, F32)", "GEMM"), OpCategory::MatMul);
  EXPECT_EQ(of("Global Average Pooling (NWC, F32)"), OpCategory::Pooling);
  EXPECT_EQ(of("Add (ND, F32)"), OpCategory::Elementwise);
  EXPECT_EQ(of("Clamp (NC, F32)"), OpCategory::Activation);
  EXPECT_EQ(of("Copy (NC, X32)"), OpCategory::Layout);
  EXPECT_EQ(of("Convert (NC, F32, QD8)"), OpCategory::Quantize);
}

TEST(ProfileCategories, TfliteBuiltins) {
  EXPECT_EQ(of("CONV_2D"), OpCategory::Convolution);
  EXPECT_EQ(of("DEPTHWISE_CONV_2D"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("FULLY_CONNECTED"), OpCategory::MatMul);
  EXPECT_EQ(of("HARD_SWISH"), OpCategory::Activation);
  EXPECT_EQ(of("MEAN"), OpCategory::Pooling);
  EXPECT_EQ(of("PADV2"), OpCategory::Layout);
  // A resize multiplies no matrices, though "bilinear" holds "linear".
  EXPECT_EQ(of("RESIZE_BILINEAR"), OpCategory::Other);
  EXPECT_EQ(of("RESIZE_NEAREST_NEIGHBOR"), OpCategory::Other);
  EXPECT_EQ(of("QUANTIZE"), OpCategory::Quantize);
  EXPECT_EQ(of("DEQUANTIZE"), OpCategory::Quantize);
}

TEST(ProfileCategories, TorchOpsByWeightShape) {
  EXPECT_EQ(of("aten::conv2d", "mkldnn_convolution", "[32,1,3,3]"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("aten::conv2d", "mkldnn_convolution", "[96,16,1,1]"), OpCategory::PointwiseConvolution);
  EXPECT_EQ(of("aten::conv2d", "mkldnn_convolution", "[32,3,3,3]"), OpCategory::Convolution);
  EXPECT_EQ(of("aten::_convolution", "", "[ 32, 1, 3, 3 ]"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("aten::linear", "aten::addmm"), OpCategory::MatMul);
  EXPECT_EQ(of("aten::addmm"), OpCategory::MatMul);
  EXPECT_EQ(of("aten::hardtanh_"), OpCategory::Activation);
  EXPECT_EQ(of("aten::adaptive_avg_pool2d"), OpCategory::Pooling);
  EXPECT_EQ(of("aten::add_"), OpCategory::Elementwise);
  EXPECT_EQ(of("aten::flatten"), OpCategory::Layout);
  EXPECT_EQ(of("aten::to_dense"), OpCategory::Layout);
  EXPECT_EQ(of("aten::upsample_bilinear2d"), OpCategory::Other);
  EXPECT_EQ(of("aten::bilinear"), OpCategory::MatMul);  // a bilinear layer: a matrix product
  // "Padding" holds "add": it is still a pad.
  EXPECT_EQ(of("aten::constant_pad_nd"), OpCategory::Layout);
  EXPECT_EQ(of("ReflectionPadding"), OpCategory::Layout);
  EXPECT_EQ(of("aten::dropout"), OpCategory::Other);
  // AOTInductor's shims: "_pointwise" names a fused post-op, not a 1x1 convolution.
  EXPECT_EQ(of("aoti_torch_cpu_mkldnn__convolution_pointwise"), OpCategory::Convolution);
  EXPECT_EQ(of("cpp_fused_hardtanh_0"), OpCategory::Activation);
  EXPECT_EQ(of("cpp_fused_mean_1"), OpCategory::Pooling);
}

TEST(ProfileCategories, GroupedWeightsOfOpenVino) {
  // [groups, out/groups, in/groups, kH, kW]
  EXPECT_EQ(of("GroupConvolution", "", "[32,1,1,3,3]"), OpCategory::DepthwiseConvolution);
  EXPECT_EQ(of("GroupConvolution", "", "[4,8,8,3,3]"), OpCategory::Convolution);
  EXPECT_EQ(of("GroupConvolution", "", "[4,8,8,1,1]"), OpCategory::PointwiseConvolution);
}

TEST(ProfileCategories, ShapeOutranksKernelName) {
  // The kernel's words are a hint; the weight says what the layer is.
  EXPECT_EQ(of("Convolution", "gemm_any", "[32,1,3,3]"), OpCategory::DepthwiseConvolution);
  // A shape that is not a list of integers is ignored.
  EXPECT_EQ(of("Convolution", "jit_avx512_dw_f32", "[?,1,3,3]"), OpCategory::DepthwiseConvolution);
}

TEST(ProfileCategories, UnknownIsOther) {
  EXPECT_EQ(of(""), OpCategory::Other);
  EXPECT_EQ(of("Input"), OpCategory::Other);
  EXPECT_EQ(of("TfLiteXNNPackDelegate"), OpCategory::Other);
}

}  // namespace
}  // namespace inferbench
