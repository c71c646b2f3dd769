// SQLite connection helpers for the store.
#include "store/sqlite_conn.h"

namespace keelson::store::internal {

api::Error SqliteError(std::string_view what, const Conn& c) {
  return api::MakeError(api::Reason::kServiceUnavailable,
                        std::string(what) + ": sqlite: " + c.ErrMsg());
}

api::Result<std::unique_ptr<Conn>> Conn::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return std::unexpected(
        api::MakeError(api::Reason::kServiceUnavailable, "open " + path + ": sqlite: " + msg));
  }
  std::unique_ptr<Conn> c(new Conn(db));
  // Waits instead of failing when another connection holds a lock briefly (checkpoints).
  sqlite3_busy_timeout(db, 10000);
  // synchronous=FULL: in WAL mode every commit is fsynced before it returns, so an acknowledged
  // write survives kill -9 and power loss.
  if (auto s = c->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                       "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16000; "
                       "PRAGMA temp_store=MEMORY;");
      !s) {
    return std::unexpected(s.error().Wrap("open " + path));
  }
  return c;
}

Conn::~Conn() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

api::Status Conn::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : ErrMsg();
    sqlite3_free(err);
    return std::unexpected(api::MakeError(api::Reason::kServiceUnavailable,
                                          std::string("sqlite: ") + sql + ": " + msg));
  }
  return {};
}

api::Result<sqlite3_stmt*> Conn::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return std::unexpected(SqliteError(std::string("prepare ") + sql, *this));
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

}  // namespace keelson::store::internal
