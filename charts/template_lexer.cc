// Go text/template lexer (see template_lexer.h).
#include "charts/template_lexer.h"

#include <algorithm>
#include <map>

#include "charts/gofmt.h"

namespace keelson::charts::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr char32_t kEof = 0xFFFFFFFF;

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

bool IsAlphaNumeric(char32_t r) {
  if (r == '_') return true;
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9');
  return r != kEof;  // non-ASCII runes: treated as letters (unicode.IsLetter approximation)
}

bool HasLeftTrimMarker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && IsSpace(static_cast<unsigned char>(s[1]));
}
bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpace(static_cast<unsigned char>(s[0])) && s[1] == '-';
}
size_t RightTrimLength(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsSpace(static_cast<unsigned char>(s[n - 1]))) --n;
  return s.size() - n;
}
size_t LeftTrimLength(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsSpace(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

const std::map<std::string_view, ItemType>& Keywords() {
  static const std::map<std::string_view, ItemType> k = {
      {".", ItemType::kDot},
      {"block", ItemType::kBlock},
      {"break", ItemType::kBreak},
      {"continue", ItemType::kContinue},
      {"define", ItemType::kDefine},
      {"else", ItemType::kElse},
      {"end", ItemType::kEnd},
      {"if", ItemType::kIf},
      {"range", ItemType::kRange},
      {"nil", ItemType::kNil},
      {"template", ItemType::kTemplate},
      {"with", ItemType::kWith},
  };
  return k;
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : input_(in) {}

  std::vector<Item> Run() {
    while (true) {
      bool ok = inside_ ? LexInsideAction() : LexText();
      if (!ok) break;
      if (!items_.empty() &&
          (items_.back().type == ItemType::kEOF || items_.back().type == ItemType::kError)) {
        break;
      }
    }
    return std::move(items_);
  }

 private:
  std::string_view input_;
  size_t start_ = 0;
  size_t pos_ = 0;
  size_t width_ = 0;
  int paren_depth_ = 0;
  bool inside_ = false;
  std::vector<Item> items_;

  int LineAt(size_t p) const {
    return 1 + static_cast<int>(std::count(input_.begin(), input_.begin() + p, '\n'));
  }

  char32_t Next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEof;
    }
    unsigned char c = input_[pos_];
    if (c < 0x80) {
      width_ = 1;
      ++pos_;
      return c;
    }
    // decode UTF-8 (lenient)
    size_t w = 1;
    char32_t r = c;
    if ((c & 0xE0) == 0xC0) {
      w = 2;
      r = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      w = 3;
      r = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      w = 4;
      r = c & 0x07;
    }
    if (pos_ + w > input_.size()) w = 1;
    for (size_t k = 1; k < w; ++k) r = (r << 6) | (input_[pos_ + k] & 0x3F);
    if (w == 1) r = 0xFFFD;
    width_ = w;
    pos_ += w;
    return r;
  }
  char32_t Peek() {
    char32_t r = Next();
    Backup();
    return r;
  }
  void Backup() { pos_ -= width_; }
  void Ignore() { start_ = pos_; }
  bool Accept(std::string_view valid) {
    char32_t r = Next();
    if (r != kEof && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (true) {
      char32_t r = Next();
      if (r == kEof || r >= 0x80 || valid.find(static_cast<char>(r)) == std::string_view::npos) {
        break;
      }
    }
    Backup();
  }
  Item ThisItem(ItemType t) {
    Item i{t, start_, std::string(input_.substr(start_, pos_ - start_)), LineAt(start_)};
    start_ = pos_;
    return i;
  }
  bool Emit(ItemType t) {
    items_.push_back(ThisItem(t));
    return true;
  }
  bool Errorf(std::string msg) {
    items_.push_back(Item{ItemType::kError, start_, std::move(msg), LineAt(start_)});
    return false;
  }

  // Returns (is right delim, with trim marker).
  std::pair<bool, bool> AtRightDelim() const {
    std::string_view rest = input_.substr(pos_);
    if (HasRightTrimMarker(rest) && rest.substr(2).starts_with(kRightDelim)) return {true, true};
    if (rest.starts_with(kRightDelim)) return {true, false};
    return {false, false};
  }

  bool AtTerminator() {
    char32_t r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case kEof:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        break;
    }
    return input_.substr(pos_).starts_with(kRightDelim);
  }

  bool LexText() {
    size_t x = input_.find(kLeftDelim, pos_);
    if (x != std::string_view::npos) {
      if (x > pos_) {
        pos_ = x;
        size_t trim = 0;
        size_t delim_end = pos_ + kLeftDelim.size();
        if (HasLeftTrimMarker(input_.substr(delim_end))) {
          trim = RightTrimLength(input_.substr(start_, pos_ - start_));
        }
        pos_ -= trim;
        Item i = ThisItem(ItemType::kText);
        pos_ += trim;
        Ignore();
        if (!i.val.empty()) items_.push_back(std::move(i));
      }
      return LexLeftDelim();
    }
    pos_ = input_.size();
    if (pos_ > start_) {
      Emit(ItemType::kText);
    }
    return Emit(ItemType::kEOF);
  }

  bool LexLeftDelim() {
    pos_ += kLeftDelim.size();
    bool trim = HasLeftTrimMarker(input_.substr(pos_));
    size_t after = trim ? 2 : 0;
    if (input_.substr(pos_ + after).starts_with(kLeftComment)) {
      pos_ += after;
      Ignore();
      return LexComment();
    }
    Item i = ThisItem(ItemType::kLeftDelim);
    inside_ = true;
    pos_ += after;
    Ignore();
    paren_depth_ = 0;
    items_.push_back(std::move(i));
    return true;
  }

  bool LexComment() {
    pos_ += kLeftComment.size();
    size_t x = input_.find(kRightComment, pos_);
    if (x == std::string_view::npos) return Errorf("unclosed comment");
    pos_ = x + kRightComment.size();
    auto [delim, trim] = AtRightDelim();
    if (!delim) return Errorf("comment ends before closing delimiter");
    ThisItem(ItemType::kComment);  // comments are not emitted (no ParseComments mode)
    if (trim) pos_ += 2;
    pos_ += kRightDelim.size();
    if (trim) pos_ += LeftTrimLength(input_.substr(pos_));
    Ignore();
    return true;
  }

  bool LexRightDelim() {
    auto [delim, trim] = AtRightDelim();
    if (trim) {
      pos_ += 2;
      Ignore();
    }
    pos_ += kRightDelim.size();
    Item i = ThisItem(ItemType::kRightDelim);
    if (trim) {
      pos_ += LeftTrimLength(input_.substr(pos_));
      Ignore();
    }
    inside_ = false;
    items_.push_back(std::move(i));
    return true;
  }

  bool LexInsideAction() {
    auto [delim, trim] = AtRightDelim();
    if (delim) {
      if (paren_depth_ == 0) return LexRightDelim();
      return Errorf("unclosed left paren");
    }
    char32_t r = Next();
    if (r == kEof) return Errorf("unclosed action");
    if (IsSpace(r)) {
      Backup();
      return LexSpace();
    }
    switch (r) {
      case '=':
        return Emit(ItemType::kAssign);
      case ':':
        if (Next() != '=') return Errorf("expected :=");
        return Emit(ItemType::kDeclare);
      case '|':
        return Emit(ItemType::kPipe);
      case '"':
        return LexQuote();
      case '`':
        return LexRawQuote();
      case '$':
        return LexFieldOrVariable(ItemType::kVariable);
      case '\'':
        return LexChar();
      case '.':
        if (pos_ < input_.size()) {
          char c = input_[pos_];
          if (c < '0' || c > '9') return LexFieldOrVariable(ItemType::kField);
        }
        Backup();
        return LexNumber();
      case '(':
        ++paren_depth_;
        return Emit(ItemType::kLeftParen);
      case ')':
        --paren_depth_;
        if (paren_depth_ < 0) return Errorf("unexpected right paren");
        return Emit(ItemType::kRightParen);
      default:
        break;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      Backup();
      return LexNumber();
    }
    if (IsAlphaNumeric(r)) {
      Backup();
      return LexIdentifier();
    }
    if (r < 0x7F && r >= 0x20) return Emit(ItemType::kChar);
    return Errorf("unrecognized character in action: " + RuneDesc(r));
  }

  // Go's %#U: U+0001 or U+00E9 'é'.
  static std::string RuneDesc(char32_t r) {
    char buf[32];
    snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
    std::string s = buf;
    if (r >= 0x20 && r != 0x7F && !(r >= 0x80 && r < 0xA0) && r <= 0x10FFFF) {
      s += " '";
      std::string enc;
      Value v = std::string();
      // encode rune as UTF-8
      if (r < 0x80) {
        enc += static_cast<char>(r);
      } else if (r < 0x800) {
        enc += static_cast<char>(0xC0 | (r >> 6));
        enc += static_cast<char>(0x80 | (r & 0x3F));
      } else if (r < 0x10000) {
        enc += static_cast<char>(0xE0 | (r >> 12));
        enc += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        enc += static_cast<char>(0x80 | (r & 0x3F));
      } else {
        enc += static_cast<char>(0xF0 | (r >> 18));
        enc += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
        enc += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        enc += static_cast<char>(0x80 | (r & 0x3F));
      }
      s += enc + "'";
    }
    return s;
  }

  bool LexSpace() {
    int num = 0;
    while (IsSpace(Peek())) {
      Next();
      ++num;
    }
    std::string_view rest = input_.substr(pos_ - 1);
    if (HasRightTrimMarker(rest) && rest.substr(2).starts_with(kRightDelim)) {
      Backup();
      if (num == 1) return true;
    }
    return Emit(ItemType::kSpace);
  }

  bool LexIdentifier() {
    while (true) {
      char32_t r = Next();
      if (IsAlphaNumeric(r)) continue;
      Backup();
      std::string_view word = input_.substr(start_, pos_ - start_);
      if (!AtTerminator()) return Errorf("bad character " + RuneDesc(r));
      auto it = Keywords().find(word);
      if (it != Keywords().end() && it->second > ItemType::kKeyword) return Emit(it->second);
      if (word[0] == '.') return Emit(ItemType::kField);
      if (word == "true" || word == "false") return Emit(ItemType::kBool);
      return Emit(ItemType::kIdentifier);
    }
  }

  bool LexFieldOrVariable(ItemType typ) {
    if (AtTerminator()) {
      if (typ == ItemType::kVariable) return Emit(ItemType::kVariable);
      return Emit(ItemType::kDot);
    }
    char32_t r;
    while (true) {
      r = Next();
      if (!IsAlphaNumeric(r)) {
        Backup();
        break;
      }
    }
    if (!AtTerminator()) return Errorf("bad character " + RuneDesc(r));
    return Emit(typ);
  }

  bool LexChar() {
    while (true) {
      char32_t r = Next();
      if (r == '\\') {
        char32_t n = Next();
        if (n != kEof && n != '\n') continue;
        return Errorf("unterminated character constant");
      }
      if (r == kEof || r == '\n') return Errorf("unterminated character constant");
      if (r == '\'') break;
    }
    return Emit(ItemType::kCharConstant);
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlphaNumeric(Peek())) {
      Next();
      return false;
    }
    return true;
  }

  bool LexNumber() {
    if (!ScanNumber()) {
      return Errorf("bad number syntax: " + GoQuote(input_.substr(start_, pos_ - start_)));
    }
    char32_t sign = Peek();
    if (sign == '+' || sign == '-') {
      // Complex: 1+2i. No need for .x; no parens needed.
      if (!ScanNumber() || input_[pos_ - 1] != 'i') {
        return Errorf("bad number syntax: " + GoQuote(input_.substr(start_, pos_ - start_)));
      }
      return Emit(ItemType::kComplex);
    }
    return Emit(ItemType::kNumber);
  }

  bool LexQuote() {
    while (true) {
      char32_t r = Next();
      if (r == '\\') {
        char32_t n = Next();
        if (n != kEof && n != '\n') continue;
        return Errorf("unterminated quoted string");
      }
      if (r == kEof || r == '\n') return Errorf("unterminated quoted string");
      if (r == '"') break;
    }
    return Emit(ItemType::kString);
  }

  bool LexRawQuote() {
    while (true) {
      char32_t r = Next();
      if (r == kEof) return Errorf("unterminated raw quoted string");
      if (r == '`') break;
    }
    return Emit(ItemType::kRawString);
  }
};

}  // namespace

std::string Item::String() const {
  if (type == ItemType::kEOF) return "EOF";
  if (type == ItemType::kError) return val;
  if (type > ItemType::kKeyword) return "<" + val + ">";
  if (val.size() > 10) {
    // Go's %.10q: quote the first 10 runes.
    size_t n = 0, i = 0;
    while (i < val.size() && n < 10) {
      unsigned char c = val[i];
      size_t w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      i += w;
      ++n;
    }
    return GoQuote(std::string_view(val).substr(0, std::min(i, val.size()))) + "...";
  }
  return GoQuote(val);
}

std::vector<Item> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace keelson::charts::tmpl
