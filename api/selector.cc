// Label selectors with k8s.io/apimachinery/pkg/labels semantics and messages, and field selectors
// with k8s.io/apimachinery/pkg/fields semantics.
#include "api/selector.h"

#include <algorithm>
#include <set>

namespace keelson::api {
namespace {

// ---- Validation as k8s.io/apimachinery/pkg/util/validation words it ----

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
bool IsDns1123Subdomain(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t end = s.find('.', start);
    std::string_view label = s.substr(start, end == std::string_view::npos ? s.npos : end - start);
    if (label.empty()) return false;
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!lower_alnum(label.front()) || !lower_alnum(label.back())) return false;
    for (char c : label) {
      if (!lower_alnum(c) && c != '-') return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

std::string RegexError(std::string msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  msg += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    if (!first) msg += " or ";
    first = false;
    msg += "'" + std::string(e) + "', ";
  }
  msg += "regex used for validation is '" + std::string(fmt) + "')";
  return msg;
}

constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

// validation.IsQualifiedName: the problems with a label key, empty if valid.
std::vector<std::string> LabelKeyErrors(std::string_view key) {
  std::vector<std::string> errs;
  std::string_view name = key;
  const size_t slashes = std::count(key.begin(), key.end(), '/');
  if (slashes > 1) {
    errs.push_back("a qualified name " +
                   RegexError(std::string(kQualifiedNameMsg), kQualifiedNameFmt,
                              {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (slashes == 1) {
    const size_t slash = key.find('/');
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      if (prefix.size() > 253) errs.push_back("prefix part must be no more than 253 characters");
      if (!IsDns1123Subdomain(prefix)) {
        errs.push_back("prefix part " +
                       RegexError("a lowercase RFC 1123 subdomain must consist of lower case "
                                  "alphanumeric characters, '-' or '.', and must start and end "
                                  "with an alphanumeric character",
                                  kDns1123SubdomainFmt, {"example.com"}));
      }
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part must be no more than 63 characters");
  }
  if (!IsQualifiedNamePart(name)) {
    errs.push_back("name part " + RegexError(std::string(kQualifiedNameMsg), kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

// validation.IsValidLabelValue.
std::vector<std::string> LabelValueErrors(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back("must be no more than 63 characters");
  if (!value.empty() && !IsQualifiedNamePart(value)) {
    errs.push_back(RegexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character",
        kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// A field.Error: `<path>: Invalid value: "<value>": <detail>`.
std::string InvalidValue(std::string_view path, std::string_view value, std::string_view detail) {
  return std::string(path) + ": Invalid value: " + Quote(value) + ": " + std::string(detail);
}

using Op = LabelSelector::Op;
using Requirement = LabelSelector::Requirement;

bool ParseInt64(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
    if (s.size() == 1) return false;
  }
  unsigned __int128 v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
    if (v > (static_cast<unsigned __int128>(1) << 63)) return false;
  }
  if (!neg && v == (static_cast<unsigned __int128>(1) << 63)) return false;
  out = neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v);
  return true;
}

// labels.NewRequirement's checks; `path` prefixes the field paths ("" when parsing a string).
// Returns the problems as field error strings.
std::vector<std::string> ValidateRequirement(const Requirement& r, std::string_view path) {
  std::vector<std::string> errs;
  auto child = [&](std::string_view c) {
    return path.empty() ? std::string(c) : std::string(path) + "." + std::string(c);
  };
  if (auto e = LabelKeyErrors(r.key); !e.empty()) {
    errs.push_back(InvalidValue(child("key"), r.key, Join(e, "; ")));
  }
  const std::string values_path = child("values");
  auto values_repr = [&] {
    std::string s = "[]string{";
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (i) s += ", ";
      s += Quote(r.values[i]);
    }
    return s + "}";
  };
  switch (r.op) {
    case Op::kIn:
    case Op::kNotIn:
      if (r.values.empty()) {
        errs.push_back(values_path + ": Invalid value: " + values_repr() +
                       ": for 'in', 'notin' operators, values set can't be empty");
      }
      break;
    case Op::kEquals:
    case Op::kNotEquals:
      if (r.values.size() != 1) {
        errs.push_back(values_path + ": Invalid value: " + values_repr() +
                       ": exact-match compatibility requires one single value");
      }
      break;
    case Op::kExists:
    case Op::kDoesNotExist:
      if (!r.values.empty()) {
        errs.push_back(values_path + ": Invalid value: " + values_repr() +
                       ": values set must be empty for exists and does not exist");
      }
      break;
    case Op::kGreaterThan:
    case Op::kLessThan:
      if (r.values.size() != 1) {
        errs.push_back(values_path + ": Invalid value: " + values_repr() +
                       ": for 'Gt', 'Lt' operators, exactly one value is required");
      }
      for (size_t i = 0; i < r.values.size(); ++i) {
        int64_t unused;
        if (!ParseInt64(r.values[i], unused)) {
          errs.push_back(InvalidValue(values_path + "[" + std::to_string(i) + "]", r.values[i],
                                      "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < r.values.size(); ++i) {
    if (auto e = LabelValueErrors(r.values[i]); !e.empty()) {
      errs.push_back(InvalidValue(values_path + "[" + std::to_string(i) + "][" + r.key + "]",
                                  r.values[i], Join(e, "; ")));
    }
  }
  return errs;
}

// ---- The label selector lexer and parser (labels.Lexer / labels.Parser) ----

enum class Tok {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kNot,
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdent,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string lit;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

bool KeywordToken(std::string_view s, Tok& tok) {
  static const std::pair<std::string_view, Tok> kTable[] = {
      {")", Tok::kClosePar},      {",", Tok::kComma},   {"!", Tok::kNot},
      {"==", Tok::kDoubleEquals}, {"=", Tok::kEquals},  {">", Tok::kGreater},
      {"in", Tok::kIn},           {"<", Tok::kLess},    {"!=", Tok::kNotEquals},
      {"notin", Tok::kNotIn},     {"(", Tok::kOpenPar},
  };
  for (const auto& [lit, t] : kTable) {
    if (lit == s) {
      tok = t;
      return true;
    }
  }
  return false;
}

std::vector<Item> Lex(std::string_view s) {
  std::vector<Item> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    if (pos >= s.size()) {
      items.push_back({Tok::kEnd, ""});
      return items;
    }
    if (IsSpecial(s[pos])) {
      // Longest special-symbol token: extend while the buffer still names a token.
      std::string buffer;
      Item last{Tok::kError, ""};
      bool have = false;
      while (pos < s.size() && IsSpecial(s[pos])) {
        buffer += s[pos];
        Tok t;
        if (KeywordToken(buffer, t)) {
          last = {t, buffer};
          have = true;
          ++pos;
        } else if (have) {
          break;
        } else {
          ++pos;
        }
      }
      if (!have) {
        items.push_back({Tok::kError, "error expected: keyword found '" + buffer + "'"});
      } else {
        items.push_back(last);
      }
      continue;
    }
    std::string buffer;
    while (pos < s.size() && !IsSpecial(s[pos]) && !IsWhitespace(s[pos])) buffer += s[pos++];
    Tok t;
    if (KeywordToken(buffer, t)) {
      items.push_back({t, buffer});
    } else {
      items.push_back({Tok::kIdent, buffer});
    }
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(Lex(text)) {}

  Result<std::vector<Requirement>> Parse() {
    std::vector<Requirement> reqs;
    while (true) {
      auto [tok, lit] = Lookahead(true);
      switch (tok) {
        case Tok::kIdent:
        case Tok::kNot: {
          auto r = ParseRequirement();
          if (!r) return std::unexpected(BadRequest("unable to parse requirement: " + r.error()));
          reqs.push_back(std::move(*r));
          auto [t, l] = Consume(true);
          if (t == Tok::kEnd) return reqs;
          if (t == Tok::kComma) {
            auto [t2, l2] = Lookahead(true);
            if (t2 != Tok::kIdent && t2 != Tok::kNot) {
              return std::unexpected(
                  BadRequest("found '" + l2 + "', expected: identifier after ','"));
            }
            break;
          }
          return std::unexpected(BadRequest("found '" + l + "', expected: ',' or 'end of string'"));
        }
        case Tok::kEnd:
          return reqs;
        default:
          return std::unexpected(
              BadRequest("found '" + lit + "', expected: !, identifier, or 'end of string'"));
      }
    }
  }

 private:
  // In the values context the keywords "in"/"notin" are plain identifiers.
  std::pair<Tok, std::string> Lookahead(bool values) const {
    const Item& it = items_[std::min(pos_, items_.size() - 1)];
    Tok t = it.tok;
    if (values && (t == Tok::kIn || t == Tok::kNotIn)) t = Tok::kIdent;
    return {t, it.lit};
  }
  std::pair<Tok, std::string> Consume(bool values) {
    auto r = Lookahead(values);
    if (pos_ < items_.size() - 1) ++pos_;
    return r;
  }

  std::expected<Requirement, std::string> ParseRequirement() {
    Requirement r;
    bool not_exists = false;
    auto [tok, lit] = Consume(true);
    if (tok == Tok::kNot) {
      not_exists = true;
      std::tie(tok, lit) = Consume(true);
    }
    if (tok != Tok::kIdent) return std::unexpected("found '" + lit + "', expected: identifier");
    if (auto e = LabelKeyErrors(lit); !e.empty()) {
      return std::unexpected(InvalidValue("<nil>", lit, Join(e, "; ")));
    }
    r.key = lit;
    auto [next, next_lit] = Lookahead(true);
    if (not_exists || next == Tok::kEnd || next == Tok::kComma) {
      // "!a=b" ends the requirement at "a"; the caller then rejects the "=".
      r.op = not_exists ? Op::kDoesNotExist : Op::kExists;
      return Checked(std::move(r));
    }
    auto [op_tok, op_lit] = Consume(false);
    switch (op_tok) {
      case Tok::kIn:
        r.op = Op::kIn;
        break;
      case Tok::kNotIn:
        r.op = Op::kNotIn;
        break;
      case Tok::kEquals:
      case Tok::kDoubleEquals:
        r.op = Op::kEquals;
        break;
      case Tok::kNotEquals:
        r.op = Op::kNotEquals;
        break;
      case Tok::kGreater:
        r.op = Op::kGreaterThan;
        break;
      case Tok::kLess:
        r.op = Op::kLessThan;
        break;
      default:
        return std::unexpected("found '" + op_lit + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    std::set<std::string> values;
    if (r.op == Op::kIn || r.op == Op::kNotIn) {
      auto v = ParseValues();
      if (!v) return std::unexpected(v.error());
      values = std::move(*v);
    } else {
      auto [t, l] = Lookahead(true);
      if (t == Tok::kEnd || t == Tok::kComma) {
        values.insert("");
      } else {
        Consume(true);
        if (t != Tok::kIdent) return std::unexpected("found '" + l + "', expected: identifier");
        values.insert(l);
      }
    }
    r.values.assign(values.begin(), values.end());
    return Checked(std::move(r));
  }

  std::expected<Requirement, std::string> Checked(Requirement r) {
    auto errs = ValidateRequirement(r, "");
    if (!errs.empty()) {
      return std::unexpected(errs.size() == 1 ? errs[0] : "[" + Join(errs, ", ") + "]");
    }
    return r;
  }

  std::expected<std::set<std::string>, std::string> ParseValues() {
    auto [tok, lit] = Consume(true);
    if (tok != Tok::kOpenPar) return std::unexpected("found '" + lit + "' expected: '('");
    std::tie(tok, lit) = Lookahead(true);
    if (tok == Tok::kClosePar) {
      Consume(true);
      return std::set<std::string>{""};
    }
    if (tok != Tok::kIdent && tok != Tok::kComma) {
      return std::unexpected("found '" + lit + "', expected: ',', ')' or identifier");
    }
    std::set<std::string> s;
    while (true) {
      auto [t, l] = Consume(true);
      if (t == Tok::kIdent) {
        s.insert(l);
        auto [t2, l2] = Lookahead(true);
        if (t2 == Tok::kComma) continue;
        if (t2 == Tok::kClosePar) break;
        return std::unexpected("found '" + l2 + "', expected: ',' or ')'");
      }
      if (t == Tok::kComma) {
        if (s.empty()) s.insert("");
        auto [t2, l2] = Lookahead(true);
        if (t2 == Tok::kClosePar) {
          s.insert("");
          break;
        }
        if (t2 == Tok::kComma) s.insert("");
        continue;
      }
      return std::unexpected("found '" + l + "', expected: ',', or identifier");
    }
    auto [t, l] = Consume(true);
    if (t != Tok::kClosePar) return std::unexpected("found '" + l + "', expected: ')'");
    return s;
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

bool RequirementMatches(const Requirement& r, const std::map<std::string, std::string>& labels) {
  auto it = labels.find(r.key);
  const bool has = it != labels.end();
  auto has_value = [&] {
    return std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
  };
  switch (r.op) {
    case Op::kEquals:
    case Op::kIn:
      return has && has_value();
    case Op::kNotEquals:
    case Op::kNotIn:
      return !has || !has_value();
    case Op::kExists:
      return has;
    case Op::kDoesNotExist:
      return !has;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      int64_t lv, rv;
      if (!has || r.values.size() != 1 || !ParseInt64(it->second, lv) ||
          !ParseInt64(r.values[0], rv)) {
        return false;
      }
      return r.op == Op::kGreaterThan ? lv > rv : lv < rv;
    }
  }
  return false;
}

void SortByKey(std::vector<Requirement>& reqs) {
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

std::string JsonTypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

}  // namespace

Result<LabelSelector> LabelSelector::Parse(std::string_view text) {
  Parser p(text);
  auto reqs = p.Parse();
  if (!reqs) return std::unexpected(reqs.error());
  LabelSelector s;
  s.requirements_ = std::move(*reqs);
  SortByKey(s.requirements_);
  return s;
}

Result<LabelSelector> LabelSelector::FromJson(const Json& selector) {
  LabelSelector s;
  if (selector.is_null()) return s;
  std::vector<Cause> causes;
  auto add = [&](std::string type, std::string field, std::string message) {
    causes.push_back({std::move(type), std::move(field), std::move(message)});
  };
  if (!selector.is_object()) {
    add("FieldValueTypeInvalid", "",
        "Invalid value: \"" + JsonTypeName(selector) + "\": expected an object");
    return std::unexpected(Invalid("LabelSelector", "", std::move(causes)));
  }
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && !ml->is_null()) {
    if (!ml->is_object()) {
      add("FieldValueTypeInvalid", "matchLabels",
          "matchLabels: Invalid value: \"" + JsonTypeName(*ml) + "\": expected an object");
    } else {
      for (const auto& [k, v] : ml->items()) {
        if (!v.is_string()) {
          add("FieldValueTypeInvalid", "matchLabels",
              "matchLabels: Invalid value: \"" + JsonTypeName(v) + "\": value of " + Quote(k) +
                  " must be a string");
          continue;
        }
        Requirement r{k, Op::kEquals, {v.get<std::string>()}};
        if (auto e = LabelKeyErrors(k); !e.empty()) {
          add("FieldValueInvalid", "matchLabels", InvalidValue("matchLabels", k, Join(e, "; ")));
          continue;
        }
        if (auto e = LabelValueErrors(r.values[0]); !e.empty()) {
          add("FieldValueInvalid", "matchLabels",
              InvalidValue("matchLabels", r.values[0], Join(e, "; ")));
          continue;
        }
        s.requirements_.push_back(std::move(r));
      }
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && !me->is_null()) {
    if (!me->is_array()) {
      add("FieldValueTypeInvalid", "matchExpressions",
          "matchExpressions: Invalid value: \"" + JsonTypeName(*me) + "\": expected an array");
    } else {
      for (size_t i = 0; i < me->size(); ++i) {
        const Json& e = (*me)[i];
        const std::string path = "matchExpressions[" + std::to_string(i) + "]";
        if (!e.is_object()) {
          add("FieldValueTypeInvalid", path,
              path + ": Invalid value: \"" + JsonTypeName(e) + "\": expected an object");
          continue;
        }
        Requirement r;
        const Json* key = e.contains("key") ? &e["key"] : nullptr;
        if (key == nullptr || !key->is_string()) {
          add("FieldValueRequired", path + ".key", path + ".key: Required value");
          continue;
        }
        r.key = key->get<std::string>();
        const Json* op = e.contains("operator") ? &e["operator"] : nullptr;
        const std::string op_s = op != nullptr && op->is_string() ? op->get<std::string>() : "";
        if (op_s == "In") {
          r.op = Op::kIn;
        } else if (op_s == "NotIn") {
          r.op = Op::kNotIn;
        } else if (op_s == "Exists") {
          r.op = Op::kExists;
        } else if (op_s == "DoesNotExist") {
          r.op = Op::kDoesNotExist;
        } else {
          add("FieldValueNotSupported", path + ".operator",
              path + ".operator: Unsupported value: " + Quote(op_s) +
                  ": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"");
          continue;
        }
        bool bad_values = false;
        if (auto v = e.find("values"); v != e.end() && !v->is_null()) {
          if (!v->is_array()) {
            add("FieldValueTypeInvalid", path + ".values",
                path + ".values: Invalid value: \"" + JsonTypeName(*v) + "\": expected an array");
            continue;
          }
          for (size_t j = 0; j < v->size(); ++j) {
            if (!(*v)[j].is_string()) {
              add("FieldValueTypeInvalid", path + ".values[" + std::to_string(j) + "]",
                  path + ".values[" + std::to_string(j) + "]: Invalid value: \"" +
                      JsonTypeName((*v)[j]) + "\": expected a string");
              bad_values = true;
              continue;
            }
            r.values.push_back((*v)[j].get<std::string>());
          }
        }
        if (bad_values) continue;
        // metav1 validation words the value-count problems this way.
        if ((r.op == Op::kIn || r.op == Op::kNotIn) && r.values.empty()) {
          add("FieldValueRequired", path + ".values",
              path +
                  ".values: Required value: must be specified when `operator` is 'In' or "
                  "'NotIn'");
          continue;
        }
        if ((r.op == Op::kExists || r.op == Op::kDoesNotExist) && !r.values.empty()) {
          add("FieldValueForbidden", path + ".values",
              path +
                  ".values: Forbidden: may not be specified when `operator` is 'Exists' or "
                  "'DoesNotExist'");
          continue;
        }
        auto errs = ValidateRequirement(r, path);
        if (!errs.empty()) {
          for (auto& m : errs) {
            const std::string field = m.substr(0, m.find(':'));
            add("FieldValueInvalid", field, m);
          }
          continue;
        }
        s.requirements_.push_back(std::move(r));
      }
    }
  }
  if (!causes.empty()) return std::unexpected(Invalid("LabelSelector", "", std::move(causes)));
  SortByKey(s.requirements_);
  return s;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    const auto& r = requirements_[i];
    if (i) out += ",";
    if (r.op == Op::kDoesNotExist) out += "!";
    out += r.key;
    switch (r.op) {
      case Op::kEquals:
        out += "=";
        break;
      case Op::kNotEquals:
        out += "!=";
        break;
      case Op::kIn:
        out += " in ";
        break;
      case Op::kNotIn:
        out += " notin ";
        break;
      case Op::kGreaterThan:
        out += ">";
        break;
      case Op::kLessThan:
        out += "<";
        break;
      case Op::kExists:
      case Op::kDoesNotExist:
        continue;
    }
    const bool set = r.op == Op::kIn || r.op == Op::kNotIn;
    if (set) out += "(";
    std::vector<std::string> values = r.values;
    std::sort(values.begin(), values.end());
    out += Join(values, ",");
    if (set) out += ")";
  }
  return out;
}

// ---- Field selectors (k8s.io/apimachinery/pkg/fields) ----

namespace {

// Splits on unescaped commas, keeping escapes.
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  std::string cur;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      cur += s[i];
      cur += s[++i];
    } else if (s[i] == ',') {
      terms.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  terms.push_back(std::move(cur));
  return terms;
}

// Finds the first operator ("!=", "==", "=" in that priority at each position). As in Go,
// escapes are not considered here: an escaped operator in the value is caught by Unescape.
bool SplitTerm(std::string_view term, std::string& lhs, std::string& op, std::string& rhs) {
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view o : {"!=", "==", "="}) {
      if (term.substr(i, o.size()) == o) {
        lhs = term.substr(0, i);
        op = o;
        rhs = term.substr(i + o.size());
        return true;
      }
    }
  }
  return false;
}

Result<std::string> Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) {
        return std::unexpected(BadRequest("invalid field selector: invalid escape sequence: \\"));
      }
      char n = s[++i];
      if (n != '\\' && n != ',' && n != '=') {
        return std::unexpected(
            BadRequest("invalid field selector: invalid escape sequence: \\" + std::string(1, n)));
      }
      out += n;
    } else if (c == ',' || c == '=') {
      // Go's UnescapeValue refuses operator characters that were not escaped.
      return std::unexpected(
          BadRequest("invalid field selector: unescaped character in value: " + std::string(1, c)));
    } else {
      out += c;
    }
  }
  return out;
}

std::string FieldString(const Json* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object() || v->is_array()) return "";
  return v->dump();
}

}  // namespace

Result<FieldSelector> FieldSelector::Parse(std::string_view text) {
  FieldSelector s;
  std::vector<std::string> parts = SplitTerms(text);
  std::sort(parts.begin(), parts.end());
  for (const auto& part : parts) {
    if (part.empty()) continue;
    std::string lhs, op, rhs;
    if (!SplitTerm(part, lhs, op, rhs)) {
      return std::unexpected(BadRequest("invalid selector: '" + std::string(text) +
                                        "'; can't understand '" + part + "'"));
    }
    auto value = Unescape(rhs);
    if (!value) return std::unexpected(value.error());
    s.terms_.push_back({lhs, op == "!=", std::move(*value)});
  }
  return s;
}

bool FieldSelector::Matches(const Object& obj) const {
  for (const auto& t : terms_) {
    const std::string actual = FieldString(obj.Find(t.field));
    if ((actual == t.value) == t.negate) return false;
  }
  return true;
}

}  // namespace keelson::api
