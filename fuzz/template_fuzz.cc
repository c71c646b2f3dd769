// Fuzz target for the Go text/template lexer, parser and executor (charts/template*) with Helm's
// and Sprig's functions: any input must parse or fail with an error, and execute within the
// limits, never crash. Linked with libFuzzer under clang (KEELSON_LIBFUZZER=ON), otherwise with
// fuzz_driver.cc (corpus replay plus random mutations), which ctest runs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "charts/funcs.h"
#include "charts/template.h"

namespace {

// Functions whose cost grows with an argument the fuzzer picks (key generation, key derivation,
// sizes of generated strings and lists) would only measure the machine, not find bugs.
constexpr std::string_view kSlow[] = {
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "htpasswd",
    "bcrypt",
    "derivePassword",
    "until",
    "untilStep",
    "seq",
    "repeat",
    "randAlphaNum",
    "randAlpha",
    "randNumeric",
    "randAscii",
    "randBytes",
    "indent",
    "nindent",
    "now",
    "date",
    "dateInZone",
    "ago",
    "uuidv4",
    "encryptAES",
    "decryptAES",
    "shuffle",
    "randInt",
};

std::shared_ptr<const keelson::charts::FuncMap> Funcs() {
  static auto funcs = [] {
    auto f = std::make_shared<keelson::charts::FuncMap>();
    keelson::charts::AddSprigFunctions(*f);
    keelson::charts::AddHelmFunctions(*f);
    for (auto name : kSlow) f->erase(std::string(name));
    return std::shared_ptr<const keelson::charts::FuncMap>(f);
  }();
  return funcs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  keelson::charts::TemplateSet set(Funcs());
  if (!set.Parse("fuzz", text)) return 0;
  static const keelson::charts::Value dot = keelson::charts::Value::parse(
      R"({"Values":{"a":1.5,"b":"x","l":[1,2,3],"m":{"k":"v"},"n":null},
          "Release":{"Name":"r","Namespace":"ns"},
          "Template":{"Name":"fuzz","BasePath":"fuzz"}})");
  keelson::charts::ExecOptions opts;
  opts.max_output_bytes = 1 << 16;
  opts.max_depth = 64;
  opts.max_include_depth = 32;
  (void)set.Execute("fuzz", dot, opts);
  return 0;
}
