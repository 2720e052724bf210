// SPDX-License-Identifier: Apache-2.0
// The result store: every run and every row, kept in one SQLite file across invocations.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result/row.h"
#include "core/support/status.h"

struct sqlite3;

namespace inferbench {

// One line of `inferbench history`: a run and a digest of its rows.
struct RunSummary {
  std::string id;
  std::string started_at;                  // ISO 8601 UTC, as given to begin_run
  std::optional<std::string> finished_at;  // ISO 8601 UTC; empty while running or if interrupted
  std::string host;
  int row_count = 0;
  int ok_count = 0;
  int failed_count = 0;
  int unavailable_count = 0;
  std::vector<std::string> models;  // the rows' models, in the order of each one's first row
  std::optional<double> best_fps;  // highest fps of an ok row; empty when no ok row has one
  // "<framework> <device> <precision>" of that row ("<model> <framework> ..." in a run of
  // several models; "... on host <name>" in a fleet run whose rows name several hosts), or empty
  std::string best_label;
};

// A handle on one result-store file.
//
// Ownership: owns its SQLite connection and closes it on destruction. Move-only; a moved-from
// store may only be destroyed or assigned to.
//
// Thread-safety: one ResultStore per thread. Several stores (in one process or in several, e.g.
// two `inferbench run` at once) may use the same file: the database is in WAL mode, so readers
// never block, and a writer waits up to a few seconds for another writer before giving up with
// StatusCode::Io.
//
// Durability: every call is its own transaction, committed before it returns, so a run that is
// interrupted keeps every row added so far (its finished_at stays empty).
//
// Errors: SQLite failures (cannot create, locked too long, disk full, not a database) are
// StatusCode::Io with the SQLite message and a hint; an unknown run id is StatusCode::Input.
class ResultStore {
 public:
  // Opens the store at `db_path`, creating the parent directories and the file when missing,
  // and brings its schema up to date (store/migrations.cc). Fails with StatusCode::Io when the
  // file cannot be created or is not a SQLite database, or when its schema is newer than this
  // code knows (written by a later inferbench).
  [[nodiscard]] static Result<ResultStore> open(const std::filesystem::path& db_path);

  ResultStore(ResultStore&& other) noexcept;
  ResultStore& operator=(ResultStore&& other) noexcept;
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;
  ~ResultStore();

  // Records the start of a run: id, started_at, host, and env and request as JSON text;
  // finished_at stays empty. A run id that is already stored is an Io error.
  Status begin_run(const RunInfo& run);

  // Stores one row of run `run_id` at position `index` (0-based; the order load_run returns),
  // committed immediately. The whole row is kept as JSON (raw latency samples included),
  // plus copies of the main fields as SQL columns. Fails (Io) if the run was not begun or the
  // index is already taken.
  Status add_row(const std::string& run_id, int index, const Row& row);

  // Stores `row` at position `index` of run `run_id` in place of the row there (or as a new one):
  // for a row recomputed after the run, such as its physical limits.
  Status replace_row(const std::string& run_id, int index, const Row& row);

  // Replaces the run's env JSON (for measurements made at the end of the run).
  Status update_env(const std::string& run_id, const nlohmann::json& env);

  // Sets the run's finished_at to now (UTC). An unknown id is an Input error.
  Status finish_run(const std::string& run_id);

  // Reads a run back with its rows in index order; finished or not. `id_or_prefix` is a full
  // run id or a prefix that matches exactly one stored id. No match is an Input error
  // ("no run 'x' in <path>"); a prefix matching several runs is an Input error naming them.
  [[nodiscard]] Result<RunResult> load_run(const std::string& id_or_prefix) const;

  // The `limit` most recent runs, newest (by started_at) first; `limit == 0` lists all of them.
  // A negative limit is a Usage error.
  [[nodiscard]] Result<std::vector<RunSummary>> list_runs(int limit) const;

  // The file this store reads and writes.
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  using Handle = std::unique_ptr<sqlite3, Closer>;

  ResultStore(Handle db, std::filesystem::path path);
  Status write_row(const std::string& run_id, int index, const Row& row, bool replace);

  // The stored id that `id_or_prefix` names: an exact match, or the only id it prefixes.
  Result<std::string> resolve_run_id(const std::string& id_or_prefix) const;

  Handle db_;
  std::filesystem::path path_;
};

// Where the store lives when the user names none: $INFERBENCH_DB if set and not empty, else
// $XDG_DATA_HOME/inferbench/history.sqlite (when XDG_DATA_HOME is an absolute path), else
// $HOME/.local/share/inferbench/history.sqlite; with no HOME either, inferbench-history.sqlite
// in the current directory. Reads the environment only; creates nothing.
std::filesystem::path default_store_path();

}  // namespace inferbench
