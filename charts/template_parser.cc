// Go text/template parser (see template_parser.h). Follows text/template/parse/parse.go.
#include "charts/template_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "charts/gofmt.h"
#include "charts/template_lexer.h"

namespace keelson::charts::tmpl {

// ---- String() forms ----

std::string ListNode::String() const {
  std::string s;
  for (const auto& n : nodes) s += n->String();
  return s;
}

std::string VariableNode::String() const {
  std::string s;
  for (size_t i = 0; i < ident.size(); ++i) {
    if (i > 0) s += '.';
    s += ident[i];
  }
  return s;
}

std::string FieldNode::String() const {
  std::string s;
  for (const auto& id : ident) s += "." + id;
  return s;
}

std::string ChainNode::String() const {
  std::string s;
  if (node->type == NodeType::kPipe) {
    s = "(" + node->String() + ")";
  } else {
    s = node->String();
  }
  for (const auto& f : field) s += "." + f;
  return s;
}

std::string CommandNode::String() const {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) s += ' ';
    if (args[i]->type == NodeType::kPipe) {
      s += "(" + args[i]->String() + ")";
    } else {
      s += args[i]->String();
    }
  }
  return s;
}

std::string PipeNode::String() const {
  std::string s;
  if (!decl.empty()) {
    for (size_t i = 0; i < decl.size(); ++i) {
      if (i > 0) s += ", ";
      s += decl[i]->String();
    }
    s += is_assign ? " = " : " := ";
  }
  for (size_t i = 0; i < cmds.size(); ++i) {
    if (i > 0) s += " | ";
    s += cmds[i]->String();
  }
  return s;
}

std::string BranchNode::String() const {
  std::string name = type == NodeType::kIf ? "if" : type == NodeType::kRange ? "range" : "with";
  std::string s = "{{" + name + " " + pipe->String() + "}}" + list->String();
  if (else_list) s += "{{else}}" + else_list->String();
  return s + "{{end}}";
}

std::string TemplateNode::String() const {
  if (!pipe) return "{{template " + GoQuote(name) + "}}";
  return "{{template " + GoQuote(name) + " " + pipe->String() + "}}";
}

std::string Tree::Location(const Node& n) const {
  const std::string& t = *text;
  size_t pos = std::min(n.pos, t.size());
  std::string_view before(t.data(), pos);
  size_t nl = before.rfind('\n');
  size_t col = nl == std::string_view::npos ? pos : pos - (nl + 1);
  int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  return parse_name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

bool IsEmptyTree(const Node* n) {
  if (!n) return true;
  switch (n->type) {
    case NodeType::kList: {
      for (const auto& c : static_cast<const ListNode*>(n)->nodes) {
        if (!IsEmptyTree(c.get())) return false;
      }
      return true;
    }
    case NodeType::kText: {
      for (char c : static_cast<const TextNode*>(n)->text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
      }
      return true;
    }
    case NodeType::kComment:
      return true;
    default:
      return false;
  }
}

// ---- unquoting ----

namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

}  // namespace

std::expected<std::string, std::string> GoUnquote(std::string_view s) {
  const std::string kSyntax = "invalid syntax";
  if (s.size() < 2) return std::unexpected(kSyntax);
  char q = s[0];
  if (q != s.back()) return std::unexpected(kSyntax);
  std::string_view body = s.substr(1, s.size() - 2);
  if (q == '`') {
    if (body.find('`') != std::string_view::npos) return std::unexpected(kSyntax);
    std::string out;
    for (char c : body)
      if (c != '\r') out += c;
    return out;
  }
  if (q != '"' && q != '\'') return std::unexpected(kSyntax);
  std::string out;
  size_t runes = 0;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == q && q == '\'') return std::unexpected(kSyntax);
    if (c == '\n') return std::unexpected(kSyntax);
    if (c != '\\') {
      out += c;
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++runes;
      ++i;
      continue;
    }
    if (i + 1 >= body.size()) return std::unexpected(kSyntax);
    char e = body[i + 1];
    i += 2;
    ++runes;
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
        if (q != '\'') return std::unexpected(kSyntax);
        out += '\'';
        break;
      case '"':
        if (q != '"') return std::unexpected(kSyntax);
        out += '"';
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > body.size()) return std::unexpected(kSyntax);
        uint32_t v = 0;
        for (size_t k = 0; k < n; ++k) {
          int h = HexVal(body[i + k]);
          if (h < 0) return std::unexpected(kSyntax);
          v = v * 16 + h;
        }
        i += n;
        if (e == 'x') {
          out += static_cast<char>(v);
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return std::unexpected(kSyntax);
          AppendUtf8(out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 > body.size()) return std::unexpected(kSyntax);
          int v = e - '0';
          for (size_t k = 0; k < 2; ++k) {
            char d = body[i + k];
            if (d < '0' || d > '7') return std::unexpected(kSyntax);
            v = v * 8 + (d - '0');
          }
          if (v > 255) return std::unexpected(kSyntax);
          i += 2;
          out += static_cast<char>(v);
          break;
        }
        return std::unexpected(kSyntax);
    }
  }
  if (q == '\'' && runes != 1) return std::unexpected(kSyntax);
  return out;
}

namespace {

// strconv.ParseInt/ParseUint with base 0 (prefixes 0x 0o 0b 0, underscores with a prefix).
bool ParseGoInt(std::string_view s, bool is_signed, int64_t* iv, uint64_t* uv) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    if (!is_signed) return false;
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    char p = s[1] | 0x20;
    if (p == 'x') {
      base = 16;
      s.remove_prefix(2);
      prefixed = true;
    } else if (p == 'o') {
      base = 8;
      s.remove_prefix(2);
      prefixed = true;
    } else if (p == 'b') {
      base = 2;
      s.remove_prefix(2);
      prefixed = true;
    } else {
      base = 8;
      s.remove_prefix(1);
      prefixed = true;
    }
  }
  // Underscores separate digits (or follow a base prefix); never leading, trailing or doubled.
  std::string digits;
  char prev = prefixed ? '0' : '_';
  for (char c : s) {
    if (c == '_') {
      if (prev == '_') return false;
      prev = c;
      continue;
    }
    digits += c;
    prev = c;
  }
  if (prev == '_' && !s.empty()) return false;
  if (digits.empty())
    return base == 8 && s.empty() && prefixed ? (is_signed ? (*iv = 0, true) : (*uv = 0, true))
                                              : false;
  unsigned __int128 v = 0;
  for (char c : digits) {
    int d = HexVal(c);
    if (d < 0 || d >= base) return false;
    v = v * base + d;
    if (v > (static_cast<unsigned __int128>(1) << 64)) return false;
  }
  if (is_signed) {
    if (neg) {
      if (v > static_cast<unsigned __int128>(INT64_MAX) + 1) return false;
      *iv = static_cast<int64_t>(-static_cast<__int128>(v));
    } else {
      if (v > INT64_MAX) return false;
      *iv = static_cast<int64_t>(v);
    }
  } else {
    if (v > UINT64_MAX) return false;
    *uv = static_cast<uint64_t>(v);
  }
  return true;
}

bool ParseGoFloat(std::string_view s, double* out) {
  std::string t;
  for (char c : s)
    if (c != '_') t += c;
  if (t.empty()) return false;
  const char* b = t.c_str();
  bool hex = false;
  std::string_view tv = t;
  size_t off = (tv[0] == '+' || tv[0] == '-') ? 1 : 0;
  if (tv.size() > off + 1 && tv[off] == '0' && (tv[off + 1] | 0x20) == 'x') hex = true;
  if (hex && tv.find_first_of("pP") == std::string_view::npos) return false;
  char* end = nullptr;
  double v = std::strtod(b, &end);
  if (end != b + t.size()) return false;
  if (std::isinf(v)) return false;  // out of range
  std::string lower = t;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  if (lower.find("inf") != std::string::npos || lower.find("nan") != std::string::npos) {
    return false;
  }
  *out = v;
  return true;
}

struct ParseError {
  std::string msg;
};

class Parser {
 public:
  Parser(std::string_view name, std::shared_ptr<const std::string> text,
         const std::function<bool(std::string_view)>& has_function)
      : name_(name), text_(std::move(text)), has_function_(has_function) {
    items_ = Lex(*text_);
  }

  std::vector<std::unique_ptr<Tree>> Run() {
    auto top = NewTree(name_);
    cur_ = top.get();
    vars_ = {"$"};
    top->root = std::make_unique<ListNode>(Peek().pos);
    while (Peek().type != ItemType::kEOF) {
      if (Peek().type == ItemType::kLeftDelim) {
        Item delim = Next();
        if (NextNonSpace().type == ItemType::kDefine) {
          ParseDefinition();
          continue;
        }
        Backup2(delim);
      }
      NodePtr n = TextOrAction();
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        Errorf("unexpected " + NodeStr(*n));
      }
      top->root->nodes.push_back(std::move(n));
    }
    Add(std::move(top), true);
    return std::move(trees_);
  }

 private:
  std::string name_;
  std::shared_ptr<const std::string> text_;
  const std::function<bool(std::string_view)>& has_function_;
  std::vector<Item> items_;
  size_t next_ = 0;  // index of next item from the lexer
  Item token_[3];    // lookahead (Go's t.token)
  int peek_count_ = 0;
  std::vector<std::string> vars_;
  int range_depth_ = 0;
  int action_line_ = 0;
  Tree* cur_ = nullptr;
  std::vector<std::unique_ptr<Tree>> trees_;
  std::map<std::string, Tree*> tree_set_;

  std::unique_ptr<Tree> NewTree(std::string name) {
    auto t = std::make_unique<Tree>();
    t->name = std::move(name);
    t->parse_name = name_;
    t->text = text_;
    return t;
  }

  template <typename T, typename... A>
  std::unique_ptr<T> Make(A&&... a) {
    auto n = std::make_unique<T>(std::forward<A>(a)...);
    n->tree = cur_;
    return n;
  }

  static std::string NodeStr(const Node& n) {
    if (n.type == NodeType::kEnd) return "{{end}}";
    if (n.type == NodeType::kElse) return "{{else}}";
    return n.String();
  }

  Item LexNext() {
    if (next_ < items_.size()) return items_[next_++];
    return items_.back();
  }
  Item Next() {
    if (peek_count_ > 0) {
      --peek_count_;
    } else {
      token_[0] = LexNext();
    }
    return token_[peek_count_];
  }
  void Backup() { ++peek_count_; }
  void Backup2(const Item& t1) {
    token_[1] = t1;
    peek_count_ = 2;
  }
  void Backup3(const Item& t2, const Item& t1) {
    token_[1] = t1;
    token_[2] = t2;
    peek_count_ = 3;
  }
  Item Peek() {
    if (peek_count_ > 0) return token_[peek_count_ - 1];
    peek_count_ = 1;
    token_[0] = LexNext();
    return token_[0];
  }
  Item NextNonSpace() {
    Item t;
    while (true) {
      t = Next();
      if (t.type != ItemType::kSpace) break;
    }
    return t;
  }
  Item PeekNonSpace() {
    Item t = NextNonSpace();
    Backup();
    return t;
  }

  [[noreturn]] void Errorf(const std::string& msg) {
    throw ParseError{"template: " + name_ + ":" + std::to_string(token_[0].line) + ": " + msg};
  }
  Item Expect(ItemType expected, const std::string& context) {
    Item t = NextNonSpace();
    if (t.type != expected) Unexpected(t, context);
    return t;
  }
  Item ExpectOneOf(ItemType e1, ItemType e2, const std::string& context) {
    Item t = NextNonSpace();
    if (t.type != e1 && t.type != e2) Unexpected(t, context);
    return t;
  }
  [[noreturn]] void Unexpected(const Item& token, const std::string& context) {
    if (token.type == ItemType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != token.line) {
        extra = " in action started at " + name_ + ":" + std::to_string(action_line_);
        if (token.val.ends_with(" action")) extra = extra.substr(std::string(" in action").size());
      }
      Errorf(token.String() + extra);
    }
    Errorf("unexpected " + token.String() + " in " + context);
  }

  void Add(std::unique_ptr<Tree> t, bool top) {
    auto it = tree_set_.find(t->name);
    if (it == tree_set_.end()) {
      tree_set_[t->name] = t.get();
      trees_.push_back(std::move(t));
      return;
    }
    if (IsEmptyTree(it->second->root.get())) {
      // replace
      for (auto& existing : trees_) {
        if (existing.get() == it->second) {
          it->second = t.get();
          existing = std::move(t);
          return;
        }
      }
    }
    if (!IsEmptyTree(t->root.get())) {
      Errorf("template: multiple definition of template " + GoQuote(t->name));
    }
    (void)top;
  }

  void ParseDefinition() {
    const std::string context = "define clause";
    Item name = ExpectOneOf(ItemType::kString, ItemType::kRawString, context);
    auto unq = GoUnquote(name.val);
    if (!unq) Errorf(unq.error());
    auto t = NewTree(*unq);
    Tree* saved = cur_;
    auto saved_vars = vars_;
    cur_ = t.get();
    vars_ = {"$"};
    Expect(ItemType::kRightDelim, context);
    auto [list, end] = ItemList();
    t->root = std::move(list);
    if (end->type != NodeType::kEnd) Errorf("unexpected " + NodeStr(*end) + " in " + context);
    cur_ = saved;
    vars_ = saved_vars;
    Add(std::move(t), false);
  }

  std::pair<std::unique_ptr<ListNode>, NodePtr> ItemList() {
    auto list = Make<ListNode>(PeekNonSpace().pos);
    while (PeekNonSpace().type != ItemType::kEOF) {
      NodePtr n = TextOrAction();
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        return {std::move(list), std::move(n)};
      }
      list->nodes.push_back(std::move(n));
    }
    Errorf("unexpected EOF");
  }

  NodePtr TextOrAction() {
    Item token = NextNonSpace();
    switch (token.type) {
      case ItemType::kText:
        return Make<TextNode>(token.pos, token.val);
      case ItemType::kLeftDelim: {
        action_line_ = token.line;
        NodePtr n = Action();
        action_line_ = 0;
        return n;
      }
      case ItemType::kComment:
        return Make<CommentNode>(token.pos, token.val);
      default:
        Unexpected(token, "input");
    }
  }

  struct EndNode : Node {
    explicit EndNode(size_t p) : Node(NodeType::kEnd, p) {}
    std::string String() const override { return "{{end}}"; }
  };
  struct ElseNode : Node {
    ElseNode(size_t p, int l) : Node(NodeType::kElse, p), line(l) {}
    std::string String() const override { return "{{else}}"; }
    int line;
  };

  NodePtr Action() {
    Item token = NextNonSpace();
    switch (token.type) {
      case ItemType::kBlock:
        return BlockControl();
      case ItemType::kBreak:
        return BreakControl(token.pos, token.line);
      case ItemType::kContinue:
        return ContinueControl(token.pos, token.line);
      case ItemType::kElse:
        return ElseControl();
      case ItemType::kEnd:
        return EndControl();
      case ItemType::kIf:
        return BranchControl(NodeType::kIf, "if");
      case ItemType::kRange:
        return BranchControl(NodeType::kRange, "range");
      case ItemType::kTemplate:
        return TemplateControl();
      case ItemType::kWith:
        return BranchControl(NodeType::kWith, "with");
      default:
        break;
    }
    Backup();
    Item t = Peek();
    auto pipe = Pipeline("command", ItemType::kRightDelim);
    return Make<ActionNode>(t.pos, t.line, std::move(pipe));
  }

  NodePtr BreakControl(size_t pos, int line) {
    Item t = NextNonSpace();
    if (t.type != ItemType::kRightDelim) Unexpected(t, "{{break}}");
    if (range_depth_ == 0) Errorf("{{break}} outside {{range}}");
    return Make<BreakNode>(pos, line);
  }
  NodePtr ContinueControl(size_t pos, int line) {
    Item t = NextNonSpace();
    if (t.type != ItemType::kRightDelim) Unexpected(t, "{{continue}}");
    if (range_depth_ == 0) Errorf("{{continue}} outside {{range}}");
    return Make<ContinueNode>(pos, line);
  }

  std::unique_ptr<PipeNode> Pipeline(const std::string& context, ItemType end) {
    Item token = PeekNonSpace();
    auto pipe = Make<PipeNode>(token.pos, token.line);
  decls:
    Item v = PeekNonSpace();
    if (v.type == ItemType::kVariable) {
      Next();
      Item after_var = Peek();
      Item next = PeekNonSpace();
      if (next.type == ItemType::kAssign || next.type == ItemType::kDeclare) {
        pipe->is_assign = next.type == ItemType::kAssign;
        NextNonSpace();
        pipe->decl.push_back(Make<VariableNode>(v.pos, std::vector<std::string>{v.val}));
        vars_.push_back(v.val);
      } else if (next.type == ItemType::kChar && next.val == ",") {
        NextNonSpace();
        pipe->decl.push_back(Make<VariableNode>(v.pos, std::vector<std::string>{v.val}));
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          ItemType pt = PeekNonSpace().type;
          if (pt == ItemType::kVariable || pt == ItemType::kRightDelim ||
              pt == ItemType::kRightParen) {
            goto decls;
          }
          Errorf("range can only initialize variables");
        }
        Errorf("too many declarations in " + context);
      } else if (after_var.type == ItemType::kSpace) {
        Backup3(v, after_var);
      } else {
        Backup2(v);
      }
    }
    while (true) {
      Item t = NextNonSpace();
      if (t.type == end) {
        CheckPipeline(*pipe, context);
        return pipe;
      }
      switch (t.type) {
        case ItemType::kBool:
        case ItemType::kCharConstant:
        case ItemType::kComplex:
        case ItemType::kDot:
        case ItemType::kField:
        case ItemType::kIdentifier:
        case ItemType::kNumber:
        case ItemType::kNil:
        case ItemType::kRawString:
        case ItemType::kString:
        case ItemType::kVariable:
        case ItemType::kLeftParen:
          Backup();
          pipe->cmds.push_back(Command());
          break;
        default:
          Unexpected(t, context);
      }
    }
  }

  void CheckPipeline(const PipeNode& pipe, const std::string& context) {
    if (pipe.cmds.empty()) Errorf("missing value for " + context);
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      switch (pipe.cmds[i]->args[0]->type) {
        case NodeType::kBool:
        case NodeType::kDot:
        case NodeType::kNil:
        case NodeType::kNumber:
        case NodeType::kString:
          Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
        default:
          break;
      }
    }
  }

  NodePtr BranchControl(NodeType type, const std::string& context) {
    size_t mark = vars_.size();
    auto pipe = Pipeline(context, ItemType::kRightDelim);
    if (type == NodeType::kRange) ++range_depth_;
    auto [list, next] = ItemList();
    if (type == NodeType::kRange) --range_depth_;
    std::unique_ptr<ListNode> else_list;
    if (next->type == NodeType::kElse) {
      if (type == NodeType::kIf && Peek().type == ItemType::kIf) {
        Next();
        else_list = Make<ListNode>(next->pos);
        else_list->nodes.push_back(BranchControl(NodeType::kIf, "if"));
      } else if (type == NodeType::kWith && Peek().type == ItemType::kWith) {
        Next();
        else_list = Make<ListNode>(next->pos);
        else_list->nodes.push_back(BranchControl(NodeType::kWith, "with"));
      } else {
        auto [el, n2] = ItemList();
        else_list = std::move(el);
        if (n2->type != NodeType::kEnd) Errorf("expected end; found " + NodeStr(*n2));
      }
    }
    vars_.resize(mark);
    auto n = Make<BranchNode>(type, pipe->pos, pipe->line);
    n->pipe = std::move(pipe);
    n->list = std::move(list);
    n->else_list = std::move(else_list);
    return n;
  }

  NodePtr ElseControl() {
    Item peek = PeekNonSpace();
    if (peek.type == ItemType::kIf || peek.type == ItemType::kWith) {
      return Make<ElseNode>(peek.pos, peek.line);
    }
    Item token = Expect(ItemType::kRightDelim, "else");
    return Make<ElseNode>(token.pos, token.line);
  }

  NodePtr EndControl() { return Make<EndNode>(Expect(ItemType::kRightDelim, "end").pos); }

  std::string ParseTemplateName(const Item& token, const std::string& context) {
    if (token.type == ItemType::kString || token.type == ItemType::kRawString) {
      auto s = GoUnquote(token.val);
      if (!s) Errorf(s.error());
      return *s;
    }
    Unexpected(token, context);
  }

  NodePtr BlockControl() {
    const std::string context = "block clause";
    Item token = NextNonSpace();
    std::string name = ParseTemplateName(token, context);
    auto pipe = Pipeline(context, ItemType::kRightDelim);
    auto block = NewTree(name);
    Tree* saved = cur_;
    auto saved_vars = vars_;
    int saved_range = range_depth_;
    cur_ = block.get();
    vars_ = {"$"};
    range_depth_ = 0;
    auto [list, end] = ItemList();
    block->root = std::move(list);
    if (end->type != NodeType::kEnd) Errorf("unexpected " + NodeStr(*end) + " in " + context);
    cur_ = saved;
    vars_ = saved_vars;
    range_depth_ = saved_range;
    Add(std::move(block), false);
    return Make<TemplateNode>(token.pos, token.line, name, std::move(pipe));
  }

  NodePtr TemplateControl() {
    const std::string context = "template clause";
    Item token = NextNonSpace();
    std::string name = ParseTemplateName(token, context);
    std::unique_ptr<PipeNode> pipe;
    if (NextNonSpace().type != ItemType::kRightDelim) {
      Backup();
      pipe = Pipeline(context, ItemType::kRightDelim);
    }
    return Make<TemplateNode>(token.pos, token.line, name, std::move(pipe));
  }

  std::unique_ptr<CommandNode> Command() {
    auto cmd = Make<CommandNode>(PeekNonSpace().pos);
    while (true) {
      PeekNonSpace();
      NodePtr operand = Operand();
      if (operand) cmd->args.push_back(std::move(operand));
      Item token = Next();
      if (token.type == ItemType::kSpace) continue;
      if (token.type == ItemType::kRightDelim || token.type == ItemType::kRightParen) {
        Backup();
      } else if (token.type == ItemType::kPipe) {
        // end of this command
      } else {
        Unexpected(token, "operand");
      }
      break;
    }
    if (cmd->args.empty()) Errorf("empty command");
    return cmd;
  }

  NodePtr Operand() {
    NodePtr node = Term();
    if (!node) return nullptr;
    if (Peek().type == ItemType::kField) {
      auto chain = Make<ChainNode>(Peek().pos, nullptr);
      while (Peek().type == ItemType::kField) {
        std::string f = Next().val;
        chain->field.push_back(f.substr(1));
      }
      switch (node->type) {
        case NodeType::kField: {
          auto* fnode = static_cast<FieldNode*>(node.get());
          std::vector<std::string> ident = fnode->ident;
          for (auto& f : chain->field) ident.push_back(f);
          return Make<FieldNode>(chain->pos, std::move(ident));
        }
        case NodeType::kVariable: {
          auto* vnode = static_cast<VariableNode*>(node.get());
          std::vector<std::string> ident = vnode->ident;
          for (auto& f : chain->field) ident.push_back(f);
          return Make<VariableNode>(chain->pos, std::move(ident));
        }
        case NodeType::kBool:
        case NodeType::kString:
        case NodeType::kNumber:
        case NodeType::kNil:
        case NodeType::kDot:
          Errorf("unexpected . after term " + GoQuote(node->String()));
        default:
          chain->node = std::move(node);
          return chain;
      }
    }
    return node;
  }

  NodePtr Term() {
    Item token = NextNonSpace();
    switch (token.type) {
      case ItemType::kIdentifier:
        if (!has_function_(token.val)) Errorf("function " + GoQuote(token.val) + " not defined");
        return Make<IdentifierNode>(token.pos, token.val);
      case ItemType::kDot:
        return Make<DotNode>(token.pos);
      case ItemType::kNil:
        return Make<NilNode>(token.pos);
      case ItemType::kVariable:
        return UseVar(token.pos, token.val);
      case ItemType::kField: {
        std::vector<std::string> ident = {token.val.substr(1)};
        return Make<FieldNode>(token.pos, std::move(ident));
      }
      case ItemType::kBool:
        return Make<BoolNode>(token.pos, token.val == "true");
      case ItemType::kCharConstant:
      case ItemType::kComplex:
      case ItemType::kNumber:
        return NewNumber(token);
      case ItemType::kLeftParen:
        return Pipeline("parenthesized pipeline", ItemType::kRightParen);
      case ItemType::kString:
      case ItemType::kRawString: {
        auto s = GoUnquote(token.val);
        if (!s) Errorf(s.error());
        return Make<StringNode>(token.pos, token.val, *s);
      }
      default:
        break;
    }
    Backup();
    return nullptr;
  }

  NodePtr UseVar(size_t pos, const std::string& name) {
    // "$x.y" lexes as "$x" then ".y": the variable item itself has no dots.
    for (const auto& v : vars_) {
      if (v == name) return Make<VariableNode>(pos, std::vector<std::string>{name});
    }
    Errorf("undefined variable " + GoQuote(name));
  }

  NodePtr NewNumber(const Item& token) {
    auto n = Make<NumberNode>(token.pos, token.val);
    const std::string& text = token.val;
    if (token.type == ItemType::kCharConstant) {
      auto s = GoUnquote(text);
      if (!s) Errorf(s.error());
      // decode the single rune
      const std::string& r = *s;
      uint32_t rune = static_cast<unsigned char>(r[0]);
      if (rune >= 0x80) {
        size_t w = (rune & 0xE0) == 0xC0 ? 2 : (rune & 0xF0) == 0xE0 ? 3 : 4;
        rune &= (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < w && k < r.size(); ++k) rune = (rune << 6) | (r[k] & 0x3F);
      }
      n->is_int = n->is_uint = n->is_float = true;
      n->int64 = rune;
      n->uint64 = rune;
      n->float64 = rune;
      return n;
    }
    if (token.type == ItemType::kComplex || text.ends_with("i")) {
      Errorf("illegal number syntax: " + GoQuote(text));
    }
    uint64_t u;
    if (ParseGoInt(text, false, nullptr, &u)) {
      n->is_uint = true;
      n->uint64 = u;
    }
    int64_t i;
    if (ParseGoInt(text, true, &i, nullptr)) {
      n->is_int = true;
      n->int64 = i;
      if (i == 0) {
        n->is_uint = true;
        n->uint64 = 0;
      }
    }
    if (n->is_int) {
      n->is_float = true;
      n->float64 = static_cast<double>(n->int64);
    } else if (n->is_uint) {
      n->is_float = true;
      n->float64 = static_cast<double>(n->uint64);
    } else {
      double f;
      if (ParseGoFloat(text, &f)) {
        if (text.find_first_of(".eEpP") == std::string::npos) {
          Errorf("integer overflow: " + GoQuote(text));
        }
        n->is_float = true;
        n->float64 = f;
        if (std::trunc(f) == f && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18) {
          n->is_int = true;
          n->int64 = static_cast<int64_t>(f);
        }
        if (std::trunc(f) == f && f >= 0 && f < 1.8446744073709552e19) {
          n->is_uint = true;
          n->uint64 = static_cast<uint64_t>(f);
        }
      }
    }
    if (!n->is_int && !n->is_uint && !n->is_float) {
      Errorf("illegal number syntax: " + GoQuote(text));
    }
    return n;
  }
};

}  // namespace

std::expected<std::vector<std::unique_ptr<Tree>>, std::string> Parse(
    std::string_view name, std::string_view text,
    const std::function<bool(std::string_view)>& has_function) {
  auto shared = std::make_shared<const std::string>(text);
  try {
    Parser p(name, shared, has_function);
    return p.Run();
  } catch (const ParseError& e) {
    return std::unexpected(e.msg);
  }
}

}  // namespace keelson::charts::tmpl
