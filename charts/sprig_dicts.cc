// Sprig's dict functions (dict.go) and merge/mergeOverwrite with mergo's semantics.
//
// Go maps are references: set, unset, merge and mergeOverwrite mutate their first argument and
// return it. Here they return the mutated dict; the engine is responsible for writing the result
// back where the argument came from (Go's aliasing of maps is the engine's to model).
//
// keys and values: Go iterates maps in random order; these return sorted key order, which is one
// of the orders Go may produce and keeps renders deterministic.
#include <algorithm>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

// mergo's isEmptyValue for the value inside an interface{}.
bool MergoEmpty(const Value& v) { return Empty(v); }

// mergo.Merge / MergeWithOverwrite of src into dst, both map[string]interface{}.
void MergoMerge(Value& dst, const Value& src, bool overwrite) {
  for (auto it = src.begin(); it != src.end(); ++it) {
    const Value& s = *it;
    auto dit = dst.find(it.key());
    bool dst_valid = dit != dst.end();
    if (s.is_null()) {
      // A nil interface in src: only overwrite copies it.
      if (overwrite) dst[it.key()] = nullptr;
      continue;
    }
    bool s_is_map = s.is_object() && !s.contains(std::string(kGoTypeKey));
    bool s_is_slice = s.is_array();
    bool dst_was_empty = !dst_valid || MergoEmpty(*dit);
    if (s_is_map && dst_valid) {
      Value& d = *dit;
      if (d.is_object() && !d.contains(std::string(kGoTypeKey))) {
        MergoMerge(d, s, overwrite);
      }
    }
    if (dst_valid && !MergoEmpty(dst[it.key()]) && (s_is_map || s_is_slice)) {
      if (s_is_slice && overwrite && !src.empty()) dst[it.key()] = s;
      continue;
    }
    if (overwrite || !dst_valid || dst_was_empty) dst[it.key()] = s;
  }
}

}  // namespace

void AddDictFunctions(FuncMap& m) {
  Def(m, "dict", 0, kVariadic, [](Args a) -> Result {
    Value d = Value::object();
    for (size_t i = 0; i < a.size(); i += 2) {
      std::string key = Strval(a[i]);
      d[key] = i + 1 < a.size() ? a[i + 1] : Value("");
    }
    return d;
  });
  Def(m, "get", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    SPRIG_TRY(key, StringParam(a[1]));
    auto it = d.find(key);
    if (it == d.end()) return "";
    return *it;
  });
  Def(m, "set", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    SPRIG_TRY(key, StringParam(a[1]));
    if (a[0].is_null()) return std::unexpected("assignment to entry in nil map");
    d[key] = a[2];
    return d;
  });
  Def(m, "unset", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    SPRIG_TRY(key, StringParam(a[1]));
    d.erase(key);
    return d;
  });
  Def(m, "hasKey", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    SPRIG_TRY(key, StringParam(a[1]));
    return d.contains(key);
  });
  Def(m, "pluck", 1, kVariadic, [](Args a) -> Result {
    SPRIG_TRY(key, StringParam(a[0]));
    Value out = Value::array();
    for (size_t i = 1; i < a.size(); ++i) {
      SPRIG_TRY(d, MapParam(a[i]));
      auto it = d.find(key);
      if (it != d.end()) out.push_back(*it);
    }
    return out;
  });
  Def(m, "keys", 0, kVariadic, [](Args a) -> Result {
    Value out = Value::array();
    for (const auto& v : a) {
      SPRIG_TRY(d, MapParam(v));
      for (auto it = d.begin(); it != d.end(); ++it) out.push_back(it.key());
    }
    return out;
  });
  Def(m, "values", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    Value out = Value::array();
    for (const auto& v : d) out.push_back(v);
    return out;
  });
  Def(m, "pick", 1, kVariadic, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    SPRIG_TRY(keys, StringParams(a.subspan(1)));
    Value out = Value::object();
    for (const auto& k : keys) {
      auto it = d.find(k);
      if (it != d.end()) out[k] = *it;
    }
    return out;
  });
  Def(m, "omit", 1, kVariadic, [](Args a) -> Result {
    SPRIG_TRY(d, MapParam(a[0]));
    SPRIG_TRY(keys, StringParams(a.subspan(1)));
    Value out = Value::object();
    for (auto it = d.begin(); it != d.end(); ++it) {
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) out[it.key()] = *it;
    }
    return out;
  });
  auto merge = [](bool overwrite) {
    return [overwrite](Args a) -> Result {
      SPRIG_TRY(dst, MapParam(a[0]));
      for (size_t i = 1; i < a.size(); ++i) {
        SPRIG_TRY(src, MapParam(a[i]));
        MergoMerge(dst, src, overwrite);
      }
      return dst;
    };
  };
  Def(m, "merge", 1, kVariadic, merge(false));
  Def(m, "mustMerge", 1, kVariadic, merge(false));
  Def(m, "mergeOverwrite", 1, kVariadic, merge(true));
  Def(m, "mustMergeOverwrite", 1, kVariadic, merge(true));
  Def(m, "dig", 3, kVariadic, [](Args a) -> Result {
    const Value& dict = a[a.size() - 1];
    const Value& def = a[a.size() - 2];
    if (!dict.is_object() || dict.contains(std::string(kGoTypeKey))) {
      return std::unexpected("interface conversion: interface {} is " + GoTypeName(dict) +
                             ", not map[string]interface {}");
    }
    const Value* cur = &dict;
    for (size_t i = 0; i + 2 < a.size(); ++i) {
      if (!a[i].is_string()) {
        return std::unexpected("interface conversion: interface {} is " + GoTypeName(a[i]) +
                               ", not string");
      }
      if (!cur->is_object() || cur->contains(std::string(kGoTypeKey))) {
        return std::unexpected("interface conversion: interface {} is " + GoTypeName(*cur) +
                               ", not map[string]interface {}");
      }
      auto it = cur->find(a[i].get<std::string>());
      if (it == cur->end()) return def;
      cur = &*it;
    }
    return *cur;
  });
}

}  // namespace keelson::charts::sprig
