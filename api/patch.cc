// JSON merge patch, JSON patch and strategic merge patch as the Kubernetes API server applies them.
#include "api/patch.h"

#include <algorithm>
#include <cctype>
#include <set>

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
  if (ct == "application/merge-patch+json") return PatchType::kMergePatch;
  if (ct == "application/strategic-merge-patch+json") return PatchType::kStrategicMergePatch;
  return std::nullopt;
}

std::string_view ContentTypeOf(PatchType type) {
  switch (type) {
    case PatchType::kJsonPatch:
      return "application/json-patch+json";
    case PatchType::kMergePatch:
      return "application/merge-patch+json";
    case PatchType::kStrategicMergePatch:
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

}  // namespace keelson::api
