// SPDX-License-Identifier: Apache-2.0
// A row's profile from a plugin's operators: the category sums and shares, the longest operators
// with the rest summed, coverage against the profiled latency, and the Chrome trace's events.
#include "core/profile/profile_summary.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

ProfiledOp op(std::string name, std::string op_type, double ms, std::string shape = "", double start = -1) {
  ProfiledOp o;
  o.name = std::move(name);
  o.op_type = std::move(op_type);
  o.shape = std::move(shape);
  o.time_ms = ms;
  o.start_ms = start;
  return o;
}

TEST(ProfileSummary, CategoriesSharesAndCoverage) {
  const std::vector<ProfiledOp> ops = {op("conv0", "aten::conv2d", 4, "[32,3,3,3]"),
                                       op("dw1", "aten::conv2d", 3, "[32,1,3,3]"),
                                       op("pw1", "aten::conv2d", 2, "[16,32,1,1]"),
                                       op("relu", "aten::hardtanh_", 0.5), op("fc", "aten::linear", 0.5)};
  const Profile p = summarize_profile(ops, {{"source", "test"}, {"timeline", "measured"}, {"coverage", "all"}}, 12.5, 5, 10);
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.source, "test");
  EXPECT_EQ(p.timeline, "measured");
  EXPECT_EQ(p.coverage_note, "all");
  EXPECT_EQ(p.op_count, 5);
  EXPECT_DOUBLE_EQ(*p.op_ms, 10);
  EXPECT_DOUBLE_EQ(*p.coverage, 0.8);
  EXPECT_DOUBLE_EQ(*p.latency_ms, 12.5);
  EXPECT_EQ(p.warmup, 5);
  EXPECT_EQ(p.runs, 10);
  ASSERT_EQ(p.categories.size(), 5u);
  EXPECT_EQ(p.categories[0].category, "convolution");
  EXPECT_DOUBLE_EQ(p.categories[0].share, 0.4);
  EXPECT_EQ(p.categories[1].category, "depthwise_convolution");
  EXPECT_EQ(p.categories[2].category, "pointwise_convolution");
  // Equal times: the table's order (matmul before activation).
  EXPECT_EQ(p.categories[3].category, "matmul");
  EXPECT_EQ(p.categories[4].category, "activation");
  double shares = 0;
  for (const auto& c : p.categories) shares += c.share;
  EXPECT_NEAR(shares, 1.0, 1e-12);
  EXPECT_EQ(p.ops.front().name, "conv0");
  EXPECT_EQ(p.ops.front().category, "convolution");
  EXPECT_FALSE(p.ops.front().in_delegate.has_value());
}

TEST(ProfileSummary, PluginCategoryWinsWhenKnown) {
  ProfiledOp xnn = op("Convolution (NHWC, F32) #3", "Convolution (NHWC, F32)", 1);
  xnn.category = "depthwise_convolution";
  xnn.in_delegate = 1;
  ProfiledOp unknown = op("x", "Convolution", 1, "[8,8,1,1]");
  unknown.category = "not_a_category";  // ignored: the table decides
  const Profile p = summarize_profile({xnn, unknown}, {}, 0, 0, 1);
  EXPECT_EQ(p.ops[0].category, "depthwise_convolution");
  EXPECT_EQ(p.ops[0].in_delegate, true);
  EXPECT_EQ(p.ops[1].category, "pointwise_convolution");
  // Without a profiled latency there is no coverage.
  EXPECT_FALSE(p.coverage.has_value());
  EXPECT_FALSE(p.latency_ms.has_value());
}

TEST(ProfileSummary, LongestOpsListedAndTheRestSummed) {
  std::vector<ProfiledOp> ops;
  for (int i = 0; i < 30; ++i) ops.push_back(op("op" + std::to_string(i), "Add", 1.0 + i));
  const Profile p = summarize_profile(ops, {}, 1000, 0, 1);
  ASSERT_EQ(p.ops.size(), kProfileTopOps);
  EXPECT_EQ(p.ops.front().name, "op29");
  EXPECT_EQ(p.ops.back().name, "op10");
  EXPECT_EQ(p.rest_ops, 10);
  EXPECT_DOUBLE_EQ(p.rest_ms, 55);  // 1 + 2 + ... + 10
  EXPECT_EQ(p.op_count, 30);
  EXPECT_EQ(p.categories.size(), 1u);
  EXPECT_EQ(p.categories[0].ops, 30);
}

TEST(ProfileSummary, ChromeTraceLaysOutOpsWithoutOverlap) {
  // Measured starts, the second inside the first's span: moved to its end. A delegate op goes on
  // its own thread.
  std::vector<ProfiledOp> ops = {op("a", "Convolution", 2, "", 0), op("b", "Add", 1, "", 1.5)};
  ProfiledOp in_delegate = op("c", "Clamp", 1, "", 0);
  in_delegate.in_delegate = 1;
  ops.push_back(in_delegate);
  Profile p = summarize_profile(ops, {{"timeline", "measured"}}, 4, 0, 3);
  const auto trace = chrome_trace(ops, p, "row", {{"model", "m"}});
  EXPECT_EQ(trace["displayTimeUnit"], "ms");
  EXPECT_EQ(trace["otherData"]["model"], "m");
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") by_name[e["name"]] = e;
  }
  ASSERT_EQ(by_name.size(), 4u);  // a, b, c and the inference
  EXPECT_DOUBLE_EQ(by_name["a"]["ts"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(by_name["a"]["dur"].get<double>(), 2000);
  EXPECT_DOUBLE_EQ(by_name["b"]["ts"].get<double>(), 2000);
  EXPECT_EQ(by_name["a"]["tid"], 1);
  EXPECT_EQ(by_name["c"]["tid"], 2);
  EXPECT_DOUBLE_EQ(by_name["c"]["ts"].get<double>(), 0);
  EXPECT_EQ(by_name["inference"]["tid"], 0);
  EXPECT_DOUBLE_EQ(by_name["inference"]["dur"].get<double>(), 4000);
  EXPECT_EQ(by_name["a"]["args"]["category"], "convolution");

  // Synthesized: back to back in execution order, whatever start the plugin gave.
  p.timeline = "synthesized";
  const auto laid_out = chrome_trace(ops, p, "row", nlohmann::json::object());
  for (const auto& e : laid_out["traceEvents"]) {
    if (e["name"] == "b") {
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 2000);
    }
    if (e["name"] == "c") {
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 3000);
    }
  }
}

}  // namespace
}  // namespace inferbench
