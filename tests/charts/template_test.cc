// Conformance tests for the Go text/template engine (charts/template.h), with cases ported from
// Go's text/template exec_test.go and parse_test.go and Helm's engine semantics.
#include "charts/template.h"

#include <gtest/gtest.h>

#include <memory>

#include "charts/gofmt.h"

namespace keelson::charts {
namespace {

struct Case {
  const char* name;
  const char* input;
  const char* want;  // output, or the error message when ok == false
  bool ok = true;
};

// Data resembling Go's exec_test tVal, as JSON (numbers from YAML would be floats; here ints
// unless written with a decimal point).
Value TestData() {
  return Value::parse(R"({
    "True": true, "I": 17, "U16": 16, "X": "x", "S": "xyz", "FloatZero": 0.0,
    "ComplexZero": 0, "MSI": {"one": 1, "two": 2, "three": 3}, "MSIone": {"one": 1},
    "MSIEmpty": {}, "SI": [3, 4, 5], "SIEmpty": [], "SB": [true, false],
    "Empty0": null, "Empty1": 3, "Empty2": "empty2", "Empty3": [7, 8], "Empty4": {"V": "UinEmpty"},
    "NonEmptyInterface": {"X": "x"}, "Tmpl": "", "Str": "foozle", "Err": "",
    "Float": 3.5, "Big": 1000000.0, "Values": {"replicas": 3.0, "image": {"tag": "v1"}, "list": ["a", "b"]},
    "NilList": null, "Nested": {"a": {"b": {"c": "deep"}}}, "SMSI": [{"one": 1}, {"two": 2}]
  })");
}

std::shared_ptr<const FuncMap> TestFuncs() {
  auto f = std::make_shared<FuncMap>();
  (*f)["echo"] = [](FuncContext&, std::span<const Value> a) -> std::expected<Value, std::string> {
    return a.empty() ? Value() : a[0];
  };
  (*f)["oneArg"] = [](FuncContext&, std::span<const Value> a) -> std::expected<Value, std::string> {
    return "oneArg=" + FormatValue(a[0]);
  };
  (*f)["twoArgs"] = [](FuncContext&,
                       std::span<const Value> a) -> std::expected<Value, std::string> {
    return "twoArgs=" + FormatValue(a[0]) + FormatValue(a[1]);
  };
  (*f)["failing"] = [](FuncContext&, std::span<const Value>) -> std::expected<Value, std::string> {
    return std::unexpected("boom");
  };
  (*f)["include"] = [](FuncContext&, std::span<const Value>) -> std::expected<Value, std::string> {
    return std::unexpected("engine handles include");
  };
  (*f)["tpl"] = [](FuncContext&, std::span<const Value>) -> std::expected<Value, std::string> {
    return std::unexpected("engine handles tpl");
  };
  return f;
}

std::expected<std::string, std::string> RunTemplate(std::string_view text, const Value& data) {
  TemplateSet set(TestFuncs());
  if (auto p = set.Parse("t", text); !p) return std::unexpected(p.error());
  return set.Execute("t", data);
}

TEST(TemplateExec, ConformanceTable) {
  std::vector<Case> cases = {
      // Trivial cases.
      {"empty", "", ""},
      {"text", "some text", "some text"},
      {"nil action", "{{nil}}", "template: t:1:2: executing \"t\" at <nil>: nil is not a command",
       false},
      // Ideal constants.
      {"ideal int", "{{typeOf 3}}", "", false},
      {"int", "{{3}}", "3"},
      {"float", "{{3.5}}", "3.5"},
      {"float exp", "{{1e3}}", "1000"},
      {"hex", "{{0x10}}", "16"},
      {"octal", "{{0o17}} {{017}}", "15 15"},
      {"binary", "{{0b101}}", "5"},
      {"underscore", "{{1_000}}", "1000"},
      {"char", "{{'a'}}", "97"},
      {"neg", "{{-3}}", "-3"},
      // Fields of maps.
      {".X", "-{{.X}}-", "-x-"},
      {".I", "{{.I}}", "17"},
      {".Float", "{{.Float}}", "3.5"},
      {".Big", "{{.Big}}", "1e+06"},
      {"map .one", "{{.MSI.one}}", "1"},
      {"map .two", "{{.MSI.two}}", "2"},
      {"map .NO", "{{.MSI.NO}}", "<no value>"},
      {"empty map", "{{.MSIEmpty}}", "map[]"},
      {"map print", "{{.MSI}}", "map[one:1 three:3 two:2]"},
      {"slice print", "{{.SI}}", "[3 4 5]"},
      {"nested", "{{.Nested.a.b.c}}", "deep"},
      {"missing chain", "{{.Missing.x}}",
       "template: t:1:10: executing \"t\" at <.Missing.x>: nil pointer evaluating interface {}.x",
       false},
      {"null chain", "{{.Empty0.x}}",
       "template: t:1:9: executing \"t\" at <.Empty0.x>: nil pointer evaluating interface {}.x",
       false},
      {"field on string", "{{.X.y}}",
       "template: t:1:4: executing \"t\" at <.X.y>: can't evaluate field y in type interface {}",
       false},
      {"field on concrete string", "{{$x := .X}}{{$x.y}}",
       "template: t:1:16: executing \"t\" at <$x.y>: can't evaluate field y in type string", false},
      {"field with args", "{{.X 1}}",
       "template: t:1:2: executing \"t\" at <.X>: X is not a method but has arguments", false},
      {"null prints no value", "{{.Empty0}}", "<no value>"},
      {"print null", "{{print .Empty0}}", "<nil>"},
      {"print missing", "{{print .Missing}}", "<nil>"},
      {"printf missing", "{{printf \"%s\" .Missing}}", "%!s(<nil>)"},
      // Dot of various types.
      {"dot int", "<{{.}}>", "<3>"},
      // Variables.
      {"with $x int", "{{with $x := .I}}{{$x}}{{end}}", "17"},
      {"$.I", "{{$.I}}", "17"},
      {"$.MSI.one", "{{$.MSI.one}}", "1"},
      {"declare in action", "{{$x := 1}}{{$x}}", "1"},
      {"simple assignment", "{{$x := 2}}{{$x = 3}}{{$x}}", "3"},
      {"nested assignment", "{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}", "3"},
      {"nested assignment changes the last declaration",
       "{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}", "1"},
      {"undefined var", "{{$x}}", "template: t:1: undefined variable \"$x\"", false},
      {"var scoping", "{{if true}}{{$x := 1}}{{end}}{{$x}}",
       "template: t:1: undefined variable \"$x\"", false},
      // Parenthesized expressions.
      {"parens in pipeline", "{{printf \"%d %d %d\" (1) (2 | add 3) (add 4 (add 5 6))}}", "",
       false},
      {"parens", "{{print (1) (echo 2) (len \"abc\")}}", "1 2 3"},
      {"parens: field", "{{(.MSI).one}}", "1"},
      {"parens: chain", "{{(echo .MSI).two}}", "2"},
      // If.
      {"if true", "{{if true}}TRUE{{end}}", "TRUE"},
      {"if false", "{{if false}}TRUE{{else}}FALSE{{end}}", "FALSE"},
      {"if nil", "{{if nil}}TRUE{{end}}",
       "template: t:1:5: executing \"t\" at <nil>: nil is not a command", false},
      {"if 1", "{{if 1}}NON-ZERO{{else}}ZERO{{end}}", "NON-ZERO"},
      {"if 0", "{{if 0}}NON-ZERO{{else}}ZERO{{end}}", "ZERO"},
      {"if 1.5", "{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}", "NON-ZERO"},
      {"if 0.0", "{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}", "ZERO"},
      {"if emptystring", "{{if \"\"}}NON-EMPTY{{else}}EMPTY{{end}}", "EMPTY"},
      {"if string", "{{if \"notempty\"}}NON-EMPTY{{else}}EMPTY{{end}}", "NON-EMPTY"},
      {"if emptyslice", "{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", "EMPTY"},
      {"if slice", "{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}", "NON-EMPTY"},
      {"if emptymap", "{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", "EMPTY"},
      {"if map", "{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}", "NON-EMPTY"},
      {"if missing", "{{if .Missing}}X{{else}}Y{{end}}", "Y"},
      {"if $x with $y int", "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}",
       "true,17"},
      {"if $x with $x int", "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}",
       "17,true"},
      {"if else if", "{{if false}}FALSE{{else if true}}TRUE{{end}}", "TRUE"},
      {"if else chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", "3"},
      // Print etc.
      {"print", "{{print \"hello, print\"}}", "hello, print"},
      {"print 123", "{{print 1 2 3}}", "1 2 3"},
      {"print nil", "{{print nil}}", "<nil>"},
      {"println", "{{println 1 2 3}}", "1 2 3\n"},
      {"printf int", "{{printf \"%04x\" 127}}", "007f"},
      {"printf float", "{{printf \"%g\" 3.5}}", "3.5"},
      {"printf complex", "{{printf \"%s\" .Values.replicas}}", "%!s(float64=3)"},
      {"printf string", "{{printf \"%s\" \"hello\"}}", "hello"},
      {"printf function", "{{printf \"%#q\" \"zz\"}}", "`zz`"},
      {"printf field", "{{printf \"%s\" .X}}", "x"},
      {"printf dot", "{{with .I}}{{printf \"%d\" .}}{{end}}", "17"},
      {"printf var", "{{with $x := .I}}{{printf \"%d\" $x}}{{end}}", "17"},
      {"printf lots", "{{printf \"%d %s %g %s\" 127 \"hello\" 7.5 .X}}", "127 hello 7.5 x"},
      {"printf non-string format", "{{printf 3}}",
       "template: t:1:9: executing \"t\" at <3>: expected string; found 3", false},
      // HTML, JS, urlquery.
      {"html", "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}",
       "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"},
      {"html pipeline", "{{printf \"<script>alert(\\\"XSS\\\");</script>\" | html}}",
       "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"},
      {"html missing", "{{html .Missing}}", "&lt;no value&gt;"},
      {"js", "{{js .}}", "It\\'d be nice."},
      {"urlquery", "{{\"a b&c=d/é\" | urlquery}}", "a+b%26c%3Dd%2F%C3%A9"},
      // Booleans.
      {"not", "{{not true}} {{not false}}", "false true"},
      {"and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", "false 0 0 1"},
      {"or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", "0 1 true 1"},
      {"or short-circuit", "{{or 0 1 (failing)}}", "1"},
      {"and short-circuit", "{{and 1 0 (failing)}}", "0"},
      {"or short-circuit2", "{{or 0 0 (failing)}}",
       "template: t:1:10: executing \"t\" at <failing>: error calling failing: boom", false},
      {"and pipe-true", "{{1 | and 1}}", "1"},
      {"and pipe-false", "{{0 | and 1}}", "0"},
      {"or pipe-true", "{{1 | or 0}}", "1"},
      {"or pipe-false", "{{0 | or 0}}", "0"},
      {"and undef", "{{and 1 .Unknown}}", "<no value>"},
      {"or undef", "{{or 0 .Unknown}}", "<no value>"},
      {"boolean if", "{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", "TRUE"},
      {"boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", "FALSE"},
      {"and no args", "{{and}}",
       "template: t:1:2: executing \"t\" at <and>: wrong number of args for and: want at least 1 "
       "got 0",
       false},
      // Indexing.
      {"slice[0]", "{{index .SI 0}}", "3"},
      {"slice[1]", "{{index .SI 1}}", "4"},
      {"slice[HUGE]", "{{index .SI 10}}",
       "template: t:1:2: executing \"t\" at <index .SI 10>: error calling index: index out of "
       "range: 10",
       false},
      {"slice[WRONG]", "{{index .SI `hello`}}",
       "template: t:1:2: executing \"t\" at <index .SI `hello`>: error calling index: cannot index "
       "slice/array with type string",
       false},
      {"slice[float]", "{{index .SI .Float}}",
       "template: t:1:2: executing \"t\" at <index .SI .Float>: error calling index: cannot index "
       "slice/array with type float64",
       false},
      {"map[one]", "{{index .MSI `one`}}", "1"},
      {"map[two]", "{{index .MSI `two`}}", "2"},
      {"map[NO]", "{{index .MSI `XXX`}}", "<no value>"},
      {"map[nil]", "{{index .MSI nil}}",
       "template: t:1:2: executing \"t\" at <index .MSI nil>: error calling index: value is nil; "
       "should be of type string",
       false},
      {"nested index", "{{index .SMSI 1 `two`}}", "2"},
      {"index string", "{{index \"abc\" 1}}", "98"},
      {"index nil", "{{index nil 1}}",
       "template: t:1:2: executing \"t\" at <index nil 1>: error calling index: index of untyped "
       "nil",
       false},
      // Slicing.
      {"slice[:]", "{{slice .SI}}", "[3 4 5]"},
      {"slice[1:]", "{{slice .SI 1}}", "[4 5]"},
      {"slice[1:2]", "{{slice .SI 1 2}}", "[4]"},
      {"slice[-1:]", "{{slice .SI -1}}",
       "template: t:1:2: executing \"t\" at <slice .SI -1>: error calling slice: index out of "
       "range: -1",
       false},
      {"slice[2:1]", "{{slice .SI 2 1}}",
       "template: t:1:2: executing \"t\" at <slice .SI 2 1>: error calling slice: invalid slice "
       "index: 2 > 1",
       false},
      {"string[:]", "{{slice .S}}", "xyz"},
      {"string[1:2]", "{{slice .S 1 2}}", "y"},
      // Len.
      {"slice", "{{len .SI}}", "3"},
      {"map", "{{len .MSI }}", "3"},
      {"len of int", "{{len 3}}",
       "template: t:1:2: executing \"t\" at <len 3>: error calling len: len of type int", false},
      {"len of nil iface", "{{len .Empty0}}",
       "template: t:1:2: executing \"t\" at <len .Empty0>: error calling len: len of nil pointer",
       false},
      {"len string", "{{len \"héllo\"}}", "6"},
      // With.
      {"with true", "{{with true}}{{.}}{{end}}", "true"},
      {"with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", "FALSE"},
      {"with 1", "{{with 1}}{{.}}{{else}}ZERO{{end}}", "1"},
      {"with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", "ZERO"},
      {"with emptymap", "{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}", "EMPTY"},
      {"with map", "{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}", "map[one:1]"},
      {"with $x int", "{{with $x := .I}}{{$x}}{{end}}", "17"},
      {"with $x struct.U.V", "{{with $x := $}}{{$x.Empty4.V}}{{end}}", "UinEmpty"},
      {"with variable and action", "{{with $x := $}}{{$y := $.SI}}{{$y}}{{end}}", "[3 4 5]"},
      {"with else with", "{{with 0}}{{.}}{{else with true}}{{.}}{{end}}", "true"},
      {"with else with chain",
       "{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}", "notempty"},
      // Range.
      {"range []int", "{{range .SI}}-{{.}}-{{end}}", "-3--4--5-"},
      {"range empty no else", "{{range .SIEmpty}}-{{.}}-{{end}}", ""},
      {"range []int else", "{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}", "-3--4--5-"},
      {"range empty else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY"},
      {"range []bool", "{{range .SB}}-{{.}}-{{end}}", "-true--false-"},
      {"range []int break else", "{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}",
       "-3-"},
      {"range []int continue else",
       "{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}", "-3--4--5-"},
      {"range map", "{{range .MSI}}-{{.}}-{{end}}", "-1--3--2-"},
      {"range empty map no else", "{{range .MSIEmpty}}-{{.}}-{{end}}", ""},
      {"range map else", "{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}", "-1--3--2-"},
      {"range empty map else", "{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY"},
      {"range empty interface", "{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}", "-7--8-"},
      {"range empty nil", "{{range .Empty0}}-{{.}}-{{end}}", ""},
      {"range missing else", "{{range .Missing}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY"},
      {"range $x SI", "{{range $x := .SI}}<{{$x}}>{{end}}", "<3><4><5>"},
      {"range $x $y SI", "{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}", "<0=3><1=4><2=5>"},
      {"range $x MSIone", "{{range $x := .MSIone}}<{{$x}}>{{end}}", "<1>"},
      {"range $x $y MSIone", "{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}", "<one=1>"},
      {"range $x PSI", "{{range $x := .SI}}<{{$x}}>{{end}}", "<3><4><5>"},
      {"declare in range", "{{range $x := .SI}}<{{$foo:=$x}}{{$x}}>{{end}}", "<3><4><5>"},
      {"range count", "{{range $i, $x := count 5}}[{{$i}}]{{$x}}{{end}}", "", false},
      {"range int", "{{range 4}}{{.}}{{end}}", "0123"},
      {"range $i int", "{{range $i := 3}}{{$i}}{{end}}", "012"},
      {"range int 2 vars", "{{range $i, $j := 3}}{{$i}}{{end}}",
       "template: t:1:8: executing \"t\" at <{{range $i, $j := 3}}{{$i}}{{end}}>: can't use 3 to "
       "iterate over more than one variable",
       false},
      {"range float", "{{range .Values.replicas}}x{{end}}",
       "template: t:1:8: executing \"t\" at <{{range .Values.replicas}}x{{end}}>: range can't "
       "iterate over 3",
       false},
      {"range string", "{{range .S}}x{{end}}",
       "template: t:1:8: executing \"t\" at <{{range .S}}x{{end}}>: range can't iterate over xyz",
       false},
      {"range dot in elems", "{{range .SMSI}}{{.one}}{{end}}", "1<no value>"},
      {"range nested int", "{{range .SI}}{{range .}}{{.}}{{end}};{{end}}", "012;0123;01234;"},
      {"break outside range", "{{break}}", "template: t:1: {{break}} outside {{range}}", false},
      {"range $ in body", "{{range .SI}}{{$.X}}{{end}}", "xxx"},
      // Comparisons.
      {"eq 1 1", "{{eq 1 1}}", "true"},
      {"eq 1 2", "{{eq 1 2}}", "false"},
      {"eq multi", "{{eq 1 3 4 1}}", "true"},
      {"eq multi false", "{{eq 1 3 4 5}}", "false"},
      {"eq \"xy\" .S", "{{eq \"xyz\" .S}}", "true"},
      {"eq int float", "{{eq 1 1.0}}",
       "template: t:1:2: executing \"t\" at <eq 1 1.0>: error calling eq: incompatible types for "
       "comparison",
       false},
      {"gt float int (Helm values)", "{{gt .Values.replicas 1}}",
       "template: t:1:2: executing \"t\" at <gt .Values.replicas 1>: error calling gt: "
       "incompatible types for comparison",
       false},
      {"gt float float", "{{gt .Values.replicas 1.0}}", "true"},
      {"eq nil nil", "{{eq nil nil}}", "true"},
      {"eq missing string", "{{eq .Missing \"a\"}}", "false"},
      {"eq missing nil", "{{eq .Missing nil}}", "true"},
      {"ne 1 2", "{{ne 1 2}}", "true"},
      {"ne string", "{{ne \"a\" \"a\"}}", "false"},
      {"lt", "{{lt 1 2}} {{lt 2 1}} {{lt 1.5 2.5}} {{lt \"a\" \"b\"}}", "true false true true"},
      {"le", "{{le 1 1}} {{le 2 1}}", "true false"},
      {"gt", "{{gt 2 1}} {{gt 1 2}}", "true false"},
      {"ge", "{{ge 1 1}} {{ge 1 2}}", "true false"},
      {"lt bool", "{{lt true false}}",
       "template: t:1:2: executing \"t\" at <lt true false>: error calling lt: invalid type for "
       "comparison",
       false},
      {"lt nil", "{{lt nil 1}}",
       "template: t:1:2: executing \"t\" at <lt nil 1>: error calling lt: invalid type for "
       "comparison",
       false},
      {"eq map", "{{eq .MSI .MSI}}",
       "template: t:1:2: executing \"t\" at <eq .MSI .MSI>: error calling eq: non-comparable type "
       "map[one:1 three:3 two:2]: map[string]interface {}",
       false},
      {"eq no args", "{{eq 1}}",
       "template: t:1:2: executing \"t\" at <eq 1>: error calling eq: missing argument for "
       "comparison",
       false},
      {"ne arity", "{{ne 1}}",
       "template: t:1:2: executing \"t\" at <ne>: wrong number of args for ne: want 2 got 1",
       false},
      // Pipelines.
      {"pipeline", "{{.X | printf \"%s-%s\" \"a\"}}", "a-x"},
      {"pipeline func", "{{\"x\" | oneArg}}", "oneArg=x"},
      {"pipeline 2", "{{\"y\" | twoArgs \"x\"}}", "twoArgs=xy"},
      {"non-exec in pipeline", "{{1 | 2}}",
       "template: t:1: non executable command in pipeline stage 2", false},
      {"function error", "{{failing}}",
       "template: t:1:2: executing \"t\" at <failing>: error calling failing: boom", false},
      {"not a function", "{{.X | .Y}}",
       "template: t:1:7: executing \"t\" at <.Y>: Y is not a method but has arguments", false},
      {"unknown function", "{{nope 1}}", "template: t:1: function \"nope\" not defined", false},
      {"can't give arg", "{{$x := 1}}{{$x 2}}",
       "template: t:1:13: executing \"t\" at <$x>: can't give argument to non-function $x", false},
      // Trim markers and comments.
      {"trim", "a  {{- 1 -}}  b", "a1b"},
      {"trim newlines", "a\n\n{{- 1 -}}\n\nb", "a1b"},
      {"no trim without space", "{{-3}}", "-3"},
      {"comment", "a{{/* c */}}b", "ab"},
      {"comment trim", "a {{- /* c */ -}} b", "ab"},
      {"unclosed comment", "{{/* c }}", "template: t:1: unclosed comment", false},
      {"comment before delim", "{{/* c */ 1}}",
       "template: t:1: comment ends before closing delimiter", false},
      // define / template / block.
      {"define", "{{define \"x\"}}X{{.}}{{end}}<{{template \"x\" 1}}>", "<X1>"},
      {"template no arg", "{{define \"x\"}}{{.}}{{end}}{{template \"x\"}}", "<no value>"},
      {"template vars not inherited", "{{define \"x\"}}{{$}}{{end}}{{$y := 2}}{{template \"x\" 5}}",
       "5"},
      {"template missing", "{{template \"nope\"}}",
       "template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not "
       "defined",
       false},
      {"block", "{{block \"b\" .X}}[{{.}}]{{end}}", "[x]"},
      {"include", "{{define \"x\"}}X{{.}}{{end}}{{include \"x\" 2 | printf \"%s!\"}}", "X2!"},
      {"include missing", "{{include \"nope\" .}}",
       "template: t:1:2: executing \"t\" at <include \"nope\" .>: error calling include: template: "
       "no "
       "template \"nope\" associated with template \"gotpl\"",
       false},
      {"include recursion", "{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}", "",
       false},
      {"include non-string", "{{include 3 .}}",
       "template: t:1:10: executing \"t\" at <3>: expected string; found 3", false},
      {"error in define names the define",
       "{{define \"d\"}}\n  {{.Missing.x}}{{end}}{{template \"d\" .}}",
       "template: t:2:12: executing \"d\" at <.Missing.x>: nil pointer evaluating interface {}.x",
       false},
      // Parse errors.
      {"unclosed action", "{{", "template: t:1: unclosed action", false},
      {"unmatched end", "{{end}}", "template: t:1: unexpected {{end}}", false},
      {"missing end", "{{if true}}", "template: t:1: unexpected EOF", false},
      {"bad brace", "{{ } }}", "template: t:1: unexpected \"}\" in command", false},
      {"bad brace operand", "{{ .X } }}", "template: t:1: unexpected \"}\" in operand", false},
      {"empty pipeline", "{{if}}{{end}}", "template: t:1: missing value for if", false},
      {"empty command", "{{ }}", "template: t:1: missing value for command", false},
      {"unterminated string", "{{\"x}}", "template: t:1: unterminated quoted string", false},
      {"bad number", "{{3k}}", "template: t:1: bad number syntax: \"3k\"", false},
      {"multiline action error line", "x\n\n{{ .X\n | nope }}",
       "template: t:4: function \"nope\" not defined", false},
      {"dot after literal", "{{\"x\".y}}", "template: t:1: unexpected . after term \"\\\"x\\\"\"",
       false},
      {"else outside", "{{else}}", "template: t:1: unexpected {{else}}", false},
      {"multiple definition", "{{define \"a\"}}a{{end}}{{define \"a\"}}b{{end}}",
       "template: t:1: template: multiple definition of template \"a\"", false},
  };
  Value data = TestData();
  for (const auto& c : cases) {
    Value d = data;
    if (std::string_view(c.name) == "dot int") d = 3;
    if (std::string_view(c.name) == "js") d = "It'd be nice.";
    auto r = RunTemplate(c.input, d);
    if (c.ok) {
      EXPECT_TRUE(r.has_value()) << c.name << ": " << r.error();
      if (r) {
        EXPECT_EQ(*r, c.want) << c.name;
      }
    } else {
      EXPECT_FALSE(r.has_value()) << c.name << ": got output " << *r;
      if (!r && std::string_view(c.want).size() > 0) {
        EXPECT_EQ(r.error(), c.want) << c.name;
      }
    }
  }
}

TEST(TemplateExec, IncludeRecursionStopsWithHelmMessage) {
  TemplateSet set(TestFuncs());
  ASSERT_TRUE(set.Parse("t", "{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}"));
  std::expected<std::string, std::string> r;
  RunWithLargeStack([&] { r = set.Execute("t", Value::object()); });
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("rendering template has a nested reference name: r: unable to execute "
                           "template"),
            std::string::npos);
}

TEST(TemplateExec, TemplateRecursionStopsAtDepthLimit) {
  TemplateSet set(TestFuncs());
  ASSERT_TRUE(set.Parse("t", "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}"));
  std::expected<std::string, std::string> r;
  RunWithLargeStack([&] { r = set.Execute("t", Value::object()); });
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("exceeded maximum template depth"), std::string::npos);
}

TEST(TemplateExec, LaterParseWinsUnlessEmpty) {
  TemplateSet set(TestFuncs());
  ASSERT_TRUE(set.Parse("a", "{{define \"x\"}}A{{end}}"));
  ASSERT_TRUE(set.Parse("b", "{{define \"x\"}}B{{end}}"));
  ASSERT_TRUE(set.Parse("c", "{{define \"x\"}}  {{end}}"));
  ASSERT_TRUE(set.Parse("main", "{{template \"x\"}}"));
  EXPECT_EQ(*set.Execute("main", Value()), "B");
}

TEST(TemplateExec, TplSharesDefinesAndNamesTheCallingTemplate) {
  TemplateSet set(TestFuncs());
  ASSERT_TRUE(set.Parse("chart/templates/_h.tpl", "{{define \"h\"}}H{{.Values.x}}{{end}}"));
  ASSERT_TRUE(set.Parse("chart/templates/a.yaml",
                        "{{tpl .Values.t .}}|{{tpl \"{{ .Values.missing.x }}\" .}}"));
  Value data = Value::parse(R"({"Values":{"x":1,"t":"{{ include \"h\" . }}-{{ .Template.Name }}"},
    "Template":{"Name":"chart/templates/a.yaml","BasePath":"chart/templates"}})");
  auto r = set.Execute("chart/templates/a.yaml", data);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(
      r.error(),
      "template: chart/templates/a.yaml:1:22: executing \"chart/templates/a.yaml\" at <tpl "
      "\"{{ .Values.missing.x }}\" .>: error calling tpl: error during tpl function execution "
      "for \"{{ .Values.missing.x }}\": template: chart/templates/a.yaml:1:10: executing "
      "\"chart/templates/a.yaml\" at <.Values.missing.x>: nil pointer evaluating interface "
      "{}.x");
  ASSERT_TRUE(set.Parse("chart/templates/b.yaml", "{{tpl .Values.t .}}"));
  data["Template"]["Name"] = "chart/templates/b.yaml";
  auto ok = set.Execute("chart/templates/b.yaml", data);
  ASSERT_TRUE(ok.has_value()) << ok.error();
  EXPECT_EQ(*ok, "H1-chart/templates/b.yaml");
}

TEST(TemplateExec, OutputLimit) {
  TemplateSet set(TestFuncs());
  ASSERT_TRUE(set.Parse("t", "{{range 100}}0123456789{{end}}"));
  ExecOptions opts;
  opts.max_output_bytes = 50;
  auto r = set.Execute("t", Value(), opts);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("rendered output exceeds the limit of 50 bytes"), std::string::npos);
}

TEST(TemplateExec, CleanupErrorsAsHelm) {
  EXPECT_EQ(CleanupParseError("c/templates/x.yaml",
                              "template: c/templates/x.yaml:3: function \"foo\" not defined"),
            "parse error at (c/templates/x.yaml:3): function \"foo\" not defined");
  EXPECT_EQ(
      CleanupExecError("c/templates/x.yaml",
                       "template: c/templates/x.yaml:3:4: executing \"c/templates/x.yaml\" at "
                       "<required \"need x\" .Values.x>: error calling required: "
                       "HELM_ERR_STARTneed xHELM_ERR_END"),
      "execution error at (c/templates/x.yaml:3:4): need x");
  std::string other =
      "template: x:1:2: executing \"x\" at <.a.b>: nil pointer evaluating interface {}.b";
  EXPECT_EQ(CleanupExecError("x", other), other);
}

}  // namespace
}  // namespace keelson::charts

namespace keelson::charts {
namespace {

// Go maps are references: set/unset/merge change the map they are given, and later actions see
// the change through the variable or field it came from.
TEST(TemplateMapMutation, SetAndMergeChangeTheirFirstArgument) {
  auto funcs = std::make_shared<FuncMap>();
  AddSprigFunctions(*funcs);
  AddHelmFunctions(*funcs);
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {R"({{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }})", "map[a:1 b:2]"},
      {R"({{ $d := dict "a" 1 "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }})", "map[b:2]"},
      {R"({{ $_ := set .V "x" 1 }}{{ .V }})", "map[x:1]"},
      {R"({{ $d := dict "a" 1 }}{{ $_ := merge $d (dict "a" 9 "c" 3) }}{{ $d }})", "map[a:1 c:3]"},
      {R"({{ $d := dict "a" 1 }}{{ $e := $d }}{{ $_ := set $e "z" 0 }}{{ $d }})", "map[a:1 z:0]"},
      {R"({{ $d := dict "a" 1 }}{{ range $k, $v := $d }}{{ $_ := set $d "b" 2 }}{{ $v }}{{ end }})",
       "1"},
      // A variable keeps the value it was given when the map entry it came from is removed or
      // replaced (a Go interface copy), and never reads freed storage.
      {R"({{ $x := .W.a }}{{ $_ := unset .W "a" }}{{ $x.b }} {{ .W }})", "[1 2] map[]"},
      {R"({{ $y := .W.a.b }}{{ $_ := set .W "a" 5 }}{{ $y }} {{ .W.a }})", "[1 2] 5"},
      {R"({{ $y := .W.a.b }}{{ $_ := merge .W (dict "c" 1) }}{{ $_ := unset .W "a" }}{{ $y }})",
       "[1 2]"},
  };
  for (const auto& c : cases) {
    TemplateSet set(funcs);
    auto parsed = set.Parse("t", c.text);
    ASSERT_TRUE(parsed) << parsed.error();
    Value data = Value::parse(R"({"V": {}, "W": {"a": {"b": [1, 2]}}})");
    auto out = set.Execute("t", data, {});
    ASSERT_TRUE(out) << c.text << ": " << out.error();
    EXPECT_EQ(*out, c.want) << c.text;
  }
}

}  // namespace
}  // namespace keelson::charts
