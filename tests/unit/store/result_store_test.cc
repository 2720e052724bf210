// SPDX-License-Identifier: Apache-2.0
// Tests of ResultStore: round trips, history listing, id lookup, migrations and concurrency.
#include "store/result_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"

namespace inferbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A fresh directory per test, removed afterwards.
class ResultStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "inferbench_store_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "cannot create a temporary directory";
    dir_ = pattern;
    db_path_ = dir_ / "nested" / "deeper" / "history.sqlite";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  ResultStore open_store() {
    auto store = ResultStore::open(db_path_);
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    return std::move(store).value();
  }

  // Begins `run` in `store` and adds its rows in index order (the run stays unfinished).
  static void begin_with_rows(ResultStore& store, const RunResult& run) {
    ASSERT_TRUE(store.begin_run(run.run).is_ok());
    for (std::size_t i = 0; i < run.rows.size(); ++i) {
      ASSERT_TRUE(store.add_row(run.run.id, static_cast<int>(i), run.rows[i]).is_ok());
    }
  }

  fs::path dir_;
  fs::path db_path_;
};

RunInfo make_run(const std::string& id, const std::string& started_at) {
  RunInfo run;
  run.id = id;
  run.started_at = started_at;
  run.host = "bench-host";
  run.env = json{{"cpu", "Intel Xeon"}, {"cores", 2}, {"flags", {"avx2", "avx512f"}}};
  run.request = json{{"batch", {64}}, {"changed", {"warmup"}}, {"warmup", 10}};
  return run;
}

// An ok row with every field set, including one-sided intervals and awkward doubles.
Row make_ok_row(const std::string& framework, const std::string& device, double fps) {
  Row row;
  row.framework = framework;
  row.framework_version = "2.5.1";
  row.backend = "torch";
  row.device = device;
  row.device_label = "CPU";
  row.target_hardware = "Intel Xeon (AVX-512, 2 threads)";
  row.precision = "fp32";
  row.model = "mobilenet_v2";
  row.artefact = "/cache/mobilenet_v2.pt2";
  row.batch = 64;
  row.scenario = "sync";
  row.status = RowStatus::Ok;
  row.compile_ms = 1234.5;
  row.export_ms = 0.1;
  row.first_inference_ms = 1.0 / 3.0;
  row.latency_ms = LatencySummary{.p50 = 10.25,
                                  .p90 = 11,
                                  .p95 = 11.5,
                                  .p99 = 12.75,
                                  .p999 = 13,
                                  .min = 9.5,
                                  .max = 13.25,
                                  .mean = 10.5,
                                  .std = 0.7071067811865476,
                                  .cv = 0.0673};
  row.p50_ci_ms = QuantileInterval{.lo = 10.0, .hi = 10.5, .confidence = 0.9648, .effective_samples = 100};
  row.p99_ci_ms = QuantileInterval{.lo = 12.5, .hi = std::nullopt, .confidence = 0.95, .effective_samples = 100};
  row.fps = fps;
  row.throughput = fps * 0.98;
  row.p99_over_p50 = 12.75 / 10.25;
  row.samples = 5;
  row.warmup = 2;
  row.wall_ms = 52.125;
  row.latency_samples_ms = {10.25, 9.5, 13.25, 0.1 + 0.2, 1e-9};
  row.peak_rss_mb = 512.5;
  row.artefact_bytes = std::int64_t{14'245'678'901};
  row.params = 3'504'872;
  row.parity = Parity{.max_abs_err = 1.5e-6,
                      .cosine = 0.9999999,
                      .top1_agreement = 1.0,
                      .reference = "PyTorch (Native) CPU FP32",
                      .samples = std::nullopt};
  row.requested = {{"threads", "2"}};
  row.effective = {{"threads", "2"}, {"interop_threads", "1"}};
  row.warnings = {"CV 6.7% is high: pin the CPU governor to performance"};
  return row;
}

Row make_failed_row() {
  Row row;
  row.framework = "OpenVINO";
  row.backend = "openvino";
  row.device = "gpu";
  row.precision = "fp16";
  row.model = "mobilenet_v2";
  row.batch = 64;
  row.scenario = "sync";
  row.status = RowStatus::Failed;
  row.error = "worker crashed: signal 11 (SIGSEGV) during prepare";
  row.compile_ms = 15.5;  // it got that far
  return row;
}

Row make_unavailable_row() {
  Row row;
  row.framework = "TensorRT";
  row.backend = "tensorrt";
  row.device = "cuda";
  row.precision = "fp16";
  row.model = "mobilenet_v2";
  row.batch = 64;
  row.scenario = "sync";
  row.status = RowStatus::Unavailable;
  row.error = "libnvinfer.so.10 not found";
  return row;
}

// Reads one integer or text pragma straight from the file, behind the store's back.
std::string read_pragma(const fs::path& path, const char* pragma) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, pragma, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return value;
}

TEST_F(ResultStoreTest, OpenCreatesDirectoriesAndCurrentSchemaInWalMode) {
  ASSERT_FALSE(fs::exists(db_path_.parent_path()));
  ResultStore store = open_store();
  EXPECT_EQ(store.path(), db_path_);
  EXPECT_TRUE(fs::exists(db_path_));
  EXPECT_EQ(read_pragma(db_path_, "PRAGMA user_version"), std::to_string(latest_schema_version()));
  EXPECT_EQ(read_pragma(db_path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(latest_schema_version(), static_cast<int>(schema_migrations().size()));
  EXPECT_GE(latest_schema_version(), 1);
}

TEST_F(ResultStoreTest, RoundTripKeepsEveryFieldAndIndexOrder) {
  ResultStore store = open_store();
  RunResult expected;
  expected.run = make_run("20261126T130501Z-1a2b3c", "2026-11-26T13:05:01Z");
  expected.rows = {make_ok_row("PyTorch (Native)", "cpu", 123.456), make_failed_row(),
                   make_unavailable_row()};

  ASSERT_TRUE(store.begin_run(expected.run).is_ok());
  // Added out of order: load_run returns index order, not insertion order.
  ASSERT_TRUE(store.add_row(expected.run.id, 2, expected.rows[2]).is_ok());
  ASSERT_TRUE(store.add_row(expected.run.id, 0, expected.rows[0]).is_ok());
  ASSERT_TRUE(store.add_row(expected.run.id, 1, expected.rows[1]).is_ok());
  ASSERT_TRUE(store.finish_run(expected.run.id).is_ok());

  auto loaded = store.load_run(expected.run.id);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(json(*loaded), json(expected));

  // Spot checks that the JSON comparison is not vacuous.
  ASSERT_EQ(loaded->rows.size(), 3u);
  const Row& ok = loaded->rows[0];
  EXPECT_EQ(ok.latency_samples_ms, expected.rows[0].latency_samples_ms);
  ASSERT_TRUE(ok.p99_ci_ms.has_value());
  EXPECT_FALSE(ok.p99_ci_ms->hi.has_value());
  ASSERT_TRUE(ok.parity.has_value());
  EXPECT_EQ(ok.parity->reference, "PyTorch (Native) CPU FP32");
  EXPECT_EQ(ok.artefact_bytes, std::int64_t{14'245'678'901});
  EXPECT_EQ(loaded->rows[1].status, RowStatus::Failed);
  EXPECT_FALSE(loaded->rows[1].latency_ms.has_value());
  EXPECT_FALSE(loaded->rows[1].parity.has_value());
  EXPECT_EQ(loaded->rows[2].status, RowStatus::Unavailable);
  EXPECT_EQ(loaded->rows[2].error, "libnvinfer.so.10 not found");
  EXPECT_EQ(loaded->run.env, expected.run.env);
  EXPECT_EQ(loaded->run.request, expected.run.request);
}

TEST_F(ResultStoreTest, QueryableColumnsMirrorTheRow) {
  {
    ResultStore store = open_store();
    const RunInfo run = make_run("r1", "2026-01-01T00:00:00Z");
    ASSERT_TRUE(store.begin_run(run).is_ok());
    ASSERT_TRUE(store.add_row("r1", 0, make_ok_row("PyTorch (Native)", "cpu", 100)).is_ok());
    ASSERT_TRUE(store.add_row("r1", 1, make_failed_row()).is_ok());
  }
  EXPECT_EQ(read_pragma(db_path_,
                        "SELECT framework || '|' || backend || '|' || device || '|' || "
                        "precision || '|' || model || '|' || batch || '|' || scenario || '|' || "
                        "status || '|' || coalesce(error, 'NULL') || '|' || compile_ms || '|' || "
                        "p50_ms || '|' || p99_ms || '|' || fps || '|' || throughput || '|' || "
                        "peak_rss_mb FROM run_rows WHERE row_index = 0"),
            "PyTorch (Native)|torch|cpu|fp32|mobilenet_v2|64|sync|ok|NULL|1234.5|10.25|12.75|"
            "100.0|98.0|512.5");
  EXPECT_EQ(read_pragma(db_path_,
                        "SELECT status || '|' || error || '|' || coalesce(p50_ms, 'NULL') || "
                        "'|' || coalesce(fps, 'NULL') FROM run_rows WHERE row_index = 1"),
            "failed|worker crashed: signal 11 (SIGSEGV) during prepare|NULL|NULL");
}

TEST_F(ResultStoreTest, ListRunsNewestFirstWithCountsAndBestRow) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("old", "2026-01-01T10:00:00Z")).is_ok());
  ASSERT_TRUE(store.add_row("old", 0, make_ok_row("PyTorch (Native)", "cpu", 50)).is_ok());
  ASSERT_TRUE(store.finish_run("old").is_ok());

  ASSERT_TRUE(store.begin_run(make_run("new", "2026-03-01T10:00:00Z")).is_ok());
  ASSERT_TRUE(store.add_row("new", 0, make_ok_row("PyTorch (Native)", "cpu", 80)).is_ok());
  ASSERT_TRUE(store.add_row("new", 1, make_ok_row("OpenVINO", "gpu", 300)).is_ok());
  ASSERT_TRUE(store.add_row("new", 2, make_failed_row()).is_ok());
  ASSERT_TRUE(store.add_row("new", 3, make_unavailable_row()).is_ok());
  ASSERT_TRUE(store.add_row("new", 4, make_unavailable_row()).is_ok());
  // A failed row with a high fps must not count as the best.
  Row failed_fast = make_failed_row();
  failed_fast.fps = 1e6;
  ASSERT_TRUE(store.add_row("new", 5, failed_fast).is_ok());
  ASSERT_TRUE(store.finish_run("new").is_ok());

  // Begun after "new" but started earlier: ordering is by started_at, not insertion.
  ASSERT_TRUE(store.begin_run(make_run("middle", "2026-02-01T10:00:00Z")).is_ok());
  ASSERT_TRUE(store.add_row("middle", 0, make_unavailable_row()).is_ok());

  auto runs = store.list_runs(0);
  ASSERT_TRUE(runs.is_ok()) << runs.status().to_string();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].id, "new");
  EXPECT_EQ((*runs)[1].id, "middle");
  EXPECT_EQ((*runs)[2].id, "old");

  const RunSummary& latest = (*runs)[0];
  EXPECT_EQ(latest.started_at, "2026-03-01T10:00:00Z");
  EXPECT_TRUE(latest.finished_at.has_value());
  EXPECT_EQ(latest.host, "bench-host");
  EXPECT_EQ(latest.row_count, 6);
  EXPECT_EQ(latest.ok_count, 2);
  EXPECT_EQ(latest.failed_count, 2);
  EXPECT_EQ(latest.unavailable_count, 2);
  ASSERT_TRUE(latest.best_fps.has_value());
  EXPECT_DOUBLE_EQ(*latest.best_fps, 300);
  EXPECT_EQ(latest.best_label, "OpenVINO gpu fp32");

  const RunSummary& middle = (*runs)[1];
  EXPECT_FALSE(middle.finished_at.has_value());
  EXPECT_EQ(middle.row_count, 1);
  EXPECT_EQ(middle.ok_count, 0);
  EXPECT_EQ(middle.unavailable_count, 1);
  EXPECT_FALSE(middle.best_fps.has_value());
  EXPECT_EQ(middle.best_label, "");

  EXPECT_EQ((*runs)[2].row_count, 1);
  EXPECT_EQ((*runs)[2].best_label, "PyTorch (Native) cpu fp32");

  auto two = store.list_runs(2);
  ASSERT_TRUE(two.is_ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].id, "new");
  EXPECT_EQ((*two)[1].id, "middle");
  // Counts must not leak in from runs outside the limit.
  EXPECT_EQ((*two)[0].row_count, 6);
}

TEST_F(ResultStoreTest, ListRunsNamesTheModelsInRowOrder) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("models", "2026-03-01T10:00:00Z")).is_ok());
  // Twelve rows, so that a text sort of the row index (10 before 2) would put zeta first.
  const std::vector<std::pair<std::string, double>> rows = {
      {"resnet50", 20}, {"resnet50", 25}, {"alpha", 500}, {"resnet50", 21}, {"alpha", 400}, {"alpha", 300},
      {"alpha", 200},   {"alpha", 100},   {"alpha", 50},  {"alpha", 40},    {"zeta", 10},   {"zeta", 11}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Row row = make_ok_row("OpenVINO", "cpu", rows[i].second);
    row.model = rows[i].first;
    ASSERT_TRUE(store.add_row("models", static_cast<int>(i), row).is_ok());
  }
  auto runs = store.list_runs(0);
  ASSERT_TRUE(runs.is_ok()) << runs.status().to_string();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].models, (std::vector<std::string>{"resnet50", "alpha", "zeta"}));
  // Rows of several models: the best row names its model.
  EXPECT_EQ((*runs)[0].best_label, "alpha OpenVINO cpu fp32");
}

TEST_F(ResultStoreTest, ListRunsOfAnEmptyStoreIsEmpty) {
  ResultStore store = open_store();
  auto runs = store.list_runs(10);
  ASSERT_TRUE(runs.is_ok());
  EXPECT_TRUE(runs->empty());
}

TEST_F(ResultStoreTest, RunsStartedInTheSameSecondListLastBegunFirst) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("b-first", "2026-01-01T10:00:00Z")).is_ok());
  ASSERT_TRUE(store.begin_run(make_run("a-second", "2026-01-01T10:00:00Z")).is_ok());
  auto runs = store.list_runs(0);
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, "a-second");
  EXPECT_EQ((*runs)[1].id, "b-first");
}

TEST_F(ResultStoreTest, NegativeListLimitIsUsageError) {
  ResultStore store = open_store();
  auto runs = store.list_runs(-1);
  ASSERT_FALSE(runs.is_ok());
  EXPECT_EQ(runs.status().code(), StatusCode::Usage);
}

TEST_F(ResultStoreTest, UnknownIdIsInputErrorNamingTheFile) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("20261126T130501Z-1a2b3c", "2026-11-26T13:05:01Z")).is_ok());
  for (const std::string id : {"nope", "", "20261126T130501Z-1a2b3cX"}) {
    auto loaded = store.load_run(id);
    ASSERT_FALSE(loaded.is_ok()) << id;
    EXPECT_EQ(loaded.status().code(), StatusCode::Input);
    EXPECT_EQ(loaded.status().message(), "no run '" + id + "' in " + db_path_.string());
    EXPECT_EQ(loaded.status().hint(), "list runs with `inferbench history`");
  }
}

TEST_F(ResultStoreTest, UniquePrefixLoadsTheRun) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("20261126T130501Z-1a2b3c", "2026-11-26T13:05:01Z")).is_ok());
  ASSERT_TRUE(store.begin_run(make_run("20261127T090000Z-ffee00", "2026-11-27T09:00:00Z")).is_ok());
  auto loaded = store.load_run("20261126");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->run.id, "20261126T130501Z-1a2b3c");
}

TEST_F(ResultStoreTest, ExactIdWinsOverLongerIdsItPrefixes) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("run", "2026-01-01T00:00:00Z")).is_ok());
  ASSERT_TRUE(store.begin_run(make_run("run-2", "2026-01-02T00:00:00Z")).is_ok());
  auto loaded = store.load_run("run");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->run.id, "run");
}

TEST_F(ResultStoreTest, WildcardCharactersInAPrefixAreLiteral) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("abc", "2026-01-01T00:00:00Z")).is_ok());
  auto loaded = store.load_run("a_");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::Input);
  EXPECT_FALSE(store.load_run("%").is_ok());
}

TEST_F(ResultStoreTest, AmbiguousPrefixIsInputErrorNamingTheMatches) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("20261126T130501Z-1a2b3c", "2026-11-26T13:05:01Z")).is_ok());
  ASSERT_TRUE(store.begin_run(make_run("20261126T140000Z-99aa00", "2026-11-26T14:00:00Z")).is_ok());
  auto loaded = store.load_run("20261126T1");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::Input);
  EXPECT_EQ(loaded.status().message(), "run id prefix '20261126T1' matches 2 runs in " +
                                           db_path_.string() +
                                           ": 20261126T130501Z-1a2b3c, 20261126T140000Z-99aa00");
  EXPECT_NE(loaded.status().hint().find("inferbench history"), std::string::npos);
}

TEST_F(ResultStoreTest, AmbiguousPrefixWithManyMatchesNamesAFewAndCountsTheRest) {
  ResultStore store = open_store();
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(store
                    .begin_run(make_run("run-" + std::to_string(i),
                                        "2026-01-01T00:00:0" + std::to_string(i) + "Z"))
                    .is_ok());
  }
  auto loaded = store.load_run("run-");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("matches 8 runs"), std::string::npos);
  EXPECT_NE(loaded.status().message().find("run-0, run-1, run-2, run-3, run-4 and 3 more"),
            std::string::npos)
      << loaded.status().message();
}

TEST_F(ResultStoreTest, ReopeningKeepsTheData) {
  RunResult expected;
  expected.run = make_run("kept", "2026-05-05T05:05:05Z");
  expected.rows = {make_ok_row("LiteRT", "cpu", 42.5)};
  {
    ResultStore store = open_store();
    ASSERT_NO_FATAL_FAILURE(begin_with_rows(store, expected));
    ASSERT_TRUE(store.finish_run("kept").is_ok());
  }
  ResultStore reopened = open_store();
  auto loaded = reopened.load_run("kept");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(json(*loaded), json(expected));
  EXPECT_EQ(read_pragma(db_path_, "PRAGMA user_version"), std::to_string(latest_schema_version()));
}

TEST_F(ResultStoreTest, InterruptedRunKeepsEveryAddedRow) {
  RunResult expected;
  expected.run = make_run("interrupted", "2026-05-05T05:05:05Z");
  expected.rows = {make_ok_row("ExecuTorch", "cpu", 10), make_failed_row()};
  {
    ResultStore store = open_store();
    ASSERT_NO_FATAL_FAILURE(begin_with_rows(store, expected));
    // No finish_run: the process "dies" here.
  }
  ResultStore reopened = open_store();
  auto loaded = reopened.load_run("interrupted");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(json(*loaded), json(expected));
  auto runs = reopened.list_runs(0);
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_FALSE((*runs)[0].finished_at.has_value());
  EXPECT_EQ((*runs)[0].row_count, 2);
}

// After the run, a row recomputed (its physical limits from the end-of-run peaks) and the env
// that records that measurement replace what was stored while the run went on.
TEST_F(ResultStoreTest, ARowAndTheEnvironmentCanBeReplacedAfterTheRun) {
  RunResult expected;
  expected.run = make_run("replaced", "2026-05-05T05:05:05Z");
  expected.rows = {make_ok_row("ExecuTorch", "cpu", 10), make_failed_row()};
  ResultStore store = open_store();
  ASSERT_NO_FATAL_FAILURE(begin_with_rows(store, expected));
  EXPECT_FALSE(store.add_row("replaced", 0, expected.rows[0]).is_ok());  // add never overwrites
  expected.rows[0].fps = 123.0;
  expected.run.env = {{"cpu", {{"peak_multiply_adds", {{"measurements", {1, 2}}}}}}};
  ASSERT_TRUE(store.replace_row("replaced", 0, expected.rows[0]).is_ok());
  ASSERT_TRUE(store.update_env("replaced", expected.run.env).is_ok());
  auto loaded = store.load_run("replaced");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(json(*loaded), json(expected));
  const Status unknown = store.update_env("no-such-run", expected.run.env);
  EXPECT_EQ(unknown.code(), StatusCode::Input) << unknown.to_string();
}

TEST_F(ResultStoreTest, RowsAreVisibleToAnotherStoreBeforeTheRunFinishes) {
  ResultStore writer = open_store();
  ResultStore reader = open_store();
  ASSERT_TRUE(writer.begin_run(make_run("live", "2026-05-05T05:05:05Z")).is_ok());
  ASSERT_TRUE(writer.add_row("live", 0, make_failed_row()).is_ok());
  auto loaded = reader.load_run("live");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->rows.size(), 1u);
}

// `row` measured on host `name` of a fleet run (docs/fleet.md).
Row on_host(Row row, const std::string& name, bool lost = false) {
  row.host = RowHost{name, json{{"cpu", "AMD EPYC 9654"}, {"cores", 4}}, lost};
  return row;
}

// Runs `sql` on the file behind the store's back; false (and a failure) when SQLite refuses it.
bool exec_raw(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  bool done = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK;
  char* error = nullptr;
  if (done && sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    ADD_FAILURE() << (error != nullptr ? error : "sqlite3_exec failed") << " in: " << sql;
    done = false;
  }
  sqlite3_free(error);
  sqlite3_close_v2(db);
  return done;
}

// SQL text literal: quotes doubled.
std::string sql_text(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

TEST_F(ResultStoreTest, HostColumnMirrorsTheRowsHost) {
  {
    ResultStore store = open_store();
    ASSERT_TRUE(store.begin_run(make_run("fleet", "2026-12-06T23:00:00Z")).is_ok());
    ASSERT_TRUE(store.add_row("fleet", 0, on_host(make_ok_row("OpenVINO", "cpu", 100), "a")).is_ok());
    ASSERT_TRUE(store.add_row("fleet", 1, on_host(make_failed_row(), "b", /*lost=*/true)).is_ok());
    ASSERT_TRUE(store.add_row("fleet", 2, make_unavailable_row()).is_ok());  // no host: NULL
    ASSERT_TRUE(store.replace_row("fleet", 2, on_host(make_unavailable_row(), "c")).is_ok());
    auto loaded = store.load_run("fleet");
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    ASSERT_EQ(loaded->rows.size(), 3u);
    // The row itself still comes from row_json, env and lost flag included.
    EXPECT_EQ(loaded->rows[1].host, on_host(make_failed_row(), "b", true).host);
  }
  EXPECT_EQ(read_pragma(db_path_, "SELECT group_concat(coalesce(host, 'NULL'), '|') FROM "
                                  "(SELECT host FROM run_rows ORDER BY row_index)"),
            "a|b|c");
  {
    ResultStore store = open_store();
    ASSERT_TRUE(store.begin_run(make_run("one-machine", "2026-12-07T00:00:00Z")).is_ok());
    ASSERT_TRUE(store.add_row("one-machine", 0, make_ok_row("OpenVINO", "cpu", 100)).is_ok());
  }
  EXPECT_EQ(read_pragma(db_path_, "SELECT coalesce(host, 'NULL') FROM run_rows WHERE run_id = 'one-machine'"), "NULL");
}

// A file written before rows carried a host column (schema version 1): opening it adds the
// column, every row stays, and rows whose JSON names a host get it in the column.
TEST_F(ResultStoreTest, MigrationFromVersionOneKeepsTheRowsAndFillsTheHost) {
  fs::create_directories(db_path_.parent_path());
  RunResult old_run;
  old_run.run = make_run("v1", "2026-01-01T00:00:00Z");
  old_run.rows = {make_ok_row("PyTorch (Native)", "cpu", 50), on_host(make_ok_row("OpenVINO", "cpu", 90), "b"),
                  make_failed_row()};
  std::string sql = std::string(schema_migrations()[0]) + "PRAGMA user_version = 1;\n";
  sql += "INSERT INTO runs (id, started_at, host, env_json, request_json) VALUES (" + sql_text(old_run.run.id) + ", " +
         sql_text(old_run.run.started_at) + ", " + sql_text(old_run.run.host) + ", " +
         sql_text(json(old_run.run.env).dump()) + ", " + sql_text(json(old_run.run.request).dump()) + ");\n";
  for (std::size_t i = 0; i < old_run.rows.size(); ++i) {
    json row = old_run.rows[i];
    if (i == 0) row.erase("host");  // written by an inferbench that knew no hosts: no key at all
    const Row& r = old_run.rows[i];
    sql += "INSERT INTO run_rows (run_id, row_index, framework, backend, device, precision, model, batch, "
           "scenario, status, row_json) VALUES ('v1', " + std::to_string(i) + ", " + sql_text(r.framework) + ", " +
           sql_text(r.backend) + ", " + sql_text(r.device) + ", " + sql_text(r.precision) + ", " + sql_text(r.model) +
           ", " + std::to_string(r.batch) + ", " + sql_text(r.scenario) + ", " + sql_text(row_status_name(r.status)) +
           ", " + sql_text(row.dump()) + ");\n";
  }
  // A run whose stored row is damaged must not stop the migration of the others.
  sql += "INSERT INTO runs (id, started_at, host, env_json, request_json) VALUES ('damaged', "
         "'2026-01-02T00:00:00Z', 'h', '{}', '{}');\n"
         "INSERT INTO run_rows (run_id, row_index, framework, backend, device, precision, model, batch, scenario, "
         "status, row_json) VALUES ('damaged', 0, 'x', 'x', 'cpu', 'fp32', 'm', 1, 'sync', 'ok', '{\"host\": {');\n";
  ASSERT_TRUE(exec_raw(db_path_, sql));
  ASSERT_EQ(read_pragma(db_path_, "PRAGMA user_version"), "1");

  ResultStore store = open_store();
  EXPECT_EQ(read_pragma(db_path_, "PRAGMA user_version"), std::to_string(latest_schema_version()));
  EXPECT_EQ(read_pragma(db_path_, "SELECT group_concat(coalesce(host, 'NULL'), '|') FROM "
                                  "(SELECT host FROM run_rows WHERE run_id = 'v1' ORDER BY row_index)"),
            "NULL|b|NULL");
  EXPECT_EQ(read_pragma(db_path_, "SELECT count(*) || '|' || coalesce(max(host), 'NULL') FROM run_rows "
                                  "WHERE run_id = 'damaged'"),
            "1|NULL");
  auto loaded = store.load_run("v1");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(json(*loaded), json(old_run));
  // The migrated file takes rows with a host like a new one.
  ASSERT_TRUE(store.add_row("v1", 3, on_host(make_unavailable_row(), "c")).is_ok());
  EXPECT_EQ(read_pragma(db_path_, "SELECT host FROM run_rows WHERE run_id = 'v1' AND row_index = 3"), "c");
}

// `history` of a fleet run names the host of its best row when its rows name several hosts.
TEST_F(ResultStoreTest, ListRunsNamesTheBestRowsHostInARunOfSeveralHosts) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("fleet", "2026-12-06T23:00:00Z")).is_ok());
  ASSERT_TRUE(store.add_row("fleet", 0, on_host(make_ok_row("OpenVINO", "cpu", 100), "a")).is_ok());
  ASSERT_TRUE(store.add_row("fleet", 1, on_host(make_ok_row("OpenVINO", "cpu", 300), "b")).is_ok());
  ASSERT_TRUE(store.add_row("fleet", 2, on_host(make_failed_row(), "b", /*lost=*/true)).is_ok());
  ASSERT_TRUE(store.begin_run(make_run("one-host", "2026-12-05T23:00:00Z")).is_ok());
  ASSERT_TRUE(store.add_row("one-host", 0, on_host(make_ok_row("OpenVINO", "cpu", 100), "a")).is_ok());
  auto runs = store.list_runs(0);
  ASSERT_TRUE(runs.is_ok()) << runs.status().to_string();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].best_label, "OpenVINO cpu fp32 on host b");
  EXPECT_EQ((*runs)[0].failed_count, 1);
  EXPECT_EQ((*runs)[1].best_label, "OpenVINO cpu fp32");  // one host: as a run on one machine
}

TEST_F(ResultStoreTest, NewerSchemaIsRefusedWithAHint) {
  {
    ResultStore store = open_store();
    ASSERT_TRUE(store.begin_run(make_run("from-the-future", "2030-01-01T00:00:00Z")).is_ok());
  }
  const int newer = latest_schema_version() + 1;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  const std::string set_version = "PRAGMA user_version = " + std::to_string(newer);
  EXPECT_EQ(sqlite3_exec(db, set_version.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close_v2(db);

  auto store = ResultStore::open(db_path_);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), StatusCode::Io);
  EXPECT_EQ(store.status().message(), "result store " + db_path_.string() + " has schema version " +
                                          std::to_string(newer) +
                                          ", newer than this inferbench knows (" +
                                          std::to_string(latest_schema_version()) + ")");
  EXPECT_NE(store.status().hint().find("upgrade"), std::string::npos);
  EXPECT_NE(store.status().hint().find("INFERBENCH_DB"), std::string::npos);
  // Refusing must not touch the file.
  EXPECT_EQ(read_pragma(db_path_, "PRAGMA user_version"), std::to_string(newer));
}

TEST_F(ResultStoreTest, FileThatIsNotADatabaseIsIoError) {
  fs::create_directories(db_path_.parent_path());
  std::ofstream(db_path_) << "this is a text file, not SQLite, and it is long enough to matter"
                             " because SQLite reads a 100-byte header before it decides.\n";
  auto store = ResultStore::open(db_path_);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), StatusCode::Io);
  EXPECT_NE(store.status().message().find(db_path_.string()), std::string::npos);
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().hint().find("INFERBENCH_DB"), std::string::npos);
}

TEST_F(ResultStoreTest, UncreatableDirectoryIsIoError) {
  const fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "x";
  auto store = ResultStore::open(blocker / "sub" / "history.sqlite");
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), StatusCode::Io);
  EXPECT_NE(store.status().message().find("cannot create directory"), std::string::npos);
}

TEST_F(ResultStoreTest, WriteErrorsAreReported) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("r", "2026-01-01T00:00:00Z")).is_ok());

  Status duplicate_run = store.begin_run(make_run("r", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(duplicate_run.code(), StatusCode::Io);
  EXPECT_NE(duplicate_run.message().find("'r'"), std::string::npos);

  ASSERT_TRUE(store.add_row("r", 0, make_failed_row()).is_ok());
  Status duplicate_index = store.add_row("r", 0, make_failed_row());
  EXPECT_EQ(duplicate_index.code(), StatusCode::Io);
  EXPECT_NE(duplicate_index.message().find("row 0 of run 'r'"), std::string::npos);

  Status not_begun = store.add_row("never-begun", 0, make_failed_row());
  EXPECT_EQ(not_begun.code(), StatusCode::Io);

  Status finish_unknown = store.finish_run("never-begun");
  EXPECT_EQ(finish_unknown.code(), StatusCode::Input);
  EXPECT_EQ(finish_unknown.message(), "no run 'never-begun' in " + db_path_.string());
}

TEST_F(ResultStoreTest, InvalidUtf8InAnErrorIsStoredNotFatal) {
  ResultStore store = open_store();
  ASSERT_TRUE(store.begin_run(make_run("r", "2026-01-01T00:00:00Z")).is_ok());
  Row row = make_failed_row();
  row.error = "SDK said: \xff\xfe broken";
  ASSERT_TRUE(store.add_row("r", 0, row).is_ok());
  auto loaded = store.load_run("r");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  ASSERT_EQ(loaded->rows.size(), 1u);
  EXPECT_EQ(loaded->rows[0].error, "SDK said: \xEF\xBF\xBD\xEF\xBF\xBD broken");
}

TEST_F(ResultStoreTest, MovedStoreKeepsWorking) {
  ResultStore first = open_store();
  ResultStore second = std::move(first);
  ASSERT_TRUE(second.begin_run(make_run("r", "2026-01-01T00:00:00Z")).is_ok());
  ResultStore third = open_store();
  third = std::move(second);
  EXPECT_TRUE(third.load_run("r").is_ok());
  EXPECT_EQ(third.path(), db_path_);
}

// Several runs at once, each with its own store in its own thread, on a file that does not
// exist yet: each migrates or finds the schema done, and every row of every run lands.
TEST_F(ResultStoreTest, ConcurrentWritersAllSucceed) {
  constexpr int kWriters = 4;
  constexpr int kRows = 30;
  std::vector<std::vector<std::string>> failures(kWriters);
  auto writer = [&](int which) {
    std::vector<std::string>& mine = failures[static_cast<std::size_t>(which)];
    auto opened = ResultStore::open(db_path_);
    if (!opened.is_ok()) {
      mine.push_back(opened.status().to_string());
      return;
    }
    ResultStore store = std::move(opened).value();
    const std::string id = "run-" + std::to_string(which);
    Status begun = store.begin_run(make_run(id, "2026-01-01T00:00:00Z"));
    if (!begun.is_ok()) mine.push_back(begun.to_string());
    for (int i = 0; i < kRows; ++i) {
      Status added = store.add_row(id, i, make_ok_row("PyTorch (Native)", "cpu", i));
      if (!added.is_ok()) mine.push_back(added.to_string());
      auto runs = store.list_runs(0);
      if (!runs.is_ok()) mine.push_back(runs.status().to_string());
    }
    Status finished = store.finish_run(id);
    if (!finished.is_ok()) mine.push_back(finished.to_string());
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) threads.emplace_back(writer, i);
  for (std::thread& thread : threads) thread.join();
  for (const auto& mine : failures) EXPECT_TRUE(mine.empty()) << mine.front();

  ResultStore store = open_store();
  auto runs = store.list_runs(0);
  ASSERT_TRUE(runs.is_ok());
  ASSERT_EQ(runs->size(), static_cast<std::size_t>(kWriters));
  for (const RunSummary& run : *runs) {
    EXPECT_EQ(run.row_count, kRows) << run.id;
    EXPECT_TRUE(run.finished_at.has_value()) << run.id;
  }
}

// Sets or unsets environment variables for one test and restores them afterwards.
class EnvOverride {
 public:
  void set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.push_back({name, old != nullptr ? std::optional<std::string>(old) : std::nullopt});
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~EnvOverride() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(DefaultStorePathTest, FollowsInferbenchDbThenXdgThenHome) {
  EnvOverride env;
  env.set("INFERBENCH_DB", "/tmp/mine.sqlite");
  env.set("XDG_DATA_HOME", "/xdg");
  env.set("HOME", "/home/me");
  EXPECT_EQ(default_store_path(), fs::path("/tmp/mine.sqlite"));

  env.set("INFERBENCH_DB", "");
  EXPECT_EQ(default_store_path(), fs::path("/xdg/inferbench/history.sqlite"));

  env.set("XDG_DATA_HOME", "relative/dir");  // invalid per the XDG spec: ignored
  EXPECT_EQ(default_store_path(), fs::path("/home/me/.local/share/inferbench/history.sqlite"));

  env.set("XDG_DATA_HOME", nullptr);
  EXPECT_EQ(default_store_path(), fs::path("/home/me/.local/share/inferbench/history.sqlite"));

  env.set("HOME", nullptr);
  EXPECT_EQ(default_store_path(), fs::path("inferbench-history.sqlite"));
}

}  // namespace
}  // namespace inferbench
