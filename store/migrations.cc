// SPDX-License-Identifier: Apache-2.0
// The SQL of every schema migration of the result store.
#include "store/migrations.h"

#include <array>

namespace inferbench {
namespace {

// Version 1: one table of runs, one of rows.
//
// `runs.seq` is an explicit INTEGER PRIMARY KEY because VACUUM may renumber the implicit rowid
// of a table without one, and list_runs() uses it to order runs that started in the same
// second. `run_rows.row_json` is the whole Row as written by to_json (raw samples included) and
// is what load_run() reads back; the other columns are copies of single fields for queries
// (`sqlite3 history.sqlite "SELECT ... WHERE status = 'ok'"`) and list_runs(). `error` is
// NULL rather than '' for a row without one so that `error IS NOT NULL` finds failures.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE runs (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  host         TEXT NOT NULL,
  env_json     TEXT NOT NULL,
  request_json TEXT NOT NULL
);
CREATE INDEX runs_by_start ON runs (started_at, seq);

CREATE TABLE run_rows (
  run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  row_index   INTEGER NOT NULL,
  framework   TEXT NOT NULL,
  backend     TEXT NOT NULL,
  device      TEXT NOT NULL,
  precision   TEXT NOT NULL,
  model       TEXT NOT NULL,
  batch       INTEGER NOT NULL,
  scenario    TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'unavailable')),
  error       TEXT,
  compile_ms  REAL,
  p50_ms      REAL,
  p99_ms      REAL,
  fps         REAL,
  throughput  REAL,
  peak_rss_mb REAL,
  row_json    TEXT NOT NULL,
  PRIMARY KEY (run_id, row_index)
);
)sql";

constexpr std::array<const char*, 1> kMigrations = {kVersion1};

}  // namespace

std::span<const char* const> schema_migrations() { return kMigrations; }

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

}  // namespace inferbench
