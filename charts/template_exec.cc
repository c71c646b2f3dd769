// Execution of Go text/templates (text/template/exec.go and funcs.go semantics, missingkey=zero
// as Helm sets it) over JSON values. See template.h.
#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <set>

#include "charts/gofmt.h"
#include "charts/template.h"
#include "charts/template_parser.h"

namespace keelson::charts {

using namespace tmpl;

namespace {

std::mutex& MethodMu() {
  static std::mutex mu;
  return mu;
}
struct MethodEntry {
  int num_args;
  GoMethod fn;
};
std::map<std::string, std::map<std::string, MethodEntry, std::less<>>, std::less<>>& Methods() {
  static std::map<std::string, std::map<std::string, MethodEntry, std::less<>>, std::less<>> m;
  return m;
}

std::optional<MethodEntry> FindMethod(std::string_view type, std::string_view name) {
  std::lock_guard lock(MethodMu());
  auto it = Methods().find(type);
  if (it == Methods().end()) return std::nullopt;
  auto jt = it->second.find(name);
  if (jt == it->second.end()) return std::nullopt;
  return jt->second;
}

const std::set<std::string_view>& Builtins() {
  static const std::set<std::string_view> b = {
      "and",    "call",    "html",     "index", "slice", "js", "len", "not", "or", "print",
      "printf", "println", "urlquery", "eq",    "ge",    "gt", "le",  "lt",  "ne"};
  return b;
}

struct DictNode;

// A value during execution: Go's reflect.Value as text/template sees it.
struct V {
  enum Kind : uint8_t { kInvalid, kNil, kVal };
  Kind k = kInvalid;
  bool iface = false;  // static type interface{} (a map or slice element)
  // The value (valid when k == kVal; read it through p()). `hold` keeps its storage alive.
  mutable const Value* p_ = nullptr;
  mutable std::shared_ptr<const Value> hold;
  // A map built by `dict`: its entries are the V's it was given, shared rather than copied (Go's
  // maps hold references), so `dict "root" $` costs no copy of $. Materialized into a Value only
  // when something other than field access, include/template or set/unset/merge needs it.
  std::shared_ptr<DictNode> dict;

  static V Invalid() { return V{}; }
  static V NilIface() {
    V v;
    v.k = kNil;
    v.iface = true;
    return v;
  }
  static V Own(Value val, bool iface = false) {
    V v;
    v.hold = std::make_shared<Value>(std::move(val));  // mutable: see MutatesFirstArg
    v.p_ = v.hold.get();
    v.k = v.p_->is_null() ? kNil : kVal;
    v.iface = iface || v.k == kNil;
    return v;
  }
  // A value inside `parent`'s storage (parent.p() was called, so parent.hold is set).
  static V Child(const V& parent, const Value* child) {
    V v;
    v.hold = parent.hold;
    v.p_ = child;
    v.k = child->is_null() ? kNil : kVal;
    v.iface = true;
    return v;
  }
  static V Borrow(const Value* val) {
    V v;
    v.p_ = val;
    v.k = val->is_null() ? kNil : kVal;
    return v;
  }
  static V Dict(std::shared_ptr<DictNode> node) {
    V v;
    v.k = kVal;
    v.iface = true;
    v.dict = std::move(node);
    return v;
  }
  bool valid() const { return k != kInvalid; }
  // The value as JSON (materializing a dict).
  inline const Value* p() const;
  // The JSON form for function arguments (nil for invalid/nil).
  Value ToValue() const { return k == kVal ? *p() : Value(); }
  // Go's type name of the static type.
  std::string TypeName() const {
    if (iface) return "interface {}";
    if (k != kVal) return "<nil>";
    if (dict) return "map[string]interface {}";
    return GoTypeName(*p());
  }
  // Drops the interface wrapper (reflect.ValueOf(v.Interface())).
  V Dig() const {
    if (!iface) return *this;
    if (k == kNil) return Invalid();
    V c = *this;
    c.iface = false;
    return c;
  }
};

struct DictNode {
  std::map<std::string, V, std::less<>> entries;
  uint64_t version = 0;  // bumped by every change of entries
  std::shared_ptr<const Value> cache;
  uint64_t cache_version = 0;

  const std::shared_ptr<const Value>& Materialize() {
    if (!cache || cache_version != version) {
      auto out = std::make_shared<Value>(Value::object());
      for (const auto& [key, v] : entries) (*out)[key] = v.k == V::kVal ? *v.p() : Value();
      cache = std::move(out);
      cache_version = version;
    }
    return cache;
  }
};

const Value* V::p() const {
  if (dict) {
    hold = dict->Materialize();
    p_ = hold.get();
  }
  return p_;
}

struct ExecError {
  std::string msg;
};
struct BreakSignal {};
struct ContinueSignal {};

// Shared by every state of one top-level execution (Helm's per-render function map).
struct RenderCtx {
  std::map<std::string, int, std::less<>> included;
  // Map entries that set/unset/merge removed or replaced in place. Variables may still point
  // into them (`$x := .Values.a` then `unset .Values "a"`): kept alive until the render ends,
  // they keep the value the variable had, as a Go interface copy would.
  std::vector<Value::object_t::node_type> graveyard;
};

// tpl's own templates, looked up after the chart's (Helm parses the reference templates after
// the tpl text, skipping the calling file).
struct Overlay {
  std::string name;  // the calling template's name: the tpl text is this template
  std::vector<std::unique_ptr<Tree>> trees;
  const Overlay* parent = nullptr;
  const Tree* Find(std::string_view n) const {
    for (const auto& t : trees)
      if (t->name == n) return t.get();
    return nullptr;
  }
};

bool IsBasicKind(const V& v, int* kind) {
  // 0 invalid, 1 bool, 2 int, 3 uint, 4 float, 5 string
  if (v.k != V::kVal) {
    *kind = 0;
    return false;
  }
  const Value& x = *v.p();
  switch (x.type()) {
    case Value::value_t::boolean:
      *kind = 1;
      return true;
    case Value::value_t::number_integer:
      *kind = 2;
      return true;
    case Value::value_t::number_unsigned:
      *kind = x.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? 3 : 2;
      return true;
    case Value::value_t::number_float:
      *kind = 4;
      return true;
    case Value::value_t::string:
      *kind = 5;
      return true;
    default:
      *kind = 0;
      return false;
  }
}

int64_t AsInt(const Value& x) {
  return x.is_number_unsigned() ? static_cast<int64_t>(x.get<uint64_t>()) : x.get<int64_t>();
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsEscape(std::string_view b) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    unsigned char c = b[i];
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          continue;
        case '\'':
          out += "\\'";
          continue;
        case '"':
          out += "\\\"";
          continue;
        case '<':
          out += "\\u003C";
          continue;
        case '>':
          out += "\\u003E";
          continue;
        case '&':
          out += "\\u0026";
          continue;
        case '=':
          out += "\\u003D";
          continue;
        default:
          break;
      }
      if (c < ' ') {
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
        continue;
      }
      out += static_cast<char>(c);
      continue;
    }
    // Non-ASCII: printable runes are kept as is.
    size_t w = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (i + w > b.size()) w = 1;
    uint32_t r = w == 1 ? 0xFFFD : (c & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07));
    for (size_t k = 1; k < w; ++k) r = (r << 6) | (b[i + k] & 0x3F);
    bool printable = r >= 0xA0 && r != 0xAD && !(r >= 0x2028 && r <= 0x202E) && r != 0xFEFF;
    if (w > 1 && printable) {
      out.append(b.substr(i, w));
    } else {
      char buf[16];
      snprintf(buf, sizeof buf, "\\u%04X", r);
      out += buf;
    }
    i += w - 1;
  }
  return out;
}

std::string QueryEscape(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

class State : public FuncContext {
 public:
  State(const TemplateSet& set, const Tree* tmpl, const ExecOptions& opts, RenderCtx* ctx,
        const Overlay* overlay, int depth)
      : set_(set), tmpl_(tmpl), opts_(opts), ctx_(ctx), overlay_(overlay), depth_(depth) {}

  std::string out;

  void Run(const V& dot) {
    vars_.push_back({"$", dot});
    if (!tmpl_->root) Errorf(GoQuote(tmpl_->name) + " is an incomplete or empty template");
    Walk(dot, tmpl_->root.get());
  }

  // FuncContext
  std::expected<std::string, std::string> ExecuteTemplate(std::string_view name,
                                                          const Value& data) override {
    auto owned = std::make_shared<Value>(data);
    V d;
    d.hold = owned;
    d.p_ = owned.get();
    d.k = owned->is_null() ? V::kInvalid : V::kVal;
    return Include(name, d);
  }
  std::expected<std::string, std::string> ExecuteText(std::string_view text,
                                                      const Value& data) override {
    auto owned = std::make_shared<Value>(data);
    V d;
    d.hold = owned;
    d.p_ = owned.get();
    d.k = owned->is_null() ? V::kNil : V::kVal;
    return Tpl(std::string(text), d);
  }
  std::string CurrentTemplateName() const override { return tmpl_->name; }

 private:
  const TemplateSet& set_;
  const Tree* tmpl_;
  const ExecOptions& opts_;
  RenderCtx* ctx_;
  const Overlay* overlay_;
  int depth_;
  const Node* node_ = nullptr;
  std::vector<std::pair<std::string, V>> vars_;

  // ---- errors ----
  [[noreturn]] void Errorf(const std::string& msg) {
    std::string name = tmpl_->name;
    if (!node_) throw ExecError{"template: " + name + ": " + msg};
    const Tree* t = node_->tree ? node_->tree : tmpl_;
    std::string ctx = node_->String();
    throw ExecError{"template: " + t->Location(*node_) + ": executing " + GoQuote(name) + " at <" +
                    ctx + ">: " + msg};
  }
  void At(const Node* n) { node_ = n; }

  const Tree* LookupTemplate(std::string_view name) const {
    for (const Overlay* o = overlay_; o; o = o->parent) {
      if (const Tree* t = set_.Lookup(name, o->name)) {
        if (!IsEmptyTree(t->root.get())) return t;
        if (const Tree* ot = o->Find(name)) return ot;
        return t;
      }
      if (const Tree* ot = o->Find(name)) return ot;
    }
    return set_.Lookup(name);
  }

  // ---- output ----
  void Write(std::string_view s) {
    if (out.size() + s.size() > opts_.max_output_bytes) {
      Errorf("rendered output exceeds the limit of " + std::to_string(opts_.max_output_bytes) +
             " bytes");
    }
    out.append(s);
  }

  // ---- variables ----
  void SetVar(const std::string& name, const V& v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return;
      }
    }
    Errorf("undefined variable: " + name);
  }
  V VarValue(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return vars_[i].second;
    }
    Errorf("undefined variable: " + name);
  }

  // ---- walk ----
  void Walk(const V& dot, const Node* node) {
    At(node);
    switch (node->type) {
      case NodeType::kAction: {
        auto* a = static_cast<const ActionNode*>(node);
        V val = EvalPipeline(dot, a->pipe.get());
        if (a->pipe->decl.empty()) PrintValue(node, val);
        break;
      }
      case NodeType::kComment:
        break;
      case NodeType::kIf:
      case NodeType::kWith:
        WalkIfOrWith(dot, static_cast<const BranchNode*>(node));
        break;
      case NodeType::kList:
        for (const auto& n : static_cast<const ListNode*>(node)->nodes) Walk(dot, n.get());
        break;
      case NodeType::kRange:
        WalkRange(dot, static_cast<const BranchNode*>(node));
        break;
      case NodeType::kTemplate:
        WalkTemplate(dot, static_cast<const TemplateNode*>(node));
        break;
      case NodeType::kText:
        Write(static_cast<const TextNode*>(node)->text);
        break;
      case NodeType::kBreak:
        throw BreakSignal{};
      case NodeType::kContinue:
        throw ContinueSignal{};
      default:
        Errorf("unknown node: " + node->String());
    }
  }

  static bool Truth(const V& v) {
    if (v.k != V::kVal) return false;
    return GoTruth(*v.p());
  }

  void WalkIfOrWith(const V& dot, const BranchNode* n) {
    size_t mark = vars_.size();
    V val = EvalPipeline(dot, n->pipe.get());
    if (Truth(val)) {
      if (n->type == NodeType::kWith) {
        Walk(val, n->list.get());
      } else {
        Walk(dot, n->list.get());
      }
    } else if (n->else_list) {
      Walk(dot, n->else_list.get());
    }
    vars_.resize(mark);
  }

  void WalkRange(const V& dot, const BranchNode* r) {
    At(r);
    size_t outer = vars_.size();
    V val = EvalPipeline(dot, r->pipe.get());
    if (val.k == V::kNil) {
      At(r);
      Errorf("range can't iterate over <nil>");
    }
    size_t mark = vars_.size();
    size_t ndecl = r->pipe->decl.size();
    // Returns false on break.
    auto one = [&](const V& index, const V& elem) -> bool {
      if (ndecl > 0) vars_[vars_.size() - 1].second = elem;
      if (ndecl > 1) vars_[vars_.size() - 2].second = index;
      bool cont = true;
      try {
        Walk(elem, r->list.get());
      } catch (const ContinueSignal&) {
      } catch (const BreakSignal&) {
        cont = false;
      }
      vars_.resize(mark);
      return cont;
    };
    bool iterated = false;
    if (val.k == V::kVal) {
      const Value& x = *val.p();
      if (x.is_array()) {
        if (!x.empty()) {
          iterated = true;
          for (size_t i = 0; i < x.size(); ++i) {
            if (!one(V::Own(Value(static_cast<int64_t>(i))), V::Child(val, &x[i]))) break;
          }
        }
      } else if (x.is_object() && !x.contains(std::string(kGoTypeKey))) {
        if (!x.empty()) {
          iterated = true;
          // Go ranges over the keys sorted up front: a key that set/merge adds during the loop
          // is not visited, one that unset removes yields no element.
          std::vector<std::string> keys;
          keys.reserve(x.size());
          for (auto it = x.begin(); it != x.end(); ++it) keys.push_back(it.key());
          for (const auto& key : keys) {
            auto it = x.find(key);
            V elem = it == x.end() ? V::Invalid() : V::Child(val, &it.value());
            if (!one(V::Own(Value(key)), elem)) break;
          }
        }
      } else if (IsGoType(x, kFilesGoType) && x.contains("files") && x["files"].is_object()) {
        const Value& files = x["files"];
        if (!files.empty()) {
          iterated = true;
          std::vector<std::string> keys;
          for (auto it = files.begin(); it != files.end(); ++it) keys.push_back(it.key());
          for (const auto& key : keys) {
            auto it = files.find(key);
            if (it == files.end() || !it->is_string()) continue;
            const std::string& data = it->get_ref<const std::string&>();
            V elem =
                V::Own(Value::binary(std::vector<std::uint8_t>(data.begin(), data.end())), true);
            if (!one(V::Own(Value(key)), elem)) break;
          }
        }
      } else if (x.is_number_integer()) {
        if (ndecl > 1) {
          At(r);
          Errorf("can't use " + FormatValue(x) + " to iterate over more than one variable");
        }
        int64_t n = AsInt(x);
        if (n > 0) {
          iterated = true;
          for (int64_t i = 0; i < n; ++i) {
            V iv = V::Own(Value(i));
            if (!one(iv, iv)) break;
          }
        }
      } else {
        At(r);
        Errorf("range can't iterate over " + FormatValue(x));
      }
    }
    if (!iterated && r->else_list) Walk(dot, r->else_list.get());
    vars_.resize(outer);
  }

  void WalkTemplate(const V& dot, const TemplateNode* t) {
    At(t);
    const Tree* tmpl = LookupTemplate(t->name);
    if (!tmpl) Errorf("template " + GoQuote(t->name) + " not defined");
    if (depth_ >= opts_.max_depth) {
      Errorf("exceeded maximum template depth (" + std::to_string(opts_.max_depth) + ")");
    }
    V ndot = EvalPipeline(dot, t->pipe.get());
    State ns(set_, tmpl, opts_, ctx_, overlay_, depth_ + 1);
    ns.vars_.push_back({"$", ndot});
    ns.out.swap(out);
    try {
      ns.Walk(ndot, tmpl->root.get());
    } catch (...) {
      out.swap(ns.out);
      throw;
    }
    out.swap(ns.out);
  }

  // ---- evaluation ----
  V EvalPipeline(const V& dot, const PipeNode* pipe) {
    if (!pipe) return V::Invalid();
    At(pipe);
    std::optional<V> value;
    for (const auto& cmd : pipe->cmds) {
      value = EvalCommand(dot, cmd.get(), value);
      value = value->Dig();
    }
    V v = value ? *value : V::Invalid();
    for (const auto& var : pipe->decl) {
      if (pipe->is_assign) {
        SetVar(var->ident[0], v);
      } else {
        vars_.push_back({var->ident[0], v});
      }
    }
    return v;
  }

  void NotAFunction(const std::vector<NodePtr>& args, const std::optional<V>& final) {
    if (args.size() > 1 || final) {
      Errorf("can't give argument to non-function " + args[0]->String());
    }
  }

  V EvalCommand(const V& dot, const CommandNode* cmd, const std::optional<V>& final) {
    const Node* first = cmd->args[0].get();
    switch (first->type) {
      case NodeType::kField:
        return EvalFieldNode(dot, static_cast<const FieldNode*>(first), &cmd->args, final);
      case NodeType::kChain:
        return EvalChainNode(dot, static_cast<const ChainNode*>(first), &cmd->args, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, static_cast<const IdentifierNode*>(first), cmd, &cmd->args, final);
      case NodeType::kPipe:
        NotAFunction(cmd->args, final);
        return EvalPipeline(dot, static_cast<const PipeNode*>(first));
      case NodeType::kVariable:
        return EvalVariableNode(dot, static_cast<const VariableNode*>(first), &cmd->args, final);
      default:
        break;
    }
    At(first);
    NotAFunction(cmd->args, final);
    switch (first->type) {
      case NodeType::kBool:
        return V::Own(Value(static_cast<const BoolNode*>(first)->value));
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        Errorf("nil is not a command");
      case NodeType::kNumber:
        return IdealConstant(static_cast<const NumberNode*>(first));
      case NodeType::kString:
        return V::Own(Value(static_cast<const StringNode*>(first)->text));
      default:
        break;
    }
    Errorf("can't evaluate command " + GoQuote(first->String()));
  }

  V IdealConstant(const NumberNode* c) {
    At(c);
    const std::string& t = c->text;
    bool is_hex_int = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
                      t.find_first_of("pP") == std::string::npos;
    bool is_rune = !t.empty() && t[0] == '\'';
    if (c->is_complex) Errorf("complex constants are not supported");
    if (c->is_float && !is_hex_int && !is_rune && t.find_first_of(".eEpP") != std::string::npos) {
      return V::Own(Value(c->float64));
    }
    if (c->is_int) return V::Own(Value(c->int64));
    if (c->is_uint) Errorf(t + " overflows int");
    return V::Invalid();
  }

  V EvalFieldNode(const V& dot, const FieldNode* field, const std::vector<NodePtr>* args,
                  const std::optional<V>& final) {
    At(field);
    return EvalFieldChain(dot, dot, field, field->ident, 0, args, final);
  }

  V EvalChainNode(const V& dot, const ChainNode* chain, const std::vector<NodePtr>* args,
                  const std::optional<V>& final) {
    At(chain);
    if (chain->field.empty()) Errorf("internal error: no fields in evalChainNode");
    if (chain->node->type == NodeType::kNil) {
      Errorf("indirection through explicit nil in " + chain->String());
    }
    V pipe = EvalArg(dot, chain->node.get());
    return EvalFieldChain(dot, pipe, chain, chain->field, 0, args, final);
  }

  V EvalVariableNode(const V& dot, const VariableNode* var, const std::vector<NodePtr>* args,
                     const std::optional<V>& final) {
    At(var);
    V value = VarValue(var->ident[0]);
    if (var->ident.size() == 1) {
      if (args) NotAFunction(*args, final);
      return value;
    }
    return EvalFieldChain(dot, value, var, var->ident, 1, args, final);
  }

  V EvalFieldChain(const V& dot, V receiver, const Node* node,
                   const std::vector<std::string>& ident, size_t from,
                   const std::vector<NodePtr>* args, const std::optional<V>& final) {
    size_t n = ident.size();
    for (size_t i = from; i + 1 < n; ++i) {
      receiver = EvalField(dot, ident[i], node, nullptr, std::nullopt, receiver);
    }
    return EvalField(dot, ident[n - 1], node, args, final, receiver);
  }

  V EvalField(const V& dot, const std::string& field, const Node* node,
              const std::vector<NodePtr>* args, const std::optional<V>& final, const V& receiver) {
    if (!receiver.valid()) return V::Invalid();
    if (receiver.k == V::kNil) {
      Errorf("nil pointer evaluating " + receiver.TypeName() + "." + field);
    }
    if (receiver.dict && !FindMethod("map[string]interface {}", field)) {
      bool has_args = (args && args->size() > 1) || final.has_value();
      if (has_args) Errorf(field + " is not a method but has arguments");
      auto it = receiver.dict->entries.find(field);
      if (it == receiver.dict->entries.end()) return V::NilIface();
      return it->second;
    }
    std::string typ = receiver.TypeName();
    const Value& x = *receiver.p();
    std::string gotype = GoTypeName(x);
    if (auto m = FindMethod(gotype, field)) {
      return CallMethod(dot, *m, receiver, node, field, args, final);
    }
    bool has_args = (args && args->size() > 1) || final.has_value();
    if (x.is_object()) {
      bool is_struct = x.contains(std::string(kGoTypeKey));
      auto it = x.find(field);
      if (is_struct) {
        if (it != x.end() && field != kGoTypeKey) {
          if (has_args) Errorf(field + " has arguments but cannot be invoked as function");
          V c = V::Child(receiver, &*it);
          c.iface = false;
          if (c.k == V::kNil) c.iface = true;
          return c;
        }
      } else {
        if (has_args) Errorf(field + " is not a method but has arguments");
        if (it == x.end()) return V::NilIface();
        return V::Child(receiver, &*it);
      }
    }
    Errorf("can't evaluate field " + field + " in type " + typ);
  }

  V CallMethod(const V& dot, const MethodEntry& m, const V& receiver, const Node* node,
               const std::string& name, const std::vector<NodePtr>* args,
               const std::optional<V>& final) {
    std::vector<Value> argv;
    size_t nargs = args ? args->size() - 1 : 0;
    size_t num_in = nargs + (final ? 1 : 0);
    if (static_cast<int>(num_in) != m.num_args) {
      Errorf("wrong number of args for " + name + ": want " + std::to_string(m.num_args) + " got " +
             std::to_string(num_in));
    }
    for (size_t i = 0; i < nargs; ++i) argv.push_back(EvalArg(dot, (*args)[i + 1].get()).ToValue());
    if (final) argv.push_back(final->ToValue());
    auto r = m.fn(*receiver.p(), argv);
    if (!r) {
      At(node);
      Errorf("error calling " + name + ": " + r.error());
    }
    return V::Own(std::move(*r));
  }

  V EvalFunction(const V& dot, const IdentifierNode* node, const Node* cmd,
                 const std::vector<NodePtr>* args, const std::optional<V>& final) {
    At(node);
    const std::string& name = node->ident;
    const FuncMap& funcs = set_.funcs();
    auto it = funcs.find(name);
    if (it != funcs.end()) {
      if (name == "include") return CallInclude(dot, node, cmd, args, final);
      if (name == "tpl") return CallTpl(dot, node, cmd, args, final);
      if (name == "dict") return CallDict(dot, args, final);
      return CallFunc(dot, it->second, cmd, name, args, final);
    }
    if (Builtins().contains(name)) return CallBuiltin(dot, node, cmd, name, args, final);
    Errorf(GoQuote(name) + " is not a defined function");
  }

  // Evaluates the arguments of a call (without the function name) plus the final value.
  std::vector<V> EvalArgs(const V& dot, const std::vector<NodePtr>* args,
                          const std::optional<V>& final) {
    std::vector<V> out;
    if (args) {
      for (size_t i = 1; i < args->size(); ++i) out.push_back(EvalArg(dot, (*args)[i].get()));
    }
    if (final) out.push_back(*final);
    return out;
  }

  size_t NumArgs(const std::vector<NodePtr>* args) const { return args ? args->size() - 1 : 0; }

  void CheckArity(const std::string& name, const std::vector<NodePtr>* args,
                  const std::optional<V>& final, int fixed, bool variadic) {
    size_t nargs = NumArgs(args);
    size_t num_in = nargs + (final ? 1 : 0);
    if (variadic) {
      if (static_cast<int>(num_in) < fixed) {
        Errorf("wrong number of args for " + name + ": want at least " + std::to_string(fixed) +
               " got " + std::to_string(nargs));
      }
    } else if (static_cast<int>(num_in) != fixed) {
      Errorf("wrong number of args for " + name + ": want " + std::to_string(fixed) + " got " +
             std::to_string(num_in));
    }
  }

  // Sprig functions that change the map they are given (Go maps are references): the engine
  // writes their result back into the first argument's storage, so `$_ := set $d "k" 1` and
  // `set .Values "k" 1` are seen by every later use of $d or .Values, as in Helm.
  static bool MutatesFirstArg(std::string_view name) {
    return name == "set" || name == "unset" || name == "merge" || name == "mergeOverwrite" ||
           name == "mustMerge" || name == "mustMergeOverwrite";
  }

  V CallFunc(const V& dot, const Function& fn, const Node* cmd, const std::string& name,
             const std::vector<NodePtr>* args, const std::optional<V>& final) {
    std::vector<V> vargs = EvalArgs(dot, args, final);
    V first = vargs.empty() ? V() : vargs[0];
    // set/unset on a dict change its entries in place: the value set is shared, not copied.
    if (first.dict &&
        ((name == "set" && vargs.size() == 3) || (name == "unset" && vargs.size() == 2)) &&
        vargs[1].k == V::kVal && !vargs[1].dict && vargs[1].p()->is_string()) {
      DictNode& d = *first.dict;
      const std::string& key = vargs[1].p()->get_ref<const std::string&>();
      if (name == "set") {
        V val = vargs[2].k == V::kVal ? vargs[2] : V::NilIface();
        val.iface = true;
        d.entries[key] = std::move(val);
      } else {
        d.entries.erase(key);
      }
      ++d.version;
      return V::Dict(first.dict);
    }
    std::vector<Value> argv;
    argv.reserve(vargs.size());
    for (const auto& a : vargs) argv.push_back(a.ToValue());
    auto r = fn(*this, argv);
    if (!r) {
      At(cmd);
      if (r.error().starts_with(kRawCallError)) Errorf(r.error().substr(kRawCallError.size()));
      Errorf("error calling " + name + ": " + r.error());
    }
    if (MutatesFirstArg(name) && first.k == V::kVal && first.dict && r->is_object()) {
      // merge and friends on a dict: entries the function changed become its values.
      DictNode& d = *first.dict;
      std::shared_ptr<const Value> before = d.Materialize();
      for (auto it = d.entries.begin(); it != d.entries.end();) {
        if (!r->contains(it->first)) {
          it = d.entries.erase(it);
        } else {
          ++it;
        }
      }
      for (const auto& [k, v] : r->items()) {
        auto b = before->find(k);
        if (b == before->end() || *b != v) d.entries[k] = V::Own(v, true);
      }
      ++d.version;
      return V::Dict(first.dict);
    }
    if (MutatesFirstArg(name) && first.k == V::kVal && first.hold && first.p()->is_object() &&
        r->is_object()) {
      // Every V's storage is a non-const Value owned through `hold` (V::Own), so this write is
      // to a mutable object. Only changed keys are touched, so other V's pointing at unchanged
      // entries (range variables) stay valid; V's pointing at changed ones keep the old value.
      // Removed and replaced entries move to the graveyard instead of being destroyed.
      auto& target = const_cast<Value*>(first.p())->get_ref<Value::object_t&>();
      for (auto it = target.begin(); it != target.end();) {
        if (!r->contains(it->first)) {
          auto next = std::next(it);
          ctx_->graveyard.push_back(target.extract(it));
          it = next;
        } else {
          ++it;
        }
      }
      for (const auto& [k, v] : r->items()) {
        auto t = target.find(k);
        if (t != target.end() && t->second == v) continue;
        if (t != target.end()) ctx_->graveyard.push_back(target.extract(t));
        target.emplace(k, v);
      }
    }
    return V::Own(std::move(*r), true);
  }

  // Sprig's dict, built here to copy each argument once (charts pass `$` in dicts a lot):
  // keys are strval(key) (strings as is, others as %v), a missing last value is "".
  V CallDict(const V& dot, const std::vector<NodePtr>* args, const std::optional<V>& final) {
    auto a = EvalArgs(dot, args, final);
    auto node = std::make_shared<DictNode>();
    for (size_t i = 0; i < a.size(); i += 2) {
      std::string key;
      if (a[i].k == V::kVal) {
        key = a[i].p()->is_string() ? a[i].p()->get<std::string>() : FormatValue(*a[i].p());
      } else {
        key = "<nil>";
      }
      V val;
      if (i + 1 >= a.size()) {
        val = V::Own(Value(""), true);
      } else if (a[i + 1].k == V::kVal) {
        val = a[i + 1];
        val.iface = true;
      } else {
        val = V::NilIface();
      }
      node->entries[key] = std::move(val);
    }
    return V::Dict(std::move(node));
  }

  // validateType(value, string) for a typed string parameter, at `n`.
  std::string ExpectString(const V& v, const Node* n) {
    At(n);
    if (v.k == V::kInvalid) Errorf("invalid value; expected string");
    if (v.k == V::kNil) Errorf("wrong type for value; expected string; got interface {}");
    if (!v.p()->is_string()) {
      Errorf("wrong type for value; expected string; got " + GoTypeName(*v.p()));
    }
    return v.p()->get<std::string>();
  }

  // Evaluates a typed string argument (evalArg with typ string).
  std::string StringArg(const V& dot, const Node* n) {
    At(n);
    switch (n->type) {
      case NodeType::kString:
        return static_cast<const StringNode*>(n)->text;
      case NodeType::kNumber:
      case NodeType::kBool:
        Errorf("expected string; found " + n->String());
      case NodeType::kNil:
        Errorf("cannot assign nil to string");
      default:
        break;
    }
    V v = EvalArg(dot, n);
    return ExpectString(v, n);
  }

  V CallInclude(const V& dot, const IdentifierNode* node, const Node* cmd,
                const std::vector<NodePtr>* args, const std::optional<V>& final) {
    CheckArity("include", args, final, 2, false);
    std::string name;
    V data;
    size_t nargs = NumArgs(args);
    if (nargs >= 1) {
      name = StringArg(dot, (*args)[1].get());
    } else {
      name = ExpectString(*final, cmd);
    }
    if (nargs >= 2) {
      data = EvalArg(dot, (*args)[2].get());
    } else {
      data = *final;
    }
    auto r = Include(name, data.Dig());
    if (!r) {
      At(cmd);
      Errorf("error calling include: " + r.error());
    }
    return V::Own(Value(std::move(*r)));
  }

  std::expected<std::string, std::string> Include(std::string_view name, const V& data) {
    auto it = ctx_->included.find(name);
    if (it != ctx_->included.end()) {
      if (it->second > opts_.max_include_depth) {
        return std::unexpected("rendering template has a nested reference name: " +
                               std::string(name) + ": unable to execute template");
      }
      ++it->second;
    } else {
      it = ctx_->included.emplace(std::string(name), 1).first;
    }
    struct Dec {
      int& c;
      ~Dec() { --c; }
    } dec{it->second};
    const Tree* t = LookupTemplate(name);
    if (!t) {
      return std::unexpected("template: no template " + GoQuote(name) +
                             " associated with template \"gotpl\"");
    }
    if (depth_ >= opts_.max_depth) {
      return std::unexpected("template: " + std::string(name) +
                             ": exceeded maximum template depth (" +
                             std::to_string(opts_.max_depth) + ")");
    }
    State ns(set_, t, opts_, ctx_, overlay_, depth_ + 1);
    try {
      ns.Run(data);
    } catch (const ExecError& e) {
      return std::unexpected(e.msg);
    }
    return std::move(ns.out);
  }

  V CallTpl(const V& dot, const IdentifierNode* node, const Node* cmd,
            const std::vector<NodePtr>* args, const std::optional<V>& final) {
    CheckArity("tpl", args, final, 2, false);
    size_t nargs = NumArgs(args);
    std::string text = nargs >= 1 ? StringArg(dot, (*args)[1].get()) : ExpectString(*final, cmd);
    V vals = nargs >= 2 ? EvalArg(dot, (*args)[2].get()) : *final;
    At(nargs >= 2 ? (*args)[2].get() : cmd);
    vals = vals.Dig();
    if (vals.k == V::kVal &&
        (!vals.p()->is_object() || vals.p()->contains(std::string(kGoTypeKey)))) {
      Errorf("wrong type for value; expected chartutil.Values; got " + GoTypeName(*vals.p()));
    }
    auto r = Tpl(text, vals);
    if (!r) {
      At(cmd);
      Errorf("error calling tpl: " + r.error());
    }
    return V::Own(Value(std::move(*r)));
  }

  std::expected<std::string, std::string> Tpl(const std::string& text, const V& vals) {
    const Value* tv = nullptr;
    if (vals.k == V::kVal && vals.p()->is_object()) {
      auto it = vals.p()->find("Template");
      if (it != vals.p()->end() && it->is_object()) tv = &*it;
    }
    auto path_err = [&](const std::string& what, const std::string& key) {
      return std::unexpected("cannot retrieve Template." + what +
                             " from values inside tpl function: " + text + ": " + GoQuote(key) +
                             " is not a value");
    };
    if (!tv || !tv->contains("BasePath")) return path_err("Basepath", "BasePath");
    if (!tv->contains("Name") || !(*tv)["Name"].is_string()) return path_err("Name", "Name");
    std::string tname = (*tv)["Name"].get<std::string>();
    const FuncMap& funcs = set_.funcs();
    auto has_fn = [&](std::string_view n) {
      return funcs.find(n) != funcs.end() || Builtins().contains(n);
    };
    auto trees = tmpl::Parse(tname, text, has_fn);
    if (!trees) {
      return std::unexpected("error during tpl function execution for " + GoQuote(text) + ": " +
                             CleanupParseError(tname, trees.error()));
    }
    Overlay ov;
    ov.name = tname;
    ov.trees = std::move(*trees);
    ov.parent = overlay_;
    const Tree* top = ov.Find(tname);
    if (depth_ >= opts_.max_depth) {
      return std::unexpected("template: " + tname + ": exceeded maximum template depth (" +
                             std::to_string(opts_.max_depth) + ")");
    }
    RenderCtx fresh;  // tpl renders with a fresh function map (fresh include counters)
    State ns(set_, top, opts_, &fresh, &ov, depth_ + 1);
    try {
      ns.Run(vals);
    } catch (const ExecError& e) {
      return std::unexpected("error during tpl function execution for " + GoQuote(text) + ": " +
                             CleanupExecError(tname, e.msg));
    }
    std::string result = std::move(ns.out);
    // Helm strips "<no value>" from every rendered template, tpl results included.
    size_t pos = 0;
    while ((pos = result.find("<no value>", pos)) != std::string::npos) result.erase(pos, 10);
    return result;
  }

  // ---- builtins ----
  V CallBuiltin(const V& dot, const IdentifierNode* node, const Node* cmd, const std::string& name,
                const std::vector<NodePtr>* args, const std::optional<V>& final) {
    auto fail = [&](const std::string& msg) {
      At(cmd);
      Errorf("error calling " + name + ": " + msg);
    };
    if (name == "and" || name == "or") {
      CheckArity(name, args, final, 1, true);
      bool is_or = name == "or";
      V v;
      if (args) {
        for (size_t i = 1; i < args->size(); ++i) {
          v = EvalArg(dot, (*args)[i].get()).Dig();
          if (Truth(v) == is_or) return v;
        }
      }
      if (final) v = final->Dig();
      return v;
    }
    if (name == "not") {
      CheckArity(name, args, final, 1, false);
      auto a = EvalArgs(dot, args, final);
      return V::Own(Value(!Truth(a[0].Dig())));
    }
    if (name == "len") {
      CheckArity(name, args, final, 1, false);
      auto a = EvalArgs(dot, args, final);
      V item = a[0];
      if (item.k == V::kInvalid) fail("reflect: call of reflect.Value.Type on zero Value");
      if (item.k == V::kNil) fail("len of nil pointer");
      const Value& x = *item.p();
      if (x.is_string())
        return V::Own(Value(static_cast<int64_t>(x.get_ref<const std::string&>().size())));
      if (x.is_array() || (x.is_object() && !x.contains(std::string(kGoTypeKey)))) {
        return V::Own(Value(static_cast<int64_t>(x.size())));
      }
      if (x.is_binary()) return V::Own(Value(static_cast<int64_t>(x.get_binary().size())));
      if (IsGoType(x, kFilesGoType) && x.contains("files"))
        return V::Own(Value(static_cast<int64_t>(x["files"].size())));
      fail("len of type " + GoTypeName(x));
    }
    if (name == "index") {
      CheckArity(name, args, final, 1, true);
      auto a = EvalArgs(dot, args, final);
      V item = a[0].Dig();
      if (!item.valid()) fail("index of untyped nil");
      for (size_t i = 1; i < a.size(); ++i) {
        V index = a[i].Dig();
        if (item.k == V::kNil) fail("index of nil pointer");
        const Value& x = *item.p();
        if (x.is_array() || x.is_string()) {
          size_t len = x.is_array() ? x.size() : x.get_ref<const std::string&>().size();
          int64_t idx = IndexArg(index, len, fail);
          if (static_cast<size_t>(idx) == len) fail("index out of range: " + std::to_string(idx));
          if (x.is_array()) {
            item = V::Child(item, &x[idx]);
          } else {
            item = V::Own(Value(static_cast<int64_t>(
                static_cast<unsigned char>(x.get_ref<const std::string&>()[idx]))));
          }
        } else if (x.is_object() && !x.contains(std::string(kGoTypeKey))) {
          if (!index.valid()) fail("value is nil; should be of type string");
          if (index.k == V::kNil || !index.p()->is_string()) {
            fail("value has type " + index.TypeName() + "; should be string");
          }
          auto it = x.find(index.p()->get<std::string>());
          item = it == x.end() ? V::NilIface() : V::Child(item, &*it);
        } else {
          fail("can't index item of type " + GoTypeName(x));
        }
      }
      return item;
    }
    if (name == "slice") {
      CheckArity(name, args, final, 1, true);
      auto a = EvalArgs(dot, args, final);
      V item = a[0].Dig();
      if (!item.valid() || item.k == V::kNil) fail("slice of untyped nil");
      if (a.size() - 1 > 3) fail("too many slice indexes: " + std::to_string(a.size() - 1));
      const Value& x = *item.p();
      size_t cap;
      if (x.is_string()) {
        if (a.size() - 1 == 3) fail("cannot 3-index slice a string");
        cap = x.get_ref<const std::string&>().size();
      } else if (x.is_array()) {
        cap = x.size();
      } else {
        fail("can't slice item of type " + GoTypeName(x));
      }
      int64_t idx[3] = {0, static_cast<int64_t>(cap), static_cast<int64_t>(cap)};
      for (size_t i = 1; i < a.size(); ++i) idx[i - 1] = IndexArg(a[i].Dig(), cap, fail);
      if (idx[0] > idx[1]) {
        fail("invalid slice index: " + std::to_string(idx[0]) + " > " + std::to_string(idx[1]));
      }
      if (a.size() - 1 == 3 && idx[1] > idx[2]) {
        fail("invalid slice index: " + std::to_string(idx[1]) + " > " + std::to_string(idx[2]));
      }
      if (x.is_string()) {
        return V::Own(Value(x.get_ref<const std::string&>().substr(idx[0], idx[1] - idx[0])));
      }
      Value out = Value::array();
      for (int64_t i = idx[0]; i < idx[1]; ++i) out.push_back(x[i]);
      return V::Own(std::move(out));
    }
    if (name == "print" || name == "println") {
      auto a = EvalArgs(dot, args, final);
      std::vector<Value> vals;
      for (const auto& v : a) vals.push_back(v.ToValue());
      return V::Own(Value(name == "print" ? Sprint(vals) : Sprintln(vals)));
    }
    if (name == "printf") {
      CheckArity(name, args, final, 1, true);
      std::string format;
      std::vector<Value> vals;
      size_t nargs = NumArgs(args);
      if (nargs >= 1) {
        format = StringArg(dot, (*args)[1].get());
        for (size_t i = 2; i < args->size(); ++i)
          vals.push_back(EvalArg(dot, (*args)[i].get()).ToValue());
        if (final) vals.push_back(final->ToValue());
      } else {
        format = ExpectString(*final, cmd);
      }
      return V::Own(Value(Sprintf(format, vals)));
    }
    if (name == "html" || name == "js" || name == "urlquery") {
      auto a = EvalArgs(dot, args, final);
      std::string s;
      if (a.size() == 1 && a[0].k == V::kVal && a[0].p()->is_string()) {
        s = a[0].p()->get<std::string>();
      } else {
        std::vector<Value> vals;
        for (const auto& v : a) {
          V d = v.Dig();
          vals.push_back(d.k == V::kVal ? *d.p() : Value("<no value>"));
        }
        s = Sprint(vals);
      }
      if (name == "html") return V::Own(Value(HtmlEscape(s)));
      if (name == "js") return V::Own(Value(JsEscape(s)));
      return V::Own(Value(QueryEscape(s)));
    }
    if (name == "call") {
      CheckArity(name, args, final, 1, true);
      auto a = EvalArgs(dot, args, final);
      V fn = a[0].Dig();
      if (!fn.valid() || fn.k == V::kNil) fail("call of nil");
      fail("non-function of type " + GoTypeName(*fn.p()));
    }
    if (name == "eq") {
      CheckArity(name, args, final, 1, true);
      auto a = EvalArgs(dot, args, final);
      V a1 = a[0].Dig();
      if (a.size() == 1) fail("missing argument for comparison");
      int k1;
      IsBasicKind(a1, &k1);
      for (size_t i = 1; i < a.size(); ++i) {
        V b = a[i].Dig();
        int k2;
        IsBasicKind(b, &k2);
        bool truth = false;
        if (k1 != k2) {
          if ((k1 == 2 && k2 == 3) || (k1 == 3 && k2 == 2)) {
            truth = false;  // a negative int never equals a uint beyond int64
          } else if (a1.valid() && b.valid()) {
            fail("incompatible types for comparison");
          }
        } else {
          switch (k1) {
            case 1:
              truth = a1.p()->get<bool>() == b.p()->get<bool>();
              break;
            case 2:
              truth = AsInt(*a1.p()) == AsInt(*b.p());
              break;
            case 3:
              truth = a1.p()->get<uint64_t>() == b.p()->get<uint64_t>();
              break;
            case 4:
              truth = a1.p()->get<double>() == b.p()->get<double>();
              break;
            case 5:
              truth = a1.p()->get_ref<const std::string&>() == b.p()->get_ref<const std::string&>();
              break;
            default: {
              bool n1 = a1.k != V::kVal, n2 = b.k != V::kVal;
              if (n1 || n2) {
                truth = n1 == n2;
              } else {
                const Value& x = *a1.p();
                const Value& y = *b.p();
                bool x_struct = x.is_object() && x.contains(std::string(kGoTypeKey));
                bool y_struct = y.is_object() && y.contains(std::string(kGoTypeKey));
                if (x.type() != y.type() && !(x_struct && y_struct)) {
                  fail("non-comparable types " + FormatValue(x) + ": " + GoTypeName(x) + ", " +
                       GoTypeName(y) + ": " + FormatValue(y));
                }
                if (!y_struct) {
                  fail("non-comparable type " + FormatValue(y) + ": " + GoTypeName(y));
                }
                truth = x == y;
              }
            }
          }
        }
        if (truth) return V::Own(Value(true));
      }
      return V::Own(Value(false));
    }
    if (name == "ne" || name == "lt" || name == "le" || name == "gt" || name == "ge") {
      CheckArity(name, args, final, 2, false);
      auto a = EvalArgs(dot, args, final);
      V a1 = a[0].Dig(), a2 = a[1].Dig();
      if (name == "ne") {
        int k1, k2;
        IsBasicKind(a1, &k1);
        IsBasicKind(a2, &k2);
        bool eq;
        if (k1 != k2) {
          if (a1.valid() && a2.valid() && !((k1 == 2 && k2 == 3) || (k1 == 3 && k2 == 2))) {
            fail("incompatible types for comparison");
          }
          eq = false;
        } else if (k1 == 0) {
          bool n1 = a1.k != V::kVal, n2 = a2.k != V::kVal;
          if (n1 || n2) {
            eq = n1 == n2;
          } else {
            bool y_struct = a2.p()->is_object() && a2.p()->contains(std::string(kGoTypeKey));
            if (a1.p()->type() != a2.p()->type() && !y_struct) {
              fail("non-comparable types " + FormatValue(*a1.p()) + ": " + GoTypeName(*a1.p()) +
                   ", " + GoTypeName(*a2.p()) + ": " + FormatValue(*a2.p()));
            }
            if (!y_struct)
              fail("non-comparable type " + FormatValue(*a2.p()) + ": " + GoTypeName(*a2.p()));
            eq = *a1.p() == *a2.p();
          }
        } else {
          eq = Compare(a1, a2, k1) == 0;
        }
        return V::Own(Value(!eq));
      }
      int k1, k2;
      if (!IsBasicKind(a1, &k1)) fail("invalid type for comparison");
      if (!IsBasicKind(a2, &k2)) fail("invalid type for comparison");
      if (k1 != k2) {
        if (!((k1 == 2 && k2 == 3) || (k1 == 3 && k2 == 2)))
          fail("incompatible types for comparison");
      } else if (k1 == 1) {
        fail("invalid type for comparison");
      }
      int c = k1 != k2 ? (k1 == 2 ? -1 : 1) : Compare(a1, a2, k1);
      bool r = name == "lt" ? c < 0 : name == "le" ? c <= 0 : name == "gt" ? c > 0 : c >= 0;
      return V::Own(Value(r));
    }
    Errorf(GoQuote(name) + " is not a defined function");
  }

  static int Compare(const V& a, const V& b, int kind) {
    switch (kind) {
      case 1:
        return a.p()->get<bool>() == b.p()->get<bool>() ? 0 : 1;
      case 2: {
        int64_t x = AsInt(*a.p()), y = AsInt(*b.p());
        return x < y ? -1 : x > y ? 1 : 0;
      }
      case 3: {
        uint64_t x = a.p()->get<uint64_t>(), y = b.p()->get<uint64_t>();
        return x < y ? -1 : x > y ? 1 : 0;
      }
      case 4: {
        double x = a.p()->get<double>(), y = b.p()->get<double>();
        if (x < y) return -1;
        if (x > y) return 1;
        return x == y ? 0 : 2;  // NaN: neither less nor equal
      }
      case 5: {
        int c = a.p()->get_ref<const std::string&>().compare(b.p()->get_ref<const std::string&>());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
      }
      default:
        return 0;
    }
  }

  template <typename Fail>
  int64_t IndexArg(const V& index, size_t cap, Fail&& fail) {
    if (index.k != V::kVal) fail("cannot index slice/array with nil");
    const Value& x = *index.p();
    if (!x.is_number_integer()) fail("cannot index slice/array with type " + GoTypeName(x));
    int64_t v = AsInt(x);
    if (x.is_number_unsigned() && x.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) v = -1;
    if (v < 0 || static_cast<size_t>(v) > cap) fail("index out of range: " + std::to_string(v));
    return v;
  }

  // evalArg for an interface{} parameter.
  V EvalArg(const V& dot, const Node* n) {
    At(n);
    switch (n->type) {
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        return V::NilIface();
      case NodeType::kField: {
        std::vector<NodePtr> dummy;  // args = [n]: no method arguments
        return EvalFieldNode(dot, static_cast<const FieldNode*>(n), nullptr, std::nullopt);
      }
      case NodeType::kVariable:
        return EvalVariableNode(dot, static_cast<const VariableNode*>(n), nullptr, std::nullopt);
      case NodeType::kPipe:
        return EvalPipeline(dot, static_cast<const PipeNode*>(n));
      case NodeType::kIdentifier:
        return EvalFunction(dot, static_cast<const IdentifierNode*>(n), n, nullptr, std::nullopt);
      case NodeType::kChain:
        return EvalChainNode(dot, static_cast<const ChainNode*>(n), nullptr, std::nullopt);
      case NodeType::kBool:
        return V::Own(Value(static_cast<const BoolNode*>(n)->value));
      case NodeType::kNumber:
        return IdealConstant(static_cast<const NumberNode*>(n));
      case NodeType::kString:
        return V::Own(Value(static_cast<const StringNode*>(n)->text));
      default:
        break;
    }
    Errorf("can't handle assignment of " + n->String() + " to empty interface argument");
  }

  void PrintValue(const Node* n, const V& v) {
    At(n);
    if (v.k == V::kInvalid) {
      Write("<no value>");
      return;
    }
    if (v.k == V::kNil) {
      Write("<nil>");
      return;
    }
    if (v.p()->is_string()) {
      Write(v.p()->get_ref<const std::string&>());
      return;
    }
    Write(FormatValue(*v.p()));
  }
};

}  // namespace

void RegisterGoMethod(std::string type, std::string name, int num_args, GoMethod fn) {
  std::lock_guard lock(MethodMu());
  Methods()[std::move(type)][std::move(name)] = MethodEntry{num_args, std::move(fn)};
}

TemplateSet::TemplateSet(std::shared_ptr<const FuncMap> funcs) : funcs_(std::move(funcs)) {
  if (!funcs_) funcs_ = std::make_shared<const FuncMap>();
}
TemplateSet::~TemplateSet() = default;

std::expected<void, std::string> TemplateSet::Parse(std::string_view name, std::string_view text) {
  auto has_fn = [&](std::string_view n) {
    return funcs_->find(n) != funcs_->end() || Builtins().contains(n);
  };
  auto trees = tmpl::Parse(name, text, has_fn);
  if (!trees) return std::unexpected(trees.error());
  for (auto& t : *trees) {
    bool empty = IsEmptyTree(t->root.get());
    defs_[t->name].push_back(Def{t.get(), empty});
    trees_.push_back(std::move(t));
  }
  return {};
}

bool TemplateSet::Has(std::string_view name) const { return Lookup(name) != nullptr; }

const Tree* TemplateSet::Lookup(std::string_view name, std::string_view exclude_source) const {
  auto it = defs_.find(name);
  if (it == defs_.end()) return nullptr;
  const Tree* first = nullptr;
  for (const Def& d : it->second) {
    if (!exclude_source.empty() && d.tree->parse_name == exclude_source) continue;
    if (!first) first = d.tree;
  }
  for (auto d = it->second.rbegin(); d != it->second.rend(); ++d) {
    if (!exclude_source.empty() && d->tree->parse_name == exclude_source) continue;
    if (!d->empty) return d->tree;
  }
  return first;
}

std::expected<std::string, std::string> TemplateSet::Execute(std::string_view name,
                                                             const Value& data,
                                                             const ExecOptions& opts) const {
  const Tree* t = Lookup(name);
  if (!t) {
    return std::unexpected("template: no template " + GoQuote(name) +
                           " associated with template \"gotpl\"");
  }
  RenderCtx ctx;
  State st(*this, t, opts, &ctx, nullptr, 0);
  try {
    // The execution owns a copy of its data: Go maps are references, so set/merge called on
    // .Values or a variable change what later actions see (see MutatesFirstArg).
    V dot = data.is_null() ? V::Invalid() : V::Own(data);
    dot.iface = false;
    st.Run(dot);
  } catch (const ExecError& e) {
    return std::unexpected(e.msg);
  } catch (const BreakSignal&) {
    return std::unexpected("template: " + std::string(name) + ": {{break}} outside {{range}}");
  } catch (const ContinueSignal&) {
    return std::unexpected("template: " + std::string(name) + ": {{continue}} outside {{range}}");
  } catch (const std::exception& e) {
    return std::unexpected("template: " + std::string(name) + ": " + e.what());
  }
  return std::move(st.out);
}

namespace {
struct ThreadArg {
  const std::function<void()>* fn;
  std::exception_ptr err;
};
void* ThreadMain(void* p) {
  auto* a = static_cast<ThreadArg*>(p);
  try {
    (*a->fn)();
  } catch (...) {
    a->err = std::current_exception();
  }
  return nullptr;
}
}  // namespace

void RunWithLargeStack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512u << 20);
  ThreadArg arg{&fn, nullptr};
  pthread_t th;
  if (pthread_create(&th, &attr, ThreadMain, &arg) != 0) {
    pthread_attr_destroy(&attr);
    fn();  // could not spawn: run inline
    return;
  }
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
  if (arg.err) std::rethrow_exception(arg.err);
}

std::string CleanupParseError(std::string_view filename, std::string_view err) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (true) {
    size_t p = err.find(": ", start);
    if (p == std::string_view::npos) {
      tokens.push_back(err.substr(start));
      break;
    }
    tokens.push_back(err.substr(start, p - start));
    start = p + 2;
  }
  if (tokens.size() == 1) {
    return "parse error in (" + std::string(filename) + "): " + std::string(err);
  }
  return "parse error at (" + std::string(tokens[1]) + "): " + std::string(tokens.back());
}

std::string CleanupExecError(std::string_view filename, std::string_view err) {
  if (!err.starts_with("template: ")) return std::string(err);
  size_t p1 = err.find(": ");
  size_t p2 = err.find(": ", p1 + 2);
  if (p2 == std::string_view::npos) {
    return "execution error in (" + std::string(filename) + "): " + std::string(err);
  }
  std::string_view location = err.substr(p1 + 2, p2 - p1 - 2);
  std::string_view rest = err.substr(p2 + 2);
  size_t s = rest.find(kHelmErrStart);
  size_t e = rest.rfind(kHelmErrEnd);
  if (s != std::string_view::npos && e != std::string_view::npos && e >= s + kHelmErrStart.size()) {
    return "execution error at (" + std::string(location) +
           "): " + std::string(rest.substr(s + kHelmErrStart.size(), e - s - kHelmErrStart.size()));
  }
  return std::string(err);
}

}  // namespace keelson::charts
