// Kubernetes JSONPath: a port of k8s.io/client-go/util/jsonpath (parser.go, jsonpath.go).
#include "api/jsonpath.h"

#include <array>
#include <charconv>
#include <cmath>
#include <deque>
#include <regex>

namespace keelson::api {
namespace jsonpath_internal {

struct Param {
  int64_t value = 0;
  bool known = false;
  bool derived = false;
};

struct Node {
  enum Kind {
    kList,
    kText,
    kField,
    kArray,
    kFilter,
    kInt,
    kFloat,
    kBool,
    kWildcard,
    kRecursive,
    kUnion,
    kIdentifier,
    kRange,  // a {range ...} block: nodes[0] = the action list, nodes[1..] = body items
  };
  Kind kind = kList;
  std::string text;  // text, field name, identifier, filter operator
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::array<Param, 3> params{};
  std::vector<Node> nodes;  // list children; union lists; filter left/right lists
};

}  // namespace jsonpath_internal

namespace {

using jsonpath_internal::Node;
using jsonpath_internal::Param;

Error Bad(std::string msg) { return BadRequest(std::move(msg)); }

bool IsSpace(int c) { return c == ' ' || c == '\t'; }
bool IsEndOfLine(int c) { return c == '\r' || c == '\n'; }
bool IsAlphaNumeric(int c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c >= 0x80;
}
constexpr int kEof = -1;
bool IsTerminator(int c) {
  if (IsSpace(c) || IsEndOfLine(c)) return true;
  switch (c) {
    case kEof:
    case '.':
    case ',':
    case '[':
    case ']':
    case '$':
    case '@':
    case '{':
    case '}':
      return true;
  }
  return false;
}

// Go's strconv.Unquote extended to single-quoted strings (UnquoteExtend).
Result<std::string> Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != s.back() || (s.front() != '"' && s.front() != '\'')) {
    return std::unexpected(Bad("invalid syntax"));
  }
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i + 1 > s.size() - 1) return std::unexpected(Bad("invalid syntax"));
    switch (s[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case '"':
      case '\'':
        out += s[i];
        break;
      default:
        return std::unexpected(Bad("invalid syntax"));
    }
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input) {}

  Result<Node> Parse() {
    Node root;
    root.kind = Node::kList;
    root_ = &root;
    auto st = ParseText();
    if (!st) return std::unexpected(st.error());
    return root;
  }

 private:
  int Next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEof;
    }
    width_ = 1;
    return static_cast<unsigned char>(input_[pos_++]);
  }
  int Peek() {
    int c = Next();
    Backup();
    return c;
  }
  void Backup() { pos_ -= width_; }
  std::string ConsumeText() {
    std::string v(input_.substr(start_, pos_ - start_));
    start_ = pos_;
    return v;
  }
  bool HasPrefix(std::string_view p) const { return input_.substr(pos_).starts_with(p); }

  static Node Leaf(Node::Kind k, std::string text = "") {
    Node n;
    n.kind = k;
    n.text = std::move(text);
    return n;
  }

  Status ParseText() {
    while (true) {
      if (HasPrefix("{")) {
        if (pos_ > start_) root_->nodes.push_back(Leaf(Node::kText, ConsumeText()));
        pos_ += 1;
        ConsumeText();
        root_->nodes.push_back(Leaf(Node::kList));
        return ParseInsideAction(root_->nodes.back());
      }
      if (Next() == kEof) break;
    }
    if (pos_ > start_) root_->nodes.push_back(Leaf(Node::kText, ConsumeText()));
    return {};
  }

  // `cur` is always the last node of root_->nodes or a node owned by a local parser, so it stays
  // valid while we append to it (we never append to root_->nodes while `cur` is in use).
  Status ParseInsideAction(Node& cur) {
    if (HasPrefix("}")) {
      pos_ += 1;
      ConsumeText();
      return ParseText();
    }
    if (HasPrefix("[?(")) return ParseFilter(cur);
    if (HasPrefix("..")) return ParseRecursive(cur);
    int r = Next();
    if (r == kEof || IsEndOfLine(r)) return std::unexpected(Bad("unclosed action"));
    if (r == ' ' || r == '@' || r == '$') {
      ConsumeText();
    } else if (r == '[') {
      return ParseArray(cur);
    } else if (r == '"' || r == '\'') {
      return ParseQuote(cur, r);
    } else if (r == '.') {
      return ParseField(cur);
    } else if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      Backup();
      return ParseNumber(cur);
    } else if (IsAlphaNumeric(r)) {
      Backup();
      return ParseIdentifier(cur);
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "U+%04X '%c'", r, r);
      return std::unexpected(Bad(std::string("unrecognized character in action: ") + buf));
    }
    return ParseInsideAction(cur);
  }

  Status ParseIdentifier(Node& cur) {
    while (true) {
      int r = Next();
      if (IsTerminator(r)) {
        Backup();
        break;
      }
    }
    std::string value = ConsumeText();
    if (value == "true" || value == "false") {
      Node b = Leaf(Node::kBool);
      b.bool_value = value == "true";
      cur.nodes.push_back(std::move(b));
    } else {
      cur.nodes.push_back(Leaf(Node::kIdentifier, value));
    }
    return ParseInsideAction(cur);
  }

  Status ParseRecursive(Node& cur) {
    if (!cur.nodes.empty() && cur.nodes.back().kind == Node::kRecursive) {
      return std::unexpected(Bad("invalid multiple recursive descent"));
    }
    pos_ += 2;
    ConsumeText();
    cur.nodes.push_back(Leaf(Node::kRecursive));
    if (IsAlphaNumeric(Peek())) return ParseField(cur);
    return ParseInsideAction(cur);
  }

  Status ParseNumber(Node& cur) {
    int r = Peek();
    if (r == '+' || r == '-') Next();
    while (true) {
      r = Next();
      if (r != '.' && !(r >= '0' && r <= '9')) {
        Backup();
        break;
      }
    }
    std::string value = ConsumeText();
    std::string_view digits = value;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    int64_t i = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    if (ec == std::errc() && p == digits.data() + digits.size()) {
      Node n = Leaf(Node::kInt);
      n.int_value = i;
      cur.nodes.push_back(std::move(n));
      return ParseInsideAction(cur);
    }
    double d = 0;
    auto [p2, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (ec2 == std::errc() && p2 == digits.data() + digits.size()) {
      Node n = Leaf(Node::kFloat);
      n.float_value = d;
      cur.nodes.push_back(std::move(n));
      return ParseInsideAction(cur);
    }
    return std::unexpected(Bad("cannot parse number " + value));
  }

  Status ParseArray(Node& cur) {
    while (true) {
      int r = Next();
      if (r == kEof || r == '\n') return std::unexpected(Bad("unterminated array"));
      if (r == ']') break;
    }
    std::string text = ConsumeText();
    text = text.substr(1, text.size() - 2);
    if (text == "*") text = ":";

    // Union: [a,b,c].
    if (text.find(',') != std::string::npos) {
      Node u = Leaf(Node::kUnion);
      size_t begin = 0;
      while (true) {
        size_t comma = text.find(',', begin);
        std::string part =
            text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
        size_t b = part.find_first_not_of(' ');
        size_t e = part.find_last_not_of(' ');
        part = b == std::string::npos ? "" : part.substr(b, e - b + 1);
        auto list = ParseAction("[" + part + "]");
        if (!list) return std::unexpected(list.error());
        u.nodes.push_back(std::move(*list));
        if (comma == std::string::npos) break;
        begin = comma + 1;
      }
      cur.nodes.push_back(std::move(u));
      return ParseInsideAction(cur);
    }

    // Dict key: ['a.b'].
    static const std::regex kDictKey(R"(^'([^']*)'$)");
    std::smatch m;
    if (std::regex_match(text, m, kDictKey)) {
      auto list = ParseAction("." + m[1].str());
      if (!list) return std::unexpected(list.error());
      for (auto& n : list->nodes) cur.nodes.push_back(std::move(n));
      return ParseInsideAction(cur);
    }

    static const std::regex kSlice(R"(^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$)");
    if (!std::regex_match(text, m, kSlice)) {
      return std::unexpected(Bad("invalid array index " + text));
    }
    std::array<Param, 3> params{};
    for (int i = 0; i < 3; ++i) {
      std::string v = m[i + 1].str();
      if (!v.empty()) {
        if (i > 0) v = v.substr(1);
        if (i > 0 && v.empty()) {
          params[i].known = false;
        } else {
          int64_t n = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
          if (ec != std::errc() || p != v.data() + v.size()) {
            return std::unexpected(Bad("array index " + v + " is not a number"));
          }
          params[i].known = true;
          params[i].value = n;
        }
      } else if (i == 1) {
        params[i].known = true;
        params[i].value = params[0].value + 1;
        params[i].derived = true;
      }
    }
    Node a = Leaf(Node::kArray);
    a.params = params;
    cur.nodes.push_back(std::move(a));
    return ParseInsideAction(cur);
  }

  Status ParseFilter(Node& cur) {
    pos_ += 3;
    ConsumeText();
    bool begin = false, end = false;
    int pair = 0;
    while (true) {
      int r = Next();
      if (r == kEof || r == '\n') return std::unexpected(Bad("unterminated filter"));
      if (r == '"' || r == '\'') {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (input_[pos_ - 2] != '\\' && r == pair) end = true;
      } else if (r == ')') {
        if (begin == end) break;
      }
    }
    if (Next() != ']') return std::unexpected(Bad("unclosed array expect ]"));
    std::string text = ConsumeText();
    text = text.substr(0, text.size() - 2);
    static const std::regex kFilter(R"(^([^!<>=]+)([!<>=]+)(.+?)$)");
    std::smatch m;
    Node f = Leaf(Node::kFilter);
    if (!std::regex_match(text, m, kFilter)) {
      auto left = ParseAction(text);
      if (!left) return std::unexpected(left.error());
      f.text = "exists";
      f.nodes.push_back(std::move(*left));
      f.nodes.push_back(Leaf(Node::kList));
    } else {
      auto left = ParseAction(m[1].str());
      if (!left) return std::unexpected(left.error());
      auto right = ParseAction(m[3].str());
      if (!right) return std::unexpected(right.error());
      f.text = m[2].str();
      f.nodes.push_back(std::move(*left));
      f.nodes.push_back(std::move(*right));
    }
    cur.nodes.push_back(std::move(f));
    return ParseInsideAction(cur);
  }

  Status ParseQuote(Node& cur, int end) {
    while (true) {
      int r = Next();
      if (r == kEof || r == '\n') return std::unexpected(Bad("unterminated quoted string"));
      if (r == '\\') {
        int n = Next();
        if (n != kEof && n != '\n') continue;
        break;
      }
      if (r == end) break;
    }
    std::string value = ConsumeText();
    auto s = Unquote(value);
    if (!s) {
      return std::unexpected(Bad("unquote string " + value + " error " + s.error().message));
    }
    cur.nodes.push_back(Leaf(Node::kText, *s));
    return ParseInsideAction(cur);
  }

  Status ParseField(Node& cur) {
    ConsumeText();
    while (Advance()) {
      if (IsTerminator(Peek())) break;
    }
    std::string value = ConsumeText();
    if (value == "*") {
      cur.nodes.push_back(Leaf(Node::kWildcard));
    } else {
      std::string unescaped;
      for (char c : value) {
        if (c != '\\') unescaped += c;
      }
      cur.nodes.push_back(Leaf(Node::kField, unescaped));
    }
    return ParseInsideAction(cur);
  }

  bool Advance() {
    int r = Next();
    if (r == '\\') {
      Next();
    } else if (IsTerminator(r)) {
      Backup();
      return false;
    }
    return true;
  }

  // parseAction: parses "{text}" with a fresh parser and returns its first action list.
  static Result<Node> ParseAction(const std::string& text) {
    std::string wrapped = "{" + text + "}";
    Parser p(wrapped);
    auto root = p.Parse();
    if (!root) return std::unexpected(root.error());
    if (root->nodes.empty() || root->nodes[0].kind != Node::kList) {
      return std::unexpected(Bad("invalid expression " + text));
    }
    return std::move(root->nodes[0]);
  }

  std::string_view input_;
  size_t pos_ = 0;
  size_t start_ = 0;
  size_t width_ = 0;
  Node* root_ = nullptr;
};

bool IsIdentifierAction(const Node& n, std::string_view name) {
  return n.kind == Node::kList && !n.nodes.empty() && n.nodes[0].kind == Node::kIdentifier &&
         n.nodes[0].text == name;
}

// Groups the flat list of actions into range blocks ({range x}...{end}).
Status BuildBlocks(std::vector<Node>& flat, size_t& i, std::vector<Node>& out, bool in_range) {
  while (i < flat.size()) {
    Node& n = flat[i++];
    if (IsIdentifierAction(n, "end")) {
      if (!in_range) return std::unexpected(Bad("not in range, nothing to end"));
      return {};
    }
    if (IsIdentifierAction(n, "range")) {
      Node r;
      r.kind = Node::kRange;
      n.nodes.erase(n.nodes.begin());
      r.nodes.push_back(std::move(n));
      std::vector<Node> body;
      auto st = BuildBlocks(flat, i, body, true);
      if (!st) return st;
      for (auto& b : body) r.nodes.push_back(std::move(b));
      out.push_back(std::move(r));
      continue;
    }
    out.push_back(std::move(n));
  }
  return {};
}

using Values = std::vector<const Json*>;

class Evaluator {
 public:
  explicit Evaluator(bool allow_missing) : allow_missing_(allow_missing) {}

  const Json* Own(Json j) {
    arena_.push_back(std::move(j));
    return &arena_.back();
  }

  Result<Values> Walk(const Values& input, const Node& node) {
    switch (node.kind) {
      case Node::kList: {
        Values cur = input;
        for (const auto& n : node.nodes) {
          auto next = Walk(cur, n);
          if (!next) return next;
          cur = std::move(*next);
        }
        return cur;
      }
      case Node::kText:
        return Values{Own(node.text)};
      case Node::kField:
        return Field(input, node);
      case Node::kArray:
        return Array(input, node);
      case Node::kFilter:
        return Filter(input, node);
      case Node::kInt:
        return Repeat(input, node.int_value);
      case Node::kFloat:
        return Repeat(input, node.float_value);
      case Node::kBool:
        return Repeat(input, node.bool_value);
      case Node::kWildcard: {
        Values out;
        for (const Json* v : input) Children(*v, out);
        return out;
      }
      case Node::kRecursive: {
        Values out;
        Recursive(input, out);
        return out;
      }
      case Node::kUnion: {
        Values out;
        for (const auto& list : node.nodes) {
          auto r = Walk(input, list);
          if (!r) return r;
          out.insert(out.end(), r->begin(), r->end());
        }
        return out;
      }
      case Node::kIdentifier:
        if (node.text == "range") return input;
        if (node.text == "end") return std::unexpected(Bad("not in range, nothing to end"));
        return std::unexpected(Bad("unrecognized identifier " + node.text));
      case Node::kRange:
        return std::unexpected(Bad("unexpected range"));
    }
    return std::unexpected(Bad("unexpected node"));
  }

 private:
  template <typename T>
  Values Repeat(const Values& input, T v) {
    const Json* lit = Own(Json(v));
    return Values(input.size(), lit);
  }

  Result<Values> Field(const Values& input, const Node& node) {
    Values out;
    if (input.empty()) return out;
    for (const Json* v : input) {
      if (v->is_null() || !v->is_object()) continue;
      auto it = v->find(node.text);
      if (it != v->end()) out.push_back(&*it);
    }
    if (out.empty() && !allow_missing_) {
      return std::unexpected(Bad(node.text + " is not found"));
    }
    return out;
  }

  static std::string GoTypeName(const Json& v) {
    switch (v.type()) {
      case Json::value_t::object:
        return "map[string]interface {}";
      case Json::value_t::string:
        return "string";
      case Json::value_t::boolean:
        return "bool";
      case Json::value_t::number_float:
        return "float64";
      default:
        return "int64";
    }
  }

  Result<Values> Array(const Values& input, const Node& node) {
    Values out;
    for (const Json* v : input) {
      if (v->is_null()) continue;
      if (!v->is_array()) return std::unexpected(Bad(GoTypeName(*v) + " is not array or slice"));
      auto params = node.params;
      int64_t len = static_cast<int64_t>(v->size());
      if (!params[0].known) params[0].value = 0;
      if (params[0].value < 0) params[0].value += len;
      if (!params[1].known) params[1].value = len;
      if (params[1].value < 0 || (params[1].value == 0 && params[1].derived)) {
        params[1].value += len;
      }
      if (params[1].value == params[0].value) return out;
      if (params[0].value >= len || params[0].value < 0) {
        return std::unexpected(Bad("array index out of bounds: index " +
                                   std::to_string(params[0].value) + ", length " +
                                   std::to_string(len)));
      }
      if (params[1].value > len || params[1].value < 0) {
        return std::unexpected(Bad("array index out of bounds: index " +
                                   std::to_string(params[1].value - 1) + ", length " +
                                   std::to_string(len)));
      }
      if (params[0].value > params[1].value) {
        return std::unexpected(Bad("starting index " + std::to_string(params[0].value) +
                                   " is greater than ending index " +
                                   std::to_string(params[1].value)));
      }
      int64_t step = 1;
      if (params[2].known) {
        if (params[2].value <= 0) return std::unexpected(Bad("step must be > 0"));
        step = params[2].value;
      }
      for (int64_t k = params[0].value; k < params[1].value; k += step) out.push_back(&(*v)[k]);
    }
    return out;
  }

  static void Children(const Json& v, Values& out) {
    if (v.is_object() || v.is_array()) {
      for (const auto& c : v) out.push_back(&c);
    }
  }

  // evalRecursive: every value that has children, then (depth first) its descendants. A
  // non-empty string counts as having children in Go (its bytes) and is included itself.
  void Recursive(const Values& input, Values& out) {
    for (const Json* v : input) {
      if (v->is_null()) continue;
      Values kids;
      Children(*v, kids);
      bool has_children =
          !kids.empty() || (v->is_string() && !v->get_ref<const std::string&>().empty());
      if (has_children) {
        out.push_back(v);
        Recursive(kids, out);
      }
    }
  }

  static Result<int> Compare(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) {
      if (a.is_number_float() || b.is_number_float()) {
        double x = a.get<double>(), y = b.get<double>();
        return x < y ? -1 : x > y ? 1 : 0;
      }
      int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.is_string() && b.is_string()) {
      int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (a.is_boolean() && b.is_boolean()) {
      return a.get<bool>() == b.get<bool>() ? 0 : 2;  // 2: unordered but unequal
    }
    return std::unexpected(Bad("incompatible types for comparison"));
  }

  Result<Values> Filter(const Values& input, const Node& node) {
    Values out;
    for (const Json* v : input) {
      if (!v->is_array()) {
        return std::unexpected(Bad(GoPrint(*v) + " is not array or slice and cannot be filtered"));
      }
      for (const auto& item : *v) {
        Values temp{&item};
        auto lefts = Walk(temp, node.nodes[0]);
        if (node.text == "exists") {
          if (lefts && !lefts->empty()) out.push_back(&item);
          continue;
        }
        if (!lefts) return lefts;
        if (lefts->empty()) continue;
        if (lefts->size() > 1) {
          return std::unexpected(Bad("can only compare one element at a time"));
        }
        auto rights = Walk(temp, node.nodes[1]);
        if (!rights) return rights;
        if (rights->empty()) continue;
        if (rights->size() > 1) {
          return std::unexpected(Bad("can only compare one element at a time"));
        }
        const std::string& op = node.text;
        if (op != "<" && op != ">" && op != "==" && op != "!=" && op != "<=" && op != ">=") {
          return std::unexpected(Bad("unrecognized filter operator " + op));
        }
        auto c = Compare(*(*lefts)[0], *(*rights)[0]);
        if (!c) return std::unexpected(c.error());
        if ((op == "<" || op == ">" || op == "<=" || op == ">=") && *c == 2) {
          return std::unexpected(Bad("invalid type for comparison"));
        }
        bool pass = (op == "==" && *c == 0) || (op == "!=" && *c != 0) || (op == "<" && *c == -1) ||
                    (op == ">" && *c == 1) || (op == "<=" && (*c == -1 || *c == 0)) ||
                    (op == ">=" && (*c == 1 || *c == 0));
        if (pass) out.push_back(&item);
      }
    }
    return out;
  }

  bool allow_missing_;
  std::deque<Json> arena_;
};

Status Run(Evaluator& ev, const std::vector<Node>& items, size_t from, const Json* cur,
           std::vector<std::vector<Json>>& results) {
  for (size_t i = from; i < items.size(); ++i) {
    const Node& n = items[i];
    if (n.kind == Node::kRange) {
      auto vals = ev.Walk(Values{cur}, n.nodes[0]);
      if (!vals) return std::unexpected(vals.error());
      for (const Json* v : *vals) {
        auto st = Run(ev, n.nodes, 1, v, results);
        if (!st) return st;
      }
      continue;
    }
    auto vals = ev.Walk(Values{cur}, n);
    if (!vals) return std::unexpected(vals.error());
    std::vector<Json> row;
    row.reserve(vals->size());
    for (const Json* v : *vals) row.push_back(*v);
    results.push_back(std::move(row));
  }
  return {};
}

// Shortest round-trip digits and decimal exponent of a finite non-zero double:
// value = 0.d1d2d3... * 10^point.
void ShortestDigits(double v, std::string& digits, int& point) {
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  std::string_view s(buf, end - buf);
  size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  int exp = std::stoi(std::string(s.substr(e + 1)));
  digits.clear();
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  point = exp + 1;
}

std::string FormatE(bool neg, const std::string& digits, int point) {
  std::string out = neg ? "-" : "";
  out += digits[0];
  if (digits.size() > 1) out += "." + digits.substr(1);
  int exp = point - 1;
  out += exp < 0 ? "e-" : "e+";
  std::string e = std::to_string(std::abs(exp));
  if (e.size() < 2) e = "0" + e;
  return out + e;
}

std::string FormatF(bool neg, const std::string& digits, int point) {
  std::string out = neg ? "-" : "";
  if (point <= 0) {
    out += "0." + std::string(-point, '0') + digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits + std::string(point - digits.size(), '0');
  } else {
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

// fmt %v of a float64 (strconv 'g' with the shortest precision).
std::string GoFloatV(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  std::string digits;
  int point;
  ShortestDigits(v, digits, point);
  int exp = point - 1;
  if (exp < -4 || exp >= 6) return FormatE(v < 0, digits, point);
  return FormatF(v < 0, digits, point);
}

// encoding/json float formatting.
std::string GoFloatJson(double v) {
  if (!std::isfinite(v)) return "null";
  if (v == 0) return "0";
  double a = std::fabs(v);
  std::string digits;
  int point;
  ShortestDigits(v, digits, point);
  if (a < 1e-6 || a >= 1e21) {
    std::string s = FormatE(v < 0, digits, point);
    // Go trims e-09 to e-9.
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
    return s;
  }
  return FormatF(v < 0, digits, point);
}

void MarshalString(const std::string& s, std::string& out) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '<':
      case '>':
      case '&':
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
        continue;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) are escaped for JSONP safety.
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void Marshal(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      out += "null";
      return;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case Json::value_t::number_float:
      out += GoFloatJson(v.get<double>());
      return;
    case Json::value_t::string:
      MarshalString(v.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        Marshal(e, out);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {  // nlohmann::json keeps keys sorted
        if (!first) out += ',';
        first = false;
        MarshalString(it.key(), out);
        out += ':';
        Marshal(*it, out);
      }
      out += '}';
      return;
    }
    case Json::value_t::binary:
      out += "null";
      return;
  }
}

void MarshalIndent(const Json& v, std::string& out, std::string_view indent, int depth) {
  auto newline = [&](int d) {
    out += '\n';
    for (int i = 0; i < d; ++i) out += indent;
  };
  if (v.is_array() && !v.empty()) {
    out += '[';
    bool first = true;
    for (const auto& e : v) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      MarshalIndent(e, out, indent, depth + 1);
    }
    newline(depth);
    out += ']';
    return;
  }
  if (v.is_object() && !v.empty()) {
    out += '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      MarshalString(it.key(), out);
      out += ": ";
      MarshalIndent(*it, out, indent, depth + 1);
    }
    newline(depth);
    out += '}';
    return;
  }
  Marshal(v, out);
}

// PrintResults: maps and lists as JSON, everything else as fmt.Fprint does.
std::string TextOf(const Json& v) {
  if (v.is_object() || v.is_array()) return GoJsonMarshal(v);
  if (v.is_null()) return "null";
  return GoPrint(v);
}

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view tmpl) {
  Parser p(tmpl);
  auto root = p.Parse();
  if (!root) return std::unexpected(root.error());
  auto items = std::make_shared<std::vector<Node>>();
  size_t i = 0;
  auto st = BuildBlocks(root->nodes, i, *items, false);
  if (!st) return std::unexpected(st.error());
  JsonPath jp;
  jp.items_ = std::move(items);
  return jp;
}

Result<std::vector<std::vector<Json>>> JsonPath::FindResults(const Json& data) const {
  std::vector<std::vector<Json>> results;
  if (!items_) return results;
  Evaluator ev(allow_missing_keys_);
  auto st = Run(ev, *items_, 0, &data, results);
  if (!st) return std::unexpected(st.error());
  return results;
}

Result<std::string> JsonPath::Execute(const Json& data) const {
  auto results = FindResults(data);
  if (!results) return std::unexpected(results.error());
  std::string out;
  for (const auto& row : *results) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += TextOf(row[i]);
      if (i + 1 != row.size()) out += ' ';
    }
  }
  return out;
}

Result<std::string> RelaxedJsonPathExpression(std::string_view expr) {
  if (expr.empty()) return std::string();
  static const std::regex kRe(R"(^\{\.?([^{}]+)\}$|^\.?([^{}]+)$)");
  std::string s(expr);
  std::smatch m;
  if (!std::regex_match(s, m, kRe)) {
    return std::unexpected(
        Bad("unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'"));
  }
  std::string field = m[1].matched && m[1].length() > 0 ? m[1].str() : m[2].str();
  return "{." + field + "}";
}

std::string GoJsonMarshal(const Json& value) {
  std::string out;
  Marshal(value, out);
  return out;
}

std::string GoJsonMarshalIndent(const Json& value, std::string_view indent) {
  std::string out;
  MarshalIndent(value, out, indent, 0);
  return out;
}

std::string GoPrint(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
    case Json::value_t::binary:
      return "<nil>";
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Json::value_t::number_float:
      return GoFloatV(v.get<double>());
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ' ';
        first = false;
        out += GoPrint(e);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ' ';
        first = false;
        out += it.key() + ":" + GoPrint(*it);
      }
      return out + "]";
    }
  }
  return "";
}

}  // namespace keelson::api
