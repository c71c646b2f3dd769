// Sprig's strval (toString) over gofmt's %v.
#include "charts/sprig_internal.h"

namespace keelson::charts::sprig {

std::string Strval(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  return FormatValue(v);
}

}  // namespace keelson::charts::sprig
