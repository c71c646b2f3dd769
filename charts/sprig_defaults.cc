// Sprig's default/flow functions (defaults.go): default, empty, coalesce, all, any, ternary,
// compact lives with lists; JSON encoding/decoding (fromJson, toJson, toPrettyJson, toRawJson
// and must* variants), deepCopy and mustDeepCopy.
#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

void AddDefaultsFunctions(FuncMap& m) {
  Def(m, "default", 1, kVariadic, [](Args a) -> Result {
    // dfault(d, given...): `given` empty (no piped value) or its first element empty → d.
    if (a.size() < 2 || Empty(a[1])) return a[0];
    return a[1];
  });
  Def(m, "empty", 1, 1, [](Args a) -> Result { return Empty(a[0]); });
  Def(m, "coalesce", 0, kVariadic, [](Args a) -> Result {
    for (const auto& v : a)
      if (!Empty(v)) return v;
    return Value();
  });
  Def(m, "all", 0, kVariadic, [](Args a) -> Result {
    for (const auto& v : a)
      if (Empty(v)) return false;
    return true;
  });
  Def(m, "any", 0, kVariadic, [](Args a) -> Result {
    for (const auto& v : a)
      if (!Empty(v)) return true;
    return false;
  });
  Def(m, "ternary", 3, 3, [](Args a) -> Result {
    SPRIG_TRY(cond, BoolParam(a[2]));
    return cond ? a[0] : a[1];
  });
  Def(m, "fromJson", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    auto v = UnmarshalJson(s);
    if (!v) return Value();
    return *v;
  });
  Def(m, "mustFromJson", 1, 1, [](Args a) -> Result {
    SPRIG_TRY(s, StringParam(a[0]));
    return UnmarshalJson(s);
  });
  struct JsonFn {
    const char* name;
    const char* must;
    bool escape_html;
    const char* indent;
  };
  for (JsonFn f : {JsonFn{"toJson", "mustToJson", true, ""},
                   JsonFn{"toPrettyJson", "mustToPrettyJson", true, "  "},
                   JsonFn{"toRawJson", "mustToRawJson", false, ""}}) {
    Def(m, f.name, 1, 1, [f](Args a) -> Result {
      auto s = MarshalJson(a[0], f.escape_html, f.indent);
      if (!s) return "";
      return *s;
    });
    Def(m, f.must, 1, 1, [f](Args a) -> Result {
      SPRIG_TRY(s, MarshalJson(a[0], f.escape_html, f.indent));
      return s;
    });
  }
  // Values are copied by value already: a deep copy is the value itself.
  Def(m, "deepCopy", 1, 1, [](Args a) -> Result { return a[0]; });
  Def(m, "mustDeepCopy", 1, 1, [](Args a) -> Result { return a[0]; });
}

}  // namespace keelson::charts::sprig
