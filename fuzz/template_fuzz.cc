// libFuzzer target for the Go text/template lexer, parser and executor (charts/template*):
// any input must parse or fail with an error, and execute within the limits, never crash.
// Build with clang (-DCMAKE_CXX_COMPILER=clang++): fuzz/CMakeLists.txt adds it then.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "charts/funcs.h"
#include "charts/template.h"

namespace {

std::shared_ptr<const keelson::charts::FuncMap> Funcs() {
  static auto funcs = [] {
    auto f = std::make_shared<keelson::charts::FuncMap>();
    keelson::charts::AddHelmFunctions(*f);
    return std::shared_ptr<const keelson::charts::FuncMap>(f);
  }();
  return funcs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  keelson::charts::TemplateSet set(Funcs());
  if (!set.Parse("fuzz", text)) return 0;
  keelson::charts::Value dot = keelson::charts::Value::parse(
      R"({"Values":{"a":1.5,"b":"x","l":[1,2,3],"m":{"k":"v"}},
          "Template":{"Name":"fuzz","BasePath":"fuzz"}})");
  keelson::charts::ExecOptions opts;
  opts.max_output_bytes = 1 << 16;
  opts.max_depth = 64;
  opts.max_include_depth = 32;
  (void)set.Execute("fuzz", dot, opts);
  return 0;
}
