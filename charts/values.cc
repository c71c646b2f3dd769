// Helm's values semantics (see values.h): ports of chartutil's coalesce.go, dependencies.go,
// strvals' parser.go and the schema validation Helm performs.
#include "charts/values.h"

#include <re2/re2.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <map>

#include "charts/gofmt.h"
#include "charts/yaml.h"

namespace keelson::charts {
namespace {

bool IsTable(const Value& v) { return v.is_object() && !v.contains(std::string(kGoTypeKey)); }

void CoalesceTablesFull(Value& dst, const Value& src, bool merge) {
  if (src.is_null()) return;
  if (dst.is_null()) {
    dst = src;
    return;
  }
  if (!dst.is_object() || !src.is_object()) return;
  for (auto it = src.begin(); it != src.end(); ++it) {
    const std::string& key = it.key();
    const Value& val = it.value();
    auto d = dst.find(key);
    if (d != dst.end() && !merge && d->is_null()) {
      dst.erase(key);
    } else if (d == dst.end()) {
      dst[key] = val;
    } else if (IsTable(val)) {
      if (IsTable(*d)) CoalesceTablesFull(*d, val, merge);
      // else: "cannot overwrite table with non table" (dest wins)
    }
  }
}

bool IsSubchartName(const Chart& c, const std::string& key) {
  for (const auto& s : c.subcharts)
    if (s->name == key) return true;
  return false;
}

void CoalesceChartValues(const Chart& c, Value& v, bool merge) {
  for (auto it = c.values.begin(); it != c.values.end(); ++it) {
    const std::string& key = it.key();
    const Value& val = it.value();
    auto found = v.find(key);
    if (found != v.end()) {
      if (found->is_null() && !merge) {
        v.erase(key);
      } else if (IsTable(*found)) {
        if (IsTable(val)) {
          bool m = IsSubchartName(c, key) ? true : merge;
          CoalesceTablesFull(*found, val, m);
        }
      }
    } else {
      v[key] = val;
    }
  }
}

void CoalesceGlobals(Value& dest, const Value& src) {
  Value dg = Value::object();
  if (auto it = dest.find("global"); it != dest.end()) {
    if (!IsTable(*it)) return;  // "skipping globals because destination global is not a table"
    dg = *it;
  }
  Value sg = Value::object();
  if (auto it = src.find("global"); it != src.end()) {
    if (!IsTable(*it)) return;
    sg = *it;
  }
  for (auto it = sg.begin(); it != sg.end(); ++it) {
    const std::string& key = it.key();
    const Value& val = it.value();
    if (IsTable(val)) {
      Value vv = val;
      auto d = dg.find(key);
      if (d == dg.end()) {
        dg[key] = vv;
      } else if (IsTable(*d)) {
        CoalesceTablesFull(vv, *d, true);
        dg[key] = vv;
      }
    } else if (auto d = dg.find(key); d != dg.end() && IsTable(*d)) {
      // key is a table in the destination: skipped
    } else {
      dg[key] = val;
    }
  }
  dest["global"] = dg;
}

api::Status Coalesce(const Chart& c, Value& dest, bool merge) {
  if (!dest.is_object()) dest = Value::object();
  CoalesceChartValues(c, dest, merge);
  for (const auto& sub : c.subcharts) {
    auto it = dest.find(sub->name);
    if (it == dest.end()) {
      dest[sub->name] = Value::object();
    } else if (!IsTable(*it)) {
      return std::unexpected(api::BadRequest("type mismatch on " + sub->name + ": %!t(" +
                                             GoTypeName(*it) + "=" + FormatValue(*it) + ")"));
    }
    Value& dv = dest[sub->name];
    CoalesceGlobals(dv, dest);
    if (auto ok = Coalesce(*sub, dv, merge); !ok) return ok;
  }
  return {};
}

std::vector<std::string> SplitPath(std::string_view p) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = p.find('.', start);
    out.emplace_back(
        p.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

// chartutil.Values.Table(name).
const Value* Table(const Value& v, std::string_view name) {
  const Value* cur = &v;
  for (const auto& part : SplitPath(name)) {
    if (!IsTable(*cur)) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end() || !IsTable(*it)) return nullptr;
    cur = &*it;
  }
  return cur;
}

// chartutil.Values.PathValue(path): a non-table value, or nullptr.
const Value* PathValue(const Value& v, std::string_view path) {
  auto parts = SplitPath(path);
  std::string key = parts.back();
  parts.pop_back();
  const Value* t = &v;
  if (!parts.empty()) {
    std::string joined;
    for (size_t i = 0; i < parts.size(); ++i) joined += (i ? "." : "") + parts[i];
    t = Table(v, joined);
    if (!t) return nullptr;
  }
  if (!t->is_object()) return nullptr;
  auto it = t->find(key);
  if (it == t->end() || IsTable(*it)) return nullptr;
  return &*it;
}

Value PathToMap(std::string_view path, const Value& data) {
  if (path == ".") return data;
  auto parts = SplitPath(path);
  Value out = data;
  for (size_t i = parts.size(); i-- > 0;) {
    if (parts[i].empty()) continue;
    Value m = Value::object();
    m[parts[i]] = std::move(out);
    out = std::move(m);
  }
  return out;
}

using VersionMatch = std::function<bool(std::string_view, std::string_view)>;

api::Status ProcessEnabled(Chart& c, const Value& v, const std::string& path,
                           const VersionMatch& vm) {
  if (c.dependencies.empty()) return {};
  std::vector<std::unique_ptr<Chart>> original = std::move(c.subcharts);
  std::vector<std::unique_ptr<Chart>> chart_deps;
  for (auto& existing : original) {
    bool listed = false;
    for (const auto& req : c.dependencies) {
      if (existing->name == req.name && vm(req.version, existing->version)) {
        listed = true;
        break;
      }
    }
    if (!listed) chart_deps.push_back(existing->Clone());
  }
  for (auto& req : c.dependencies) {
    for (auto& ch : original) {
      if (ch->name != req.name || !vm(req.version, ch->version)) continue;
      auto copy = ch->Clone();
      if (!req.alias.empty()) {
        copy->name = req.alias;
        copy->metadata_raw["name"] = req.alias;
      }
      chart_deps.push_back(std::move(copy));
      break;
    }
    if (!req.alias.empty()) req.name = req.alias;
  }
  for (auto& d : chart_deps) d->parent = &c;
  c.subcharts = std::move(chart_deps);
  for (auto& r : c.dependencies) r.enabled = true;

  Value cvals = v;
  if (auto ok = Coalesce(c, cvals, false); !ok) return ok;

  // tags
  if (const Value* vt = Table(cvals, "tags")) {
    for (auto& r : c.dependencies) {
      bool has_true = false, has_false = false;
      for (const auto& k : r.tags) {
        auto it = vt->find(k);
        if (it != vt->end() && it->is_boolean()) {
          if (it->get<bool>()) {
            has_true = true;
          } else {
            has_false = true;
          }
        }
      }
      if (!has_true && has_false) {
        r.enabled = false;
      } else if (has_true || !has_false) {
        r.enabled = true;
      }
    }
  }
  // conditions
  for (auto& r : c.dependencies) {
    std::string cond = r.condition;
    while (!cond.empty() && std::isspace(static_cast<unsigned char>(cond.front())))
      cond.erase(0, 1);
    while (!cond.empty() && std::isspace(static_cast<unsigned char>(cond.back()))) cond.pop_back();
    for (const auto& part : SplitPath(cond.empty() ? std::string_view() : std::string_view(cond))) {
      (void)part;
      break;
    }
    size_t start = 0;
    while (start <= cond.size()) {
      size_t comma = cond.find(',', start);
      std::string cpath =
          cond.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? cond.size() + 1 : comma + 1;
      if (cpath.empty()) continue;
      const Value* vv = PathValue(cvals, path + cpath);
      if (vv && vv->is_boolean()) {
        r.enabled = vv->get<bool>();
        break;
      }
    }
  }
  std::map<std::string, bool> rm;
  for (const auto& r : c.dependencies)
    if (!r.enabled) rm[r.name] = true;
  std::vector<std::unique_ptr<Chart>> kept;
  for (auto& d : c.subcharts)
    if (!rm.contains(d->name)) kept.push_back(std::move(d));
  std::vector<ChartDependency> kept_meta;
  for (auto& r : c.dependencies)
    if (!rm.contains(r.name)) kept_meta.push_back(r);
  for (auto& t : kept) {
    if (auto ok = ProcessEnabled(*t, cvals, path + t->name + ".", vm); !ok) return ok;
  }
  c.dependencies = std::move(kept_meta);
  c.subcharts = std::move(kept);
  return {};
}

api::Status ProcessImportValues(Chart& c) {
  for (auto& d : c.subcharts) {
    if (auto ok = ProcessImportValues(*d); !ok) return ok;
  }
  if (c.dependencies.empty()) return {};
  Value cvals = Value::object();
  if (auto ok = Coalesce(c, cvals, true); !ok) return ok;
  Value b = Value::object();
  for (auto& r : c.dependencies) {
    Value outiv = Value::array();
    for (const auto& riv : r.import_values) {
      if (riv.is_object()) {
        std::string child = riv.value("child", "");
        std::string parent = riv.value("parent", "");
        outiv.push_back(Value{{"child", child}, {"parent", parent}});
        const Value* vv = Table(cvals, r.name + "." + child);
        if (!vv) continue;  // "ImportValues missing table from chart"
        Value m = PathToMap(parent, *vv);
        CoalesceTablesFull(b, m, true);
      } else if (riv.is_string()) {
        std::string child = "exports." + riv.get<std::string>();
        outiv.push_back(Value{{"child", child}, {"parent", "."}});
        const Value* vm = Table(cvals, r.name + "." + child);
        if (!vm) continue;
        CoalesceTablesFull(b, *vm, true);
      }
    }
    r.import_values = outiv;
  }
  Value merged = cvals;
  CoalesceTablesFull(merged, b, true);
  c.values = std::move(merged);
  return {};
}

// ---------- strvals ----------

constexpr int kMaxIndex = 65536;

// The dynamic type Go names in "interface conversion: interface {} is T, not ..." panics over
// strvals' values (--set integers are int64, values files hold float64).
std::string ConversionTypeName(const Value& v) {
  if (v.is_null()) return "nil";
  if (v.is_number_integer()) return "int64";
  return GoTypeName(v);
}

// fmt's %q of a []rune: ['a' 'b'].
std::string QuoteRunes(std::string_view s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (i > 0) out += ' ';
    std::string r(s.substr(i, w));
    if (r == "'") {
      out += "'\\''";
    } else {
      std::string q = GoQuote(r);  // "x" → 'x' (same escapes as strconv.QuoteRune)
      if (q == "\"\\\"\"") q = "\"\"\"";
      out += "'" + q.substr(1, q.size() - 2) + "'";
    }
    i += w;
  }
  return out + "]";
}
constexpr int kMaxNestedNameLevel = 30;

struct Eof {};

class StrvalsParser {
 public:
  StrvalsParser(std::string_view s, SetKind kind,
                const std::function<api::Result<std::string>(const std::string&)>& read_file)
      : s_(s), kind_(kind), read_file_(read_file) {}

  // Returns "" on success, the error text otherwise.
  std::string Parse(Value& data) {
    while (true) {
      std::string err;
      bool eof = false;
      Key(data, 0, &err, &eof);
      if (!err.empty()) return err;
      if (eof) return "";
    }
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  // Set where Go's parser returns io.EOF from key()/listItem() (a key or index at the end of
  // the input, a value-less "k=" at the end): callers that check for it then skip their update.
  bool go_eof_ = false;
  SetKind kind_;
  const std::function<api::Result<std::string>(const std::string&)>& read_file_;

  // runesUntil: returns (runes, last, eof).
  std::string RunesUntil(std::string_view stop, char* last, bool* eof) {
    std::string v;
    *eof = false;
    while (true) {
      if (pos_ >= s_.size()) {
        *eof = true;
        *last = 0;
        return v;
      }
      char r = s_[pos_++];
      if (stop.find(r) != std::string_view::npos) {
        *last = r;
        return v;
      }
      if (r == '\\') {
        if (pos_ >= s_.size()) {
          *eof = true;
          *last = 0;
          return v;
        }
        unsigned char c = s_[pos_];
        size_t w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        v.append(s_.substr(pos_, w));
        pos_ += w;
        continue;
      }
      v += r;
    }
  }

  bool Reader(const std::string& rs, Value* out, std::string* err) {
    switch (kind_) {
      case SetKind::kString:
        *out = rs;
        return true;
      case SetKind::kFile: {
        if (!read_file_) {
          *err = "open " + rs + ": no such file or directory";
          return false;
        }
        auto data = read_file_(rs);
        if (!data) {
          *err = data.error().message;
          return false;
        }
        *out = *data;
        return true;
      }
      default: {
        std::string lower = rs;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower == "true") {
          *out = true;
        } else if (lower == "false") {
          *out = false;
        } else if (lower == "null") {
          *out = nullptr;
        } else if (rs == "0") {
          *out = static_cast<int64_t>(0);
        } else if (!rs.empty() && rs[0] != '0') {
          char* end = nullptr;
          errno = 0;
          long long iv = std::strtoll(rs.c_str(), &end, 10);
          bool digits_only = std::all_of(rs.begin() + ((rs[0] == '-' || rs[0] == '+') ? 1 : 0),
                                         rs.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                             rs.size() > ((rs[0] == '-' || rs[0] == '+') ? 1u : 0u);
          if (digits_only && errno == 0 && end == rs.c_str() + rs.size()) {
            *out = static_cast<int64_t>(iv);
          } else {
            *out = rs;
          }
        } else {
          *out = rs;
        }
        return true;
      }
    }
  }

  // valList: returns 0 ok, 1 eof, 2 not a list, 3 error.
  int ValList(Value* list, std::string* err) {
    *list = Value::array();
    if (pos_ >= s_.size()) return 1;
    if (s_[pos_] != '{') return 2;
    ++pos_;
    while (true) {
      char last;
      bool eof;
      std::string rs = RunesUntil(",}", &last, &eof);
      if (eof) {
        *err = "list must terminate with '}'";
        return 3;
      }
      Value v;
      if (!Reader(rs, &v, err)) return 3;
      list->push_back(v);
      if (last == '}') {
        if (pos_ < s_.size() && s_[pos_] == ',') ++pos_;
        return 0;
      }
    }
  }

  bool SetIndex(Value& list, int index, Value val, std::string* err) {
    if (index < 0) {
      *err = "negative " + std::to_string(index) + " index not allowed";
      return false;
    }
    if (index > kMaxIndex) {
      *err = "index of " + std::to_string(index) + " is greater than maximum supported index of " +
             std::to_string(kMaxIndex);
      return false;
    }
    if (!list.is_array()) list = Value::array();
    while (static_cast<int>(list.size()) <= index) list.push_back(nullptr);
    list[index] = std::move(val);
    return true;
  }

  bool KeyIndex(int* idx, std::string* err) {
    char last;
    bool eof;
    std::string v = RunesUntil("]", &last, &eof);
    if (eof) {
      *err = "error parsing index: EOF";
      return false;
    }
    // strconv.Atoi: optional sign, decimal digits only.
    size_t d = !v.empty() && (v[0] == '+' || v[0] == '-') ? 1 : 0;
    bool syntax = d < v.size() && std::all_of(v.begin() + static_cast<long>(d), v.end(),
                                              [](char c) { return c >= '0' && c <= '9'; });
    if (!syntax) {
      *err = "error parsing index: strconv.Atoi: parsing " + GoQuote(v) + ": invalid syntax";
      return false;
    }
    errno = 0;
    long long n = std::strtoll(v.c_str(), nullptr, 10);
    if (errno == ERANGE) {
      *err = "error parsing index: strconv.Atoi: parsing " + GoQuote(v) + ": value out of range";
      return false;
    }
    // Indexes beyond int's range are refused later by the index limits.
    *idx = n > INT32_MAX ? INT32_MAX : n < INT32_MIN ? INT32_MIN : static_cast<int>(n);
    return true;
  }

  // emptyVal: skips blanks; true (and the comma consumed) at a comma or the end, false (nothing
  // consumed) at any other character.
  bool EmptyVal() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ',') {
        ++pos_;
        return true;
      }
      if (!std::isspace(static_cast<unsigned char>(c))) return false;
      ++pos_;
    }
    return true;
  }

  // The length of the first JSON value of `in` as encoding/json's Decoder delimits it (a number
  // or literal ends at the first byte that cannot continue it; arrays, objects and strings at
  // their closing byte), or 0 if it is malformed.
  static size_t JsonExtent(std::string_view in) {
    if (in.empty()) return 0;
    char c = in[0];
    if (c == '"' || c == '[' || c == '{') {
      int depth = 0;
      bool in_str = false;
      for (size_t i = 0; i < in.size(); ++i) {
        char x = in[i];
        if (in_str) {
          if (x == '\\') {
            ++i;
          } else if (x == '"') {
            in_str = false;
            if (depth == 0) return i + 1;
          }
          continue;
        }
        if (x == '"') {
          in_str = true;
        } else if (x == '[' || x == '{') {
          ++depth;
        } else if (x == ']' || x == '}') {
          if (--depth == 0) return i + 1;
        }
      }
      return 0;
    }
    for (std::string_view lit : {"true", "false", "null"}) {
      if (in.starts_with(lit)) return lit.size();
    }
    size_t i = 0;
    if (in[i] == '-') ++i;
    if (i >= in.size() || !std::isdigit(static_cast<unsigned char>(in[i]))) return 0;
    if (in[i] == '0') {
      ++i;
    } else {
      while (i < in.size() && std::isdigit(static_cast<unsigned char>(in[i]))) ++i;
    }
    if (i < in.size() && in[i] == '.') {
      ++i;
      if (i >= in.size() || !std::isdigit(static_cast<unsigned char>(in[i]))) return 0;
      while (i < in.size() && std::isdigit(static_cast<unsigned char>(in[i]))) ++i;
    }
    if (i < in.size() && (in[i] == 'e' || in[i] == 'E')) {
      ++i;
      if (i < in.size() && (in[i] == '+' || in[i] == '-')) ++i;
      if (i >= in.size() || !std::isdigit(static_cast<unsigned char>(in[i]))) return 0;
      while (i < in.size() && std::isdigit(static_cast<unsigned char>(in[i]))) ++i;
    }
    return i;
  }

  // The value after '=' of --set-json: null when empty, else one JSON value (Decoder.Decode),
  // then blanks and one comma are skipped.
  bool JsonValue(Value* out, std::string* err) {
    if (EmptyVal()) {
      *out = nullptr;
      return true;
    }
    std::string_view rest = s_.substr(pos_);
    size_t n = JsonExtent(rest);
    auto v = n ? DecodeJsonValues(rest.substr(0, n))
               : std::expected<Value, std::string>(std::unexpected("invalid JSON value"));
    if (!v) {
      *err = v.error();
      return false;
    }
    *out = std::move(*v);
    pos_ += n;
    EmptyVal();
    return true;
  }

  void Key(Value& data, int level, std::string* err, bool* eof) {
    if (!data.is_object()) data = Value::object();
    while (true) {
      char last;
      bool at_eof;
      std::string k = RunesUntil("=[,.", &last, &at_eof);
      if (at_eof) {
        if (k.empty()) {
          *eof = true;
          go_eof_ = true;
          return;
        }
        *err = "key " + GoQuote(k) + " has no value";
        return;
      }
      switch (last) {
        case '[': {
          int i;
          if (!KeyIndex(&i, err)) return;
          Value list = Value::array();
          if (data.contains(k)) {
            if (!data[k].is_array()) {
              *err = "unable to parse key: interface conversion: interface {} is " +
                     ConversionTypeName(data[k]) + ", not []interface {}";
              return;
            }
            list = data[k];
          }
          bool ok = ListItem(list, i, level, err, eof);
          if (!k.empty()) data[k] = list;
          (void)ok;
          return;
        }
        case '=': {
          if (kind_ == SetKind::kJson) {
            Value v;
            if (!JsonValue(&v, err)) return;
            if (!k.empty()) data[k] = v;
            return;
          }
          Value vl;
          int r = ValList(&vl, err);
          if (r == 0) {
            if (!k.empty()) data[k] = vl;
            return;
          }
          if (r == 1) {
            if (!k.empty()) data[k] = "";
            *eof = true;
            go_eof_ = true;
            return;
          }
          if (r == 3) return;
          char l2;
          bool e2;
          std::string rs = RunesUntil(",", &l2, &e2);
          Value v;
          if (!Reader(rs, &v, err)) return;
          if (!k.empty()) data[k] = v;
          if (e2) *eof = true;
          return;
        }
        case ',':
          if (!k.empty()) data[k] = "";
          *err = "key " + GoQuote(k) + " has no value (cannot end with ,)";
          return;
        case '.': {
          ++level;
          if (level > kMaxNestedNameLevel) {
            *err = "value name nested level is greater than maximum supported nested level of " +
                   std::to_string(kMaxNestedNameLevel);
            return;
          }
          Value inner = Value::object();
          if (data.contains(k)) {
            if (!data[k].is_object()) {
              *err = "unable to parse key: interface conversion: interface {} is " +
                     ConversionTypeName(data[k]) + ", not map[string]interface {}";
              return;
            }
            inner = data[k];
          }
          go_eof_ = false;
          Key(inner, level, err, eof);
          if (err->empty() && !go_eof_ && inner.empty()) {
            *err = "key map " + GoQuote(k) + " has no value";
            return;
          }
          if (!inner.empty() && !k.empty()) data[k] = inner;
          return;
        }
        default:
          return;
      }
    }
  }

  bool ListItem(Value& list, int i, int level, std::string* err, bool* eof) {
    if (i < 0) {
      *err = "negative " + std::to_string(i) + " index not allowed";
      return false;
    }
    char last;
    bool at_eof;
    std::string k = RunesUntil("[.=", &last, &at_eof);
    if (!k.empty()) {
      *err = "unexpected data at end of array index: " + QuoteRunes(k);
      return false;
    }
    if (at_eof) {
      *eof = true;
      go_eof_ = true;
      return true;
    }
    switch (last) {
      case '=': {
        if (kind_ == SetKind::kJson) {
          Value v;
          if (!JsonValue(&v, err)) return false;
          return SetIndex(list, i, v, err);
        }
        Value vl;
        int r = ValList(&vl, err);
        if (r == 0) return SetIndex(list, i, vl, err);
        if (r == 1) {
          *eof = true;
          return SetIndex(list, i, "", err);
        }
        if (r == 3) return false;
        char l2;
        bool e2;
        std::string rs = RunesUntil(",", &l2, &e2);
        Value v;
        if (!Reader(rs, &v, err)) return false;
        if (e2) *eof = true;
        return SetIndex(list, i, v, err);
      }
      case '[': {
        int next;
        if (!KeyIndex(&next, err)) return false;
        Value crt = Value::array();
        if (list.is_array() && static_cast<int>(list.size()) > i && !list[i].is_null()) {
          if (!list[i].is_array()) {
            *err = "unable to parse key: interface conversion: interface {} is " +
                   ConversionTypeName(list[i]) + ", not []interface {}";
            return false;
          }
          crt = list[i];
        }
        if (!ListItem(crt, next, level, err, eof)) return false;
        return SetIndex(list, i, crt, err);
      }
      case '.': {
        Value inner = Value::object();
        bool existing = list.is_array() && static_cast<int>(list.size()) > i;
        if (existing && list[i].is_object()) inner = list[i];
        go_eof_ = false;
        Key(inner, level, err, eof);
        if (!err->empty()) return false;
        if (go_eof_) {
          // Go returns io.EOF before setIndex: only a map already in the list (shared, mutated
          // in place) or one put there for out-of-order indexes keeps what was parsed.
          if (existing) list[i] = inner;
          return true;
        }
        return SetIndex(list, i, inner, err);
      }
      default:
        *err = "parse error: unexpected token " + std::to_string(last);
        return false;
    }
  }
};

// ---------- JSON schema ----------

using OJson = nlohmann::ordered_json;

std::string JsonTypeOf(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "null";
    case Value::value_t::boolean:
      return "boolean";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned:
      return "integer";
    case Value::value_t::number_float: {
      double d = v.get<double>();
      return std::trunc(d) == d && std::isfinite(d) ? "integer" : "number";
    }
    case Value::value_t::string:
      return "string";
    case Value::value_t::array:
      return "array";
    default:
      return "object";
  }
}

std::string NumStr(const OJson& n) {
  if (n.is_number_float()) return FormatValue(Value(n.get<double>()));
  return n.dump();
}

class SchemaValidator {
 public:
  std::vector<std::string> errors;

  void Validate(const OJson& schema, const Value& v, const std::string& ctx) {
    if (!schema.is_object()) return;
    std::string field = ctx.empty() ? "(root)" : ctx;
    auto add = [&](const std::string& f, const std::string& msg) {
      errors.push_back(f + ": " + msg);
    };
    if (auto t = schema.find("type"); t != schema.end()) {
      std::vector<std::string> types;
      if (t->is_string()) types.push_back(t->get<std::string>());
      if (t->is_array())
        for (const auto& x : *t)
          if (x.is_string()) types.push_back(x.get<std::string>());
      std::string given = JsonTypeOf(v);
      bool ok = std::any_of(types.begin(), types.end(), [&](const std::string& ty) {
        return ty == given || (ty == "number" && given == "integer");
      });
      if (!ok && !types.empty()) {
        std::string expected;
        for (size_t i = 0; i < types.size(); ++i) expected += (i ? "," : "") + types[i];
        add(field, "Invalid type. Expected: " + expected + ", given: " + given);
        return;
      }
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = false;
      std::string allowed;
      for (size_t i = 0; i < e->size(); ++i) {
        Value ev = Value::parse((*e)[i].dump());
        if (JsonEqual(ev, v)) found = true;
        allowed += (i ? ", " : "") + (*e)[i].dump();
      }
      if (!found) add(field, field + " must be one of the following: " + allowed);
    }
    if (auto c = schema.find("const"); c != schema.end()) {
      Value cv = Value::parse(c->dump());
      if (!JsonEqual(cv, v)) add(field, field + " does not match: " + c->dump());
    }
    for (const char* comb : {"allOf", "anyOf", "oneOf"}) {
      auto it = schema.find(comb);
      if (it == schema.end() || !it->is_array()) continue;
      int passing = 0;
      std::vector<std::string> saved = std::move(errors);
      std::vector<std::string> sub_errors;
      for (const auto& s : *it) {
        errors.clear();
        Validate(s, v, ctx);
        if (errors.empty()) ++passing;
        sub_errors.insert(sub_errors.end(), errors.begin(), errors.end());
      }
      errors = std::move(saved);
      std::string name = comb;
      if (name == "allOf" && passing != static_cast<int>(it->size())) {
        errors.insert(errors.end(), sub_errors.begin(), sub_errors.end());
        add(field, "Must validate all the schemas (allOf)");
      } else if (name == "anyOf" && passing == 0) {
        add(field, "Must validate at least one schema (anyOf)");
      } else if (name == "oneOf" && passing != 1) {
        add(field, "Must validate one and only one schema (oneOf)");
      }
    }
    if (auto n = schema.find("not"); n != schema.end()) {
      std::vector<std::string> saved = std::move(errors);
      errors.clear();
      Validate(*n, v, ctx);
      bool matched = errors.empty();
      errors = std::move(saved);
      if (matched) add(field, "Must not validate the schema (not)");
    }
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      size_t runes = 0;
      for (unsigned char ch : s)
        if ((ch & 0xC0) != 0x80) ++runes;
      if (auto m = schema.find("minLength");
          m != schema.end() && m->is_number() && runes < m->get<double>()) {
        add(field, "String length must be greater than or equal to " + NumStr(*m));
      }
      if (auto m = schema.find("maxLength");
          m != schema.end() && m->is_number() && runes > m->get<double>()) {
        add(field, "String length must be less than or equal to " + NumStr(*m));
      }
      if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
        RE2 re(p->get<std::string>());
        if (re.ok() && !RE2::PartialMatch(s, re)) {
          add(field, "Does not match pattern '" + p->get<std::string>() + "'");
        }
      }
    }
    if (v.is_number()) {
      double d = v.get<double>();
      auto num = [&](const char* k) -> const OJson* {
        auto it = schema.find(k);
        return it != schema.end() && it->is_number() ? &*it : nullptr;
      };
      auto excl = [&](const char* k) {
        auto it = schema.find(k);
        return it != schema.end() && it->is_boolean() && it->get<bool>();
      };
      if (const OJson* m = num("multipleOf"); m && m->get<double>() != 0) {
        double q = d / m->get<double>();
        if (std::trunc(q) != q) add(field, "Must be a multiple of " + NumStr(*m));
      }
      if (const OJson* m = num("maximum")) {
        if (excl("exclusiveMaximum") ? d >= m->get<double>() : d > m->get<double>()) {
          add(field, std::string(excl("exclusiveMaximum") ? "Must be less than "
                                                          : "Must be less than or equal to ") +
                         NumStr(*m));
        }
      }
      if (const OJson* m = num("exclusiveMaximum"); m && d >= m->get<double>()) {
        add(field, "Must be less than " + NumStr(*m));
      }
      if (const OJson* m = num("minimum")) {
        if (excl("exclusiveMinimum") ? d <= m->get<double>() : d < m->get<double>()) {
          add(field, std::string(excl("exclusiveMinimum") ? "Must be greater than "
                                                          : "Must be greater than or equal to ") +
                         NumStr(*m));
        }
      }
      if (const OJson* m = num("exclusiveMinimum"); m && d <= m->get<double>()) {
        add(field, "Must be greater than " + NumStr(*m));
      }
    }
    if (v.is_array()) {
      if (auto m = schema.find("minItems");
          m != schema.end() && m->is_number() && v.size() < m->get<double>()) {
        add(field, "Array must have at least " + NumStr(*m) + " items");
      }
      if (auto m = schema.find("maxItems");
          m != schema.end() && m->is_number() && v.size() > m->get<double>()) {
        add(field, "Array must have at most " + NumStr(*m) + " items");
      }
      if (auto u = schema.find("uniqueItems");
          u != schema.end() && u->is_boolean() && u->get<bool>()) {
        for (size_t i = 0; i < v.size(); ++i)
          for (size_t j = i + 1; j < v.size(); ++j)
            if (JsonEqual(v[i], v[j])) {
              add(field, "array items[" + std::to_string(i) + "," + std::to_string(j) +
                             "] must be unique");
            }
      }
      if (auto items = schema.find("items"); items != schema.end()) {
        for (size_t i = 0; i < v.size(); ++i) {
          std::string c = (ctx.empty() ? "" : ctx + ".") + std::to_string(i);
          if (items->is_array()) {
            if (i < items->size()) Validate((*items)[i], v[i], c);
          } else {
            Validate(*items, v[i], c);
          }
        }
      }
    }
    if (v.is_object()) {
      if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
        for (const auto& r : *req) {
          if (r.is_string() && !v.contains(r.get<std::string>()))
            add(field, r.get<std::string>() + " is required");
        }
      }
      auto props = schema.find("properties");
      if (props != schema.end() && props->is_object()) {
        for (auto it = props->begin(); it != props->end(); ++it) {
          auto vi = v.find(it.key());
          if (vi == v.end()) continue;
          Validate(it.value(), *vi, (ctx.empty() ? "" : ctx + ".") + it.key());
        }
      }
      auto pprops = schema.find("patternProperties");
      auto ap = schema.find("additionalProperties");
      for (auto it = v.begin(); it != v.end(); ++it) {
        bool in_props = props != schema.end() && props->is_object() && props->contains(it.key());
        bool in_pattern = false;
        if (pprops != schema.end() && pprops->is_object()) {
          for (auto p = pprops->begin(); p != pprops->end(); ++p) {
            RE2 re(p.key());
            if (re.ok() && RE2::PartialMatch(it.key(), re)) {
              in_pattern = true;
              Validate(p.value(), it.value(), (ctx.empty() ? "" : ctx + ".") + it.key());
            }
          }
        }
        if (in_props || in_pattern || ap == schema.end()) continue;
        if (ap->is_boolean() && !ap->get<bool>()) {
          add(field, "Additional property " + it.key() + " is not allowed");
        } else if (ap->is_object()) {
          Validate(*ap, it.value(), (ctx.empty() ? "" : ctx + ".") + it.key());
        }
      }
    }
  }

 private:
  static bool JsonEqual(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!JsonEqual(a[i], b[i])) return false;
      return true;
    }
    if (a.is_object()) {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto bi = b.find(it.key());
        if (bi == b.end() || !JsonEqual(it.value(), *bi)) return false;
      }
      return true;
    }
    return a == b;
  }
};

}  // namespace

Value CoalesceValues(const Chart& chart, const Value& vals) {
  Value dest = vals.is_object() ? vals : Value::object();
  (void)Coalesce(chart, dest, false);
  return dest;
}

void CoalesceTables(Value& dst, const Value& src, bool merge) {
  CoalesceTablesFull(dst, src, merge);
}

api::Status ProcessDependencies(Chart& chart, const Value& vals,
                                const VersionMatch& version_matches) {
  if (auto ok = ProcessEnabled(chart, vals, "", version_matches); !ok) return ok;
  return ProcessImportValues(chart);
}

api::Status CheckDependencies(const Chart& chart) {
  std::vector<std::string> missing;
  for (const auto& r : chart.dependencies) {
    bool found = std::any_of(chart.subcharts.begin(), chart.subcharts.end(),
                             [&](const auto& d) { return d->name == r.name; });
    if (!found) missing.push_back(r.name);
  }
  if (missing.empty()) return {};
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
  return std::unexpected(
      api::BadRequest("found in Chart.yaml, but missing in charts/ directory: " + list));
}

api::Status ParseSet(std::string_view s, Value& dest, SetKind kind,
                     const std::function<api::Result<std::string>(const std::string&)>& read_file) {
  if (!dest.is_object()) dest = Value::object();
  StrvalsParser p(s, kind, read_file);
  std::string err = p.Parse(dest);
  if (!err.empty()) return std::unexpected(api::BadRequest(err));
  return {};
}

void MergeValueMaps(Value& base, const Value& overlay) {
  if (!base.is_object()) base = Value::object();
  if (!overlay.is_object()) return;
  for (auto it = overlay.begin(); it != overlay.end(); ++it) {
    if (it->is_object()) {
      auto b = base.find(it.key());
      if (b != base.end() && b->is_object()) {
        MergeValueMaps(*b, it.value());
        continue;
      }
    }
    base[it.key()] = it.value();
  }
}

api::Result<std::string> ValidateSchema(const Value& values, std::string_view schema_json) {
  OJson schema;
  try {
    schema = OJson::parse(schema_json);
  } catch (const std::exception& e) {
    return std::unexpected(api::BadRequest(std::string("invalid values.schema.json: ") + e.what()));
  }
  // Values are validated in their JSON form (Helm marshals them first).
  auto json = GoJsonMarshal(values);
  if (!json) return std::unexpected(api::BadRequest(json.error()));
  Value v = Value::parse(*json);
  SchemaValidator sv;
  sv.Validate(schema, v, "");
  std::string out;
  for (const auto& e : sv.errors) out += "- " + e + "\n";
  return out;
}

api::Result<std::string> ValidateChartSchemas(const Chart& chart, const Value& values) {
  std::string out;
  if (!chart.schema.empty()) {
    auto r = ValidateSchema(values, chart.schema);
    if (!r) return std::unexpected(r.error().Wrap(chart.name));
    if (!r->empty()) out += chart.name + ":\n" + *r;
  }
  for (const auto& sub : chart.subcharts) {
    Value sv =
        values.is_object() && values.contains(sub->name) ? values[sub->name] : Value::object();
    auto r = ValidateChartSchemas(*sub, sv);
    if (!r) return r;
    out += *r;
  }
  return out;
}

}  // namespace keelson::charts
