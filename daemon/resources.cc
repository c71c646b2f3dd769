// REST semantics of keelsond's API.
#include "daemon/resources.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "api/selector.h"
#include "daemon/patching.h"

namespace keelson::daemon {
namespace {

constexpr int kPatchRetries = 5;

bool HasSubresource(const api::KindInfo& kind, std::string_view sub) {
  return std::find(kind.subresources.begin(), kind.subresources.end(), sub) !=
         kind.subresources.end();
}

api::Error NotFoundFor(const api::KindInfo& kind, std::string_view name) {
  api::Error e = api::NotFound(kind.qualified_resource(), name);
  e.kind = kind.resource;
  e.group = kind.group;
  return e;
}

// Gives a store error the resource's Kubernetes name ("configmaps \"x\" not found").
api::Error ForKind(const api::KindInfo& kind, std::string_view name, api::Error e) {
  if (e.reason == api::Reason::kNotFound && e.kind.empty()) return NotFoundFor(kind, name);
  if (e.kind.empty()) {
    e.kind = kind.resource;
    e.group = kind.group;
  }
  if (e.name.empty()) e.name = std::string(name);
  return e;
}

api::Error ConflictError(const api::KindInfo& kind, std::string_view name, std::string_view why) {
  api::Error e = api::MakeError(api::Reason::kConflict,
                                "Operation cannot be fulfilled on " + kind.qualified_resource() +
                                    " \"" + std::string(name) + "\": " + std::string(why));
  e.kind = kind.resource;
  e.group = kind.group;
  e.name = std::string(name);
  return e;
}

// Checks apiVersion/kind of a body against the endpoint and fills them in when absent.
api::Status CheckTypeMeta(const api::KindInfo& kind, api::Object& obj) {
  if (!obj.json().is_object())
    return std::unexpected(api::BadRequest("the body must be a JSON object"));
  std::string av = obj.api_version(), k = obj.kind();
  if (av.empty()) obj.set_api_version(kind.api_version());
  if (k.empty()) obj.set_kind(kind.kind);
  if (!av.empty() && av != kind.api_version()) {
    return std::unexpected(api::BadRequest("the API version in the data (" + av +
                                           ") does not match the expected API version (" +
                                           kind.api_version() + ")"));
  }
  if (!k.empty() && k != kind.kind) {
    return std::unexpected(api::BadRequest(
        "the kind in the data (" + k + ") does not match the expected kind (" + kind.kind + ")"));
  }
  return {};
}

api::Status CheckNamespace(const api::KindInfo& kind, std::string_view ns, api::Object& obj) {
  if (!kind.namespaced) {
    if (obj.metadata().contains("namespace")) obj.MutableMeta().erase("namespace");
    return {};
  }
  std::string body_ns = obj.namespace_();
  if (body_ns.empty()) {
    obj.set_namespace(ns);
  } else if (body_ns != ns) {
    return std::unexpected(api::BadRequest(
        "the namespace of the provided object does not match the namespace sent on the request"));
  }
  return {};
}

std::function<bool(const api::Object&)> MakePredicate(const api::ListOptions& opts,
                                                      api::Status& status) {
  auto ls = api::LabelSelector::Parse(opts.label_selector);
  if (!ls) {
    status = std::unexpected(ls.error());
    return nullptr;
  }
  auto fs = api::FieldSelector::Parse(opts.field_selector);
  if (!fs) {
    status = std::unexpected(fs.error());
    return nullptr;
  }
  if (ls->Empty() && fs->Empty()) return nullptr;
  return [ls = *ls, fs = *fs](const api::Object& o) {
    return ls.Matches(o.labels()) && fs.Matches(o);
  };
}

// Status-only write: the object keeps everything of `current` but the status of `incoming`.
api::Object StatusOnly(const api::Object& current, const api::Object& incoming) {
  api::Object out = current;
  if (incoming.json().contains("status")) {
    out.json()["status"] = incoming.json()["status"];
  } else {
    out.json().erase("status");
  }
  out.set_resource_version(incoming.resource_version());
  return out;
}

// A main-resource write keeps the stored status for kinds with a status subresource and the
// fields clients cannot set.
void KeepSystemFields(const api::KindInfo& kind, const api::Object& current, api::Object& obj) {
  if (HasSubresource(kind, "status")) {
    if (current.json().contains("status")) {
      obj.json()["status"] = current.json()["status"];
    } else {
      obj.json().erase("status");
    }
  }
  auto& m = obj.MutableMeta();
  const auto& cm = current.metadata();
  for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "generation"}) {
    if (cm.contains(f)) {
      m[f] = cm[f];
    } else {
      m.erase(f);
    }
  }
}

bool IsPod(const api::KindInfo& kind) { return kind.group.empty() && kind.kind == "Pod"; }

std::string NodeNameOf(const api::Object& pod) {
  const api::Json* n = pod.Find("spec.nodeName");
  return n != nullptr && n->is_string() ? n->get<std::string>() : "";
}

// Kubernetes binds pods only through pods/binding: a pod update may not set or change
// spec.nodeName (ValidatePodUpdate's "pod updates may not change fields other than ...").
api::Status CheckNodeNameUnchanged(const api::Object& current, const api::Object& obj) {
  if (NodeNameOf(current) == NodeNameOf(obj)) return {};
  return std::unexpected(api::Invalid(
      "Pod", obj.name(),
      {{"FieldValueForbidden", "spec",
        "spec: Forbidden: pod updates may not change fields other than "
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)"}}));
}

std::string Base64Url(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out += k[(buf >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += k[(buf << (6 - bits)) & 63];
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      out += static_cast<char>((buf >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

std::string RandomNameSuffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  unsigned char b[5];
  RAND_bytes(b, sizeof b);
  std::string s;
  for (unsigned char c : b) s += kAlphabet[c % (sizeof kAlphabet - 1)];
  return s;
}

std::string NewUid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

api::Object ScaleOf(const api::KindInfo& kind, const api::Object& obj) {
  api::Json m = {{"name", obj.name()},
                 {"namespace", obj.namespace_()},
                 {"uid", obj.uid()},
                 {"resourceVersion", obj.resource_version()},
                 {"creationTimestamp", obj.creation_timestamp()}};
  int64_t spec_replicas = 1;
  if (const auto* r = obj.Find("spec.replicas"); r != nullptr && r->is_number_integer()) {
    spec_replicas = r->get<int64_t>();
  }
  int64_t status_replicas = 0;
  if (const auto* r = obj.Find("status.replicas"); r != nullptr && r->is_number_integer()) {
    status_replicas = r->get<int64_t>();
  }
  api::Json status = {{"replicas", status_replicas}};
  if (const auto* sel = obj.Find("spec.selector"); sel != nullptr && sel->is_object()) {
    auto ls = api::LabelSelector::FromJson(*sel);
    if (ls) status["selector"] = ls->ToString();
  }
  return api::Object(api::Json{{"kind", "Scale"},
                               {"apiVersion", "autoscaling/v1"},
                               {"metadata", m},
                               {"spec", {{"replicas", spec_replicas}}},
                               {"status", status}});
}

Resources::Resources(store::Store& store, const Authorizer& authorizer, AdmissionChain admission)
    : store_(store), authorizer_(authorizer), admission_(std::move(admission)) {}

std::string Resources::StoreResource(const api::KindInfo& kind) {
  return kind.group.empty() ? kind.resource : kind.group + "/" + kind.resource;
}

api::Status Resources::Authorize(const RequestContext& ctx, std::string_view verb,
                                 const api::KindInfo& kind, std::string_view subresource,
                                 std::string_view ns, std::string_view name) const {
  Attributes a{&ctx.user,        std::string(verb),        kind.group,
               kind.resource,    std::string(subresource), std::string(ns),
               std::string(name)};
  Decision d = authorizer_.Authorize(a);
  if (!d.allowed) return std::unexpected(ForbiddenError(a, d.reason));
  return {};
}

api::Result<api::Object> Resources::Get(RequestContext& ctx, const api::KindInfo& kind,
                                        std::string_view ns, std::string_view name,
                                        std::string_view subresource) {
  if (!subresource.empty() && !HasSubresource(kind, subresource)) {
    return std::unexpected(NotFoundFor(kind, std::string(name) + "/" + std::string(subresource)));
  }
  if (auto s = Authorize(ctx, "get", kind, subresource, ns, name); !s) {
    return std::unexpected(s.error());
  }
  auto got = store_.Get(StoreResource(kind), kind.namespaced ? ns : "", name);
  if (!got) return std::unexpected(ForKind(kind, name, got.error()));
  if (subresource == "scale") return ScaleOf(kind, *got);
  return got;
}

api::Result<api::ObjectList> Resources::List(RequestContext& ctx, const api::KindInfo& kind,
                                             std::string_view ns, const api::ListOptions& opts) {
  if (auto s = Authorize(ctx, "list", kind, "", ns, ""); !s) return std::unexpected(s.error());
  api::Status st;
  auto pred = MakePredicate(opts, st);
  if (!st) return std::unexpected(st.error());
  // Continue token: base64url of {"rv": N, "start": "ns/name"} (the last key returned).
  std::string start_ns, start_name;
  bool has_start = false;
  if (!opts.continue_token.empty()) {
    auto raw = Base64UrlDecode(opts.continue_token);
    api::Json tok = raw ? api::Json::parse(*raw, nullptr, false) : api::Json();
    if (!tok.is_object() || !tok.contains("ns") || !tok.contains("name")) {
      return std::unexpected(api::BadRequest("continue key is not valid: malformed token"));
    }
    start_ns = tok["ns"].get<std::string>();
    start_name = tok["name"].get<std::string>();
    has_start = true;
  }
  std::function<bool(const api::Object&)> full = pred;
  if (has_start) {
    full = [&, pred](const api::Object& o) {
      auto key = std::make_pair(o.namespace_(), o.name());
      if (key <= std::make_pair(start_ns, start_name)) return false;
      return !pred || pred(o);
    };
  }
  auto res = store_.List(StoreResource(kind), kind.namespaced ? ns : "", full);
  if (!res) return std::unexpected(res.error().Wrap("list " + kind.qualified_resource()));
  api::ObjectList out;
  out.resource_version = std::to_string(res->revision);
  if (opts.limit > 0 && static_cast<int64_t>(res->items.size()) > opts.limit) {
    res->items.resize(static_cast<size_t>(opts.limit));
    const auto& last = res->items.back();
    api::Json tok = {{"rv", res->revision}, {"ns", last.namespace_()}, {"name", last.name()}};
    out.continue_token = Base64Url(tok.dump());
  }
  out.items = std::move(res->items);
  return out;
}

api::Result<store::RawListResult> Resources::ListRaw(RequestContext& ctx, const api::KindInfo& kind,
                                                     std::string_view ns) {
  if (auto s = Authorize(ctx, "list", kind, "", ns, ""); !s) return std::unexpected(s.error());
  auto res = store_.ListRaw(StoreResource(kind), kind.namespaced ? ns : "");
  if (!res) return std::unexpected(res.error().Wrap("list " + kind.qualified_resource()));
  return res;
}

api::Result<api::Object> Resources::Create(RequestContext& ctx, const api::KindInfo& kind,
                                           std::string_view ns, api::Object obj,
                                           const api::WriteOptions& opts) {
  if (kind.group.empty() && kind.kind == "Binding") return Bind(ctx, ns, "", std::move(obj), opts);
  if (auto s = Authorize(ctx, "create", kind, "", ns, obj.name()); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = CheckTypeMeta(kind, obj); !s) return std::unexpected(s.error());
  if (auto s = CheckNamespace(kind, ns, obj); !s) return std::unexpected(s.error());
  if (!obj.resource_version().empty()) {
    return std::unexpected(
        api::BadRequest("resourceVersion should not be set on objects to be created"));
  }
  if (obj.name().empty() && !obj.generate_name().empty()) {
    obj.set_name(obj.generate_name() + RandomNameSuffix());
  }
  if (obj.name().empty()) {
    return std::unexpected(
        api::Invalid(kind.kind, "",
                     {{"FieldValueRequired", "metadata.name",
                       "metadata.name: Required value: name or generateName is required"}}));
  }
  auto& m = obj.MutableMeta();
  for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "generation", "selfLink"}) {
    m.erase(f);
  }
  if (HasSubresource(kind, "status")) {
    obj.json().erase("status");
    if (kind.group.empty() && kind.kind == "Pod") obj.json()["status"] = {{"phase", "Pending"}};
  }
  AdmissionRequest ar{&kind,        "CREATE",     "", &ctx.user, nullptr, opts.field_validation,
                      opts.dry_run, &ctx.warnings};
  if (auto s = admission_.Admit(ar, obj); !s) return std::unexpected(s.error());
  if (opts.dry_run) {
    auto existing = store_.Get(StoreResource(kind), obj.namespace_(), obj.name());
    if (existing) {
      api::Error e = api::AlreadyExists(kind.qualified_resource(), obj.name());
      e.kind = kind.resource;
      e.group = kind.group;
      e.name = obj.name();
      return std::unexpected(e);
    }
    obj.set_uid(NewUid());
    obj.set_creation_timestamp(api::NowTimestamp());
    obj.set_generation(1);
    return obj;
  }
  auto created = store_.Create(StoreResource(kind), obj);
  if (!created) return std::unexpected(ForKind(kind, obj.name(), created.error()));
  return created;
}

api::Result<api::Object> Resources::UpdateLocked(RequestContext& ctx, const api::KindInfo& kind,
                                                 std::string_view subresource, api::Object obj,
                                                 const api::Object& current,
                                                 const api::WriteOptions& opts) {
  if (subresource == "status") {
    obj = StatusOnly(current, obj);
  } else {
    KeepSystemFields(kind, current, obj);
    if (IsPod(kind)) {
      if (auto s = CheckNodeNameUnchanged(current, obj); !s) return std::unexpected(s.error());
    }
  }
  AdmissionRequest ar{&kind,        "UPDATE",     std::string(subresource),
                      &ctx.user,    &current,     opts.field_validation,
                      opts.dry_run, &ctx.warnings};
  if (auto s = admission_.Admit(ar, obj); !s) return std::unexpected(s.error());
  if (opts.dry_run) {
    if (!obj.resource_version().empty() && obj.resource_version() != current.resource_version()) {
      return std::unexpected(
          ConflictError(kind, obj.name(),
                        "the object has been modified; please apply your changes to the "
                        "latest version and try again"));
    }
    return obj;
  }
  auto updated = store_.Update(StoreResource(kind), obj);
  if (!updated) {
    if (updated.error().reason == api::Reason::kConflict) {
      return std::unexpected(
          ConflictError(kind, obj.name(),
                        "the object has been modified; please apply your changes to the "
                        "latest version and try again"));
    }
    return std::unexpected(ForKind(kind, obj.name(), updated.error()));
  }
  return updated;
}

api::Result<api::Object> Resources::Update(RequestContext& ctx, const api::KindInfo& kind,
                                           std::string_view ns, std::string_view name,
                                           std::string_view subresource, api::Object obj,
                                           const api::WriteOptions& opts) {
  if (!subresource.empty() && !HasSubresource(kind, subresource)) {
    return std::unexpected(NotFoundFor(kind, std::string(name) + "/" + std::string(subresource)));
  }
  if (auto s = Authorize(ctx, "update", kind, subresource, ns, name); !s) {
    return std::unexpected(s.error());
  }
  if (subresource == "scale") return UpdateScale(ctx, kind, ns, name, obj, opts);
  if (auto s = CheckTypeMeta(kind, obj); !s) return std::unexpected(s.error());
  if (auto s = CheckNamespace(kind, ns, obj); !s) return std::unexpected(s.error());
  if (obj.name().empty()) obj.set_name(name);
  if (obj.name() != name) {
    return std::unexpected(api::BadRequest("the name of the object (" + obj.name() +
                                           ") does not match the name on the URL (" +
                                           std::string(name) + ")"));
  }
  auto current = store_.Get(StoreResource(kind), kind.namespaced ? ns : "", name);
  if (!current) return std::unexpected(ForKind(kind, name, current.error()));
  if (!obj.resource_version().empty() && obj.resource_version() != current->resource_version()) {
    return std::unexpected(
        ConflictError(kind, name,
                      "the object has been modified; please apply your changes to the latest "
                      "version and try again"));
  }
  if (obj.resource_version().empty()) obj.set_resource_version(current->resource_version());
  return UpdateLocked(ctx, kind, subresource, std::move(obj), *current, opts);
}

api::Result<api::Object> Resources::UpdateScale(RequestContext& ctx, const api::KindInfo& kind,
                                                std::string_view ns, std::string_view name,
                                                const api::Object& scale,
                                                const api::WriteOptions& opts) {
  const api::Json* replicas = scale.Find("spec.replicas");
  if (replicas == nullptr || !replicas->is_number_integer() || replicas->get<int64_t>() < 0) {
    return std::unexpected(api::Invalid(
        "Scale", std::string(name),
        {{"FieldValueInvalid", "spec.replicas",
          "spec.replicas: Invalid value: " + (replicas ? replicas->dump() : std::string("null")) +
              ": must be greater than or equal to 0"}}));
  }
  for (int attempt = 0; attempt < kPatchRetries; ++attempt) {
    auto current = store_.Get(StoreResource(kind), ns, name);
    if (!current) return std::unexpected(ForKind(kind, name, current.error()));
    if (!scale.resource_version().empty() &&
        scale.resource_version() != current->resource_version()) {
      return std::unexpected(
          ConflictError(kind, name,
                        "the object has been modified; please apply your changes to the latest "
                        "version and try again"));
    }
    api::Object obj = *current;
    obj.json()["spec"]["replicas"] = replicas->get<int64_t>();
    auto updated = UpdateLocked(ctx, kind, "", obj, *current, opts);
    if (!updated && updated.error().reason == api::Reason::kConflict &&
        scale.resource_version().empty()) {
      continue;
    }
    if (!updated) return std::unexpected(updated.error());
    return ScaleOf(kind, *updated);
  }
  return std::unexpected(ConflictError(kind, name, "too many concurrent writers"));
}

api::Result<api::Object> Resources::Patch(RequestContext& ctx, const api::KindInfo& kind,
                                          std::string_view ns, std::string_view name,
                                          std::string_view subresource, api::PatchType type,
                                          std::string_view body, const api::WriteOptions& opts) {
  if (!subresource.empty() && !HasSubresource(kind, subresource)) {
    return std::unexpected(NotFoundFor(kind, std::string(name) + "/" + std::string(subresource)));
  }
  if (auto s = Authorize(ctx, "patch", kind, subresource, ns, name); !s) {
    return std::unexpected(s.error());
  }
  auto patch = ParsePatchBody(type, body);
  if (!patch) return std::unexpected(patch.error());
  std::string store_ns = kind.namespaced ? std::string(ns) : "";
  for (int attempt = 0; attempt < kPatchRetries; ++attempt) {
    auto current = store_.Get(StoreResource(kind), store_ns, name);
    if (!current) return std::unexpected(ForKind(kind, name, current.error()));
    api::Object base = subresource == "scale" ? ScaleOf(kind, *current) : *current;
    auto patched = ApplyPatch(kind, type, base.json(), *patch);
    if (!patched) return std::unexpected(patched.error());
    api::Object obj(std::move(*patched));
    if (subresource == "scale") {
      auto r = UpdateScale(ctx, kind, store_ns, name, obj, opts);
      if (!r && r.error().reason == api::Reason::kConflict && attempt + 1 < kPatchRetries &&
          obj.resource_version() == current->resource_version()) {
        continue;
      }
      return r;
    }
    // A resourceVersion the patch sets is a precondition; otherwise the write races against the
    // version just read and is retried.
    if (obj.resource_version().empty()) obj.set_resource_version(current->resource_version());
    bool precondition = obj.resource_version() != current->resource_version();
    if (precondition) {
      return std::unexpected(
          ConflictError(kind, name,
                        "the object has been modified; please apply your changes to the latest "
                        "version and try again"));
    }
    if (obj.name() != name) {
      return std::unexpected(api::BadRequest("the name of the object (" + obj.name() +
                                             ") does not match the name on the URL (" +
                                             std::string(name) + ")"));
    }
    if (auto s = CheckTypeMeta(kind, obj); !s) return std::unexpected(s.error());
    if (kind.namespaced && obj.namespace_() != store_ns) {
      return std::unexpected(api::BadRequest(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
    auto r = UpdateLocked(ctx, kind, subresource, std::move(obj), *current, opts);
    if (!r && r.error().reason == api::Reason::kConflict && attempt + 1 < kPatchRetries) continue;
    return r;
  }
  return std::unexpected(ConflictError(kind, name, "too many concurrent writers"));
}

api::Result<DeleteResult> Resources::Delete(RequestContext& ctx, const api::KindInfo& kind,
                                            std::string_view ns, std::string_view name,
                                            const api::DeleteOptions& opts,
                                            std::string_view precondition_rv) {
  if (auto s = Authorize(ctx, "delete", kind, "", ns, name); !s) return std::unexpected(s.error());
  const std::string res = StoreResource(kind);
  std::string store_ns = kind.namespaced ? std::string(ns) : "";
  auto current = store_.Get(res, store_ns, name);
  if (!current) return std::unexpected(ForKind(kind, name, current.error()));
  if (!opts.precondition_uid.empty() && opts.precondition_uid != current->uid()) {
    return std::unexpected(
        ConflictError(kind, name,
                      "Precondition failed: UID in precondition: " + opts.precondition_uid +
                          ", UID in object meta: " + current->uid()));
  }
  if (!precondition_rv.empty() && precondition_rv != current->resource_version()) {
    return std::unexpected(ConflictError(
        kind, name,
        "Precondition failed: ResourceVersion in precondition: " + std::string(precondition_rv) +
            ", ResourceVersion in meta: " + current->resource_version()));
  }
  const std::string& policy = opts.propagation_policy;
  if (!policy.empty() && policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    return std::unexpected(
        api::Invalid("DeleteOptions", "",
                     {{"FieldValueNotSupported", "propagationPolicy",
                       "propagationPolicy: Unsupported value: \"" + policy +
                           "\": supported values: \"Foreground\", \"Background\", \"Orphan\""}}));
  }
  if (opts.dry_run) {
    DeleteResult r{*current, current->finalizers().empty()};
    return r;
  }
  // Foreground/Orphan: the garbage collector finishes the deletion once it has handled the
  // dependents; it finds the object by the finalizer.
  if (policy == "Foreground" || policy == "Orphan") {
    std::string fin = policy == "Foreground" ? "foregroundDeletion" : "orphan";
    auto fins = current->finalizers();
    if (std::find(fins.begin(), fins.end(), fin) == fins.end()) {
      api::Object marked = *current;
      fins.push_back(fin);
      marked.set_finalizers(fins);
      auto u = store_.Update(res, marked);
      if (!u) return std::unexpected(ForKind(kind, name, u.error()));
      current = std::move(*u);
    }
  }
  if (IsPod(kind)) return DeletePod(kind, *current, opts);
  auto deleted = store_.Delete(res, store_ns, name, opts.precondition_uid,
                               policy == "Foreground" || policy == "Orphan"
                                   ? std::string_view(current->resource_version())
                                   : precondition_rv);
  if (!deleted) {
    if (deleted.error().reason == api::Reason::kConflict) {
      return std::unexpected(ConflictError(kind, name, deleted.error().message));
    }
    return std::unexpected(ForKind(kind, name, deleted.error()));
  }
  DeleteResult r{*deleted, deleted->deletion_timestamp().empty() || deleted->finalizers().empty()};
  return r;
}

api::Result<api::Object> Resources::Bind(RequestContext& ctx, std::string_view ns,
                                         std::string_view pod_name_in, api::Object binding,
                                         const api::WriteOptions& opts) {
  const std::string pod_name(pod_name_in.empty() ? binding.name() : pod_name_in);
  const api::KindInfo* pods = api::Kinds::Default().ByResource("", "v1", "pods");
  const api::KindInfo* bindings = api::Kinds::Default().ByResource("", "v1", "bindings");
  if (pods == nullptr || bindings == nullptr) return std::unexpected(api::Internal("no pods kind"));
  if (auto s = Authorize(ctx, "create", *pods, "binding", ns, pod_name); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = CheckTypeMeta(*bindings, binding); !s) return std::unexpected(s.error());
  if (auto s = CheckNamespace(*bindings, ns, binding); !s) return std::unexpected(s.error());
  if (binding.name().empty()) binding.set_name(pod_name);
  if (binding.name() != pod_name) {
    return std::unexpected(api::BadRequest("name in URL does not match name in Binding object"));
  }
  if (pod_name.empty()) {
    return std::unexpected(
        api::Invalid("Binding", "",
                     {{"FieldValueRequired", "metadata.name",
                       "metadata.name: Required value: name or generateName is required"}}));
  }
  const api::Json* target = binding.Find("target");
  std::string tkind, tname;
  if (target != nullptr && target->is_object()) {
    tkind = target->value("kind", "");
    tname = target->value("name", "");
  }
  std::vector<api::Cause> causes;
  if (!tkind.empty() && tkind != "Node") {
    causes.push_back({"FieldValueNotSupported", "target.kind",
                      "target.kind: Unsupported value: \"" + tkind +
                          "\": supported values: \"Node\", \"<empty>\""});
  }
  if (tname.empty()) {
    causes.push_back({"FieldValueRequired", "target.name", "target.name: Required value"});
  }
  if (!causes.empty()) {
    return std::unexpected(api::Invalid("Binding", binding.name(), std::move(causes)));
  }
  auto conflict = [&](const std::string& why) {
    api::Error e =
        api::MakeError(api::Reason::kConflict, "Operation cannot be fulfilled on pods/binding \"" +
                                                   std::string(pod_name) + "\": " + why);
    e.kind = "pods/binding";
    e.name = std::string(pod_name);
    return e;
  };
  for (int attempt = 0; attempt < kPatchRetries; ++attempt) {
    auto current = store_.Get(StoreResource(*pods), ns, pod_name);
    if (!current) return std::unexpected(ForKind(*pods, pod_name, current.error()));
    if (!binding.uid().empty() && binding.uid() != current->uid()) {
      return std::unexpected(conflict("the UID in the precondition (" + binding.uid() +
                                      ") does not match the UID in record (" + current->uid() +
                                      "). The object might have been deleted and then recreated"));
    }
    if (!current->deletion_timestamp().empty()) {
      return std::unexpected(
          conflict("pod " + pod_name + " is being deleted, cannot be assigned to a host"));
    }
    if (std::string node = NodeNameOf(*current); !node.empty()) {
      return std::unexpected(conflict("pod " + std::string(pod_name) +
                                      " is already assigned to node \"" + node + "\""));
    }
    api::Object pod = *current;
    pod.json()["spec"]["nodeName"] = tname;
    for (const auto& [k, v] : binding.annotations()) pod.MutableMeta()["annotations"][k] = v;
    api::Json& status = pod.json()["status"];
    if (!status.is_object()) status = api::Json::object();
    api::Json& conds = status["conditions"];
    if (!conds.is_array()) conds = api::Json::array();
    api::Json cond = {{"type", "PodScheduled"},
                      {"status", "True"},
                      {"lastProbeTime", nullptr},
                      {"lastTransitionTime", api::NowTimestamp()}};
    bool replaced = false;
    for (auto& c : conds) {
      if (c.is_object() && c.value("type", "") == "PodScheduled") {
        c = cond;
        replaced = true;
      }
    }
    if (!replaced) conds.push_back(cond);
    if (opts.dry_run) break;
    auto updated = store_.Update(StoreResource(*pods), pod);
    if (!updated && updated.error().reason == api::Reason::kConflict) continue;
    if (!updated) return std::unexpected(ForKind(*pods, pod_name, updated.error()));
    break;
  }
  return api::Object(api::Json{{"kind", "Status"},
                               {"apiVersion", "v1"},
                               {"metadata", api::Json::object()},
                               {"status", "Success"},
                               {"code", 201}});
}

api::Result<DeleteResult> Resources::DeletePod(const api::KindInfo& kind,
                                               const api::Object& current,
                                               const api::DeleteOptions& opts) {
  // The grace as Kubernetes' podStrategy.CheckGracefulDelete decides it.
  int64_t grace = opts.grace_period_seconds;
  if (grace < 0) {
    grace = 30;
    if (const api::Json* g = current.Find("spec.terminationGracePeriodSeconds");
        g != nullptr && g->is_number_integer()) {
      grace = std::max<int64_t>(g->get<int64_t>(), 0);
    }
  }
  const api::Json* phase = current.Find("status.phase");
  bool terminated =
      phase != nullptr && phase->is_string() && (*phase == "Succeeded" || *phase == "Failed");
  if (NodeNameOf(current).empty() || terminated) grace = 0;
  // Already being deleted: only a grace given by the caller may hurry it (BeforeDelete).
  if (!current.deletion_timestamp().empty() && opts.grace_period_seconds < 0) {
    return DeleteResult{current, false};
  }
  std::string ts;
  if (!current.deletion_timestamp().empty()) {
    // The deadline moves to (old deadline - old grace + new grace), as BeforeDelete computes it.
    auto old_ts = api::ParseTime(current.deletion_timestamp());
    const api::Json* og = current.metadata().contains("deletionGracePeriodSeconds")
                              ? &current.metadata()["deletionGracePeriodSeconds"]
                              : nullptr;
    int64_t old_grace = og != nullptr && og->is_number_integer() ? og->get<int64_t>() : 0;
    ts = old_ts ? api::FormatTime(*old_ts - old_grace + grace) : api::NowTimestamp();
  } else {
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    ts = api::FormatTime(now + grace);
  }
  auto marked = store_.MarkForDeletion(StoreResource(kind), current.namespace_(), current.name(),
                                       ts, grace, opts.precondition_uid, "");
  if (!marked) {
    if (marked.error().reason == api::Reason::kConflict) {
      return std::unexpected(ConflictError(kind, current.name(), marked.error().message));
    }
    return std::unexpected(ForKind(kind, current.name(), marked.error()));
  }
  // Gone when the store deleted it (grace 0, no finalizers): the returned state is its last one.
  auto still = store_.Get(StoreResource(kind), current.namespace_(), current.name());
  bool gone = !still || still->uid() != current.uid();
  return DeleteResult{std::move(*marked), gone};
}

api::Result<api::ObjectList> Resources::DeleteCollection(RequestContext& ctx,
                                                         const api::KindInfo& kind,
                                                         std::string_view ns,
                                                         const api::ListOptions& list,
                                                         const api::DeleteOptions& opts) {
  if (auto s = Authorize(ctx, "deletecollection", kind, "", ns, ""); !s) {
    return std::unexpected(s.error());
  }
  auto items = List(ctx, kind, ns, list);
  if (!items) return std::unexpected(items.error());
  api::ObjectList out;
  out.resource_version = items->resource_version;
  for (const auto& o : items->items) {
    auto d = Delete(ctx, kind, o.namespace_(), o.name(), opts);
    if (!d) {
      if (d.error().reason == api::Reason::kNotFound) continue;
      return std::unexpected(d.error());
    }
    out.items.push_back(std::move(d->object));
  }
  return out;
}

namespace {

// Keeps the watcher count while a watch is open.
class CountedWatch : public api::WatchHandle {
 public:
  CountedWatch(std::atomic<int64_t>& n, std::unique_ptr<store::WatchHandle> inner)
      : n_(n), inner_(std::move(inner)) {
    ++n_;
  }
  ~CountedWatch() override {
    inner_.reset();
    --n_;
  }

 private:
  std::atomic<int64_t>& n_;
  std::unique_ptr<store::WatchHandle> inner_;
};

api::WatchEventType ToApi(store::EventType t) {
  switch (t) {
    case store::EventType::kAdded:
      return api::WatchEventType::kAdded;
    case store::EventType::kModified:
      return api::WatchEventType::kModified;
    case store::EventType::kDeleted:
      return api::WatchEventType::kDeleted;
  }
  return api::WatchEventType::kModified;
}

}  // namespace

api::Result<std::unique_ptr<api::WatchHandle>> Resources::Watch(
    RequestContext& ctx, const api::KindInfo& kind, std::string_view ns,
    const api::ListOptions& opts, std::function<void(const api::WatchEvent&)> on_event,
    std::function<void(const api::Error&)> on_error) {
  if (auto s = Authorize(ctx, "watch", kind, "", ns, ""); !s) return std::unexpected(s.error());
  api::Status st;
  auto pred = MakePredicate(opts, st);
  if (!st) return std::unexpected(st.error());
  store::Revision from = 0;
  const std::string& rv = opts.resource_version;
  if (!rv.empty() && rv != "0") {
    try {
      size_t pos = 0;
      from = std::stoll(rv, &pos);
      if (pos != rv.size() || from < 0) throw std::invalid_argument(rv);
    } catch (const std::exception&) {
      return std::unexpected(api::BadRequest("invalid resource version \"" + rv + "\""));
    }
  }
  std::string store_ns = kind.namespaced ? std::string(ns) : "";
  std::vector<api::Object> initial;
  if (from == 0) {
    auto list = store_.List(StoreResource(kind), store_ns, pred);
    if (!list) return std::unexpected(list.error().Wrap("watch " + kind.qualified_resource()));
    initial = std::move(list->items);
    from = list->revision;
  }
  // Initial ADDED events are sent before the first live event: the callback is serialized by a
  // mutex the store thread also takes.
  auto mu = std::make_shared<std::mutex>();
  std::unique_lock<std::mutex> hold(*mu);
  store::WatchFilter filter;
  filter.resource = StoreResource(kind);
  filter.ns = store_ns;
  filter.predicate = pred;
  filter.on_error = std::move(on_error);
  auto handle = store_.Watch(filter, from, [mu, on_event](const store::WatchEvent& ev) {
    std::lock_guard<std::mutex> l(*mu);
    on_event(api::WatchEvent{ToApi(ev.type), ev.object});
  });
  if (!handle) {
    if (handle.error().reason == api::Reason::kGone) {
      api::Error e =
          api::MakeError(api::Reason::kGone, "too old resource version: " + rv + " (" +
                                                 std::to_string(store_.CurrentRevision()) + ")");
      return std::unexpected(e);
    }
    return std::unexpected(handle.error().Wrap("watch " + kind.qualified_resource()));
  }
  for (auto& o : initial) on_event(api::WatchEvent{api::WatchEventType::kAdded, std::move(o)});
  hold.unlock();
  return std::make_unique<CountedWatch>(watchers_, std::move(*handle));
}

}  // namespace keelson::daemon
