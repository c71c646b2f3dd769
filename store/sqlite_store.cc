// The SQLite backend of store.h: WAL, one writer, a pool of readers, durable event log + watch.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "store/sqlite_conn.h"
#include "store/store.h"
#include "store/watch_dispatcher.h"

namespace keelson::store {
namespace {

using internal::Change;
using internal::ChangePtr;
using internal::Conn;
using internal::SqliteError;
using internal::Stmt;

constexpr int kSchemaVersion = 1;
constexpr size_t kIdleReaders = 8;
constexpr int kCheckpointPages = 1000;
constexpr int kMaxWalPages = 3 * kCheckpointPages;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects(
  resource TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL,
  rev INTEGER NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY(resource, ns, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events(
  rev INTEGER PRIMARY KEY, type INTEGER NOT NULL,
  resource TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, value BLOB NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES('revision', 0), ('compacted', 0), ('bootstrapped', 0);
)sql";

constexpr const char* kGetMeta = "SELECT value FROM meta WHERE key = ?";
constexpr const char* kSetMeta = "UPDATE meta SET value = ? WHERE key = ?";
// The store revision is the newest event's; meta.revision carries it over compactions that leave
// no event. Writes then touch two b-trees instead of three.
constexpr const char* kGetRevision =
    "SELECT max((SELECT value FROM meta WHERE key = 'revision'), "
    "coalesce((SELECT max(rev) FROM events), 0))";
constexpr const char* kGetObject =
    "SELECT value FROM objects WHERE resource = ? AND ns = ? AND name = ?";
constexpr const char* kPutObject =
    "INSERT OR REPLACE INTO objects(resource, ns, name, rev, value) VALUES(?, ?, ?, ?, ?)";
constexpr const char* kDeleteObject =
    "DELETE FROM objects WHERE resource = ? AND ns = ? AND name = ?";
constexpr const char* kListAll =
    "SELECT ns, name, value FROM objects WHERE resource = ? ORDER BY ns, name";
constexpr const char* kListNs =
    "SELECT ns, name, value FROM objects WHERE resource = ? AND ns = ? ORDER BY name";
constexpr const char* kPutEvent =
    "INSERT INTO events(rev, type, resource, ns, name, value) VALUES(?, ?, ?, ?, ?, ?)";
constexpr const char* kReadEvents =
    "SELECT rev, type, ns, name, value FROM events WHERE rev > ? AND rev <= ? AND resource = ? "
    "ORDER BY rev LIMIT ?";
constexpr const char* kCompactEvents = "DELETE FROM events WHERE rev <= ?";

const char* const kBootstrapNamespaces[] = {"default", "kube-system", "kube-public",
                                            "kube-node-lease", "keelson-system"};

std::string NewUid() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  uint64_t a = rng();
  uint64_t b = rng();
  a = (a & ~uint64_t{0xF000}) | uint64_t{0x4000};            // version 4
  b = (b & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

// "apps/deployments" → {"apps", "deployments"}; "configmaps" → {"", "configmaps"}.
std::pair<std::string, std::string> SplitResource(std::string_view resource) {
  auto slash = resource.find('/');
  if (slash == std::string_view::npos) return {"", std::string(resource)};
  return {std::string(resource.substr(0, slash)), std::string(resource.substr(slash + 1))};
}

// Kubernetes' qualified resource in messages: "deployments.apps", "configmaps".
std::string Qualified(std::string_view resource) {
  auto [group, plural] = SplitResource(resource);
  return group.empty() ? plural : plural + "." + group;
}

api::Error WithDetails(api::Error e, std::string_view resource, std::string_view name) {
  auto [group, plural] = SplitResource(resource);
  e.kind = plural;
  e.group = group;
  e.name = name;
  return e;
}

api::Error NotFoundErr(std::string_view resource, std::string_view name) {
  return WithDetails(api::NotFound(Qualified(resource), name), resource, name);
}

api::Error ConflictErr(std::string_view resource, std::string_view name, std::string_view why) {
  return WithDetails(api::MakeError(api::Reason::kConflict,
                                    "Operation cannot be fulfilled on " + Qualified(resource) +
                                        " \"" + std::string(name) + "\": " + std::string(why)),
                     resource, name);
}

std::string StorageKey(std::string_view resource, std::string_view ns, std::string_view name) {
  std::string k = "/";
  k += resource;
  k += "/";
  if (!ns.empty()) {
    k += ns;
    k += "/";
  }
  k += name;
  return k;
}

// Finalizers that hold an object back from deletion: metadata.finalizers, and for namespaces
// also spec.finalizers (the namespace controller empties them through /finalize).
bool HasFinalizers(std::string_view resource, const api::Object& o) {
  if (!o.finalizers().empty()) return true;
  if (resource != "namespaces") return false;
  const api::Json& spec = o.spec();
  if (!spec.is_object()) return false;
  auto it = spec.find("finalizers");
  return it != spec.end() && it->is_array() && !it->empty();
}

bool Terminating(const api::Object& ns) {
  if (!ns.deletion_timestamp().empty()) return true;
  const api::Json* phase = ns.Find("status.phase");
  return phase != nullptr && phase->is_string() && *phase == "Terminating";
}

// True when anything outside metadata and status differs (the generation then goes up).
bool SpecChanged(const api::Json& a, const api::Json& b) {
  if (!a.is_object() || !b.is_object()) return a != b;
  for (const auto& [k, v] : a.items()) {
    if (k == "metadata" || k == "status") continue;
    auto it = b.find(k);
    if (it == b.end() || *it != v) return true;
  }
  for (const auto& [k, v] : b.items()) {
    if (k == "metadata" || k == "status") continue;
    if (!a.contains(k)) return true;
  }
  return false;
}

// metadata.deletionGracePeriodSeconds, or -1 when unset.
int64_t GraceOf(const api::Object& o) {
  const api::Json& m = o.metadata();
  if (!m.is_object()) return -1;
  auto it = m.find("deletionGracePeriodSeconds");
  return it != m.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
}

void CopyMeta(const api::Object& from, api::Object& to, const char* key) {
  const api::Json& m = from.metadata();
  auto it = m.is_object() ? m.find(key) : m.end();
  if (m.is_object() && it != m.end()) {
    to.MutableMeta()[key] = *it;
  } else {
    to.MutableMeta().erase(key);
  }
}

class SqliteStore;

// A reader connection borrowed from the pool.
class Reader {
 public:
  Reader(SqliteStore* s, std::unique_ptr<Conn> c) : s_(s), c_(std::move(c)) {}
  ~Reader();
  Reader(Reader&&) = default;
  Conn& operator*() { return *c_; }
  Conn* operator->() { return c_.get(); }

 private:
  SqliteStore* s_;
  std::unique_ptr<Conn> c_;
};

// What a write decided to do, at revision `rev`.
struct Decision {
  enum Kind { kNothing, kPut, kDelete } kind = kNothing;
  EventType type = EventType::kAdded;
  std::shared_ptr<api::Object> object;  // result (kPut: new state; kDelete: last state)
  std::shared_ptr<const api::Object> prev;
};

class SqliteStore final : public Store, private internal::LogReader {
 public:
  static api::Result<std::unique_ptr<SqliteStore>> Open(const std::string& data_dir,
                                                        const SqliteOptions& options);
  ~SqliteStore() override {
    if (dispatcher_) dispatcher_->Shutdown();
    if (checkpointer_.joinable()) {
      {
        std::lock_guard l(ckpt_mu_);
        ckpt_stop_ = true;
      }
      ckpt_cv_.notify_one();
      checkpointer_.join();
    }
    pool_.clear();
    writer_.reset();
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  api::Result<api::Object> Create(std::string_view resource, const api::Object& obj) override;
  api::Result<api::Object> Get(std::string_view resource, std::string_view ns,
                               std::string_view name) override;
  api::Result<ListResult> List(std::string_view resource, std::string_view ns,
                               const std::function<bool(const api::Object&)>& predicate) override;
  api::Result<RawListResult> ListRaw(std::string_view resource, std::string_view ns) override;
  api::Result<api::Object> Update(std::string_view resource, const api::Object& obj) override;
  api::Result<api::Object> Delete(std::string_view resource, std::string_view ns,
                                  std::string_view name, std::string_view precondition_uid,
                                  std::string_view precondition_rv) override;
  api::Result<api::Object> MarkForDeletion(std::string_view resource, std::string_view ns,
                                           std::string_view name,
                                           std::string_view deletion_timestamp,
                                           int64_t grace_seconds, std::string_view precondition_uid,
                                           std::string_view precondition_rv) override;
  api::Result<std::unique_ptr<WatchHandle>> Watch(
      const WatchFilter& filter, Revision from_revision,
      std::function<void(const WatchEvent&)> on_event) override {
    return dispatcher_->Watch(filter, from_revision, std::move(on_event));
  }
  Revision CurrentRevision() override { return revision_.load(); }
  api::Status Compact(Revision revision) override;
  void SetTransformer(std::string_view resource,
                      std::shared_ptr<ValueTransformer> transformer) override {
    std::lock_guard l(tf_mu_);
    transformers_[std::string(resource)] = std::move(transformer);
  }

  void ReturnReader(std::unique_ptr<Conn> c) {
    std::lock_guard l(pool_mu_);
    if (pool_.size() < kIdleReaders) pool_.push_back(std::move(c));
  }

 private:
  SqliteStore(std::string path, SqliteOptions options)
      : path_(std::move(path)), options_(options) {}

  api::Result<Reader> AcquireReader();
  std::shared_ptr<ValueTransformer> Transformer(std::string_view resource);
  api::Result<std::string> Encode(std::string_view resource, std::string_view ns,
                                  std::string_view name, const api::Object& obj);
  api::Result<api::Object> Decode(std::string_view resource, std::string_view ns,
                                  std::string_view name, std::string_view stored);
  // The JSON text of a stored value (FromStorage when a transformer is installed).
  api::Result<std::string> Plaintext(std::string_view resource, std::string_view ns,
                                     std::string_view name, std::string_view stored);
  // Scans the objects of `resource` (in `ns` unless empty) in one read transaction, calling
  // row(ns, name, stored bytes) for each; returns the snapshot's revision.
  api::Result<Revision> Scan(
      std::string_view resource, std::string_view ns,
      const std::function<api::Status(std::string_view, std::string_view, std::string_view)>& row);
  // The object at the key, read through `c` (nullopt if absent).
  api::Result<std::optional<api::Object>> Read(Conn& c, std::string_view resource,
                                               std::string_view ns, std::string_view name);
  api::Result<int64_t> GetMeta(Conn& c, const char* key);
  api::Status SetMeta(Conn& c, const char* key, int64_t value);
  api::Result<Revision> StoredRevision(Conn& c);

  // Runs `decide(rev)` inside one write transaction and applies its decision.
  template <typename F>
  api::Result<api::Object> Write(std::string_view op, std::string_view resource,
                                 std::string_view ns, std::string_view name, F&& decide);
  api::Status Apply(std::string_view resource, std::string_view ns, std::string_view name,
                    Revision rev, const Decision& d, Revision* compact_to);

  api::Result<std::vector<ChangePtr>> ReadLog(const std::string& resource, Revision after,
                                              Revision through, int limit) override;

  api::Status Bootstrap();

  // Checkpoints run on their own thread and connection, so that a commit only pays for its
  // own fsync. The writer's WAL hook wakes the thread when the WAL passes kCheckpointPages.
  static int OnWalCommit(void* self, sqlite3*, const char*, int pages);
  void CheckpointLoop(std::unique_ptr<Conn> c);

  const std::string path_;
  const SqliteOptions options_;
  int lock_fd_ = -1;

  std::mutex write_mu_;  // serializes writers; guards writer_ and compacted_
  std::unique_ptr<Conn> writer_;
  Revision compacted_ = 0;
  std::atomic<Revision> revision_{0};

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Conn>> pool_;

  std::mutex tf_mu_;
  std::map<std::string, std::shared_ptr<ValueTransformer>, std::less<>> transformers_;

  std::shared_ptr<internal::Dispatcher> dispatcher_;

  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;
  bool ckpt_stop_ = false;
  std::thread checkpointer_;

  friend class Reader;
};

Reader::~Reader() {
  if (c_) s_->ReturnReader(std::move(c_));
}

api::Result<Reader> SqliteStore::AcquireReader() {
  {
    std::lock_guard l(pool_mu_);
    if (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      return Reader(this, std::move(c));
    }
  }
  auto c = Conn::Open(path_, false);
  if (!c) return std::unexpected(c.error());
  return Reader(this, std::move(*c));
}

std::shared_ptr<ValueTransformer> SqliteStore::Transformer(std::string_view resource) {
  std::lock_guard l(tf_mu_);
  if (transformers_.empty()) return nullptr;
  auto it = transformers_.find(resource);
  return it == transformers_.end() ? nullptr : it->second;
}

api::Result<std::string> SqliteStore::Encode(std::string_view resource, std::string_view ns,
                                             std::string_view name, const api::Object& obj) {
  std::string bytes;
  try {
    bytes = obj.json().dump();
  } catch (const std::exception& e) {
    return std::unexpected(
        api::BadRequest("encode " + StorageKey(resource, ns, name) + ": " + e.what()));
  }
  auto tf = Transformer(resource);
  if (!tf) return bytes;
  auto stored = tf->ToStorage(resource, StorageKey(resource, ns, name), bytes);
  if (!stored) {
    return std::unexpected(stored.error().Wrap("transform " + StorageKey(resource, ns, name)));
  }
  return std::move(*stored);
}

api::Result<std::string> SqliteStore::Plaintext(std::string_view resource, std::string_view ns,
                                                std::string_view name, std::string_view stored) {
  auto tf = Transformer(resource);
  if (!tf) return std::string(stored);
  auto p = tf->FromStorage(resource, StorageKey(resource, ns, name), stored);
  if (!p) return std::unexpected(p.error().Wrap("transform " + StorageKey(resource, ns, name)));
  return std::move(*p);
}

api::Result<api::Object> SqliteStore::Decode(std::string_view resource, std::string_view ns,
                                             std::string_view name, std::string_view stored) {
  std::string plain;
  std::string_view bytes = stored;
  if (auto tf = Transformer(resource)) {
    auto p = tf->FromStorage(resource, StorageKey(resource, ns, name), stored);
    if (!p) return std::unexpected(p.error().Wrap("transform " + StorageKey(resource, ns, name)));
    plain = std::move(*p);
    bytes = plain;
  }
  try {
    return api::Object(api::Json::parse(bytes));
  } catch (const std::exception& e) {
    return std::unexpected(
        api::Internal("decode stored " + StorageKey(resource, ns, name) + ": " + e.what()));
  }
}

api::Result<std::optional<api::Object>> SqliteStore::Read(Conn& c, std::string_view resource,
                                                          std::string_view ns,
                                                          std::string_view name) {
  auto p = c.Prepare(kGetObject);
  if (!p) return std::unexpected(p.error());
  Stmt st(*p);
  st.Text(1, resource);
  st.Text(2, ns);
  st.Text(3, name);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<api::Object>();
  if (rc != SQLITE_ROW)
    return std::unexpected(SqliteError("read " + StorageKey(resource, ns, name), c));
  auto obj = Decode(resource, ns, name, st.ColBlob(0));
  if (!obj) return std::unexpected(obj.error());
  return std::optional<api::Object>(std::move(*obj));
}

api::Result<int64_t> SqliteStore::GetMeta(Conn& c, const char* key) {
  auto p = c.Prepare(kGetMeta);
  if (!p) return std::unexpected(p.error());
  Stmt st(*p);
  st.Text(1, key);
  if (st.Step() != SQLITE_ROW) {
    return std::unexpected(SqliteError(std::string("read meta ") + key, c));
  }
  return st.ColInt(0);
}

api::Result<Revision> SqliteStore::StoredRevision(Conn& c) {
  auto p = c.Prepare(kGetRevision);
  if (!p) return std::unexpected(p.error());
  Stmt st(*p);
  if (st.Step() != SQLITE_ROW) return std::unexpected(SqliteError("read revision", c));
  return st.ColInt(0);
}

api::Status SqliteStore::SetMeta(Conn& c, const char* key, int64_t value) {
  auto p = c.Prepare(kSetMeta);
  if (!p) return std::unexpected(p.error());
  Stmt st(*p);
  st.Int(1, value);
  st.Text(2, key);
  if (st.Step() != SQLITE_DONE) {
    return std::unexpected(SqliteError(std::string("write meta ") + key, c));
  }
  return {};
}

template <typename F>
api::Result<api::Object> SqliteStore::Write(std::string_view op, std::string_view resource,
                                            std::string_view ns, std::string_view name,
                                            F&& decide) {
  std::lock_guard l(write_mu_);
  auto fail = [&](api::Error e) -> api::Result<api::Object> {
    (void)writer_->Exec("ROLLBACK");
    return std::unexpected(std::move(e));
  };
  if (auto s = writer_->Exec("BEGIN IMMEDIATE"); !s) {
    return std::unexpected(s.error().Wrap(std::string(op) + " " + StorageKey(resource, ns, name)));
  }
  Revision rev = revision_.load() + 1;
  api::Result<Decision> d = std::unexpected(api::Internal("no decision"));
  try {
    d = decide(rev);
  } catch (const std::exception& e) {
    // nlohmann::json throws on objects of the wrong shape (metadata not an object, ...).
    return fail(api::BadRequest(std::string(op) + " " + StorageKey(resource, ns, name) +
                                ": malformed object: " + e.what()));
  }
  if (!d) return fail(std::move(d.error()));
  if (d->kind == Decision::kNothing) {
    (void)writer_->Exec("ROLLBACK");
    return *d->object;
  }
  Revision compact_to = 0;
  if (auto s = Apply(resource, ns, name, rev, *d, &compact_to); !s) {
    return fail(s.error().Wrap(std::string(op) + " " + StorageKey(resource, ns, name)));
  }
  if (auto s = writer_->Exec("COMMIT"); !s) {
    return fail(s.error().Wrap(std::string(op) + " " + StorageKey(resource, ns, name)));
  }
  revision_.store(rev);
  if (compact_to > 0) {
    compacted_ = compact_to;
    dispatcher_->SetCompacted(compact_to);
  }
  api::Object result = *d->object;
  auto change = std::make_shared<Change>();
  change->resource = resource;
  change->ns = ns;
  change->name = name;
  change->event = WatchEvent{d->type, rev, std::move(*d->object)};
  change->prev = std::move(d->prev);
  dispatcher_->Publish(std::move(change));
  return result;
}

api::Status SqliteStore::Apply(std::string_view resource, std::string_view ns,
                               std::string_view name, Revision rev, const Decision& d,
                               Revision* compact_to) {
  auto value = Encode(resource, ns, name, *d.object);
  if (!value) return std::unexpected(value.error());
  Conn& c = *writer_;
  if (d.kind == Decision::kPut) {
    auto p = c.Prepare(kPutObject);
    if (!p) return std::unexpected(p.error());
    Stmt st(*p);
    st.Text(1, resource);
    st.Text(2, ns);
    st.Text(3, name);
    st.Int(4, rev);
    st.Blob(5, *value);
    if (st.Step() != SQLITE_DONE) return std::unexpected(SqliteError("write object", c));
  } else {
    auto p = c.Prepare(kDeleteObject);
    if (!p) return std::unexpected(p.error());
    Stmt st(*p);
    st.Text(1, resource);
    st.Text(2, ns);
    st.Text(3, name);
    if (st.Step() != SQLITE_DONE) return std::unexpected(SqliteError("delete object", c));
  }
  {
    auto p = c.Prepare(kPutEvent);
    if (!p) return std::unexpected(p.error());
    Stmt st(*p);
    st.Int(1, rev);
    st.Int(2, static_cast<int64_t>(d.type));
    st.Text(3, resource);
    st.Text(4, ns);
    st.Text(5, name);
    st.Blob(6, *value);
    if (st.Step() != SQLITE_DONE) return std::unexpected(SqliteError("write event", c));
  }
  // Keep history_events events; trim in batches so that few writes pay for it.
  int64_t keep = std::max<int64_t>(options_.history_events, 1);
  int64_t slack = std::clamp<int64_t>(keep / 10, 1, 1000);
  if (rev - compacted_ > keep + slack) {
    Revision to = rev - keep;
    auto p = c.Prepare(kCompactEvents);
    if (!p) return std::unexpected(p.error());
    Stmt st(*p);
    st.Int(1, to);
    if (st.Step() != SQLITE_DONE) return std::unexpected(SqliteError("compact events", c));
    if (auto s = SetMeta(c, "compacted", to); !s) return s;
    if (auto s = SetMeta(c, "revision", rev); !s) return s;
    *compact_to = to;
  }
  return {};
}

api::Result<api::Object> SqliteStore::Create(std::string_view resource, const api::Object& obj) {
  std::string ns = obj.namespace_();
  std::string name = obj.name();
  if (resource.empty()) return std::unexpected(api::BadRequest("create: resource is required"));
  if (name.empty()) {
    return std::unexpected(
        api::Invalid(obj.kind().empty() ? Qualified(resource) : obj.kind(), "",
                     {{"FieldValueRequired", "metadata.name",
                       "metadata.name: Required value: name or generateName is required"}}));
  }
  return Write("create", resource, ns, name, [&](Revision rev) -> api::Result<Decision> {
    if (!ns.empty()) {
      auto nso = Read(*writer_, "namespaces", "", ns);
      if (!nso) return std::unexpected(nso.error());
      if (!*nso) return std::unexpected(NotFoundErr("namespaces", ns));
      if (Terminating(**nso)) {
        return std::unexpected(WithDetails(
            api::MakeError(api::Reason::kForbidden,
                           Qualified(resource) + " \"" + name +
                               "\" is forbidden: unable to create new content in namespace " + ns +
                               " because it is being terminated"),
            resource, name));
      }
    }
    auto cur = Read(*writer_, resource, ns, name);
    if (!cur) return std::unexpected(cur.error());
    if (*cur) {
      return std::unexpected(
          WithDetails(api::AlreadyExists(Qualified(resource), name), resource, name));
    }
    Decision d;
    d.kind = Decision::kPut;
    d.type = EventType::kAdded;
    d.object = std::make_shared<api::Object>(obj);
    api::Json& meta = d.object->MutableMeta();
    meta.erase("deletionTimestamp");
    meta.erase("deletionGracePeriodSeconds");
    d.object->set_uid(NewUid());
    d.object->set_creation_timestamp(api::NowTimestamp());
    d.object->set_generation(1);
    d.object->set_resource_version(std::to_string(rev));
    return d;
  });
}

api::Result<api::Object> SqliteStore::Get(std::string_view resource, std::string_view ns,
                                          std::string_view name) {
  auto r = AcquireReader();
  if (!r) return std::unexpected(r.error().Wrap("get " + StorageKey(resource, ns, name)));
  auto obj = Read(**r, resource, ns, name);
  if (!obj) return std::unexpected(obj.error().Wrap("get " + StorageKey(resource, ns, name)));
  if (!*obj) return std::unexpected(NotFoundErr(resource, name));
  return std::move(**obj);
}

api::Result<Revision> SqliteStore::Scan(
    std::string_view resource, std::string_view ns,
    const std::function<api::Status(std::string_view, std::string_view, std::string_view)>& row) {
  std::string what = "list " + std::string(resource) + (ns.empty() ? "" : " in " + std::string(ns));
  auto r = AcquireReader();
  if (!r) return std::unexpected(r.error().Wrap(what));
  Conn& c = **r;
  // One read transaction: the revision and the rows come from the same snapshot.
  if (auto s = c.Exec("BEGIN"); !s) return std::unexpected(s.error().Wrap(what));
  auto end = [&](api::Error e) -> api::Result<Revision> {
    (void)c.Exec("ROLLBACK");
    return std::unexpected(e.Wrap(what));
  };
  auto rev = StoredRevision(c);
  if (!rev) return end(rev.error());
  auto p = c.Prepare(ns.empty() ? kListAll : kListNs);
  if (!p) return end(p.error());
  {
    Stmt st(*p);
    st.Text(1, resource);
    if (!ns.empty()) st.Text(2, ns);
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      if (auto s = row(st.ColText(0), st.ColText(1), st.ColBlob(2)); !s) return end(s.error());
    }
    if (rc != SQLITE_DONE) return end(SqliteError("scan", c));
  }
  (void)c.Exec("COMMIT");
  return *rev;
}

api::Result<ListResult> SqliteStore::List(
    std::string_view resource, std::string_view ns,
    const std::function<bool(const api::Object&)>& predicate) {
  // Rows are copied out of the read transaction first; decoding (JSON parsing dominates a large
  // LIST) is then split across threads, and filtering runs on the caller's thread.
  struct Row {
    std::string ns, name, stored;
  };
  std::vector<Row> rows;
  auto rev = Scan(
      resource, ns,
      [&](std::string_view ons, std::string_view name, std::string_view stored) -> api::Status {
        rows.push_back({std::string(ons), std::string(name), std::string(stored)});
        return {};
      });
  if (!rev) return std::unexpected(rev.error());
  std::vector<std::optional<api::Object>> decoded(rows.size());
  auto decode = [&](size_t begin, size_t end) -> api::Status {
    for (size_t i = begin; i < end; ++i) {
      auto obj = Decode(resource, rows[i].ns, rows[i].name, rows[i].stored);
      if (!obj) return std::unexpected(obj.error());
      decoded[i] = std::move(*obj);
    }
    return {};
  };
  constexpr size_t kRowsPerThread = 2000;
  size_t max_threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  size_t threads = std::clamp<size_t>(rows.size() / kRowsPerThread, 1, max_threads);
  size_t chunk = (rows.size() + threads - 1) / threads;
  std::vector<api::Status> results(threads);
  {
    std::vector<std::jthread> pool;
    for (size_t t = 1; t < threads; ++t) {
      pool.emplace_back([&, t] {
        results[t] =
            decode(std::min(rows.size(), t * chunk), std::min(rows.size(), (t + 1) * chunk));
      });
    }
    results[0] = decode(0, std::min(rows.size(), chunk));
  }
  for (auto& r : results) {
    if (!r) return std::unexpected(r.error().Wrap("list " + std::string(resource)));
  }
  ListResult out;
  out.revision = *rev;
  out.items.reserve(rows.size());
  for (auto& o : decoded) {
    // The predicate runs on this thread only: callers need not make it thread-safe.
    if (predicate && !predicate(*o)) continue;
    out.items.push_back(std::move(*o));
  }
  return out;
}

api::Result<RawListResult> SqliteStore::ListRaw(std::string_view resource, std::string_view ns) {
  RawListResult out;
  auto rev = Scan(
      resource, ns,
      [&](std::string_view ons, std::string_view name, std::string_view stored) -> api::Status {
        auto json = Plaintext(resource, ons, name, stored);
        if (!json) return std::unexpected(json.error());
        out.items.push_back({std::string(ons), std::string(name), std::move(*json)});
        return {};
      });
  if (!rev) return std::unexpected(rev.error());
  out.revision = *rev;
  return out;
}

api::Result<api::Object> SqliteStore::Update(std::string_view resource, const api::Object& obj) {
  std::string ns = obj.namespace_();
  std::string name = obj.name();
  if (name.empty()) return std::unexpected(api::BadRequest("update: metadata.name is required"));
  return Write("update", resource, ns, name, [&](Revision rev) -> api::Result<Decision> {
    auto cur = Read(*writer_, resource, ns, name);
    if (!cur) return std::unexpected(cur.error());
    if (!*cur) return std::unexpected(NotFoundErr(resource, name));
    const api::Object& old = **cur;
    std::string want = obj.resource_version();
    if (!want.empty() && want != old.resource_version()) {
      return std::unexpected(ConflictErr(resource, name,
                                         "the object has been modified; please apply your "
                                         "changes to the latest version and try again"));
    }
    if (!old.deletion_timestamp().empty()) {
      std::vector<std::string> before = old.finalizers(), added;
      for (const auto& f : obj.finalizers()) {
        if (std::find(before.begin(), before.end(), f) == before.end()) added.push_back(f);
      }
      if (!added.empty()) {
        std::string list = "[]string{";
        for (size_t i = 0; i < added.size(); ++i) {
          list += (i ? ", \"" : "\"") + added[i] + "\"";
        }
        list += "}";
        return std::unexpected(WithDetails(
            api::Invalid(obj.kind().empty() ? Qualified(resource) : obj.kind(), name,
                         {{"FieldValueForbidden", "metadata.finalizers",
                           "metadata.finalizers: Forbidden: no new finalizers can be added if the "
                           "object is being deleted, found new finalizers " +
                               list}}),
            resource, name));
      }
    }
    auto next = std::make_shared<api::Object>(obj);
    next->set_uid(old.uid());
    next->set_creation_timestamp(old.creation_timestamp());
    CopyMeta(old, *next, "deletionTimestamp");
    CopyMeta(old, *next, "deletionGracePeriodSeconds");
    int64_t gen = std::max<int64_t>(old.generation(), 1);
    if (SpecChanged(old.json(), next->json())) ++gen;
    next->set_generation(gen);
    next->set_resource_version(old.resource_version());
    Decision d;
    if (next->json() == old.json()) {
      // Kubernetes does not write an update that changes nothing: no new revision, no event.
      d.kind = Decision::kNothing;
      d.object = std::move(next);
      return d;
    }
    next->set_resource_version(std::to_string(rev));
    d.prev = std::make_shared<const api::Object>(std::move(**cur));
    d.object = std::move(next);
    if (!d.object->deletion_timestamp().empty() && GraceOf(*d.object) <= 0 &&
        !HasFinalizers(resource, *d.object)) {
      d.kind = Decision::kDelete;
      d.type = EventType::kDeleted;
    } else {
      d.kind = Decision::kPut;
      d.type = EventType::kModified;
    }
    return d;
  });
}

api::Result<api::Object> SqliteStore::Delete(std::string_view resource, std::string_view ns,
                                             std::string_view name,
                                             std::string_view precondition_uid,
                                             std::string_view precondition_rv) {
  return Write("delete", resource, ns, name, [&](Revision rev) -> api::Result<Decision> {
    auto cur = Read(*writer_, resource, ns, name);
    if (!cur) return std::unexpected(cur.error());
    if (!*cur) return std::unexpected(NotFoundErr(resource, name));
    const api::Object& old = **cur;
    if (!precondition_uid.empty() && precondition_uid != old.uid()) {
      return std::unexpected(
          ConflictErr(resource, name,
                      "Precondition failed: UID in precondition: " + std::string(precondition_uid) +
                          ", UID in object meta: " + old.uid()));
    }
    if (!precondition_rv.empty() && precondition_rv != old.resource_version()) {
      return std::unexpected(ConflictErr(
          resource, name,
          "Precondition failed: ResourceVersion in precondition: " + std::string(precondition_rv) +
              ", ResourceVersion in object meta: " + old.resource_version()));
    }
    Decision d;
    d.object = std::make_shared<api::Object>(old);
    if (HasFinalizers(resource, old)) {
      if (!old.deletion_timestamp().empty()) {
        d.kind = Decision::kNothing;  // already being deleted
        return d;
      }
      d.kind = Decision::kPut;
      d.type = EventType::kModified;
      d.object->set_deletion_timestamp(api::NowTimestamp());
      d.object->MutableMeta()["deletionGracePeriodSeconds"] = 0;
      if (resource == "namespaces") d.object->json()["status"]["phase"] = "Terminating";
    } else {
      d.kind = Decision::kDelete;
      d.type = EventType::kDeleted;
    }
    d.object->set_resource_version(std::to_string(rev));
    d.prev = std::make_shared<const api::Object>(std::move(**cur));
    return d;
  });
}

api::Result<api::Object> SqliteStore::MarkForDeletion(std::string_view resource,
                                                      std::string_view ns, std::string_view name,
                                                      std::string_view deletion_timestamp,
                                                      int64_t grace_seconds,
                                                      std::string_view precondition_uid,
                                                      std::string_view precondition_rv) {
  if (grace_seconds < 0) grace_seconds = 0;
  return Write("delete", resource, ns, name, [&](Revision rev) -> api::Result<Decision> {
    auto cur = Read(*writer_, resource, ns, name);
    if (!cur) return std::unexpected(cur.error());
    if (!*cur) return std::unexpected(NotFoundErr(resource, name));
    const api::Object& old = **cur;
    if (!precondition_uid.empty() && precondition_uid != old.uid()) {
      return std::unexpected(
          ConflictErr(resource, name,
                      "Precondition failed: UID in precondition: " + std::string(precondition_uid) +
                          ", UID in object meta: " + old.uid()));
    }
    if (!precondition_rv.empty() && precondition_rv != old.resource_version()) {
      return std::unexpected(ConflictErr(
          resource, name,
          "Precondition failed: ResourceVersion in precondition: " + std::string(precondition_rv) +
              ", ResourceVersion in object meta: " + old.resource_version()));
    }
    Decision d;
    d.object = std::make_shared<api::Object>(old);
    int64_t old_grace = GraceOf(old);
    bool marked = !old.deletion_timestamp().empty();
    if (marked && old_grace >= 0 && grace_seconds >= old_grace &&
        !(grace_seconds == 0 && !HasFinalizers(resource, old))) {
      d.kind = Decision::kNothing;  // only a shorter grace may be given
      return d;
    }
    if (!marked || old.deletion_timestamp() > deletion_timestamp || old_grace < 0) {
      d.object->set_deletion_timestamp(std::string(deletion_timestamp));
    }
    d.object->MutableMeta()["deletionGracePeriodSeconds"] = grace_seconds;
    if (!marked && d.object->generation() > 0) d.object->set_generation(d.object->generation() + 1);
    if (grace_seconds == 0 && !HasFinalizers(resource, old)) {
      d.kind = Decision::kDelete;
      d.type = EventType::kDeleted;
    } else {
      d.kind = Decision::kPut;
      d.type = EventType::kModified;
    }
    d.object->set_resource_version(std::to_string(rev));
    d.prev = std::make_shared<const api::Object>(std::move(**cur));
    return d;
  });
}

api::Status SqliteStore::Compact(Revision revision) {
  std::lock_guard l(write_mu_);
  if (revision > revision_.load()) {
    return std::unexpected(api::BadRequest("compact: revision " + std::to_string(revision) +
                                           " is beyond the current revision " +
                                           std::to_string(revision_.load())));
  }
  if (revision <= compacted_) return {};
  Conn& c = *writer_;
  if (auto s = c.Exec("BEGIN IMMEDIATE"); !s) return std::unexpected(s.error().Wrap("compact"));
  auto fail = [&](api::Error e) -> api::Status {
    (void)c.Exec("ROLLBACK");
    return std::unexpected(e.Wrap("compact"));
  };
  {
    auto p = c.Prepare(kCompactEvents);
    if (!p) return fail(p.error());
    Stmt st(*p);
    st.Int(1, revision);
    if (st.Step() != SQLITE_DONE) return fail(SqliteError("delete events", c));
  }
  if (auto s = SetMeta(c, "compacted", revision); !s) return fail(s.error());
  if (auto s = SetMeta(c, "revision", revision_.load()); !s) return fail(s.error());
  if (auto s = c.Exec("COMMIT"); !s) return fail(s.error());
  compacted_ = revision;
  dispatcher_->SetCompacted(revision);
  return {};
}

api::Result<std::vector<ChangePtr>> SqliteStore::ReadLog(const std::string& resource,
                                                         Revision after, Revision through,
                                                         int limit) {
  auto r = AcquireReader();
  if (!r) return std::unexpected(r.error());
  Conn& c = **r;
  if (auto s = c.Exec("BEGIN"); !s) return std::unexpected(s.error());
  auto end = [&](api::Error e) -> api::Result<std::vector<ChangePtr>> {
    (void)c.Exec("ROLLBACK");
    return std::unexpected(std::move(e));
  };
  // Same snapshot as the rows: if nothing after `after` was compacted here, every event in
  // (after, through] is in this snapshot.
  auto compacted = GetMeta(c, "compacted");
  if (!compacted) return end(compacted.error());
  if (*compacted > after) return end(internal::TooOld(after, *compacted));
  std::vector<ChangePtr> out;
  auto p = c.Prepare(kReadEvents);
  if (!p) return end(p.error());
  {
    Stmt st(*p);
    st.Int(1, after);
    st.Int(2, through);
    st.Text(3, resource);
    st.Int(4, limit);
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      auto ch = std::make_shared<Change>();
      Revision rev = st.ColInt(0);
      int64_t type = st.ColInt(1);
      if (type < 0 || type > static_cast<int64_t>(EventType::kDeleted)) {
        return end(api::Internal("event " + std::to_string(rev) + " has unknown type " +
                                 std::to_string(type)));
      }
      ch->resource = resource;
      ch->ns = st.ColText(2);
      ch->name = st.ColText(3);
      auto obj = Decode(resource, ch->ns, ch->name, st.ColBlob(4));
      if (!obj) return end(obj.error());
      ch->event = WatchEvent{static_cast<EventType>(type), rev, std::move(*obj)};
      out.push_back(std::move(ch));
    }
    if (rc != SQLITE_DONE) return end(SqliteError("read events", c));
  }
  (void)c.Exec("COMMIT");
  return out;
}

int SqliteStore::OnWalCommit(void* self, sqlite3* db, const char*, int pages) {
  if (pages >= kMaxWalPages) {
    // The background thread is not keeping up: checkpoint here, as SQLite's own autocheckpoint
    // would, so the WAL stays bounded (the writer lock is held by the caller).
    int log = 0, done = 0;
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    return SQLITE_OK;
  }
  if (pages >= kCheckpointPages) {
    auto* s = static_cast<SqliteStore*>(self);
    {
      std::lock_guard l(s->ckpt_mu_);
      s->ckpt_wanted_ = true;
    }
    s->ckpt_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop(std::unique_ptr<Conn> c) {
  for (;;) {
    {
      std::unique_lock l(ckpt_mu_);
      ckpt_cv_.wait(l, [&] { return ckpt_wanted_ || ckpt_stop_; });
      if (ckpt_stop_) return;
      ckpt_wanted_ = false;
    }
    // PASSIVE copies most frames without blocking anyone. Writes that landed meanwhile keep the
    // WAL from being fully copied, and SQLite only rewinds a fully copied WAL: finish the short
    // remainder with writers held off, so the next write starts the WAL over.
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(c->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc == SQLITE_OK && done < log) {
      std::lock_guard l(write_mu_);
      sqlite3_wal_checkpoint_v2(c->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    }
  }
}

api::Status SqliteStore::Bootstrap() {
  for (const char* name : kBootstrapNamespaces) {
    api::Object ns(api::Json{
        {"apiVersion", "v1"},
        {"kind", "Namespace"},
        {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/metadata.name", name}}}}},
        {"spec", {{"finalizers", {"kubernetes"}}}},
        {"status", {{"phase", "Active"}}}});
    auto r = Create("namespaces", ns);
    if (!r && r.error().reason != api::Reason::kAlreadyExists) {
      return std::unexpected(r.error().Wrap("create namespace " + std::string(name)));
    }
  }
  std::lock_guard l(write_mu_);
  return SetMeta(*writer_, "bootstrapped", 1);
}

api::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& data_dir,
                                                            const SqliteOptions& options) {
  auto unavailable = [&](std::string msg) {
    return std::unexpected(
        api::MakeError(api::Reason::kServiceUnavailable, "open store in " + data_dir + ": " + msg));
  };
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return unavailable("create directory: " + ec.message());
  std::string path = (std::filesystem::path(data_dir) / "store.db").string();
  std::unique_ptr<SqliteStore> s(new SqliteStore(path, options));

  // One process per store: a second keelsond on the same directory would break the single-writer
  // revision counter.
  std::string lock_path = (std::filesystem::path(data_dir) / "store.lock").string();
  s->lock_fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd_ < 0) return unavailable("open " + lock_path + ": " + std::strerror(errno));
  if (flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return unavailable(errno == EWOULDBLOCK ? "the store is in use by another process"
                                            : "lock " + lock_path + ": " + std::strerror(errno));
  }
  // The database (and its -wal/-shm, which SQLite creates with the same mode) is private.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable("create " + path + ": " + std::strerror(errno));
  close(fd);

  auto w = Conn::Open(path, true);
  if (!w) return std::unexpected(w.error());
  s->writer_ = std::move(*w);
  Conn& c = *s->writer_;
  {
    auto p = c.Prepare("PRAGMA user_version");
    if (!p) return std::unexpected(p.error());
    Stmt st(*p);
    if (st.Step() != SQLITE_ROW) return std::unexpected(SqliteError("read schema version", c));
    int64_t v = st.ColInt(0);
    if (v > kSchemaVersion) {
      return unavailable("schema version " + std::to_string(v) +
                         " is newer than this keelsond supports (" +
                         std::to_string(kSchemaVersion) + ")");
    }
  }
  if (auto st = c.Exec("BEGIN IMMEDIATE"); !st) return std::unexpected(st.error());
  if (auto st = c.Exec(kSchema); !st) {
    (void)c.Exec("ROLLBACK");
    return std::unexpected(st.error());
  }
  if (auto st = c.Exec("PRAGMA user_version = 1; COMMIT"); !st) {
    (void)c.Exec("ROLLBACK");
    return std::unexpected(st.error());
  }
  auto rev = s->StoredRevision(c);
  auto compacted = s->GetMeta(c, "compacted");
  auto bootstrapped = s->GetMeta(c, "bootstrapped");
  if (!rev || !compacted || !bootstrapped) {
    return std::unexpected((!rev         ? rev.error()
                            : !compacted ? compacted.error()
                                         : bootstrapped.error())
                               .Wrap("open " + path));
  }
  if (auto st = c.Exec("PRAGMA wal_autocheckpoint=0"); !st) return std::unexpected(st.error());
  auto ckpt = Conn::Open(path, false);
  if (!ckpt) return std::unexpected(ckpt.error());
  sqlite3_wal_hook(c.db(), &SqliteStore::OnWalCommit, s.get());
  s->checkpointer_ = std::thread([self = s.get(), conn = std::move(*ckpt)]() mutable {
    self->CheckpointLoop(std::move(conn));
  });
  s->revision_.store(*rev);
  s->compacted_ = *compacted;
  s->dispatcher_ = std::make_shared<internal::Dispatcher>(
      static_cast<internal::LogReader*>(s.get()),
      static_cast<size_t>(std::max<int64_t>(options.watch_window_events, 1)),
      options.watch_queue_limit, *rev, *compacted);
  if (*bootstrapped == 0) {
    if (auto st = s->Bootstrap(); !st) return std::unexpected(st.error().Wrap("open " + path));
  }
  return s;
}

}  // namespace

api::Result<std::unique_ptr<Store>> OpenSqlite(const std::string& data_dir,
                                               const SqliteOptions& options) {
  auto s = SqliteStore::Open(data_dir, options);
  if (!s) return std::unexpected(s.error());
  return std::unique_ptr<Store>(std::move(*s));
}

}  // namespace keelson::store
