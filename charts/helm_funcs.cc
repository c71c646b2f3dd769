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

// BurntSushi/toml encoding of a map (Helm's toToml).
class TomlEncoder {
 public:
  std::string out;
  std::string err;

  bool Encode(const Value& v) {
    if (!v.is_object()) {
      err = "toml: top-level values must be Go maps or structs";
      return false;
    }
    return Table({}, v, true);
  }

 private:
  static bool IsTable(const Value& v) { return v.is_object(); }
  static bool IsArrayOfTables(const Value& v) {
    if (!v.is_array() || v.empty()) return false;
    return std::all_of(v.begin(), v.end(), [](const Value& e) { return e.is_object(); });
  }

  static std::string Key(const std::string& k) {
    bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    });
    return bare ? k : Quote(k);
  }
  static std::string Quote(const std::string& s) {
    std::string o = "\"";
    for (unsigned char c : s) {
      switch (c) {
        case '"': o += "\\\""; break;
        case '\\': o += "\\\\"; break;
        case '\n': o += "\\n"; break;
        case '\t': o += "\\t"; break;
        case '\r': o += "\\r"; break;
        case '\b': o += "\\b"; break;
        case '\f': o += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04X", c);
            o += buf;
          } else {
            o += static_cast<char>(c);
          }
      }
    }
    return o + "\"";
  }
  bool Scalar(const Value& v, std::string& o) {
    switch (v.type()) {
      case Value::value_t::boolean: o += v.get<bool>() ? "true" : "false"; return true;
      case Value::value_t::number_integer: o += std::to_string(v.get<int64_t>()); return true;
      case Value::value_t::number_unsigned: o += std::to_string(v.get<uint64_t>()); return true;
      case Value::value_t::number_float: {
        double f = v.get<double>();
        if (std::isnan(f)) {
          o += "nan";
        } else if (std::isinf(f)) {
          o += f > 0 ? "inf" : "-inf";
        } else {
          std::string s = FormatFloat(f, 'f', -1);
          if (s.find('.') == std::string::npos) s += ".0";
          o += s;
        }
        return true;
      }
      case Value::value_t::string: o += Quote(v.get<std::string>()); return true;
      case Value::value_t::array: {
        o += "[";
        bool first = true;
        for (const auto& e : v) {
          if (e.is_null()) continue;
          if (!first) o += ", ";
          first = false;
          if (!Scalar(e, o)) return false;
        }
        o += "]";
        return true;
      }
      case Value::value_t::object: {
        o += "{";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (it->is_null()) continue;
          if (!first) o += ", ";
          first = false;
          o += Key(it.key()) + " = ";
          if (!Scalar(it.value(), o)) return false;
        }
        o += "}";
        return true;
      }
      default: return true;
    }
  }

  bool Table(const std::vector<std::string>& path, const Value& v, bool top) {
    std::string indent(path.empty() ? 0 : (path.size() - 1) * 2, ' ');
    // Plain keys first.
    for (auto it = v.begin(); it != v.end(); ++it) {
      const Value& e = it.value();
      if (e.is_null() || IsTable(e) || IsArrayOfTables(e)) continue;
      out += indent + Key(it.key()) + " = ";
      if (!Scalar(e, out)) return false;
      out += "\n";
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const Value& e = it.value();
      std::vector<std::string> sub = path;
      sub.push_back(it.key());
      std::string name;
      for (size_t i = 0; i < sub.size(); ++i) name += (i ? "." : "") + Key(sub[i]);
      std::string sub_indent((sub.size() - 1) * 2, ' ');
      if (IsTable(e)) {
        out += "\n" + sub_indent + "[" + name + "]\n";
        if (!Table(sub, e, false)) return false;
      } else if (IsArrayOfTables(e)) {
        for (const auto& t : e) {
          out += "\n" + sub_indent + "[[" + name + "]]\n";
          if (!Table(sub, t, false)) return false;
        }
      }
    }
    (void)top;
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
                   std::string(v->is_array() ? "array" : v->is_string() ? "string" : "number") +
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
                         std::string(v->is_object() ? "object" : v->is_string() ? "string" : "number") +
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
                   std::string(v->is_array() ? "array" : v->is_string() ? "string" : "number") +
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
                         std::string(v->is_object() ? "object" : v->is_string() ? "string" : "number") +
                         " into Go value of type []interface {}"});
  };
  f["toToml"] = [](FuncContext&, std::span<const Value> a) -> R {
    if (auto ok = Arity("toToml", a, 1); !ok) return std::unexpected(ok.error());
    TomlEncoder e;
    if (!e.Encode(a[0])) return Value(e.err);
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
