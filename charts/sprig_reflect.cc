// Sprig's reflection functions (reflect.go): typeOf, typeIs, typeIsLike, kindOf, kindIs, and
// deepEqual (reflect.DeepEqual).
#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

void AddReflectFunctions(FuncMap& m) {
  Def(m, "typeOf", 1, 1, [](Args a) -> Result { return GoTypeName(a[0]); });
  Def(m, "typeIs", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(target, StringParam(a[0]));
    return target == GoTypeName(a[1]);
  });
  Def(m, "typeIsLike", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(target, StringParam(a[0]));
    std::string t = GoTypeName(a[1]);
    return target == t || "*" + target == t;
  });
  Def(m, "kindOf", 1, 1, [](Args a) -> Result { return GoKindName(a[0]); });
  Def(m, "kindIs", 2, 2, [](Args a) -> Result {
    SPRIG_TRY(target, StringParam(a[0]));
    return target == GoKindName(a[1]);
  });
  Def(m, "deepEqual", 2, 2, [](Args a) -> Result { return DeepEqual(a[0], a[1]); });
}

}  // namespace keelson::charts::sprig
