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

// Version 2: the host a fleet run (docs/fleet.md) measured each row on, `Row::host->name`, as a
// column for queries (`SELECT host, framework, fps FROM run_rows WHERE run_id = ...`); NULL for
// a row of a run on one machine, which names no host (the run's own `runs.host` is where it ran).
// row_json stays what load_run() reads. Rows stored before this version are filled from their
// row_json, where a row written by a fleet-aware inferbench already holds `host.name`; the
// others have none (`"host": null` or no key at all) and keep NULL. A row whose JSON is damaged
// keeps NULL too rather than failing the whole migration: json_extract() raises an error on it,
// and CASE, unlike AND, is documented to evaluate its THEN only when its WHEN holds. The JSON
// functions are built into SQLite since 3.38 and were in Debian's builds before that.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE run_rows ADD COLUMN host TEXT;
UPDATE run_rows SET host = CASE WHEN json_valid(row_json)
                                THEN NULLIF(json_extract(row_json, '$.host.name'), '') END;
)sql";

constexpr std::array<const char*, 2> kMigrations = {kVersion1, kVersion2};

}  // namespace

std::span<const char* const> schema_migrations() { return kMigrations; }

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

}  // namespace inferbench
