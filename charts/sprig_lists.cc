// Sprig's list functions (list.go): list/tuple, push/append, prepend, first, rest, last,
// initial, reverse, uniq, without, has, compact, slice, concat, chunk, and their must* variants.
// Non-must variants fail the same way (Sprig panics, text/template reports the panic).
#include <cmath>

#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

namespace {

// reflect.TypeOf(nil).Kind() dereferences a nil Type: the panic Go reports.
constexpr const char* kNilDeref =
    "runtime error: invalid memory address or nil pointer dereference";

// Checks that `v` is a slice; otherwise the error "<prefix> <kind><suffix>" Sprig returns.
Expected<const Value*> ListArg(const Value& v, const std::string& prefix,
                               const std::string& suffix = "") {
  if (v.is_null()) return std::unexpected(kNilDeref);
  if (v.is_array()) return &v;
  return std::unexpected(prefix + GoKindName(v) + suffix);
}

bool InList(const Value& haystack, const Value& needle) {
  for (const auto& h : haystack)
    if (DeepEqual(needle, h)) return true;
  return false;
}

// Registers NAME and mustNAME with the same behaviour.
void DefBoth(FuncMap& m, const std::string& name, size_t min, size_t max,
             std::function<Result(Args)> fn) {
  Def(m, name, min, max, fn);
  std::string must = "must" + name;
  must[4] = static_cast<char>(std::toupper(static_cast<unsigned char>(must[4])));
  Def(m, must, min, max, fn);
}

}  // namespace

void AddListFunctions(FuncMap& m) {
  for (const char* name : {"list", "tuple"}) {
    Def(m, name, 0, kVariadic, [](Args a) -> Result {
      Value out = Value::array();
      for (const auto& v : a) out.push_back(v);
      return out;
    });
  }
  for (const char* name : {"push", "append"}) {
    DefBoth(m, name, 2, 2, [](Args a) -> Result {
      SPRIG_TRY(l, ListArg(a[0], "Cannot push on type "));
      Value out = *l;
      out.push_back(a[1]);
      return out;
    });
  }
  DefBoth(m, "prepend", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot prepend on type "));
    Value out = Value::array();
    out.push_back(a[1]);
    for (const auto& e : *l) out.push_back(e);
    return out;
  });
  DefBoth(m, "first", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find first on type "));
    if (l->empty()) return Value();
    return (*l)[0];
  });
  DefBoth(m, "last", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find last on type "));
    if (l->empty()) return Value();
    return l->back();
  });
  DefBoth(m, "rest", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find rest on type "));
    Value out = Value::array();
    for (size_t i = 1; i < l->size(); ++i) out.push_back((*l)[i]);
    return out;
  });
  DefBoth(m, "initial", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find initial on type "));
    Value out = Value::array();
    for (size_t i = 0; i + 1 < l->size(); ++i) out.push_back((*l)[i]);
    return out;
  });
  DefBoth(m, "reverse", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find reverse on type "));
    Value out = Value::array();
    for (size_t i = l->size(); i-- > 0;) out.push_back((*l)[i]);
    return out;
  });
  DefBoth(m, "compact", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot compact on type "));
    Value out = Value::array();
    for (const auto& e : *l)
      if (!Empty(e)) out.push_back(e);
    return out;
  });
  DefBoth(m, "uniq", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find uniq on type "));
    Value out = Value::array();
    for (const auto& e : *l)
      if (!InList(out, e)) out.push_back(e);
    return out;
  });
  DefBoth(m, "without", 1, kVariadic, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "Cannot find without on type "));
    Value omit = Value::array();
    for (size_t i = 1; i < a.size(); ++i) omit.push_back(a[i]);
    Value out = Value::array();
    for (const auto& e : *l)
      if (!InList(omit, e)) out.push_back(e);
    return out;
  });
  DefBoth(m, "has", 2, 2, [](Args a) -> Result {
    if (a[1].is_null()) return false;
    SPRIG_TRY(l, ListArg(a[1], "Cannot find has on type "));
    return InList(*l, a[0]);
  });
  DefBoth(m, "slice", 1, kVariadic, [](Args a) -> Result {
    SPRIG_TRY(l, ListArg(a[0], "list should be type of slice or array but "));
    int64_t len = static_cast<int64_t>(l->size());
    if (len == 0) return Value();
    int64_t start = 0, end = len;
    if (a.size() > 1) start = CastToInt64(a[1]);
    if (a.size() > 2) end = CastToInt64(a[2]);
    if (start < 0 || end < start || end > len) {
      return std::unexpected("reflect: slice index out of range");
    }
    Value out = Value::array();
    for (int64_t i = start; i < end; ++i) out.push_back((*l)[i]);
    return out;
  });
  Def(m, "concat", 0, kVariadic, [](Args a) -> Result {
    Value out = Value::array();
    for (const auto& l : a) {
      if (l.is_null()) return std::unexpected(kNilDeref);
      if (!l.is_array()) return std::unexpected("Cannot concat type " + GoKindName(l) + " as list");
      for (const auto& e : l) out.push_back(e);
    }
    return out;
  });
  DefBoth(m, "chunk", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(size, IntParam(a[0]));
    SPRIG_TRY(l, ListArg(a[1], "Cannot chunk type "));
    int64_t len = static_cast<int64_t>(l->size());
    if (size <= 0) {
      if (len == 1 && size < 0) return Value::array();
      return std::unexpected("runtime error: makeslice: len out of range");
    }
    int64_t cs = static_cast<int64_t>(std::floor(static_cast<double>(len - 1) / size) + 1);
    Value out = Value::array();
    for (int64_t i = 0; i < cs; ++i) {
      int64_t clen = size;
      if (i == cs - 1) {
        clen = len % size;
        if (clen == 0) clen = size;
      }
      Value chunk = Value::array();
      for (int64_t j = 0; j < clen; ++j) chunk.push_back((*l)[i * size + j]);
      out.push_back(std::move(chunk));
    }
    return out;
  });
}

}  // namespace keelson::charts::sprig
