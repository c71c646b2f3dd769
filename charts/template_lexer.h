// Go text/template lexer (text/template/parse/lex.go): turns template text into items with byte
// positions and lines, honouring trim markers and comments exactly as Go does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace keelson::charts::tmpl {

enum class ItemType {
  kError,
  kBool,
  kChar,
  kCharConstant,
  kComment,
  kComplex,
  kAssign,
  kDeclare,
  kEOF,
  kField,
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,
  // keywords (Go's itemKeyword and above)
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kRange,
  kNil,
  kTemplate,
  kWith,
};

struct Item {
  ItemType type;
  size_t pos;
  std::string val;
  int line;
  // Go's item.String(): EOF, the error text, <keyword>, or the quoted value (truncated to 10).
  std::string String() const;
};

// Lexes the whole input. The last item is kEOF or kError (lexing stops at the first error).
std::vector<Item> Lex(std::string_view input);

}  // namespace keelson::charts::tmpl
