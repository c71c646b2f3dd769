// Helm's own template functions (helm.sh/helm/v3/pkg/engine/funcs.go and engine.go): include,
// tpl, required, fail, toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray, toToml,
// lookup.
#include <algorithm>
#include <cmath>

#include "charts/funcs.h"
#include "charts/gofmt.h"
#include "charts/template.h"
#include "charts/yaml.h"

namespace keelson::charts {
namespace {

using R = std::expected<Value, std::string>;

std::string Raw(std::string msg) { return std::string(kRawCallError) + msg; }

std::expected<void, std::string> Arity(std::string_view name, std::span<const Value> a, size_t n) {
  if (a.size() != n) {
    return std::unexpected(Raw("wrong number of args for " + std::string(name) + ": want " +
                               std::to_string(n) + " got " + std::to_string(a.size())));
  }
  return {};
}

std::expected<std::string, std::string> StringArg(const Value& v) {
  if (v.is_null()) return std::unexpected(Raw("invalid value; expected string"));
  if (!v.is_string()) {
    return std::unexpected(Raw("wrong type for value; expected string; got " + GoTypeName(v)));
  }
  return v.get<std::string>();
}

std::string ToYaml(const Value& v) {
  auto y = GoYamlMarshal(v);
  if (!y) return "";  // Helm swallows marshalling errors inside templates
  std::string s = std::move(*y);
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// BurntSushi/toml v1.3 Encoder.Encode as Helm's toToml calls it (Indent "  "): key/values of a
// table first (sorted), then sub-tables and arrays of tables (sorted); a key inside table a.b is
// indented once per enclosing table; floats always carry a decimal point; a null inside an array
// is an error; a null map value is skipped (inline tables keep the separator Go writes before it).
class TomlEncoder {
 public:
  std::string out;
  std::string err;
  // A panic that is not a tomlEncodeError: Go's template engine reports it as the call's error.
  bool go_panic = false;

  bool Encode(const Value& v) {
    if (v.is_null()) {
      go_panic = true;
      err = "reflect: call of reflect.Value.Type on zero Value";
      return false;
    }
    return EncodeKey({}, v);
  }

 private:
  enum class Type { kNil, kScalar, kArray, kHash, kArrayHash };

  bool Fail(std::string msg) {
    err = std::move(msg);
    return false;
  }

  // tomlTypeOfGo (isTableArray fails on a nil element).
  bool TypeOf(const Value& v, Type* t) {
    if (v.is_null()) {
      *t = Type::kNil;
    } else if (v.is_object()) {
      *t = Type::kHash;
    } else if (v.is_array()) {
      bool all = !v.empty();
      for (const auto& e : v) {
        Type et;
        if (!TypeOf(e, &et)) return false;
        if (et == Type::kNil) return Fail("toml: cannot encode array with nil element");
        if (et != Type::kHash) all = false;
      }
      *t = all ? Type::kArrayHash : Type::kArray;
    } else {
      *t = Type::kScalar;
    }
    return true;
  }

  static bool BareKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  }
  static std::string Quote(std::string_view s) {
    std::string o = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          o += "\\\"";
          break;
        case '\\':
          o += "\\\\";
          break;
        case '\n':
          o += "\\n";
          break;
        case '\t':
          o += "\\t";
          break;
        case '\r':
          o += "\\r";
          break;
        case '\b':
          o += "\\b";
          break;
        case '\f':
          o += "\\f";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            o += buf;
          } else {
            o += static_cast<char>(c);
          }
      }
    }
    return o + "\"";
  }
  // Key.maybeQuoted.
  static std::string KeyPart(std::string_view k) {
    if (k.empty()) return "\"\"";
    for (char c : k)
      if (!BareKeyChar(c)) return Quote(k);
    return std::string(k);
  }
  // Key.String.
  static std::string KeyName(const std::vector<std::string>& key) {
    std::string s;
    for (size_t i = 0; i < key.size(); ++i) s += (i ? "." : "") + KeyPart(key[i]);
    return s;
  }
  static std::string Indent(const std::vector<std::string>& key) {
    return std::string(key.empty() ? 0 : (key.size() - 1) * 2, ' ');
  }
  void Newline() {
    if (!out.empty()) out += '\n';
  }

  // eElement.
  bool Element(const Value& v) {
    switch (v.type()) {
      case Value::value_t::boolean:
        out += v.get<bool>() ? "true" : "false";
        return true;
      case Value::value_t::number_integer:
        out += std::to_string(v.get<int64_t>());
        return true;
      case Value::value_t::number_unsigned:
        out += std::to_string(v.get<uint64_t>());
        return true;
      case Value::value_t::number_float: {
        double f = v.get<double>();
        if (std::isnan(f)) {
          out += std::signbit(f) ? "-nan" : "nan";
        } else if (std::isinf(f)) {
          out += f > 0 ? "inf" : "-inf";
        } else {
          std::string s = FormatFloat(f, 'f', -1);
          if (s.find('.') == std::string::npos) s += ".0";
          out += s;
        }
        return true;
      }
      case Value::value_t::string:
        out += Quote(v.get_ref<const std::string&>());
        return true;
      case Value::value_t::binary: {  // []byte: a slice of uint8
        out += "[";
        const auto& b = v.get_binary();
        for (size_t i = 0; i < b.size(); ++i) {
          out += std::to_string(b[i]);
          if (i + 1 != b.size()) out += ", ";
        }
        out += "]";
        return true;
      }
      case Value::value_t::array:
        out += "[";
        for (size_t i = 0; i < v.size(); ++i) {
          if (v[i].is_null()) {
            go_panic = true;
            return Fail("reflect: call of reflect.Value.Interface on zero Value");
          }
          if (!Element(v[i])) return false;
          if (i + 1 != v.size()) out += ", ";
        }
        out += "]";
        return true;
      case Value::value_t::object:
        return Map({}, v, true);
      default:
        go_panic = true;
        return Fail("reflect: call of reflect.Value.Interface on zero Value");
    }
  }

  // writeKeyValue.
  bool KeyValue(const std::vector<std::string>& key, const Value& v, bool inline_table) {
    if (key.empty()) return Element(v);
    out += Indent(key) + KeyPart(key.back()) + " = ";
    if (!Element(v)) return false;
    if (!inline_table) Newline();
    return true;
  }

  // encode.
  bool EncodeKey(const std::vector<std::string>& key, const Value& v) {
    if (v.is_null()) return true;
    if (v.is_object()) {  // eTable
      if (key.size() == 1) Newline();
      if (!key.empty()) {
        out += Indent(key) + "[" + KeyName(key) + "]";
        Newline();
      }
      return Map(key, v, false);
    }
    if (v.is_array()) {
      Type t;
      if (!TypeOf(v, &t)) return false;
      if (t != Type::kArrayHash) return KeyValue(key, v, false);
      if (key.empty()) return Fail("toml: top-level values must be Go maps or structs");
      for (const auto& e : v) {  // eArrayOfTables
        Newline();
        out += Indent(key) + "[[" + KeyName(key) + "]]";
        Newline();
        if (!Map(key, e, false)) return false;
      }
      return true;
    }
    return KeyValue(key, v, false);
  }

  // eMap.
  bool Map(const std::vector<std::string>& key, const Value& v, bool inline_table) {
    std::vector<std::string> direct, sub;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == kGoTypeKey) continue;
      Type t;
      if (!TypeOf(it.value(), &t)) return false;
      (t == Type::kHash || t == Type::kArrayHash ? sub : direct).push_back(it.key());
    }
    auto write = [&](const std::vector<std::string>& keys, bool trail_comma) {
      for (size_t i = 0; i < keys.size(); ++i) {
        const Value& val = v[keys[i]];
        if (val.is_null()) continue;
        if (inline_table) {
          if (!KeyValue({keys[i]}, val, true)) return false;
          if (trail_comma || i != keys.size() - 1) out += ", ";
        } else {
          std::vector<std::string> k = key;
          k.push_back(keys[i]);
          if (!EncodeKey(k, val)) return false;
        }
      }
      return true;
    };
    if (inline_table) out += "{";
    if (!write(direct, !sub.empty()) || !write(sub, false)) return false;
    if (inline_table) out += "}";
    return true;
  }
};

}  // namespace

void AddHelmFunctions(FuncMap& f) {
  // include and tpl are executed by the engine itself (it needs the template set and dot without
  // copies); these entries route calls from other contexts through FuncContext.
  f["include"] = [](FuncContext& ctx, std::span<const Value> a) -> R {
    if (auto ok = Arity("include", a, 2); !ok) return std::unexpected(ok.error());
    auto name = StringArg(a[0]);
    if (!name) return std::unexpected(name.error());
    auto r = ctx.ExecuteTemplate(*name, a[1]);
    if (!r) return std::unexpected(r.error());
    return Value(std::move(*r));
  };
  f["tpl"] = [](FuncContext& ctx, std::span<const Value> a) -> R {
    if (auto ok = Arity("tpl", a, 2); !ok) return std::unexpected(ok.error());
    auto text = StringArg(a[0]);
    if (!text) return std::unexpected(text.error());
    auto r = ctx.ExecuteText(*text, a[1]);
    if (!r) return std::unexpected(r.error());
    return Value(std::move(*r));
  };
  f["required"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("required", a, 2); !ok) return std::unexpected(ok.error());
    auto warn = StringArg(a[0]);
    if (!warn) return std::unexpected(warn.error());
    const Value& val = a[1];
    if (val.is_null() || (val.is_string() && val.get_ref<const std::string&>().empty())) {
      return std::unexpected(std::string(kHelmErrStart) + *warn + std::string(kHelmErrEnd));
    }
    return val;
  };
  f["fail"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("fail", a, 1); !ok) return std::unexpected(ok.error());
    auto msg = StringArg(a[0]);
    if (!msg) return std::unexpected(msg.error());
    return std::unexpected(std::string(kHelmErrStart) + *msg + std::string(kHelmErrEnd));
  };
  f["toYaml"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("toYaml", a, 1); !ok) return std::unexpected(ok.error());
    return Value(ToYaml(a[0]));
  };
  f["fromYaml"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("fromYaml", a, 1); !ok) return std::unexpected(ok.error());
    auto s = StringArg(a[0]);
    if (!s) return std::unexpected(s.error());
    Value m = Value::object();
    auto v = DecodeYamlValues(*s);
    if (!v) {
      m["Error"] = v.error();
    } else if (v->is_object()) {
      m = std::move(*v);
    } else if (!v->is_null()) {
      m["Error"] = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " +
                   std::string(v->is_array()    ? "array"
                               : v->is_string() ? "string"
                                                : "number") +
                   " into Go value of type map[string]interface {}";
    }
    return m;
  };
  f["fromYamlArray"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("fromYamlArray", a, 1); !ok) return std::unexpected(ok.error());
    auto s = StringArg(a[0]);
    if (!s) return std::unexpected(s.error());
    auto v = DecodeYamlValues(*s);
    if (!v) return Value::array({v.error()});
    if (v->is_array()) return std::move(*v);
    if (v->is_null()) return Value::array();
    return Value::array({"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " +
                         std::string(v->is_object()   ? "object"
                                     : v->is_string() ? "string"
                                                      : "number") +
                         " into Go value of type []interface {}"});
  };
  f["toJson"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("toJson", a, 1); !ok) return std::unexpected(ok.error());
    auto j = GoJsonMarshal(a[0]);
    return Value(j ? *j : std::string());
  };
  f["fromJson"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("fromJson", a, 1); !ok) return std::unexpected(ok.error());
    auto s = StringArg(a[0]);
    if (!s) return std::unexpected(s.error());
    Value m = Value::object();
    auto v = DecodeJsonValues(*s);
    if (!v) {
      m["Error"] = v.error();
    } else if (v->is_object()) {
      m = std::move(*v);
    } else if (!v->is_null()) {
      m["Error"] = "json: cannot unmarshal " +
                   std::string(v->is_array()    ? "array"
                               : v->is_string() ? "string"
                                                : "number") +
                   " into Go value of type map[string]interface {}";
    }
    return m;
  };
  f["fromJsonArray"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("fromJsonArray", a, 1); !ok) return std::unexpected(ok.error());
    auto s = StringArg(a[0]);
    if (!s) return std::unexpected(s.error());
    auto v = DecodeJsonValues(*s);
    if (!v) return Value::array({v.error()});
    if (v->is_array()) return std::move(*v);
    if (v->is_null()) return Value::array();
    return Value::array({"json: cannot unmarshal " +
                         std::string(v->is_object()   ? "object"
                                     : v->is_string() ? "string"
                                                      : "number") +
                         " into Go value of type []interface {}"});
  };
  f["toToml"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("toToml", a, 1); !ok) return std::unexpected(ok.error());
    TomlEncoder e;
    if (!e.Encode(a[0])) {
      if (e.go_panic) return std::unexpected(e.err);
      return Value(e.err);
    }
    return Value(e.out);
  };
  f["lookup"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("lookup", a, 4); !ok) return std::unexpected(ok.error());
    for (const auto& v : a) {
      if (auto s = StringArg(v); !s) return std::unexpected(s.error());
    }
    return Value::object();  // no cluster: Helm's template-time lookup returns an empty map
  };
}

}  // namespace keelson::charts
