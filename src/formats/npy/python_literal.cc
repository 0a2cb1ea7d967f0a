#include "formats/npy/python_literal.h"

#include <cstddef>

namespace tfport {
namespace {

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view text) : text_(text) {}

  StatusOr<PyLiteral> parse_all() {
    skip_space();
    TFPORT_ASSIGN_OR_RETURN(PyLiteral value, parse_value(0));
    skip_space();
    if (pos_ != text_.size()) return error("unexpected text after the literal");
    return value;
  }

 private:
  Status error(std::string_view what) const {
    std::string message = "at offset " + std::to_string(pos_) + ": ";
    message += what;
    if (pos_ < text_.size()) {
      message += " (found ";
      message += describe(text_[pos_]);
      message += ")";
    } else {
      message += " (found the end of the text)";
    }
    return invalid_argument_error(std::move(message));
  }

  static std::string describe(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    static const char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  bool consume_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    size_t end = pos_ + word.size();
    if (end < text_.size()) {
      char next = text_[end];
      if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') ||
          next == '_') {
        return false;  // "Truex" is an identifier, not True
      }
    }
    pos_ = end;
    return true;
  }

  StatusOr<PyLiteral> parse_value(int depth) {
    if (depth >= kMaxPyLiteralDepth) return error("literal nested too deeply");
    char c = peek();
    if (c == '\'' || c == '"') return parse_string();
    if (c == 'u' && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"')) {
      ++pos_;  // Python 2 unicode literal: u'...'
      return parse_string();
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_int();
    if (c == '(') return parse_sequence(depth, ')', PyLiteral::Kind::kTuple);
    if (c == '[') return parse_sequence(depth, ']', PyLiteral::Kind::kList);
    if (c == '{') return parse_dict(depth);
    PyLiteral v;
    if (consume_word("True")) {
      v.kind = PyLiteral::Kind::kBool;
      v.boolean = true;
      return v;
    }
    if (consume_word("False")) {
      v.kind = PyLiteral::Kind::kBool;
      return v;
    }
    if (consume_word("None")) return v;
    return error("expected a string, integer, tuple, list, dict, True, False or None");
  }

  StatusOr<PyLiteral> parse_string() {
    const char quote = peek();
    ++pos_;
    size_t start = pos_;
    while (!at_end() && peek() != quote) {
      if (peek() == '\\') return error("escape sequences are not supported in header strings");
      if (peek() == '\n') return error("newline inside a string literal");
      ++pos_;
    }
    if (at_end()) return error("unterminated string literal");
    PyLiteral v;
    v.kind = PyLiteral::Kind::kString;
    v.text = std::string(text_.substr(start, pos_ - start));
    ++pos_;  // closing quote
    return v;
  }

  StatusOr<PyLiteral> parse_int() {
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!(peek() >= '0' && peek() <= '9')) return error("expected digits");
    uint64_t magnitude = 0;
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    while (peek() >= '0' && peek() <= '9') {
      auto digit = static_cast<uint64_t>(peek() - '0');
      if (magnitude > (limit - digit) / 10) return error("integer literal does not fit in 64 bits");
      magnitude = magnitude * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L' || peek() == 'l') ++pos_;  // Python 2 long, as old numpy wrote shapes
    PyLiteral v;
    v.kind = PyLiteral::Kind::kInt;
    v.integer = negative ? static_cast<int64_t>(~magnitude + 1) : static_cast<int64_t>(magnitude);
    return v;
  }

  // '(' or '[' already at pos_; elements separated by ',', an optional trailing ','. A tuple
  // with one element needs the comma: "(3)" is the integer 3 in Python.
  StatusOr<PyLiteral> parse_sequence(int depth, char close, PyLiteral::Kind kind) {
    ++pos_;
    PyLiteral v;
    v.kind = kind;
    bool trailing_comma = false;
    skip_space();
    while (peek() != close) {
      TFPORT_ASSIGN_OR_RETURN(PyLiteral item, parse_value(depth + 1));
      v.items.push_back(std::move(item));
      skip_space();
      trailing_comma = false;
      if (peek() == ',') {
        ++pos_;
        trailing_comma = true;
        skip_space();
        continue;
      }
      if (peek() != close) return error(close == ')' ? "expected ',' or ')'" : "expected ',' or ']'");
    }
    ++pos_;
    if (kind == PyLiteral::Kind::kTuple && v.items.size() == 1 && !trailing_comma) {
      // Parenthesised expression, not a tuple.
      PyLiteral inner = std::move(v.items.front());
      return inner;
    }
    return v;
  }

  StatusOr<PyLiteral> parse_dict(int depth) {
    ++pos_;
    PyLiteral v;
    v.kind = PyLiteral::Kind::kDict;
    skip_space();
    while (peek() != '}') {
      TFPORT_ASSIGN_OR_RETURN(PyLiteral key, parse_value(depth + 1));
      skip_space();
      if (peek() != ':') return error("expected ':' after a dict key");
      ++pos_;
      skip_space();
      TFPORT_ASSIGN_OR_RETURN(PyLiteral value, parse_value(depth + 1));
      v.keys.push_back(std::move(key));
      v.items.push_back(std::move(value));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
        continue;
      }
      if (peek() != '}') return error("expected ',' or '}'");
    }
    ++pos_;
    return v;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::string_view PyLiteral::kind_name() const {
  switch (kind) {
    case Kind::kString: return "string";
    case Kind::kInt: return "int";
    case Kind::kBool: return "bool";
    case Kind::kNone: return "None";
    case Kind::kTuple: return "tuple";
    case Kind::kList: return "list";
    case Kind::kDict: return "dict";
  }
  return "?";
}

std::string PyLiteral::to_string() const {
  switch (kind) {
    case Kind::kString: return "'" + text + "'";
    case Kind::kInt: return std::to_string(integer);
    case Kind::kBool: return boolean ? "True" : "False";
    case Kind::kNone: return "None";
    case Kind::kTuple:
    case Kind::kList: {
      std::string out(1, kind == Kind::kTuple ? '(' : '[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += items[i].to_string();
      }
      if (kind == Kind::kTuple && items.size() == 1) out += ',';
      out += kind == Kind::kTuple ? ')' : ']';
      return out;
    }
    case Kind::kDict: {
      std::string out = "{";
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i > 0) out += ", ";
        out += keys[i].to_string();
        out += ": ";
        out += items[i].to_string();
      }
      out += '}';
      return out;
    }
  }
  return "?";
}

StatusOr<PyLiteral> parse_python_literal(std::string_view text) { return LiteralParser(text).parse_all(); }

}  // namespace tfport
