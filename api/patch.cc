// JSON merge patch, JSON patch and strategic merge patch as the Kubernetes API server applies them.
#include "api/patch.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "api/schema.h"

namespace keelson::api {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON pointers (RFC 6901).

Result<std::vector<std::string>> ParsePointer(std::string_view ptr) {
  std::vector<std::string> tokens;
  if (ptr.empty()) return tokens;
  if (ptr[0] != '/') {
    return std::unexpected(BadRequest("invalid JSON pointer \"" + std::string(ptr) +
                                      "\": must be empty or start with /"));
  }
  std::string cur;
  for (size_t i = 1; i <= ptr.size(); ++i) {
    if (i == ptr.size() || ptr[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (ptr[i] == '~') {
      if (i + 1 < ptr.size() && (ptr[i + 1] == '0' || ptr[i + 1] == '1')) {
        cur.push_back(ptr[i + 1] == '0' ? '~' : '/');
        ++i;
        continue;
      }
      return std::unexpected(
          BadRequest("invalid JSON pointer \"" + std::string(ptr) + "\": bad ~ escape"));
    }
    cur.push_back(ptr[i]);
  }
  return tokens;
}

// An array index token: digits without leading zeros. nullopt otherwise.
std::optional<size_t> ArrayIndex(const std::string& token) {
  if (token.empty() || token.size() > 9) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

// Walks to the container holding the last token; errors as plain strings (wrapped by the caller).
std::expected<Json*, std::string> Parent(Json& doc, const std::vector<std::string>& tokens) {
  Json* cur = &doc;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) return std::unexpected("path not found");
      cur = &*it;
    } else if (cur->is_array()) {
      auto idx = ArrayIndex(t);
      if (!idx || *idx >= cur->size()) return std::unexpected("path not found");
      cur = &(*cur)[*idx];
    } else {
      return std::unexpected("path not found");
    }
  }
  return cur;
}

std::expected<Json*, std::string> Resolve(Json& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) return &doc;
  auto parent = Parent(doc, tokens);
  if (!parent) return parent;
  Json* p = *parent;
  const std::string& last = tokens.back();
  if (p->is_object()) {
    auto it = p->find(last);
    if (it == p->end()) return std::unexpected("path not found");
    return &*it;
  }
  if (p->is_array()) {
    auto idx = ArrayIndex(last);
    if (!idx || *idx >= p->size()) return std::unexpected("path not found");
    return &(*p)[*idx];
  }
  return std::unexpected("path not found");
}

std::expected<void, std::string> AddAt(Json& doc, const std::vector<std::string>& tokens,
                                       Json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return {};
  }
  auto parent = Parent(doc, tokens);
  if (!parent) return std::unexpected(parent.error());
  Json* p = *parent;
  const std::string& last = tokens.back();
  if (p->is_object()) {
    (*p)[last] = std::move(value);
    return {};
  }
  if (p->is_array()) {
    if (last == "-") {
      p->push_back(std::move(value));
      return {};
    }
    auto idx = ArrayIndex(last);
    if (!idx || *idx > p->size()) return std::unexpected("array index out of bounds");
    p->insert(p->begin() + static_cast<std::ptrdiff_t>(*idx), std::move(value));
    return {};
  }
  return std::unexpected("path not found");
}

std::expected<Json, std::string> RemoveAt(Json& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) {
    Json old = std::move(doc);
    doc = nullptr;
    return old;
  }
  auto parent = Parent(doc, tokens);
  if (!parent) return std::unexpected(parent.error());
  Json* p = *parent;
  const std::string& last = tokens.back();
  if (p->is_object()) {
    auto it = p->find(last);
    if (it == p->end()) return std::unexpected("path not found");
    Json old = std::move(*it);
    p->erase(it);
    return old;
  }
  if (p->is_array()) {
    auto idx = ArrayIndex(last);
    if (!idx || *idx >= p->size()) return std::unexpected("path not found");
    Json old = std::move((*p)[*idx]);
    p->erase(p->begin() + static_cast<std::ptrdiff_t>(*idx));
    return old;
  }
  return std::unexpected("path not found");
}

}  // namespace

std::optional<PatchType> PatchTypeFromContentType(std::string_view content_type) {
  std::string ct = Lower(content_type.substr(0, content_type.find(';')));
  while (!ct.empty() && std::isspace(static_cast<unsigned char>(ct.back()))) ct.pop_back();
  if (ct == "application/json-patch+json") return PatchType::kJsonPatch;
  if (ct == "application/merge-patch+json") return PatchType::kMerge;
  if (ct == "application/strategic-merge-patch+json") return PatchType::kStrategicMerge;
  return std::nullopt;
}

std::string_view ContentTypeOf(PatchType type) {
  switch (type) {
    case PatchType::kJsonPatch:
      return "application/json-patch+json";
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "";
}

Json JsonMergePatch(const Json& target, const Json& patch) {
  if (!patch.is_object()) return patch;
  Json result = target.is_object() ? target : Json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) {
      result.erase(it.key());
    } else if (auto cur = result.find(it.key()); cur != result.end()) {
      *cur = JsonMergePatch(*cur, *it);
    } else {
      result[it.key()] = JsonMergePatch(Json(), *it);
    }
  }
  return result;
}

Json CreateJsonMergePatch(const Json& original, const Json& modified) {
  if (!original.is_object() || !modified.is_object()) {
    return original == modified ? Json::object() : modified;
  }
  Json patch = Json::object();
  for (auto it = original.begin(); it != original.end(); ++it) {
    if (!modified.contains(it.key())) patch[it.key()] = nullptr;
  }
  for (auto it = modified.begin(); it != modified.end(); ++it) {
    auto o = original.find(it.key());
    if (o == original.end()) {
      patch[it.key()] = *it;
    } else if (*o != *it) {
      if (o->is_object() && it->is_object()) {
        patch[it.key()] = CreateJsonMergePatch(*o, *it);
      } else {
        patch[it.key()] = *it;
      }
    }
  }
  return patch;
}

Result<Json> ApplyJsonPatch(const Json& doc, const Json& patch) {
  if (!patch.is_array()) {
    return std::unexpected(BadRequest("json patch must be an array of operations, got " +
                                      std::string(patch.type_name())));
  }
  Json out = doc;
  for (size_t i = 0; i < patch.size(); ++i) {
    const Json& op = patch[i];
    const std::string prefix = "json patch operation " + std::to_string(i);
    if (!op.is_object()) return std::unexpected(BadRequest(prefix + ": not an object"));
    auto op_it = op.find("op");
    auto path_it = op.find("path");
    if (op_it == op.end() || !op_it->is_string()) {
      return std::unexpected(BadRequest(prefix + ": missing \"op\""));
    }
    if (path_it == op.end() || !path_it->is_string()) {
      return std::unexpected(BadRequest(prefix + ": missing \"path\""));
    }
    const std::string name = op_it->get<std::string>();
    const std::string path = path_it->get<std::string>();
    const std::string where = prefix + " (" + name + " " + path + ")";
    auto tokens = ParsePointer(path);
    if (!tokens) return std::unexpected(tokens.error().Wrap(where));
    auto fail = [&](std::string_view why) {
      Error e = MakeError(Reason::kInvalid, where + ": " + std::string(why));
      return std::unexpected(std::move(e));
    };
    auto need_value = [&]() -> const Json* {
      auto v = op.find("value");
      return v == op.end() ? nullptr : &*v;
    };
    if (name == "add") {
      const Json* v = need_value();
      if (!v) return std::unexpected(BadRequest(where + ": missing \"value\""));
      if (auto r = AddAt(out, *tokens, *v); !r) return fail(r.error());
    } else if (name == "remove") {
      if (auto r = RemoveAt(out, *tokens); !r) return fail(r.error());
    } else if (name == "replace") {
      const Json* v = need_value();
      if (!v) return std::unexpected(BadRequest(where + ": missing \"value\""));
      auto target = Resolve(out, *tokens);
      if (!target) return fail(target.error());
      **target = *v;
    } else if (name == "test") {
      const Json* v = need_value();
      if (!v) return std::unexpected(BadRequest(where + ": missing \"value\""));
      auto target = Resolve(out, *tokens);
      if (!target) {
        // A missing path equals a null value, as evanphx/json-patch treats it.
        if (!v->is_null()) return fail("test failed");
      } else if (**target != *v) {
        return fail("test failed");
      }
    } else if (name == "move" || name == "copy") {
      auto from_it = op.find("from");
      if (from_it == op.end() || !from_it->is_string()) {
        return std::unexpected(BadRequest(where + ": missing \"from\""));
      }
      const std::string from = from_it->get<std::string>();
      auto from_tokens = ParsePointer(from);
      if (!from_tokens) return std::unexpected(from_tokens.error().Wrap(where));
      Json value;
      if (name == "move") {
        if (path.size() > from.size() && path.compare(0, from.size(), from) == 0 &&
            path[from.size()] == '/') {
          return fail("cannot move \"" + from + "\" into its own child");
        }
        auto removed = RemoveAt(out, *from_tokens);
        if (!removed) return fail("from " + from + ": " + removed.error());
        value = std::move(*removed);
      } else {
        auto source = Resolve(out, *from_tokens);
        if (!source) return fail("from " + from + ": " + source.error());
        value = **source;
      }
      if (auto r = AddAt(out, *tokens, std::move(value)); !r) return fail(r.error());
    } else {
      return std::unexpected(BadRequest(where + ": unknown op \"" + name + "\""));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch: a port of k8s.io/apimachinery/pkg/util/strategicpatch (patch.go), with
// the Go struct tags replaced by the schema table.

namespace {

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kDeletePrefix = "$deleteFromPrimitiveList";
constexpr std::string_view kOrderPrefix = "$setElementOrder";

// mergepatch's error values.
Error ErrBadPatchFormatForPrimitiveList() {
  return BadRequest("invalid patch format of primitive list");
}
Error ErrBadPatchFormatForRetainKeys() { return BadRequest("invalid patch format of retainKeys"); }
Error ErrBadPatchFormatForSetElementOrderList() {
  return BadRequest("invalid patch format of setElementOrder list");
}
Error ErrNoListOfLists() { return MakeError(Reason::kInvalid, "lists of lists are not supported"); }
Error ErrNoMergeKey(const Json& m, const std::string& key) {
  return BadRequest("map: " + m.dump() + " does not contain declared merge key: " + key);
}
Error ErrBadArgType(std::string_view expected, const Json& actual) {
  return BadRequest("expected a " + std::string(expected) + ", but received a " +
                    std::string(actual.type_name()));
}
Error ErrBadPatchType(const Json& t, const Json& m) {
  return BadRequest("unknown patch type: " + (t.is_string() ? t.get<std::string>() : t.dump()) +
                    " in map: " + m.dump());
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The field's schema and tags; empty when unknown (free-form: maps merge, lists replace).
struct Meta {
  const SchemaNode* type = nullptr;
  PatchMeta patch;
};

Meta Lookup(const SchemaNode* t, const std::string& key) {
  if (!t) return {};
  if (t->type == FieldType::kMap) return {t->element, {}};
  if (t->type == FieldType::kStruct) {
    if (const SchemaField* f = t->Field(key)) return {f->node, f->patch};
  }
  return {};
}

const SchemaNode* ElementOf(const SchemaNode* t) {
  return t && t->type == FieldType::kArray ? t->element : nullptr;
}

// Go's fmt "%v" of a decoded JSON scalar: how strategicpatch compares and sorts list items.
std::string GoV(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "<nil>";
  if (v.is_number()) {
    // strconv.FormatFloat(d, 'g', -1, 64): the shortest digits that round-trip, in %e form when
    // the exponent is < -4 or >= 6 (1e+06, 123456, 1.5e-05).
    const double d = v.get<double>();
    if (d == 0) return "0";
    char buf[64];
    int digits = 1;
    for (; digits < 17; ++digits) {
      std::snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
      if (std::strtod(buf, nullptr) == d) break;
    }
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
    const int exp = std::atoi(std::strchr(buf, 'e') + 1);
    if (exp < -4 || exp >= 6) return buf;
    std::snprintf(buf, sizeof buf, "%.*f", std::max(digits - 1 - exp, 0), d);
    return buf;
  }
  return v.dump();
}

enum class Kind { kMap, kScalar };

// sliceElementType: every element of the lists has one JSON type; lists of lists are refused.
Result<std::optional<Kind>> ElementKind(std::initializer_list<const Json*> lists) {
  std::optional<Json::value_t> prev;
  for (const Json* l : lists) {
    if (!l) continue;
    for (const auto& v : *l) {
      Json::value_t t = v.type();
      if (t == Json::value_t::number_unsigned || t == Json::value_t::number_float) {
        t = Json::value_t::number_integer;  // Go decodes every number as float64
      }
      if (!prev) {
        if (t == Json::value_t::array) return std::unexpected(ErrNoListOfLists());
        prev = t;
      } else if (*prev != t) {
        return std::unexpected(BadRequest("list element types are not identical"));
      }
    }
  }
  if (!prev) return std::optional<Kind>();
  return std::optional<Kind>(*prev == Json::value_t::object ? Kind::kMap : Kind::kScalar);
}

const Json* KeyOf(const Json& item, const std::string& merge_key) {
  if (!item.is_object()) return nullptr;
  auto it = item.find(merge_key);
  return it == item.end() ? nullptr : &*it;
}

// index(): position of `v` in `l` by merge key (maps) or by value (scalars); -1 if absent.
long IndexOf(const Json& l, const Json& v, const std::string& merge_key, Kind kind) {
  if (kind == Kind::kMap) {
    const Json* want = KeyOf(v, merge_key);
    for (size_t i = 0; i < l.size(); ++i) {
      const Json* got = KeyOf(l[i], merge_key);
      if ((want == nullptr && got == nullptr) || (want && got && *want == *got)) {
        return static_cast<long>(i);
      }
    }
    return -1;
  }
  for (size_t i = 0; i < l.size(); ++i) {
    if (l[i] == v) return static_cast<long>(i);
  }
  return -1;
}

Status ValidateMergeKeys(const std::string& merge_key, std::initializer_list<const Json*> lists) {
  for (const Json* l : lists) {
    for (const auto& item : *l) {
      if (!item.is_object()) return std::unexpected(ErrBadArgType("map", item));
      if (!item.contains(merge_key)) return std::unexpected(ErrNoMergeKey(item, merge_key));
    }
  }
  return {};
}

bool IsDeleteElement(const Json& v) {
  auto it = v.find(kDirective);
  return it != v.end() && *it == "delete";
}

// normalizeSliceOrder: sorts `to_sort` by the positions in `order`; $patch:delete items last.
Result<Json> NormalizeSliceOrder(Json to_sort, const Json& order, const std::string& merge_key,
                                 Kind kind) {
  Json deletes = Json::array();
  if (kind == Kind::kMap) {
    if (auto ok = ValidateMergeKeys(merge_key, {&to_sort, &order}); !ok) {
      return std::unexpected(ok.error());
    }
    Json keep = Json::array();
    for (auto& v : to_sort) (IsDeleteElement(v) ? deletes : keep).push_back(std::move(v));
    to_sort = std::move(keep);
  }
  std::vector<Json> items(to_sort.begin(), to_sort.end());
  std::stable_sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
    long ia = IndexOf(order, a, merge_key, kind);
    long ib = IndexOf(order, b, merge_key, kind);
    return ia >= 0 && ib >= 0 && ia < ib;
  });
  Json out = Json::array();
  for (auto& v : items) out.push_back(std::move(v));
  for (auto& v : deletes) out.push_back(std::move(v));
  return out;
}

// mergeSortedSlice: interleaves server-only items (left) into patch items (right) keeping each
// side's relative order, using the live order to place them.
Json MergeSortedSlice(const Json& left, const Json& right, const Json& server_order,
                      const std::string& merge_key, Kind kind) {
  Json out = Json::array();
  size_t i = 0, j = 0;
  const size_t size = left.size() + right.size();
  for (size_t k = 0; k < size; ++k) {
    if (i >= left.size() && j < right.size()) {
      out.push_back(right[j++]);
    } else if (j >= right.size() && i < left.size()) {
      out.push_back(left[i++]);
    } else {
      long li = IndexOf(server_order, left[i], merge_key, kind);
      long ri = IndexOf(server_order, right[j], merge_key, kind);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(left[i++]);
      } else {
        out.push_back(right[j++]);
      }
    }
  }
  return out;
}

Result<Json> NormalizeElementOrder(Json patch, Json server_only, const Json& patch_order,
                                   const Json& server_order, const std::string& merge_key,
                                   Kind kind) {
  auto p = NormalizeSliceOrder(std::move(patch), patch_order, merge_key, kind);
  if (!p) return p;
  auto s = NormalizeSliceOrder(std::move(server_only), server_order, merge_key, kind);
  if (!s) return s;
  return MergeSortedSlice(*s, *p, server_order, merge_key, kind);
}

// Splits `merged` into the items present in `by` and the rest.
Result<std::pair<Json, Json>> Partition(const Json& merged, const Json& by,
                                        const std::string& merge_key) {
  Json in = Json::array(), out = Json::array();
  for (const auto& v : merged) {
    if (merge_key.empty()) {
      (IndexOf(by, v, "", Kind::kScalar) >= 0 ? in : out).push_back(v);
      continue;
    }
    if (!v.is_object()) return std::unexpected(ErrBadArgType("map", v));
    const Json* key = KeyOf(v, merge_key);
    if (!key) return std::unexpected(ErrNoMergeKey(v, merge_key));
    bool found = false;
    for (const auto& b : by) {
      if (!b.is_object()) return std::unexpected(BadRequest("value for key is not a map."));
      const Json* bk = KeyOf(b, merge_key);
      if (bk && *bk == *key) {
        found = true;
        break;
      }
    }
    (found ? in : out).push_back(v);
  }
  return std::make_pair(std::move(in), std::move(out));
}

Json Dedupe(const Json& list) {
  Json out = Json::array();
  for (const auto& v : list) {
    if (IndexOf(out, v, "", Kind::kScalar) < 0) out.push_back(v);
  }
  return out;
}

struct MergeOptions {
  bool merge_parallel_list = false;  // server side: apply $deleteFromPrimitiveList etc.
  bool ignore_unmatched_nulls = false;
};

Result<Json> MergeMap(Json original, Json patch, const SchemaNode* t, const MergeOptions& opts);

Result<Json> MergeSlice(Json original, Json patch, const SchemaNode* elem,
                        const std::string& merge_key, const MergeOptions& opts,
                        bool is_delete_list) {
  if (original.empty() && patch.empty()) return original;
  auto kind_or = ElementKind({&original, &patch});
  if (!kind_or) return std::unexpected(kind_or.error());
  const Kind kind = kind_or->value_or(Kind::kScalar);
  Json merged;
  if (kind != Kind::kMap) {
    if (opts.merge_parallel_list && is_delete_list) {
      Json out = Json::array();
      for (const auto& v : original) {
        if (IndexOf(patch, v, "", Kind::kScalar) < 0) out.push_back(v);
      }
      return out;
    }
    Json both = original;
    for (const auto& v : patch) both.push_back(v);
    merged = Dedupe(both);
  } else {
    if (merge_key.empty()) {
      return std::unexpected(BadRequest("cannot merge lists without merge key for type struct"));
    }
    // mergeSliceWithSpecialElements.
    Json plain = Json::array();
    bool replace = false;
    for (const auto& v : patch) {
      auto d = v.find(kDirective);
      if (d == v.end()) {
        plain.push_back(v);
        continue;
      }
      if (*d == "delete") {
        const Json* key = KeyOf(v, merge_key);
        if (!key) return std::unexpected(ErrNoMergeKey(v, merge_key));
        Json kept = Json::array();
        for (auto& o : original) {
          if (!o.is_object()) return std::unexpected(BadRequest("value for key is not a map."));
          const Json* ok = KeyOf(o, merge_key);
          if (!(ok && *ok == *key)) kept.push_back(std::move(o));
        }
        original = std::move(kept);
      } else if (*d == "replace") {
        replace = true;
      } else if (*d == "merge") {
        return std::unexpected(BadRequest("merging lists cannot yet be specified in the patch"));
      } else {
        return std::unexpected(ErrBadPatchType(*d, v));
      }
    }
    if (replace) {
      original = std::move(plain);
      patch = Json::array();
    } else {
      patch = std::move(plain);
    }
    // mergeSliceWithoutSpecialElements.
    merged = original;
    for (const auto& v : patch) {
      const Json* key = KeyOf(v, merge_key);
      if (!key) return std::unexpected(ErrNoMergeKey(v, merge_key));
      bool found = false;
      for (auto& o : merged) {
        if (!o.is_object()) return std::unexpected(BadRequest("value for key is not a map."));
        const Json* ok = KeyOf(o, merge_key);
        if (ok && *ok == *key) {
          auto m = MergeMap(o, v, elem, opts);
          if (!m) return m;
          o = std::move(*m);
          found = true;
          break;
        }
      }
      if (!found) merged.push_back(v);
    }
  }
  const std::string key = kind == Kind::kMap ? merge_key : "";
  auto parts = Partition(merged, patch, key);
  if (!parts) return std::unexpected(parts.error());
  return NormalizeElementOrder(std::move(parts->first), std::move(parts->second), patch, original,
                               key, kind);
}

Result<Json> MergeSliceHandler(Json original, Json patch, const Meta& meta, bool is_delete_list,
                               const MergeOptions& opts) {
  if (!original.is_array()) return std::unexpected(ErrBadArgType("slice", original));
  if (!patch.is_array()) return std::unexpected(ErrBadArgType("slice", patch));
  if (meta.patch.merge) {
    return MergeSlice(std::move(original), std::move(patch), ElementOf(meta.type),
                      meta.patch.merge_key, opts, is_delete_list);
  }
  return patch;
}

Status ApplyRetainKeys(Json& original, Json& patch, const MergeOptions& opts) {
  auto it = patch.find(kRetainKeys);
  if (it == patch.end()) return {};
  Json retain = std::move(*it);
  patch.erase(it);
  if (!opts.merge_parallel_list) {
    auto o = original.find(kRetainKeys);
    if (o != original.end()) {
      if (*o != retain) {
        return std::unexpected(BadRequest(o->dump() + " and " + retain.dump() +
                                          " are not deep equal: this may happen when calculating "
                                          "the 3-way diff patch"));
      }
    } else {
      original[std::string(kRetainKeys)] = retain;
    }
    return {};
  }
  if (!retain.is_array()) return std::unexpected(ErrBadPatchFormatForRetainKeys());
  std::set<std::string> keep;
  for (const auto& v : retain) {
    if (v.is_string()) keep.insert(v.get<std::string>());
  }
  for (auto p = patch.begin(); p != patch.end(); ++p) {
    if (p->is_null() || StartsWith(p.key(), kDeletePrefix) || StartsWith(p.key(), kOrderPrefix)) {
      continue;
    }
    if (!keep.count(p.key())) return std::unexpected(ErrBadPatchFormatForRetainKeys());
  }
  for (auto o = original.begin(); o != original.end();) {
    if (!keep.count(o.key())) {
      o = original.erase(o);
    } else {
      ++o;
    }
  }
  return {};
}

// validatePatchWithSetOrderList: patch items appear in $setElementOrder in the same order.
Status ValidateSetOrder(const Json& patch_list, const Json& order, const std::string& merge_key) {
  if (!order.is_array()) return std::unexpected(ErrBadPatchFormatForSetElementOrderList());
  if (patch_list.is_null()) return {};
  if (!patch_list.is_array()) return std::unexpected(ErrBadPatchFormatForSetElementOrderList());
  if (order.empty() || patch_list.empty()) return {};
  Json non_delete = Json::array();
  for (const auto& v : patch_list) {
    if (!merge_key.empty()) {
      if (!v.is_object()) return std::unexpected(ErrBadArgType("map", v));
      if (IsDeleteElement(v)) continue;
    }
    non_delete.push_back(v);
  }
  size_t pi = 0, oi = 0;
  while (pi < non_delete.size() && oi < order.size()) {
    const Json& p = non_delete[pi];
    if (p.is_object() && p.contains(kDirective)) {
      ++pi;
      continue;
    }
    bool equal;
    if (merge_key.empty()) {
      equal = p == order[oi];
    } else {
      if (!p.is_object()) return std::unexpected(ErrBadArgType("map", p));
      if (!order[oi].is_object()) return std::unexpected(ErrBadArgType("map", order[oi]));
      const Json* a = KeyOf(p, merge_key);
      const Json* b = KeyOf(order[oi], merge_key);
      if (!a) return std::unexpected(ErrNoMergeKey(p, merge_key));
      if (!b) return std::unexpected(ErrNoMergeKey(order[oi], merge_key));
      equal = *a == *b;
    }
    if (equal) ++pi;
    ++oi;
  }
  if (pi < non_delete.size() && oi >= order.size()) {
    return std::unexpected(BadRequest("The order in patch list:\n" + patch_list.dump() +
                                      "\n doesn't match " + std::string(kOrderPrefix) + " list:\n" +
                                      order.dump()));
  }
  return {};
}

// mergePatchIntoOriginal: handles $setElementOrder/<field> together with its list.
Status MergeOrderedLists(Json& original, Json& patch, const SchemaNode* t,
                         const MergeOptions& opts) {
  std::vector<std::string> keys;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (StartsWith(it.key(), kOrderPrefix)) keys.push_back(it.key());
  }
  for (const std::string& key : keys) {
    Json order = patch[key];
    if (!opts.merge_parallel_list) {
      auto o = original.find(key);
      if (o != original.end()) {
        if (*o != order) return std::unexpected(ErrBadPatchFormatForSetElementOrderList());
      } else {
        original[key] = order;
      }
    }
    patch.erase(key);
    if (!order.is_array()) return std::unexpected(ErrBadArgType("slice", order));
    auto slash = key.find('/');
    if (slash == std::string::npos || key.substr(0, slash) != kOrderPrefix) {
      return std::unexpected(ErrBadPatchFormatForSetElementOrderList());
    }
    const std::string field = key.substr(slash + 1);
    auto o = original.find(field);
    auto p = patch.find(field);
    const bool found_original = o != original.end();
    const bool found_patch = p != patch.end();
    Json original_list = found_original ? *o : Json::array();
    Json patch_list = found_patch ? *p : Json::array();
    if (found_original && !original_list.is_array()) {
      return std::unexpected(ErrBadArgType("slice", original_list));
    }
    if (found_patch && !patch_list.is_array()) {
      return std::unexpected(ErrBadArgType("slice", patch_list));
    }
    Meta meta = Lookup(t, field);
    const std::string merge_key = meta.patch.merge_key;
    if (auto ok = ValidateSetOrder(found_patch ? patch_list : Json(), order, merge_key); !ok) {
      return ok;
    }
    Json merged;
    if (found_original && !found_patch) {
      merged = original_list;
    } else if (!found_original && found_patch) {
      merged = patch_list;
    } else if (found_original && found_patch) {
      auto m = MergeSliceHandler(original_list, patch_list, meta, false, opts);
      if (!m) return std::unexpected(m.error());
      merged = std::move(*m);
    } else {
      continue;
    }
    auto kind = ElementKind({&original_list, &patch_list});
    if (!kind) return std::unexpected(kind.error());
    if (!kind->has_value()) {
      original[field] = merged;
      patch.erase(field);
      continue;
    }
    auto parts = Partition(merged, order, merge_key);
    if (!parts) return std::unexpected(parts.error());
    auto both = NormalizeElementOrder(std::move(parts->first), std::move(parts->second), order,
                                      original_list, merge_key, **kind);
    if (!both) return std::unexpected(both.error());
    original[field] = std::move(*both);
    patch.erase(field);
  }
  return {};
}

// discardNullValuesFromPatch: a patch value taken whole (no original to merge into) must not
// store nulls.
void DiscardNulls(Json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        DiscardNulls(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v) {
      if (e.is_object()) DiscardNulls(e);
    }
  }
}

bool SameJsonType(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return true;
  return a.type() == b.type();
}

Result<Json> MergeMap(Json original, Json patch, const SchemaNode* t, const MergeOptions& opts) {
  if (!patch.is_object()) return std::unexpected(ErrBadArgType("map", patch));
  if (auto d = patch.find(kDirective); d != patch.end()) {
    if (*d == "replace") {
      patch.erase(std::string(kDirective));
      return patch;
    }
    if (*d == "delete") return Json::object();
    return std::unexpected(ErrBadPatchType(*d, patch));
  }
  if (original.is_null()) original = Json::object();
  if (!original.is_object()) return std::unexpected(ErrBadArgType("map", original));
  if (auto ok = ApplyRetainKeys(original, patch, opts); !ok) return std::unexpected(ok.error());
  if (auto ok = MergeOrderedLists(original, patch, t, opts); !ok) {
    return std::unexpected(ok.error());
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    std::string k = it.key();
    Json patch_v = *it;
    bool is_delete_list = false;
    if (StartsWith(k, kDeletePrefix)) {
      if (!opts.merge_parallel_list) {
        original[k] = patch_v;
        continue;
      }
      auto slash = k.find('/');
      if (slash == std::string::npos || k.substr(0, slash) != kDeletePrefix) {
        return std::unexpected(ErrBadPatchFormatForPrimitiveList());
      }
      k = k.substr(slash + 1);
      is_delete_list = true;
    }
    if (patch_v.is_null()) {
      original.erase(k);
      if (opts.ignore_unmatched_nulls) continue;
    }
    auto o = original.find(k);
    if (o == original.end()) {
      if (!is_delete_list) {
        if (opts.ignore_unmatched_nulls) DiscardNulls(patch_v);
        original[k] = std::move(patch_v);
      }
      continue;
    }
    if (!SameJsonType(*o, patch_v)) {
      *o = std::move(patch_v);
      continue;
    }
    Meta meta = Lookup(t, k);
    if (o->is_object()) {
      if (meta.patch.replace) {
        *o = std::move(patch_v);
      } else {
        auto m = MergeMap(std::move(*o), std::move(patch_v), meta.type, opts);
        if (!m) return m;
        *o = std::move(*m);
      }
    } else if (o->is_array()) {
      auto m = MergeSliceHandler(std::move(*o), std::move(patch_v), meta, is_delete_list, opts);
      if (!m) return m;
      *o = std::move(*m);
    } else {
      *o = std::move(patch_v);
    }
  }
  return original;
}

// ---- diff side ----

struct DiffOptions {
  bool set_element_order = false;
  bool ignore_changes_and_additions = false;
  bool ignore_deletions = false;
  bool build_retain_keys = false;
};

Result<Json> DiffMaps(const Json& original, const Json& modified, const SchemaNode* t,
                      DiffOptions opts);

Json SortScalars(Json list) {
  std::vector<Json> items(list.begin(), list.end());
  std::stable_sort(items.begin(), items.end(),
                   [](const Json& a, const Json& b) { return GoV(a) < GoV(b); });
  return Json(items);
}

Result<Json> SortMapsByKey(const Json& list, const std::string& merge_key) {
  std::vector<Json> items;
  for (const auto& v : list) {
    if (!v.is_object()) return std::unexpected(ErrBadArgType("map", v));
    items.push_back(v);
  }
  std::stable_sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
    const Json* ka = KeyOf(a, merge_key);
    const Json* kb = KeyOf(b, merge_key);
    return GoV(ka ? *ka : Json()) < GoV(kb ? *kb : Json());
  });
  return Json(items);
}

struct ListDiff {
  Json patch = Json::array();
  Json deletions = Json::array();
  Json order = Json::array();
};

Result<ListDiff> DiffLists(const Json& original, const Json& modified, const SchemaNode* elem,
                           const std::string& merge_key, const DiffOptions& opts) {
  ListDiff out;
  if (original.empty()) {
    if (modified.empty() || opts.ignore_changes_and_additions) return out;
    out.patch = modified;
    return out;
  }
  auto kind = ElementKind({&original, &modified});
  if (!kind) return std::unexpected(kind.error());
  if (**kind == Kind::kMap) {
    auto os = SortMapsByKey(original, merge_key);
    if (!os) return std::unexpected(os.error());
    auto ms = SortMapsByKey(modified, merge_key);
    if (!ms) return std::unexpected(ms.error());
    Json patch = Json::array(), deletions = Json::array();
    size_t oi = 0, mi = 0;
    while (oi < os->size() || mi < ms->size()) {
      const bool o_in = oi < os->size(), m_in = mi < ms->size();
      const Json* ok = nullptr;
      const Json* mk = nullptr;
      std::string os_key, ms_key;
      if (o_in) {
        ok = KeyOf((*os)[oi], merge_key);
        if (!ok) return std::unexpected(ErrNoMergeKey((*os)[oi], merge_key));
        os_key = GoV(*ok);
      }
      if (m_in) {
        mk = KeyOf((*ms)[mi], merge_key);
        if (!mk) return std::unexpected(ErrNoMergeKey((*ms)[mi], merge_key));
        ms_key = GoV(*mk);
      }
      if (o_in && m_in && os_key == ms_key) {
        auto p = DiffMaps((*os)[oi], (*ms)[mi], elem, opts);
        if (!p) return std::unexpected(p.error());
        if (!p->empty()) {
          (*p)[merge_key] = *mk;
          patch.push_back(std::move(*p));
        }
        ++oi;
        ++mi;
      } else if (!o_in || (m_in && os_key > ms_key)) {
        if (!opts.ignore_changes_and_additions) patch.push_back((*ms)[mi]);
        ++mi;
      } else {
        if (!opts.ignore_deletions) {
          deletions.push_back({{merge_key, *ok}, {std::string(kDirective), "delete"}});
        }
        ++oi;
      }
    }
    auto normalized = NormalizeSliceOrder(std::move(patch), modified, merge_key, Kind::kMap);
    if (!normalized) return std::unexpected(normalized.error());
    bool order_same = original.size() == modified.size();
    for (size_t i = 0; order_same && i < modified.size(); ++i) {
      const Json* a = KeyOf(original[i], merge_key);
      const Json* b = KeyOf(modified[i], merge_key);
      if (!a) return std::unexpected(ErrNoMergeKey(original[i], merge_key));
      if (!b) return std::unexpected(ErrNoMergeKey(modified[i], merge_key));
      order_same = *a == *b;
    }
    out.patch = std::move(*normalized);
    for (auto& d : deletions) out.patch.push_back(std::move(d));
    if (opts.set_element_order &&
        ((!opts.ignore_changes_and_additions && (!out.patch.empty() || !order_same)) ||
         (!opts.ignore_deletions && !out.patch.empty()))) {
      for (const auto& v : modified) out.order.push_back({{merge_key, v[merge_key]}});
    }
    return out;
  }
  // Scalars: sorted walk by their %v strings.
  Json os = SortScalars(original), ms = SortScalars(modified);
  Json add = Json::array(), del = Json::array();
  size_t oi = 0, mi = 0;
  while (oi < os.size() || mi < ms.size()) {
    const bool o_in = oi < os.size(), m_in = mi < ms.size();
    std::string a = o_in ? GoV(os[oi]) : "", b = m_in ? GoV(ms[mi]) : "";
    if (o_in && m_in && a == b) {
      ++oi;
      ++mi;
    } else if (!o_in || (m_in && a > b)) {
      if (!opts.ignore_changes_and_additions) add.push_back(ms[mi]);
      ++mi;
    } else {
      if (!opts.ignore_deletions) del.push_back(os[oi]);
      ++oi;
    }
  }
  auto normalized = NormalizeSliceOrder(std::move(add), modified, "", Kind::kScalar);
  if (!normalized) return std::unexpected(normalized.error());
  out.patch = std::move(*normalized);
  out.deletions = Dedupe(del);
  if (opts.set_element_order && ((!opts.ignore_deletions && !out.deletions.empty()) ||
                                 (!opts.ignore_changes_and_additions && original != modified))) {
    out.order = modified;
  }
  return out;
}

Result<Json> DiffMaps(const Json& original, const Json& modified, const SchemaNode* t,
                      DiffOptions opts) {
  Json patch = Json::object();
  Json retain = Json::array();
  for (auto it = modified.begin(); it != modified.end(); ++it) {
    const std::string& key = it.key();
    const Json& mv = *it;
    if (opts.build_retain_keys && !mv.is_null()) retain.push_back(key);
    auto o = original.find(key);
    if (o == original.end()) {
      if (!opts.ignore_changes_and_additions) patch[key] = mv;
      continue;
    }
    if (key == kDirective) {
      if (!o->is_string() || !mv.is_string()) {
        return std::unexpected(BadRequest("invalid value for special key: $patch"));
      }
      if (*o != mv) patch[key] = mv;
      continue;
    }
    if (!SameJsonType(*o, mv)) {
      if (!opts.ignore_changes_and_additions) patch[key] = mv;
      continue;
    }
    Meta meta = Lookup(t, key);
    if (mv.is_object()) {
      DiffOptions sub = opts;
      sub.build_retain_keys = meta.patch.retain_keys;
      if (meta.patch.replace) {
        if (!opts.ignore_changes_and_additions) patch[key] = mv;
      } else {
        auto p = DiffMaps(*o, mv, meta.type, sub);
        if (!p) return p;
        if (!p->empty()) patch[key] = std::move(*p);
      }
    } else if (mv.is_array()) {
      if (meta.patch.merge) {
        DiffOptions sub = opts;
        sub.build_retain_keys = meta.patch.retain_keys;
        auto d = DiffLists(*o, mv, ElementOf(meta.type), meta.patch.merge_key, sub);
        if (!d) return std::unexpected(d.error());
        if (!d->patch.empty()) patch[key] = std::move(d->patch);
        if (!d->deletions.empty()) {
          patch[std::string(kDeletePrefix) + "/" + key] = std::move(d->deletions);
        }
        if (!d->order.empty()) patch[std::string(kOrderPrefix) + "/" + key] = std::move(d->order);
      } else if (!opts.ignore_changes_and_additions && *o != mv) {
        patch[key] = mv;
      }
    } else if (!opts.ignore_changes_and_additions && *o != mv) {
      patch[key] = mv;
    }
  }
  if (!opts.ignore_deletions) {
    for (auto it = original.begin(); it != original.end(); ++it) {
      if (!modified.contains(it.key())) patch[it.key()] = nullptr;
    }
  }
  if (!retain.empty()) {
    bool additional = false;
    for (auto it = original.begin(); it != original.end(); ++it) {
      if (!it->is_null() && !modified.contains(it.key())) additional = true;
    }
    if (!patch.empty() || additional) patch[std::string(kRetainKeys)] = SortScalars(retain);
  }
  return patch;
}

Error UnsupportedSmp() {
  return MakeError(Reason::kUnsupportedMediaType,
                   "the body of the request was in an unknown format - accepted media types "
                   "include: application/json-patch+json, application/merge-patch+json, "
                   "application/apply-patch+yaml");
}

Json ObjectOrEmpty(const Json& j) { return j.is_object() ? j : Json::object(); }

}  // namespace

bool SupportsStrategicMerge(const GroupVersionKind& gvk) { return SchemaFor(gvk) != nullptr; }

Result<Json> StrategicMergePatch(const Json& original, const Json& patch,
                                 const GroupVersionKind& gvk) {
  const SchemaNode* schema = SchemaFor(gvk);
  if (!schema) return std::unexpected(UnsupportedSmp());
  if (!patch.is_object()) return std::unexpected(BadRequest("invalid JSON document"));
  MergeOptions opts{.merge_parallel_list = true, .ignore_unmatched_nulls = true};
  return MergeMap(ObjectOrEmpty(original), patch, schema, opts);
}

Result<Json> ApplyPatch(PatchType type, const Json& current, const Json& patch,
                        const GroupVersionKind& gvk) {
  switch (type) {
    case PatchType::kJsonPatch:
      return ApplyJsonPatch(current, patch);
    case PatchType::kMerge:
      if (!patch.is_object()) {
        // The API server decodes the result into an object: a non-object patch cannot apply.
        return std::unexpected(BadRequest("invalid JSON document: merge patch must be an object"));
      }
      return JsonMergePatch(current, patch);
    case PatchType::kStrategicMerge:
      return StrategicMergePatch(current, patch, gvk);
  }
  return std::unexpected(UnsupportedSmp());
}

Result<Json> CreateTwoWayMergePatch(const Json& original, const Json& modified,
                                    const GroupVersionKind& gvk) {
  DiffOptions opts{.set_element_order = true};
  return DiffMaps(ObjectOrEmpty(original), ObjectOrEmpty(modified), SchemaFor(gvk), opts);
}

Result<Json> CreateThreeWayMergePatch(const Json& original, const Json& modified,
                                      const Json& current, const GroupVersionKind& gvk) {
  const SchemaNode* schema = SchemaFor(gvk);
  // The patch is the change from current to modified without deletions, plus the deletions from
  // original to modified: delta applied onto deletions, which must be strictly additive.
  DiffOptions delta_opts{.set_element_order = true, .ignore_deletions = true};
  auto delta = DiffMaps(ObjectOrEmpty(current), ObjectOrEmpty(modified), schema, delta_opts);
  if (!delta) return delta;
  DiffOptions deletion_opts{.set_element_order = true, .ignore_changes_and_additions = true};
  auto deletions =
      DiffMaps(ObjectOrEmpty(original), ObjectOrEmpty(modified), schema, deletion_opts);
  if (!deletions) return deletions;
  return MergeMap(std::move(*deletions), std::move(*delta), schema, MergeOptions{});
}

}  // namespace keelson::api
