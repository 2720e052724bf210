// SPDX-License-Identifier: Apache-2.0
// Row and Cell survive a JSON round trip (the worker protocol relies on it).
#include <gtest/gtest.h>

#include "core/result/cell.h"
#include "core/result/row.h"

namespace inferbench {
namespace {

TEST(RowJson, RoundTripKeepsOptionalsEmpty) {
  Row row;
  row.framework = "PyTorch (Native)";
  row.status = RowStatus::Ok;
  row.batch = 64;
  row.compile_ms = 12.5;
  row.latency_ms = LatencySummary{1, 2, 3, 4, 5, 0.5, 6, 2, 0.1, 0.05};
  row.p99_ci_ms = QuantileInterval{3.5, std::nullopt, 0.63, 61.5};
  row.latency_samples_ms = {1.0, 2.0};
  row.effective["threads"] = "2";
  const Row back = nlohmann::json(row).get<Row>();
  EXPECT_EQ(nlohmann::json(back), nlohmann::json(row));
  EXPECT_FALSE(back.parity.has_value());
  EXPECT_FALSE(back.p99_ci_ms->hi.has_value());
  EXPECT_EQ(back.p99_ci_ms->effective_samples, 61.5);
  // A row stored before intervals allowed for correlation reads back without the count.
  nlohmann::json old = row;
  old["p99_ci_ms"].erase("effective_samples");
  EXPECT_FALSE(old.get<Row>().p99_ci_ms->effective_samples.has_value());
  EXPECT_TRUE(nlohmann::json(row)["export_ms"].is_null());
  EXPECT_TRUE(nlohmann::json(row)["cached_compile_ms"].is_null());
  row.cached_compile_ms = 3.25;
  EXPECT_EQ(nlohmann::json(row).get<Row>().cached_compile_ms, 3.25);
}

TEST(RowJson, ParitySamplesAndAccuracyRoundTrip) {
  Row row;
  row.parity = Parity{0.25, 0.999, 0.98, "PyTorch (Native) CPU FP32", 1000};
  row.accuracy = LabelAccuracy{1000, 0.7, 0.9, 0.72, std::nullopt};
  const Row back = nlohmann::json(row).get<Row>();
  ASSERT_TRUE(back.parity && back.accuracy);
  EXPECT_EQ(back.parity->samples, 1000);
  EXPECT_EQ(*back.accuracy, *row.accuracy);
  EXPECT_TRUE(nlohmann::json(row)["accuracy"]["reference_top5"].is_null());
  // A row stored before parity counted its samples, or before accuracy, reads back without them.
  nlohmann::json old = row;
  old["parity"].erase("samples");
  old.erase("accuracy");
  EXPECT_FALSE(old.get<Row>().parity->samples);
  EXPECT_FALSE(old.get<Row>().accuracy);
}

TEST(RowJson, VariantAndDeviceMeasurementsRoundTrip) {
  Row row;
  row.backend = "torch";
  row.variant = "cuda_graph";
  row.device_time_samples_ms = {2.5, 2.625};
  row.device_time_ms = LatencySummary{2.5, 2.6, 2.61, 2.62, 2.625, 2.5, 2.625, 2.5625, 0.088, 0.034};
  row.peak_device_memory_mb = 412.75;
  const nlohmann::json j = row;
  EXPECT_EQ(j["variant"], "cuda_graph");
  EXPECT_EQ(j["device_time_samples_ms"].size(), 2u);
  EXPECT_EQ(j["device_time_ms"]["p50"], 2.5);
  const Row back = j.get<Row>();
  EXPECT_EQ(nlohmann::json(back), j);
  // A CPU row has none of them: nulls and an empty list, not zeros.
  const nlohmann::json cpu = Row{};
  EXPECT_EQ(cpu["variant"], "");
  EXPECT_TRUE(cpu["device_time_ms"].is_null());
  EXPECT_TRUE(cpu["device_time_samples_ms"].empty());
  EXPECT_TRUE(cpu["peak_device_memory_mb"].is_null());
  // Rows stored before variants existed read back with no variant.
  const nlohmann::json before_variants = {{"backend", "torch"}};
  EXPECT_EQ(before_variants.get<Row>().variant, "");
}

TEST(RowJson, UnknownStatusReadsAsFailed) {
  Row row;
  from_json(nlohmann::json{{"status", "weird"}}, row);
  EXPECT_EQ(row.status, RowStatus::Failed);
}

TEST(CellJson, RoundTrip) {
  Cell cell;
  cell.backend = "torch";
  cell.variant = "aoti";
  cell.input_shape = {2, 3, 224, 224};
  cell.options = {{"a", "b=c"}};
  cell.seed = 42;
  EXPECT_EQ(nlohmann::json(nlohmann::json(cell).get<Cell>()), nlohmann::json(cell));
}

}  // namespace
}  // namespace inferbench
