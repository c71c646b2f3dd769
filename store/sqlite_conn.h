// Thin RAII helpers over the SQLite C API: a connection with cached prepared statements and a
// scoped statement use. Internal to store/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/error.h"

namespace keelson::store::internal {

// A prepared statement borrowed from a Conn's cache; reset and unbound when it goes out of scope.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    if (s_ != nullptr) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binds are 1-based, as in SQLite. Text and blobs are not copied: the caller keeps the bytes
  // alive until this Stmt is destroyed.
  void Text(int i, std::string_view v) {
    // A default string_view has no data pointer, which SQLite would bind as NULL.
    sqlite3_bind_text(s_, i, v.data() != nullptr ? v.data() : "", static_cast<int>(v.size()),
                      SQLITE_STATIC);
  }
  void Blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(s_); }

  int64_t ColInt(int i) const { return sqlite3_column_int64(s_, i); }
  std::string_view ColText(int i) const {
    const unsigned char* p = sqlite3_column_text(s_, i);
    return p == nullptr ? std::string_view()
                        : std::string_view(reinterpret_cast<const char*>(p),
                                           static_cast<size_t>(sqlite3_column_bytes(s_, i)));
  }
  std::string_view ColBlob(int i) const {
    const void* p = sqlite3_column_blob(s_, i);
    return p == nullptr ? std::string_view()
                        : std::string_view(static_cast<const char*>(p),
                                           static_cast<size_t>(sqlite3_column_bytes(s_, i)));
  }

 private:
  sqlite3_stmt* s_;
};

// One SQLite connection, used by one thread at a time. Statements are prepared once per SQL text
// (keyed by the literal's address: pass string literals only).
class Conn {
 public:
  // Opens `path` (creating it when `create`) with the pragmas every connection needs.
  static api::Result<std::unique_ptr<Conn>> Open(const std::string& path, bool create);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs one or more statements without results. Errors: ServiceUnavailable naming `sql`.
  api::Status Exec(const char* sql);
  // The cached statement for `sql`. Errors: ServiceUnavailable (the SQL does not prepare).
  api::Result<sqlite3_stmt*> Prepare(const char* sql);
  // The connection's last error message.
  std::string ErrMsg() const { return sqlite3_errmsg(db_); }
  sqlite3* db() const { return db_; }

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// ServiceUnavailable "<what>: sqlite: <message>" for a failed SQLite call.
api::Error SqliteError(std::string_view what, const Conn& c);

}  // namespace keelson::store::internal
