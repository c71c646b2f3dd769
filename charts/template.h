// A set of Go text/templates (Go 1.22+ semantics, executed as Helm runs them with
// missingkey=zero) over JSON template values: parse files, look templates up with Go's and
// Helm's precedence rules, execute them with the builtins, a FuncMap and Helm's include/tpl.
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "charts/funcs.h"

namespace keelson::charts {

namespace tmpl {
struct Tree;
}

// A method of a Go-typed value (IsGoType marker), e.g. Files.Get or KubeVersion.String:
// `receiver` is the value the method is called on. Errors as for Function.
using GoMethod = std::function<std::expected<Value, std::string>(const Value& receiver,
                                                                 std::span<const Value> args)>;
// Registers a method `name` taking exactly `num_args` arguments for values whose Go type is
// `type` (GoTypeName; "[]interface {}" for plain lists). Thread-safe; register at start-up.
void RegisterGoMethod(std::string type, std::string name, int num_args, GoMethod fn);

struct ExecOptions {
  // Stops execution with an error once the output of one execution exceeds this many bytes.
  size_t max_output_bytes = 64u << 20;
  // Nested executions (template/include/tpl) allowed before "exceeded maximum template depth".
  int max_depth = 3000;
  // Helm's include recursion limit (recursionMaxNums).
  int max_include_depth = 1000;
};

// Parsed templates plus the functions they may call. Parse is not thread-safe; Execute is const
// and may run concurrently once parsing is done.
class TemplateSet {
 public:
  // `funcs` are looked up before Go's builtins (as Go's execFuncs). When `funcs` holds "include"
  // or "tpl", the engine runs them itself with Helm's semantics (without copying dot).
  explicit TemplateSet(std::shared_ptr<const FuncMap> funcs);
  ~TemplateSet();
  TemplateSet(const TemplateSet&) = delete;
  TemplateSet& operator=(const TemplateSet&) = delete;

  // Parses `text` as template `name` (Go's t.New(name).Parse(text)): the body becomes template
  // `name`, each {{define}}/{{block}} another. A later Parse replaces earlier templates of the
  // same name unless its body is empty. Errors in Go's words: `template: NAME:LINE: MSG`.
  std::expected<void, std::string> Parse(std::string_view name, std::string_view text);

  // True if a template `name` exists.
  bool Has(std::string_view name) const;

  // Executes template `name` with `data` as dot and returns its output. Errors in Go's words
  // ("template: FILE:LINE:COL: executing \"NAME\" at <NODE>: MSG"); a missing template gives
  // `template: no template "NAME" associated with template "gotpl"`. Never throws. Deep recursion
  // needs stack: callers that may execute untrusted templates run this on a large stack (see
  // RunWithLargeStack).
  std::expected<std::string, std::string> Execute(std::string_view name, const Value& data,
                                                  const ExecOptions& opts = {}) const;

  // The defining tree of `name`, skipping definitions parsed from `exclude_source` (Helm's tpl
  // re-parses every file except the calling one). nullptr if none.
  const tmpl::Tree* Lookup(std::string_view name, std::string_view exclude_source = {}) const;

  const FuncMap& funcs() const { return *funcs_; }

 private:
  struct Def {
    const tmpl::Tree* tree;
    bool empty;
  };
  std::shared_ptr<const FuncMap> funcs_;
  std::vector<std::unique_ptr<tmpl::Tree>> trees_;
  std::map<std::string, std::vector<Def>, std::less<>> defs_;  // parse order
};

// Runs `fn` on a thread with a 512 MiB stack and waits for it (template recursion is bounded by
// limits, not by the caller's stack).
void RunWithLargeStack(const std::function<void()>& fn);

// Helm's cleanupParseError: "template: F:L: ... MSG" → "parse error at (F:L): MSG".
std::string CleanupParseError(std::string_view filename, std::string_view err);
// Helm's cleanupExecError: `required`/`fail` messages become "execution error at (F:L:C): MSG";
// other errors are returned unchanged.
std::string CleanupExecError(std::string_view filename, std::string_view err);

// Markers Helm wraps `required`/`fail` messages in (warnWrap).
inline constexpr std::string_view kHelmErrStart = "HELM_ERR_START";
inline constexpr std::string_view kHelmErrEnd = "HELM_ERR_END";

}  // namespace keelson::charts
