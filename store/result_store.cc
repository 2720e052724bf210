// SPDX-License-Identifier: Apache-2.0
// ResultStore on SQLite: opening and migrating the file, writing runs and rows, reading them back.
#include "store/result_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "core/support/check.h"
#include "core/support/json_text.h"
#include "store/migrations.h"

namespace inferbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// How long a write waits for another connection's write to finish. Each write here is one
// short transaction, so a wait this long means something else holds the file.
constexpr int kBusyTimeoutMs = 10'000;

// How many ids an "ambiguous prefix" message names before it says how many more there are.
constexpr std::size_t kMaxNamedMatches = 5;

std::string single_quoted(const std::string& text) { return "'" + text + "'"; }

// A hint for the SQLite result codes a user can act on; empty for the others.
std::string hint_for(int rc, const fs::path& path) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process kept the store locked; retry, or set INFERBENCH_DB to use "
             "another file";
    case SQLITE_FULL:
      return "free disk space on the file system holding " + path.string();
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "check that " + path.string() +
             " and its directory are writable, or set INFERBENCH_DB to another file";
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return "move " + path.string() + " away or set INFERBENCH_DB to another file";
    default:
      return {};
  }
}

// "<what>: <SQLite's message>" with a hint when there is one. `db` may be null (failed open).
Status sqlite_error(sqlite3* db, int rc, const std::string& what, const fs::path& path) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(StatusCode::Io, what + ": " + detail, hint_for(rc, path));
}

Status no_run_error(const std::string& id, const fs::path& path) {
  return Status(StatusCode::Input, "no run " + single_quoted(id) + " in " + path.string(),
                "list runs with `inferbench history`");
}

struct Finalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// One prepared statement. Values are only ever bound as parameters, never pasted into SQL.
// A failed bind is remembered and returned by the next step(), so call sites check once.
class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, const char* sql, const fs::path& path) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    Statement statement(raw);
    if (rc != SQLITE_OK) {
      return sqlite_error(db, rc, "cannot query result store " + path.string(), path);
    }
    return statement;
  }

  void bind_text(int index, const std::string& text) {
    remember(sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                               SQLITE_TRANSIENT));
  }
  void bind_int(int index, std::int64_t value) {
    remember(sqlite3_bind_int64(stmt_.get(), index, value));
  }
  void bind_real(int index, const std::optional<double>& value) {
    remember(value ? sqlite3_bind_double(stmt_.get(), index, *value)
                   : sqlite3_bind_null(stmt_.get(), index));
  }
  // Empty text is bound as NULL.
  void bind_text_or_null(int index, const std::string& text) {
    if (text.empty()) {
      remember(sqlite3_bind_null(stmt_.get(), index));
    } else {
      bind_text(index, text);
    }
  }

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() {
    if (bind_rc_ != SQLITE_OK) return bind_rc_;
    return sqlite3_step(stmt_.get());
  }

  bool is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), column));
    if (data == nullptr) return {};
    return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column)));
  }
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  std::optional<double> optional_real(int column) const {
    if (is_null(column)) return std::nullopt;
    return sqlite3_column_double(stmt_.get(), column);
  }

 private:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void remember(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  int bind_rc_ = SQLITE_OK;
};

// Runs SQL that has no parameters and whose result rows, if any, are not needed.
Status exec(sqlite3* db, const char* sql, const std::string& what, const fs::path& path) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, what, path);
  return Status::ok();
}

// Rolls an open transaction back unless commit() succeeded, so every early return is clean.
class Transaction {
 public:
  Transaction(sqlite3* db, const fs::path& path) : db_(db), path_(path) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  // IMMEDIATE takes the write lock now (waiting out the busy timeout), so what is read inside
  // cannot be changed by another writer before this one commits.
  Status begin_immediate() {
    IB_RETURN_IF_ERROR(
        exec(db_, "BEGIN IMMEDIATE", "cannot lock result store " + path_.string(), path_));
    open_ = true;
    return Status::ok();
  }
  Status commit() {
    IB_RETURN_IF_ERROR(exec(db_, "COMMIT", "cannot write result store " + path_.string(), path_));
    open_ = false;
    return Status::ok();
  }

 private:
  sqlite3* db_;
  const fs::path& path_;
  bool open_ = false;
};

// WAL lets readers (`inferbench history`) run beside a writing run and makes each commit one
// append. The mode is stored in the file, so after the first open this is a no-op. Where the
// file system cannot do WAL, SQLite keeps its rollback journal and reports that mode instead of
// failing; the busy timeout still serialises writers, so that is accepted as is.
//
// Why the retry loop: switching to WAL upgrades a shared lock to an exclusive one inside one
// statement, and SQLite does not call the busy handler there (waiting could deadlock), so two
// runs opening a new file at once would get SQLITE_BUSY immediately. Retrying for as long as the
// busy timeout would have waited makes that case wait like every other write.
Status enable_wal(sqlite3* db, const fs::path& path) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::ok();
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      return sqlite_error(db, rc, "cannot switch result store " + path.string() + " to WAL mode",
                          path);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

Result<int> read_schema_version(sqlite3* db, const fs::path& path) {
  auto statement = Statement::prepare(db, "PRAGMA user_version", path);
  if (!statement) return statement.status();
  const int rc = statement->step();
  if (rc != SQLITE_ROW) {
    return sqlite_error(db, rc, "cannot read result store " + path.string(), path);
  }
  return static_cast<int>(statement->integer(0));
}

Status newer_schema_error(int version, const fs::path& path) {
  return Status(StatusCode::Io,
                "result store " + path.string() + " has schema version " + std::to_string(version) +
                    ", newer than this inferbench knows (" +
                    std::to_string(latest_schema_version()) + ")",
                "it was written by a later inferbench: upgrade this one, or set INFERBENCH_DB to "
                "use another file");
}

// Applies the migrations the file lacks, all in one transaction: a failure leaves the file at
// its old version, never half migrated.
Status migrate(sqlite3* db, const fs::path& path) {
  const int latest = latest_schema_version();
  auto version = read_schema_version(db, path);
  if (!version) return version.status();
  if (*version > latest) return newer_schema_error(*version, path);
  if (*version == latest) return Status::ok();

  Transaction transaction(db, path);
  IB_RETURN_IF_ERROR(transaction.begin_immediate());
  // Read again under the write lock: another process may have migrated the file meanwhile.
  version = read_schema_version(db, path);
  if (!version) return version.status();
  if (*version > latest) return newer_schema_error(*version, path);
  const auto migrations = schema_migrations();
  for (int from = *version; from < latest; ++from) {
    IB_RETURN_IF_ERROR(exec(db, migrations[static_cast<std::size_t>(from)],
                            "cannot migrate result store " + path.string() +
                                " from schema version " + std::to_string(from) + " to " +
                                std::to_string(from + 1),
                            path));
  }
  // PRAGMA takes no bound parameters; the number is the code's own constant, not outside input.
  const std::string set_version = "PRAGMA user_version = " + std::to_string(latest);
  IB_RETURN_IF_ERROR(
      exec(db, set_version.c_str(), "cannot write result store " + path.string(), path));
  return transaction.commit();
}

}  // namespace

void ResultStore::Closer::operator()(sqlite3* db) const {
  // close_v2 rather than close: it cannot fail on statements still open (all are finalized
  // by their owners anyway) and releases the handle even after a failed open.
  sqlite3_close_v2(db);
}

ResultStore::ResultStore(Handle db, fs::path path) : db_(std::move(db)), path_(std::move(path)) {}
ResultStore::ResultStore(ResultStore&& other) noexcept = default;
ResultStore& ResultStore::operator=(ResultStore&& other) noexcept = default;
ResultStore::~ResultStore() = default;

Result<ResultStore> ResultStore::open(const fs::path& db_path) {
  if (db_path.empty()) {
    return Status(StatusCode::Usage, "the result store path is empty",
                  "set INFERBENCH_DB to a file name");
  }
  const fs::path parent = db_path.parent_path();
  if (!parent.empty()) {
    std::error_code error;
    fs::create_directories(parent, error);
    if (error) {
      return Status(StatusCode::Io,
                    "cannot create directory " + parent.string() +
                        " for the result store: " + error.message(),
                    "set INFERBENCH_DB to a file in a writable directory");
    }
  }

  sqlite3* raw = nullptr;
  const std::string name = db_path.string();
  const int rc =
      sqlite3_open_v2(name.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Handle db(raw);  // owns the handle even when the open failed
  if (rc != SQLITE_OK) {
    return sqlite_error(db.get(), rc, "cannot open result store " + name, db_path);
  }

  sqlite3_extended_result_codes(db.get(), 1);
  // Before anything touches the file: two runs at once must wait for each other, not fail.
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  IB_RETURN_IF_ERROR(
      exec(db.get(), "PRAGMA foreign_keys = ON", "cannot configure result store " + name, db_path));
  // The first read of the file: a file that is not SQLite fails here, with a clear message.
  auto version = read_schema_version(db.get(), db_path);
  if (!version) return version.status();
  IB_RETURN_IF_ERROR(enable_wal(db.get(), db_path));
  IB_RETURN_IF_ERROR(migrate(db.get(), db_path));
  return ResultStore(std::move(db), db_path);
}

Status ResultStore::begin_run(const RunInfo& run) {
  IB_CHECK(db_ != nullptr) << "ResultStore used after move";
  if (run.id.empty()) return Status(StatusCode::Internal, "begin_run was given an empty run id");
  auto statement = Statement::prepare(db_.get(),
                                      "INSERT INTO runs (id, started_at, finished_at, host, "
                                      "env_json, request_json) VALUES (?1, ?2, NULL, ?3, ?4, ?5)",
                                      path_);
  if (!statement) return statement.status();
  statement->bind_text(1, run.id);
  statement->bind_text(2, run.started_at);
  statement->bind_text(3, run.host);
  statement->bind_text(4, json_text(run.env));
  statement->bind_text(5, json_text(run.request));
  const int rc = statement->step();
  if (rc != SQLITE_DONE) {
    return sqlite_error(db_.get(), rc,
                        "cannot record run " + single_quoted(run.id) + " in " + path_.string(),
                        path_);
  }
  return Status::ok();
}

Status ResultStore::add_row(const std::string& run_id, int index, const Row& row) {
  return write_row(run_id, index, row, /*replace=*/false);
}

Status ResultStore::replace_row(const std::string& run_id, int index, const Row& row) {
  return write_row(run_id, index, row, /*replace=*/true);
}

Status ResultStore::update_env(const std::string& run_id, const nlohmann::json& env) {
  IB_CHECK(db_ != nullptr) << "ResultStore used after move";
  auto statement = Statement::prepare(db_.get(), "UPDATE runs SET env_json = ?2 WHERE id = ?1", path_);
  if (!statement) return statement.status();
  statement->bind_text(1, run_id);
  statement->bind_text(2, json_text(env));
  const int rc = statement->step();
  if (rc != SQLITE_DONE) {
    return sqlite_error(db_.get(), rc, "cannot update the environment of run " + single_quoted(run_id) + " in " + path_.string(),
                        path_);
  }
  if (sqlite3_changes(db_.get()) == 0) return no_run_error(run_id, path_);
  return Status::ok();
}

Status ResultStore::write_row(const std::string& run_id, int index, const Row& row, bool replace) {
  IB_CHECK(db_ != nullptr) << "ResultStore used after move";
  const std::string sql =
      std::string(replace ? "INSERT OR REPLACE" : "INSERT") +
      " INTO run_rows (run_id, row_index, framework, backend, device, precision, model, "
      "batch, scenario, status, error, compile_ms, p50_ms, p99_ms, fps, throughput, "
      "peak_rss_mb, row_json, host) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
  auto statement = Statement::prepare(db_.get(), sql.c_str(), path_);
  if (!statement) return statement.status();
  const auto latency = [&](double LatencySummary::*field) -> std::optional<double> {
    if (!row.latency_ms) return std::nullopt;
    return (*row.latency_ms).*field;
  };
  statement->bind_text(1, run_id);
  statement->bind_int(2, index);
  statement->bind_text(3, row.framework);
  statement->bind_text(4, row.backend);
  statement->bind_text(5, row.device);
  statement->bind_text(6, row.precision);
  statement->bind_text(7, row.model);
  statement->bind_int(8, row.batch);
  statement->bind_text(9, row.scenario);
  statement->bind_text(10, row_status_name(row.status));
  statement->bind_text_or_null(11, row.error);
  statement->bind_real(12, row.compile_ms);
  statement->bind_real(13, latency(&LatencySummary::p50));
  statement->bind_real(14, latency(&LatencySummary::p99));
  statement->bind_real(15, row.fps);
  statement->bind_real(16, row.throughput);
  statement->bind_real(17, row.peak_rss_mb);
  statement->bind_text(18, json_text(json(row)));
  statement->bind_text_or_null(19, row.host ? row.host->name : std::string());  // NULL: no fleet host
  const int rc = statement->step();
  if (rc != SQLITE_DONE) {
    return sqlite_error(db_.get(), rc,
                        std::string(replace ? "cannot replace row " : "cannot add row ") + std::to_string(index) + " of run " +
                            single_quoted(run_id) + " to " + path_.string(),
                        path_);
  }
  return Status::ok();
}

Status ResultStore::finish_run(const std::string& run_id) {
  IB_CHECK(db_ != nullptr) << "ResultStore used after move";
  auto statement = Statement::prepare(
      db_.get(),
      "UPDATE runs SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1", path_);
  if (!statement) return statement.status();
  statement->bind_text(1, run_id);
  const int rc = statement->step();
  if (rc != SQLITE_DONE) {
    return sqlite_error(db_.get(), rc,
                        "cannot finish run " + single_quoted(run_id) + " in " + path_.string(),
                        path_);
  }
  if (sqlite3_changes(db_.get()) == 0) return no_run_error(run_id, path_);
  return Status::ok();
}

Result<std::string> ResultStore::resolve_run_id(const std::string& id_or_prefix) const {
  // An empty prefix would match every run.
  if (id_or_prefix.empty()) return no_run_error(id_or_prefix, path_);
  // substr/length rather than LIKE, so that '_' and '%' in an id are plain characters. An exact
  // match sorts first and wins even when it is also the prefix of a longer id.
  auto statement = Statement::prepare(db_.get(),
                                      "SELECT id FROM runs WHERE substr(id, 1, length(?1)) = ?1 "
                                      "ORDER BY id = ?1 DESC, started_at, seq",
                                      path_);
  if (!statement) return statement.status();
  statement->bind_text(1, id_or_prefix);
  std::vector<std::string> matches;
  int rc = SQLITE_ROW;
  while ((rc = statement->step()) == SQLITE_ROW) {
    matches.push_back(statement->text(0));
    if (matches.size() == 1 && matches.front() == id_or_prefix) return matches.front();
  }
  if (rc != SQLITE_DONE) {
    return sqlite_error(db_.get(), rc, "cannot read result store " + path_.string(), path_);
  }
  if (matches.empty()) return no_run_error(id_or_prefix, path_);
  if (matches.size() == 1) return matches.front();

  std::string named;
  for (std::size_t i = 0; i < matches.size() && i < kMaxNamedMatches; ++i) {
    named += (i == 0 ? "" : ", ") + matches[i];
  }
  if (matches.size() > kMaxNamedMatches) {
    named += " and " + std::to_string(matches.size() - kMaxNamedMatches) + " more";
  }
  return Status(StatusCode::Input,
                "run id prefix " + single_quoted(id_or_prefix) + " matches " +
                    std::to_string(matches.size()) + " runs in " + path_.string() + ": " + named,
                "give more of the id; list runs with `inferbench history`");
}

Result<RunResult> ResultStore::load_run(const std::string& id_or_prefix) const {
  IB_CHECK(db_ != nullptr) << "ResultStore used after move";
  auto id = resolve_run_id(id_or_prefix);
  if (!id) return id.status();
  const std::string what = "cannot read run " + single_quoted(*id) + " from " + path_.string();

  RunResult result;
  {
    auto statement = Statement::prepare(
        db_.get(), "SELECT id, started_at, host, env_json, request_json FROM runs WHERE id = ?1",
        path_);
    if (!statement) return statement.status();
    statement->bind_text(1, *id);
    const int rc = statement->step();
    if (rc == SQLITE_DONE) return no_run_error(*id, path_);
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, what, path_);
    result.run.id = statement->text(0);
    result.run.started_at = statement->text(1);
    result.run.host = statement->text(2);
    result.run.env = json::parse(statement->text(3), nullptr, /*allow_exceptions=*/false);
    result.run.request = json::parse(statement->text(4), nullptr, /*allow_exceptions=*/false);
    if (result.run.env.is_discarded() || result.run.request.is_discarded()) {
      return Status(StatusCode::Io, what + ": its env or request is not valid JSON",
                    hint_for(SQLITE_CORRUPT, path_));
    }
  }

  auto statement = Statement::prepare(
      db_.get(), "SELECT row_index, row_json FROM run_rows WHERE run_id = ?1 ORDER BY row_index",
      path_);
  if (!statement) return statement.status();
  statement->bind_text(1, *id);
  int rc = SQLITE_ROW;
  while ((rc = statement->step()) == SQLITE_ROW) {
    const json row = json::parse(statement->text(1), nullptr, /*allow_exceptions=*/false);
    if (!row.is_object()) {
      return Status(
          StatusCode::Io,
          what + ": row " + std::to_string(statement->integer(0)) + " is not a JSON object",
          hint_for(SQLITE_CORRUPT, path_));
    }
    // The text was written by add_row from a Row, so the field types match what from_json
    // expects; only a hand-edited file could make get<Row>() throw.
    result.rows.push_back(row.get<Row>());
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, what, path_);
  return result;
}

Result<std::vector<RunSummary>> ResultStore::list_runs(int limit) const {
  IB_CHECK(db_ != nullptr) << "ResultStore used after move";
  if (limit < 0) {
    return Status(StatusCode::Usage,
                  "the number of runs to list is negative: " + std::to_string(limit),
                  "give 0 for all runs or a positive count");
  }
  // `recent` picks the runs first so that counting and ranking only touch their rows. Runs that
  // started in the same second keep insertion order (seq). The best row is the ok row with the
  // highest fps, the lowest index on a tie.
  auto statement = Statement::prepare(db_.get(), R"sql(
    WITH recent AS (
      SELECT seq, id, started_at, finished_at, host FROM runs
      ORDER BY started_at DESC, seq DESC LIMIT ?1),
    counts AS (
      SELECT run_id, COUNT(*) AS row_count,
             SUM(status = 'ok') AS ok_count,
             SUM(status = 'failed') AS failed_count,
             SUM(status = 'unavailable') AS unavailable_count
      FROM run_rows WHERE run_id IN (SELECT id FROM recent) GROUP BY run_id),
    firsts AS (
      SELECT run_id, model, MIN(row_index) AS first FROM run_rows
      WHERE model <> '' AND run_id IN (SELECT id FROM recent) GROUP BY run_id, model),
    models AS (
      SELECT run_id, GROUP_CONCAT(printf('%010d', first) || ':' || model, char(31)) AS names
      FROM firsts GROUP BY run_id),
    hosts AS (
      SELECT run_id, COUNT(DISTINCT host) AS host_count FROM run_rows
      WHERE run_id IN (SELECT id FROM recent) GROUP BY run_id),
    ranked AS (
      SELECT run_id, fps, framework, device, precision, model, host,
             ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY fps DESC, row_index) AS place
      FROM run_rows
      WHERE status = 'ok' AND fps IS NOT NULL AND run_id IN (SELECT id FROM recent))
    SELECT r.id, r.started_at, r.finished_at, r.host,
           COALESCE(c.row_count, 0), COALESCE(c.ok_count, 0),
           COALESCE(c.failed_count, 0), COALESCE(c.unavailable_count, 0),
           b.fps, b.framework, b.device, b.precision, b.model, m.names,
           b.host, COALESCE(h.host_count, 0)
    FROM recent r
    LEFT JOIN counts c ON c.run_id = r.id
    LEFT JOIN models m ON m.run_id = r.id
    LEFT JOIN hosts h ON h.run_id = r.id
    LEFT JOIN ranked b ON b.run_id = r.id AND b.place = 1
    ORDER BY r.started_at DESC, r.seq DESC
  )sql",
                                      path_);
  if (!statement) return statement.status();
  statement->bind_int(1, limit == 0 ? -1 : limit);  // SQLite: a negative LIMIT means none
  std::vector<RunSummary> runs;
  int rc = SQLITE_ROW;
  while ((rc = statement->step()) == SQLITE_ROW) {
    RunSummary run;
    run.id = statement->text(0);
    run.started_at = statement->text(1);
    run.finished_at = statement->optional_text(2);
    run.host = statement->text(3);
    run.row_count = static_cast<int>(statement->integer(4));
    run.ok_count = static_cast<int>(statement->integer(5));
    run.failed_count = static_cast<int>(statement->integer(6));
    run.unavailable_count = static_cast<int>(statement->integer(7));
    // "0000000003:resnet50" entries, joined by unit separators, in no promised order: sorted
    // here by the zero-padded index of each model's first row.
    std::vector<std::string> firsts;
    std::stringstream names(statement->optional_text(13).value_or(""));
    for (std::string entry; std::getline(names, entry, '\x1f');) firsts.push_back(entry);
    std::sort(firsts.begin(), firsts.end());
    for (const std::string& entry : firsts) run.models.push_back(entry.substr(entry.find(':') + 1));
    run.best_fps = statement->optional_real(8);
    if (run.best_fps) {
      run.best_label = (run.models.size() > 1 ? statement->text(12) + " " : std::string()) +
                       statement->text(9) + " " + statement->text(10) + " " + statement->text(11);
      // A fleet run of several hosts: which host, as much as which runtime, was fastest.
      if (statement->integer(15) > 1 && !statement->is_null(14)) run.best_label += " on host " + statement->text(14);
    }
    runs.push_back(std::move(run));
  }
  if (rc != SQLITE_DONE) {
    return sqlite_error(db_.get(), rc, "cannot list runs in " + path_.string(), path_);
  }
  return runs;
}

fs::path default_store_path() {
  const auto variable = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
  };
  if (const std::string db = variable("INFERBENCH_DB"); !db.empty()) return db;
  const fs::path file = fs::path("inferbench") / "history.sqlite";
  // The XDG base directory spec says a relative XDG_DATA_HOME is invalid and to be ignored.
  if (const fs::path data_home = variable("XDG_DATA_HOME");
      !data_home.empty() && data_home.is_absolute()) {
    return data_home / file;
  }
  if (const std::string home = variable("HOME"); !home.empty()) {
    return fs::path(home) / ".local" / "share" / file;
  }
  return "inferbench-history.sqlite";
}

}  // namespace inferbench
