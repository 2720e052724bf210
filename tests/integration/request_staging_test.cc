// SPDX-License-Identifier: Apache-2.0
// Staged batches on the real frameworks that stage them (ExecuTorch, LiteRT): a batch written
// into a slot's standby input while the slot computes another is exactly what the slot's next
// request computes, and a batch given later with set_request_samples replaces it. Through the C
// ABI directly (the worker's own plugin loader), on the tiny_cnn artefacts an offline run of the
// real binary exports, whose rows must say they staged.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cli_runner.h"
#include "worker/plugin_loader.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kBatch = 2;
constexpr size_t kSampleValues = 3 * 32 * 32;

// Two batches that differ in every sample.
std::vector<float> batch_of(float seed) {
  std::vector<float> values(kBatch * kSampleValues);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(seed * static_cast<float>(i % 997 + 1));
  return values;
}

class Staged {
 public:
  Staged(const LoadedPlugin& plugin, const std::string& artefact, const std::string& precision) : api_(*plugin.api) {
    const std::vector<int64_t> shape = {kBatch, 3, 32, 32};
    ib_prepare_args args{};
    args.artefact_path = artefact.c_str();
    args.device = "cpu";
    args.precision = precision.c_str();
    args.threads = 1;
    args.input_shape = shape.data();
    args.input_rank = shape.size();
    args.scenario = "offline";
    args.requests = 1;
    ok_ = api_.prepare(&args, &backend_) == IB_OK;
  }
  ~Staged() {
    if (backend_) api_.destroy(backend_);
  }
  bool ok() const { return ok_; }
  std::string error() const { return api_.last_error(); }

  // Output 0 of the sync path on `input`.
  std::vector<float> reference(const std::vector<float>& input) {
    EXPECT_EQ(api_.set_input(backend_, input.data(), input.size()), IB_OK) << error();
    EXPECT_EQ(api_.run(backend_), IB_OK) << error();
    EXPECT_EQ(api_.sync(backend_), IB_OK) << error();
    return output();
  }
  ib_status give(const std::vector<float>& input) {
    const auto rows = rows_of(input);
    return api_.set_request_samples(backend_, 0, rows.data(), rows.size(), kSampleValues);
  }
  ib_status stage(const std::vector<float>& input) {
    const auto rows = rows_of(input);
    return api_.stage_request_samples(backend_, 0, rows.data(), rows.size(), kSampleValues);
  }
  ib_status start() { return api_.start_request(backend_, 0); }
  ib_status wait() { return api_.wait_request(backend_, 0); }
  std::vector<float> output() {
    const float* data = nullptr;
    size_t count = 0;
    const int64_t* shape = nullptr;
    size_t rank = 0;
    EXPECT_EQ(api_.output(backend_, &data, &count, &shape, &rank), IB_OK) << error();
    return data ? std::vector<float>(data, data + count) : std::vector<float>{};
  }

 private:
  static std::vector<const float*> rows_of(const std::vector<float>& input) {
    std::vector<const float*> rows;
    for (int64_t i = 0; i < kBatch; ++i) rows.push_back(input.data() + i * kSampleValues);
    return rows;
  }
  const ib_backend_api& api_;
  ib_backend* backend_ = nullptr;
  bool ok_ = false;
};

void expect_same(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-5f * (1 + std::fabs(want[i]))) << what << " [" << i << "]";
}

TEST(RequestStaging, AStagedBatchIsWhatTheNextRequestComputes) {
  std::vector<std::string> backends;
  if (INFERBENCH_EXECUTORCH_BUILT) backends.push_back("executorch");
  if (INFERBENCH_LITERT_BUILT && std::string(INFERBENCH_LITERT_PYTHON).size() > 0) backends.push_back("litert");
  if (backends.empty()) GTEST_SKIP() << "neither the executorch nor the litert plugin was built";
  std::string list;
  for (const auto& backend : backends) list += (list.empty() ? "" : ",") + backend;

  const auto dir = fresh_dir("request-staging");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", list, "--precisions", "fp32,int8",
                             "--scenarios", "offline", "--batch", std::to_string(kBatch), "--requests", "1",
                             "--warmup", "5", "--no-store", "--out", dir.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto results = read_json(dir / "results.json");
  int checked = 0;
  for (const auto& row : results["rows"]) {
    const std::string backend = row["backend"];
    const std::string precision = row["precision"];
    const std::string label = backend + " " + precision;
    ASSERT_EQ(row["status"], "ok") << label << ": " << row["error"];
    // The offline test staged every batch after its first, and the output parity after it (the
    // sync path's input set again) holds.
    const std::string staging = row["effective"]["input_staging"];
    const auto batches = row["latency_samples_ms"].size();
    EXPECT_EQ(staging, std::to_string(batches - 1) + " of " + std::to_string(batches) +
                           " batches written into their slot's standby input while its previous batch ran")
        << label;
    if (precision == "fp32") {
      EXPECT_GT(row["parity"]["cosine"].get<double>(), 0.9999) << label << ": " << row["parity"].dump();
    }

    auto plugin = load_plugin(std::string(INFERBENCH_PLUGIN_DIR) + "/libinferbench_backend_" + backend + ".so");
    ASSERT_TRUE(plugin.is_ok()) << plugin.status().to_string();
    ASSERT_NE(plugin->api->stage_request_samples, nullptr) << label;
    Staged slot(*plugin, row["artefact"].get<std::string>(), precision);
    ASSERT_TRUE(slot.ok()) << label << ": " << slot.error();
    const auto a = batch_of(0.37f);
    const auto b = batch_of(1.91f);
    const auto out_a = slot.reference(a);
    const auto out_b = slot.reference(b);
    ASSERT_NE(out_a, out_b) << label << ": the two batches must give different outputs";

    // A given, B staged while A computes: A's output, then B's.
    ASSERT_EQ(slot.give(a), IB_OK) << slot.error();
    ASSERT_EQ(slot.start(), IB_OK) << slot.error();
    ASSERT_EQ(slot.stage(b), IB_OK) << slot.error();
    ASSERT_EQ(slot.wait(), IB_OK) << slot.error();
    expect_same(slot.output(), out_a, label + ": the batch running while B was staged");
    ASSERT_EQ(slot.start(), IB_OK) << slot.error();
    ASSERT_EQ(slot.wait(), IB_OK) << slot.error();
    expect_same(slot.output(), out_b, label + ": the staged batch");
    // Staged again, on the other buffer: A.
    ASSERT_EQ(slot.stage(a), IB_OK) << slot.error();
    ASSERT_EQ(slot.start(), IB_OK) << slot.error();
    ASSERT_EQ(slot.wait(), IB_OK) << slot.error();
    expect_same(slot.output(), out_a, label + ": a second staged batch");
    // A batch given after a staged one replaces it.
    ASSERT_EQ(slot.stage(a), IB_OK) << slot.error();
    ASSERT_EQ(slot.give(b), IB_OK) << slot.error();
    ASSERT_EQ(slot.start(), IB_OK) << slot.error();
    ASSERT_EQ(slot.wait(), IB_OK) << slot.error();
    expect_same(slot.output(), out_b, label + ": set_request_samples after a stage");
    // And the sync path still reads what set_input gives.
    expect_same(slot.reference(a), out_a, label + ": set_input after staging");
    ++checked;
  }
  EXPECT_EQ(checked, 2 * static_cast<int>(backends.size()));
}

TEST(RequestStaging, AnInstanceOutsideLoadGenSaysItCannotStage) {
  if (!INFERBENCH_EXECUTORCH_BUILT) GTEST_SKIP() << "the executorch plugin was not built";
  const auto dir = fresh_dir("request-staging-sync");
  auto run = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "executorch", "--precisions", "fp32",
                             "--batch", std::to_string(kBatch), "--warmup", "2", "--iters", "3", "--no-store", "--out",
                             dir.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto row = read_json(dir / "results.json")["rows"][0];
  auto plugin = load_plugin(std::string(INFERBENCH_PLUGIN_DIR) + "/libinferbench_backend_executorch.so");
  ASSERT_TRUE(plugin.is_ok()) << plugin.status().to_string();
  const std::vector<int64_t> shape = {kBatch, 3, 32, 32};
  const std::string artefact = row["artefact"];
  ib_prepare_args args{};
  args.artefact_path = artefact.c_str();
  args.device = "cpu";
  args.precision = "fp32";
  args.input_shape = shape.data();
  args.input_rank = shape.size();
  args.scenario = "async";
  args.requests = 1;
  ib_backend* backend = nullptr;
  ASSERT_EQ(plugin->api->prepare(&args, &backend), IB_OK) << plugin->api->last_error();
  const auto input = batch_of(0.5f);
  const float* rows[] = {input.data(), input.data() + kSampleValues};
  EXPECT_EQ(plugin->api->stage_request_samples(backend, 0, rows, 2, kSampleValues), IB_ERROR_UNAVAILABLE);
  EXPECT_NE(std::string(plugin->api->last_error()).find("not prepared for a LoadGen scenario"), std::string::npos)
      << plugin->api->last_error();
  plugin->api->destroy(backend);
}

}  // namespace
}  // namespace inferbench::testing
