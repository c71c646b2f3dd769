// Go text/template lexer and parser (text/template/parse, Go 1.22+ semantics): the AST with byte
// positions, node String() forms as Go prints them in error contexts, and Go's parse errors.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace keelson::charts::tmpl {

enum class NodeType {
  kText,
  kAction,
  kBool,
  kChain,
  kCommand,
  kDot,
  kField,
  kIdentifier,
  kIf,
  kList,
  kNil,
  kNumber,
  kPipe,
  kRange,
  kString,
  kTemplate,
  kVariable,
  kWith,
  kComment,
  kBreak,
  kContinue,
  kElse,  // parse-time only
  kEnd,   // parse-time only
};

struct Tree;

struct Node {
  Node(NodeType t, size_t p) : type(t), pos(p) {}
  virtual ~Node() = default;
  // Go's Node.String(): the source-like form used in error contexts ("<.Values.x>").
  virtual std::string String() const = 0;
  NodeType type;
  size_t pos;  // byte offset in the parsed text
  const Tree* tree = nullptr;
};
using NodePtr = std::unique_ptr<Node>;

struct ListNode : Node {
  explicit ListNode(size_t p) : Node(NodeType::kList, p) {}
  std::string String() const override;
  std::vector<NodePtr> nodes;
};

struct TextNode : Node {
  TextNode(size_t p, std::string t) : Node(NodeType::kText, p), text(std::move(t)) {}
  std::string String() const override { return text; }
  std::string text;
};

struct CommentNode : Node {
  CommentNode(size_t p, std::string t) : Node(NodeType::kComment, p), text(std::move(t)) {}
  std::string String() const override { return "{{" + text + "}}"; }
  std::string text;
};

struct PipeNode;

struct VariableNode : Node {
  VariableNode(size_t p, std::vector<std::string> i)
      : Node(NodeType::kVariable, p), ident(std::move(i)) {}
  std::string String() const override;
  std::vector<std::string> ident;  // "$x", then field names
};

struct CommandNode : Node {
  explicit CommandNode(size_t p) : Node(NodeType::kCommand, p) {}
  std::string String() const override;
  std::vector<NodePtr> args;
};

struct PipeNode : Node {
  PipeNode(size_t p, int l) : Node(NodeType::kPipe, p), line(l) {}
  std::string String() const override;
  int line;
  bool is_assign = false;
  std::vector<std::unique_ptr<VariableNode>> decl;
  std::vector<std::unique_ptr<CommandNode>> cmds;
};

struct ActionNode : Node {
  ActionNode(size_t p, int l, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::kAction, p), line(l), pipe(std::move(pp)) {}
  std::string String() const override { return "{{" + pipe->String() + "}}"; }
  int line;
  std::unique_ptr<PipeNode> pipe;
};

struct BoolNode : Node {
  BoolNode(size_t p, bool v) : Node(NodeType::kBool, p), value(v) {}
  std::string String() const override { return value ? "true" : "false"; }
  bool value;
};

struct NilNode : Node {
  explicit NilNode(size_t p) : Node(NodeType::kNil, p) {}
  std::string String() const override { return "nil"; }
};

struct DotNode : Node {
  explicit DotNode(size_t p) : Node(NodeType::kDot, p) {}
  std::string String() const override { return "."; }
};

struct FieldNode : Node {
  FieldNode(size_t p, std::vector<std::string> i)
      : Node(NodeType::kField, p), ident(std::move(i)) {}
  std::string String() const override;
  std::vector<std::string> ident;
};

struct ChainNode : Node {
  ChainNode(size_t p, NodePtr n) : Node(NodeType::kChain, p), node(std::move(n)) {}
  std::string String() const override;
  NodePtr node;
  std::vector<std::string> field;
};

struct IdentifierNode : Node {
  IdentifierNode(size_t p, std::string i) : Node(NodeType::kIdentifier, p), ident(std::move(i)) {}
  std::string String() const override { return ident; }
  std::string ident;
};

struct NumberNode : Node {
  NumberNode(size_t p, std::string t) : Node(NodeType::kNumber, p), text(std::move(t)) {}
  std::string String() const override { return text; }
  bool is_int = false, is_uint = false, is_float = false, is_complex = false;
  int64_t int64 = 0;
  uint64_t uint64 = 0;
  double float64 = 0;
  std::string text;
};

struct StringNode : Node {
  StringNode(size_t p, std::string q, std::string t)
      : Node(NodeType::kString, p), quoted(std::move(q)), text(std::move(t)) {}
  std::string String() const override { return quoted; }
  std::string quoted;
  std::string text;
};

// if / range / with share this shape.
struct BranchNode : Node {
  BranchNode(NodeType t, size_t p, int l) : Node(t, p), line(l) {}
  std::string String() const override;
  int line;
  std::unique_ptr<PipeNode> pipe;
  std::unique_ptr<ListNode> list;
  std::unique_ptr<ListNode> else_list;
};

struct TemplateNode : Node {
  TemplateNode(size_t p, int l, std::string n, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::kTemplate, p), line(l), name(std::move(n)), pipe(std::move(pp)) {}
  std::string String() const override;
  int line;
  std::string name;
  std::unique_ptr<PipeNode> pipe;
};

struct BreakNode : Node {
  BreakNode(size_t p, int l) : Node(NodeType::kBreak, p), line(l) {}
  std::string String() const override { return "{{break}}"; }
  int line;
};
struct ContinueNode : Node {
  ContinueNode(size_t p, int l) : Node(NodeType::kContinue, p), line(l) {}
  std::string String() const override { return "{{continue}}"; }
  int line;
};

// One parsed template: a file's body or one {{define}}/{{block}}.
struct Tree {
  std::string name;        // template name
  std::string parse_name;  // name of the top-level template being parsed (the file)
  std::shared_ptr<const std::string> text;  // the whole parsed text (for positions)
  std::unique_ptr<ListNode> root;
  // Go's ErrorContext: "parse_name:line:col" (col is a 0-based byte offset) for `n`.
  std::string Location(const Node& n) const;
};

// True if the list holds only whitespace text (Go's IsEmptyTree).
bool IsEmptyTree(const Node* n);

// Parses `text` as template `name`. Returns every tree: the {{define}}/{{block}} trees in order of
// appearance and the top-level one (named `name`). `has_function` tells whether an
// identifier names a function (parse error "function %q not defined" otherwise).
// Errors as Go words them: "template: NAME:LINE: MSG".
std::expected<std::vector<std::unique_ptr<Tree>>, std::string> Parse(
    std::string_view name, std::string_view text,
    const std::function<bool(std::string_view)>& has_function);

// strconv.Unquote for Go string literals ("..." or `...`) and char literals ('x'). Returns
// nullopt-like error text on failure.
std::expected<std::string, std::string> GoUnquote(std::string_view s);

}  // namespace keelson::charts::tmpl
