// A recursive-descent parser for the Python literal subset of run_literal.h. Nothing is
// evaluated: names other than True/False/None and the np.* constructors are refused, so
// `os.system(...)` is a parse error, as ast.literal_eval makes it in saved_model_cli.
#include "cli/run_literal.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "cli/numpy_print.h"
#include "cli/python_repr.h"

namespace tfport::cli {
namespace {

constexpr int kMaxDepth = 64;

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// NumPy dtype spellings accepted for dtype= and .astype().
bool dtype_from_name(std::string_view name, DType* out) {
  struct Entry {
    std::string_view name;
    DType dtype;
  };
  static constexpr Entry kNames[] = {
      {"float16", DType::kHalf},    {"half", DType::kHalf},       {"f2", DType::kHalf},
      {"float32", DType::kFloat},   {"single", DType::kFloat},    {"f4", DType::kFloat},
      {"float64", DType::kDouble},  {"double", DType::kDouble},   {"f8", DType::kDouble},
      {"float", DType::kDouble},    {"float_", DType::kDouble},   {"int8", DType::kInt8},
      {"i1", DType::kInt8},         {"int16", DType::kInt16},     {"i2", DType::kInt16},
      {"int32", DType::kInt32},     {"i4", DType::kInt32},        {"int64", DType::kInt64},
      {"i8", DType::kInt64},        {"int", DType::kInt64},       {"int_", DType::kInt64},
      {"uint8", DType::kUInt8},     {"u1", DType::kUInt8},        {"uint16", DType::kUInt16},
      {"u2", DType::kUInt16},       {"uint32", DType::kUInt32},   {"u4", DType::kUInt32},
      {"uint64", DType::kUInt64},   {"u8", DType::kUInt64},       {"bool", DType::kBool},
      {"bool_", DType::kBool},      {"?", DType::kBool},          {"str", DType::kString},
      {"str_", DType::kString},     {"bytes", DType::kString},    {"bytes_", DType::kString},
      {"object", DType::kString},
  };
  for (const Entry& e : kNames) {
    if (e.name == name) {
      *out = e.dtype;
      return true;
    }
  }
  return false;
}

class Parser {
 public:
  Parser(std::string_view text, const PyLiteralOptions& options) : text_(text), options_(options) {}

  StatusOr<PyValue> parse_all() {
    TFPORT_ASSIGN_OR_RETURN(PyValue v, parse_expr(0));
    skip_space();
    if (pos_ != text_.size()) return error("unexpected '" + std::string(1, text_[pos_]) + "'");
    return v;
  }

 private:
  Status error(const std::string& what) const {
    return invalid_argument_error(what + " at offset " + std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  bool consume(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }

  std::string read_identifier() {
    skip_space();
    size_t start = pos_;
    if (pos_ < text_.size() && is_ident_start(text_[pos_])) {
      while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  StatusOr<PyValue> parse_expr(int depth) {
    if (depth > kMaxDepth) return error("expression nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end of expression");
    char c = text_[pos_];
    if (c == '-' || c == '+') {
      ++pos_;
      TFPORT_ASSIGN_OR_RETURN(PyValue v, parse_expr(depth + 1));
      if (v.kind == PyValue::Kind::kInt) {
        if (c == '-') {
          if (v.i == std::numeric_limits<int64_t>::min()) return error("integer out of the int64 range");
          v.i = -v.i;
        }
        return v;
      }
      if (v.kind == PyValue::Kind::kFloat) {
        if (c == '-') v.f = -v.f;
        return v;
      }
      return error("unary '" + std::string(1, c) + "' applies to numbers only");
    }
    TFPORT_ASSIGN_OR_RETURN(PyValue v, parse_atom(depth));
    skip_space();
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-' || text_[pos_] == '*' ||
                                text_[pos_] == '/' || text_[pos_] == '%')) {
      return error("operators are not allowed in a literal");
    }
    return v;
  }

  StatusOr<PyValue> parse_atom(int depth) {
    skip_space();
    char c = text_[pos_];
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return parse_number();
    if (c == '[') return parse_sequence(depth, ']', PyValue::Kind::kList);
    if (c == '(') return parse_sequence(depth, ')', PyValue::Kind::kTuple);
    if (c == '{') return parse_dict(depth);
    if (c == '\'' || c == '"') return parse_strings();
    if (is_ident_start(c)) {
      size_t start = pos_;
      std::string name = read_identifier();
      if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"') && name.size() <= 2) {
        pos_ = start;
        return parse_strings();
      }
      PyValue v;
      if (name == "True" || name == "False") {
        v.kind = PyValue::Kind::kBool;
        v.b = name == "True";
        return v;
      }
      if (name == "None") return v;
      if ((name == "np" || name == "numpy") && options_.allow_numpy) return parse_numpy_call(depth);
      pos_ = start;
      return error("name '" + name + "' is not allowed (only literals" +
                   std::string(options_.allow_numpy ? " and np.ones/zeros/full/arange/array" : "") + ")");
    }
    return error("unexpected '" + std::string(1, c) + "'");
  }

  StatusOr<PyValue> parse_number() {
    size_t start = pos_;
    std::string digits;
    PyValue v;
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() &&
        std::string_view("xXoObB").find(text_[pos_ + 1]) != std::string_view::npos) {
      char kind = static_cast<char>(text_[pos_ + 1] | 0x20);
      int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
      pos_ += 2;
      while (pos_ < text_.size() && (is_ident_char(text_[pos_]))) {
        if (text_[pos_] != '_') digits += text_[pos_];
        ++pos_;
      }
      uint64_t value = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
        pos_ = start;
        return error("invalid number literal");
      }
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return error("integer out of the int64 range");
      }
      v.kind = PyValue::Kind::kInt;
      v.i = static_cast<int64_t>(value);
      return v;
    }
    bool is_float = false;
    auto take_digits = [&] {
      while (pos_ < text_.size() && (is_digit(text_[pos_]) || text_[pos_] == '_')) {
        if (text_[pos_] != '_') digits += text_[pos_];
        ++pos_;
      }
    };
    take_digits();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_float = true;
      digits += '.';
      ++pos_;
      take_digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_float = true;
      digits += 'e';
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) digits += text_[pos_++];
      size_t before = digits.size();
      take_digits();
      if (digits.size() == before) return error("invalid number literal");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'j' || text_[pos_] == 'J')) {
      return error("complex numbers are not supported");
    }
    if (pos_ < text_.size() && is_ident_char(text_[pos_])) return error("invalid number literal");
    if (is_float) {
      double value = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc::result_out_of_range) {
        // Python gives inf for overflow and 0.0 for underflow.
        bool underflow = false;
        size_t e = digits.find('e');
        if (e != std::string::npos && e + 1 < digits.size() && digits[e + 1] == '-') underflow = true;
        value = underflow ? 0.0 : std::numeric_limits<double>::infinity();
      } else if (ec != std::errc() || p != digits.data() + digits.size()) {
        pos_ = start;
        return error("invalid number literal");
      }
      v.kind = PyValue::Kind::kFloat;
      v.f = value;
      return v;
    }
    if (digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos) {
      pos_ = start;
      return error("leading zeros in decimal integer literals are not permitted");
    }
    int64_t value = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) return error("integer out of the int64 range");
    if (ec != std::errc() || p != digits.data() + digits.size()) return error("invalid number literal");
    v.kind = PyValue::Kind::kInt;
    v.i = value;
    return v;
  }

  // One or more adjacent string literals (Python concatenates them).
  StatusOr<PyValue> parse_strings() {
    PyValue v;
    bool first = true;
    while (true) {
      skip_space();
      size_t save = pos_;
      std::string prefix;
      while (pos_ < text_.size() && prefix.size() < 3 && is_ident_start(text_[pos_])) prefix += text_[pos_++];
      if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
        pos_ = save;
        if (first) return error("expected a string");
        break;
      }
      bool raw = false, bytes = false;
      for (char p : prefix) {
        char l = static_cast<char>(p | 0x20);
        if (l == 'r' && !raw) {
          raw = true;
        } else if (l == 'b' && !bytes) {
          bytes = true;
        } else if (l == 'u' && prefix.size() == 1) {
        } else {
          pos_ = save;
          return error("invalid string prefix '" + prefix + "'");
        }
      }
      PyValue::Kind kind = bytes ? PyValue::Kind::kBytes : PyValue::Kind::kStr;
      if (!first && kind != v.kind) return error("cannot mix bytes and nonbytes literals");
      v.kind = kind;
      first = false;
      TFPORT_RETURN_IF_ERROR(parse_one_string(raw, bytes, &v.s));
    }
    return v;
  }

  Status parse_one_string(bool raw, bool bytes, std::string* out) {
    char q = text_[pos_];
    bool triple = pos_ + 2 < text_.size() && text_[pos_ + 1] == q && text_[pos_ + 2] == q;
    pos_ += triple ? 3 : 1;
    while (true) {
      if (pos_ >= text_.size()) return error("unterminated string literal");
      char c = text_[pos_];
      if (c == q) {
        if (!triple) {
          ++pos_;
          return Status::OK();
        }
        if (pos_ + 2 < text_.size() && text_[pos_ + 1] == q && text_[pos_ + 2] == q) {
          pos_ += 3;
          return Status::OK();
        }
      }
      if (c == '\n' && !triple) return error("unterminated string literal");
      if (bytes && static_cast<unsigned char>(c) >= 0x80) return error("bytes can only contain ASCII literal characters");
      if (c != '\\') {
        *out += c;
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= text_.size()) return error("unterminated string literal");
      char e = text_[pos_ + 1];
      if (raw) {
        *out += c;
        *out += e;
        pos_ += 2;
        continue;
      }
      pos_ += 2;
      switch (e) {
        case '\n': break;
        case '\\': *out += '\\'; break;
        case '\'': *out += '\''; break;
        case '"': *out += '"'; break;
        case 'a': *out += '\a'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'v': *out += '\v'; break;
        case 'x': {
          if (pos_ + 2 > text_.size() || hex_value(text_[pos_]) < 0 || hex_value(text_[pos_ + 1]) < 0) {
            return error("truncated \\xXX escape");
          }
          uint32_t value = static_cast<uint32_t>(hex_value(text_[pos_]) * 16 + hex_value(text_[pos_ + 1]));
          pos_ += 2;
          if (bytes) {
            *out += static_cast<char>(value);
          } else {
            append_utf8(*out, value);
          }
          break;
        }
        case 'u':
        case 'U': {
          if (bytes) {
            *out += '\\';
            *out += e;
            break;
          }
          size_t n = e == 'u' ? 4 : 8;
          if (pos_ + n > text_.size()) return error("truncated \\" + std::string(1, e) + " escape");
          uint32_t value = 0;
          for (size_t k = 0; k < n; ++k) {
            int h = hex_value(text_[pos_ + k]);
            if (h < 0) return error("truncated \\" + std::string(1, e) + " escape");
            value = value * 16 + static_cast<uint32_t>(h);
          }
          if (value > 0x10FFFF) return error("illegal Unicode character");
          pos_ += n;
          append_utf8(*out, value);
          break;
        }
        case 'N':
          return error("\\N{...} escapes are not supported");
        default:
          if (e >= '0' && e <= '7') {
            uint32_t value = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2 && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7'; ++k) {
              value = value * 8 + static_cast<uint32_t>(text_[pos_++] - '0');
            }
            if (bytes) {
              *out += static_cast<char>(value & 0xFF);
            } else {
              append_utf8(*out, value);
            }
          } else {
            *out += '\\';
            *out += e;
          }
      }
    }
  }

  StatusOr<PyValue> parse_sequence(int depth, char close, PyValue::Kind kind) {
    ++pos_;
    PyValue v;
    v.kind = kind;
    bool saw_comma = false;
    while (!consume(close)) {
      if (pos_ >= text_.size()) return error("missing '" + std::string(1, close) + "'");
      TFPORT_ASSIGN_OR_RETURN(PyValue item, parse_expr(depth + 1));
      v.items.push_back(std::move(item));
      if (consume(',')) {
        saw_comma = true;
        continue;
      }
      if (!consume(close)) return error("expected ',' or '" + std::string(1, close) + "'");
      break;
    }
    // "(x)" is x itself; "(x,)" and "()" are tuples.
    if (kind == PyValue::Kind::kTuple && v.items.size() == 1 && !saw_comma) return std::move(v.items[0]);
    return v;
  }

  StatusOr<PyValue> parse_dict(int depth) {
    ++pos_;
    PyValue v;
    v.kind = PyValue::Kind::kDict;
    while (!consume('}')) {
      if (pos_ >= text_.size()) return error("missing '}'");
      TFPORT_ASSIGN_OR_RETURN(PyValue key, parse_expr(depth + 1));
      if (!consume(':')) return error("expected ':' in a dict (sets are not supported)");
      if (key.kind == PyValue::Kind::kList || key.kind == PyValue::Kind::kDict || key.kind == PyValue::Kind::kArray) {
        return error("unhashable dict key " + py_type_repr(key));
      }
      TFPORT_ASSIGN_OR_RETURN(PyValue value, parse_expr(depth + 1));
      // A repeated key keeps its first position and its last value, as in Python.
      bool replaced = false;
      for (size_t k = 0; k < v.keys.size(); ++k) {
        if (py_repr(v.keys[k]) == py_repr(key)) {
          v.items[k] = std::move(value);
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        v.keys.push_back(std::move(key));
        v.items.push_back(std::move(value));
      }
      if (consume(',')) continue;
      if (!consume('}')) return error("expected ',' or '}'");
      break;
    }
    return v;
  }

  // ---- np.* constructors -------------------------------------------------------------

  struct Args {
    std::vector<PyValue> positional;
    std::vector<std::pair<std::string, PyValue>> keyword;
    DType dtype = DType::kInvalid;  // from dtype=
  };

  StatusOr<DType> parse_dtype_expr() {
    skip_space();
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      TFPORT_ASSIGN_OR_RETURN(PyValue s, parse_strings());
      DType d;
      std::string_view name = s.s;
      if (!name.empty() && (name[0] == '<' || name[0] == '=' || name[0] == '|')) name.remove_prefix(1);
      if (!dtype_from_name(name, &d)) return error("unsupported dtype '" + s.s + "'");
      return d;
    }
    std::string name = read_identifier();
    if (name == "np" || name == "numpy") {
      if (!consume('.')) return error("expected '.' after '" + name + "'");
      name = read_identifier();
    }
    DType d;
    if (name.empty() || !dtype_from_name(name, &d)) return error("unsupported dtype '" + name + "'");
    return d;
  }

  StatusOr<Args> parse_args(int depth) {
    if (!consume('(')) return error("expected '('");
    Args args;
    while (!consume(')')) {
      if (pos_ >= text_.size()) return error("missing ')'");
      skip_space();
      size_t save = pos_;
      std::string name = read_identifier();
      if (!name.empty() && peek('=') && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '=')) {
        ++pos_;
        if (name == "dtype") {
          TFPORT_ASSIGN_OR_RETURN(args.dtype, parse_dtype_expr());
        } else {
          TFPORT_ASSIGN_OR_RETURN(PyValue value, parse_expr(depth + 1));
          args.keyword.emplace_back(name, std::move(value));
        }
      } else {
        pos_ = save;
        if (!args.keyword.empty() || args.dtype != DType::kInvalid) {
          return error("positional argument follows keyword argument");
        }
        TFPORT_ASSIGN_OR_RETURN(PyValue value, parse_expr(depth + 1));
        args.positional.push_back(std::move(value));
      }
      if (consume(',')) continue;
      if (!consume(')')) return error("expected ',' or ')'");
      break;
    }
    return args;
  }

  StatusOr<std::vector<int64_t>> shape_from(const PyValue& v) {
    std::vector<int64_t> dims;
    if (v.kind == PyValue::Kind::kInt) {
      dims.push_back(v.i);
    } else if (v.kind == PyValue::Kind::kList || v.kind == PyValue::Kind::kTuple) {
      for (const PyValue& d : v.items) {
        if (d.kind != PyValue::Kind::kInt) return error("shape entries must be integers, got " + py_repr(d));
        dims.push_back(d.i);
      }
    } else {
      return error("a shape must be an int or a tuple of ints, got " + py_repr(v));
    }
    for (int64_t d : dims) {
      if (d < 0) return error("negative dimensions are not allowed");
    }
    return dims;
  }

  StatusOr<Tensor> allocate(DType dtype, const std::vector<int64_t>& dims) {
    auto shape = Shape::make(dims);
    if (!shape.ok()) return shape.status();
    auto t = Tensor::allocate(dtype, *shape, options_.max_array_bytes);
    if (!t.ok()) {
      return resource_exhausted_error("array of shape " + shape->to_string() + " is too large for an input expression: " +
                                      t.status().message());
    }
    return t;
  }

  const PyValue* keyword(const Args& args, std::string_view name) {
    for (const auto& [k, v] : args.keyword) {
      if (k == name) return &v;
    }
    return nullptr;
  }

  Status check_keywords(const Args& args, std::initializer_list<std::string_view> allowed, const std::string& fn) {
    for (const auto& [k, v] : args.keyword) {
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k;
      if (!ok) return error(fn + "() got an unexpected keyword argument '" + k + "'");
    }
    return Status::OK();
  }

  StatusOr<PyValue> parse_numpy_call(int depth) {
    if (!consume('.')) return error("expected '.' after 'np'");
    std::string fn = read_identifier();
    if (fn != "ones" && fn != "zeros" && fn != "full" && fn != "arange" && fn != "array" && fn != "asarray") {
      return error("np." + fn + " is not supported (use np.ones, np.zeros, np.full, np.arange or np.array)");
    }
    TFPORT_ASSIGN_OR_RETURN(Args args, parse_args(depth));
    PyValue v;
    v.kind = PyValue::Kind::kArray;
    if (fn == "ones" || fn == "zeros") {
      TFPORT_RETURN_IF_ERROR(check_keywords(args, {"shape"}, "np." + fn));
      const PyValue* shape_arg = args.positional.empty() ? keyword(args, "shape") : &args.positional[0];
      if (shape_arg == nullptr || args.positional.size() > 1) return error("np." + fn + "() takes one shape argument");
      TFPORT_ASSIGN_OR_RETURN(auto dims, shape_from(*shape_arg));
      DType dtype = args.dtype == DType::kInvalid ? DType::kDouble : args.dtype;
      TFPORT_ASSIGN_OR_RETURN(v.array, allocate(dtype, dims));
      if (fn == "ones") {
        PyValue one;
        one.kind = PyValue::Kind::kInt;
        one.i = 1;
        TFPORT_RETURN_IF_ERROR(fill(v.array, one));
      }
    } else if (fn == "full") {
      TFPORT_RETURN_IF_ERROR(check_keywords(args, {"shape", "fill_value"}, "np.full"));
      const PyValue* shape_arg = !args.positional.empty() ? &args.positional[0] : keyword(args, "shape");
      const PyValue* fill_arg = args.positional.size() > 1 ? &args.positional[1] : keyword(args, "fill_value");
      if (shape_arg == nullptr || fill_arg == nullptr || args.positional.size() > 2) {
        return error("np.full() takes a shape and a fill value");
      }
      TFPORT_ASSIGN_OR_RETURN(auto dims, shape_from(*shape_arg));
      DType dtype = args.dtype;
      if (dtype == DType::kInvalid) {
        switch (fill_arg->kind) {
          case PyValue::Kind::kBool: dtype = DType::kBool; break;
          case PyValue::Kind::kInt: dtype = DType::kInt64; break;
          case PyValue::Kind::kFloat: dtype = DType::kDouble; break;
          case PyValue::Kind::kStr:
          case PyValue::Kind::kBytes: dtype = DType::kString; break;
          default: return error("np.full() needs a scalar fill value, got " + py_repr(*fill_arg));
        }
      }
      TFPORT_ASSIGN_OR_RETURN(v.array, allocate(dtype, dims));
      TFPORT_RETURN_IF_ERROR(fill(v.array, *fill_arg));
    } else if (fn == "arange") {
      TFPORT_ASSIGN_OR_RETURN(v.array, arange(args));
    } else {
      TFPORT_RETURN_IF_ERROR(check_keywords(args, {}, "np." + fn));
      if (args.positional.size() != 1) return error("np." + fn + "() takes one object argument");
      auto t = py_to_array(args.positional[0], args.dtype);
      if (!t.ok()) return error(t.status().message());
      v.array = std::move(*t);
    }
    return parse_methods(depth, std::move(v));
  }

  // .reshape(...) and .astype(...) after an array.
  StatusOr<PyValue> parse_methods(int depth, PyValue v) {
    while (peek('.')) {
      ++pos_;
      std::string method = read_identifier();
      if (method == "astype") {
        if (!consume('(')) return error("expected '('");
        TFPORT_ASSIGN_OR_RETURN(DType d, parse_dtype_expr());
        if (!consume(')')) return error("expected ')'");
        auto t = cast_array(v.array, d);
        if (!t.ok()) return error(t.status().message());
        v.array = std::move(*t);
      } else if (method == "reshape") {
        TFPORT_ASSIGN_OR_RETURN(Args args, parse_args(depth));
        if (!args.keyword.empty() || args.dtype != DType::kInvalid) return error("reshape() takes only a shape");
        std::vector<int64_t> dims;
        if (args.positional.size() == 1 && args.positional[0].kind != PyValue::Kind::kInt) {
          const PyValue& s = args.positional[0];
          if (s.kind != PyValue::Kind::kList && s.kind != PyValue::Kind::kTuple) return error("reshape() needs a shape");
          for (const PyValue& d : s.items) {
            if (d.kind != PyValue::Kind::kInt) return error("shape entries must be integers");
            dims.push_back(d.i);
          }
        } else {
          for (const PyValue& d : args.positional) {
            if (d.kind != PyValue::Kind::kInt) return error("shape entries must be integers");
            dims.push_back(d.i);
          }
        }
        TFPORT_RETURN_IF_ERROR(reshape(v.array, dims));
      } else {
        return error("method '" + method + "' is not supported (only .reshape and .astype)");
      }
    }
    return v;
  }

  Status reshape(Tensor& t, std::vector<int64_t> dims) {
    int64_t known = 1;
    int unknown = -1;
    for (size_t k = 0; k < dims.size(); ++k) {
      if (dims[k] == -1) {
        if (unknown >= 0) return error("can only specify one unknown dimension");
        unknown = static_cast<int>(k);
      } else if (dims[k] < 0) {
        return error("negative dimensions are not allowed");
      } else {
        if (dims[k] != 0 && known > std::numeric_limits<int64_t>::max() / dims[k]) return error("shape too large");
        known *= dims[k];
      }
    }
    int64_t n = t.num_elements();
    if (unknown >= 0) {
      if (known == 0 || n % known != 0) {
        return error("cannot reshape array of size " + std::to_string(n) + " into the requested shape");
      }
      dims[static_cast<size_t>(unknown)] = n / known;
      known = n;
    }
    if (known != n) return error("cannot reshape array of size " + std::to_string(n) + " into the requested shape");
    Tensor out = t.clone();
    auto shape = Shape::make(dims);
    if (!shape.ok()) return shape.status();
    if (out.dtype() == DType::kString) {
      TFPORT_ASSIGN_OR_RETURN(t, Tensor::from_strings(*shape, out.strings()));
    } else {
      t = Tensor::wrap(out.dtype(), *shape, out.raw_data(), std::make_shared<Tensor>(out));
    }
    return Status::OK();
  }

  Status fill(Tensor& t, const PyValue& value) {
    PyValue list;
    list.kind = PyValue::Kind::kList;
    list.items.push_back(value);
    auto one = py_to_array(list, t.dtype());
    if (!one.ok()) return error(one.status().message());
    int64_t n = t.num_elements();
    if (t.dtype() == DType::kString) {
      for (int64_t k = 0; k < n; ++k) t.mutable_strings()[static_cast<size_t>(k)] = one->strings()[0];
      return Status::OK();
    }
    size_t size = dtype_size(t.dtype());
    auto* dst = static_cast<unsigned char*>(t.mutable_raw_data());
    const auto* src = static_cast<const unsigned char*>(one->raw_data());
    for (int64_t k = 0; k < n; ++k) std::copy(src, src + size, dst + static_cast<size_t>(k) * size);
    return Status::OK();
  }

  StatusOr<Tensor> arange(const Args& args) {
    TFPORT_RETURN_IF_ERROR(check_keywords(args, {"start", "stop", "step"}, "np.arange"));
    std::vector<PyValue> a = args.positional;
    if (a.empty() || a.size() > 3) return error("np.arange() takes 1 to 3 positional arguments");
    bool any_float = false;
    for (const PyValue& x : a) {
      if (x.kind == PyValue::Kind::kFloat) {
        any_float = true;
      } else if (x.kind != PyValue::Kind::kInt && x.kind != PyValue::Kind::kBool) {
        return error("np.arange() arguments must be numbers, got " + py_repr(x));
      }
    }
    auto num = [](const PyValue& x) {
      return x.kind == PyValue::Kind::kFloat ? x.f : static_cast<double>(x.kind == PyValue::Kind::kBool ? x.b : x.i);
    };
    double start = a.size() >= 2 ? num(a[0]) : 0.0;
    double stop = a.size() >= 2 ? num(a[1]) : num(a[0]);
    double step = a.size() == 3 ? num(a[2]) : 1.0;
    if (step == 0) return error("np.arange(): step must not be zero");
    double count_f = std::ceil((stop - start) / step);
    if (!std::isfinite(count_f)) return error("np.arange(): arguments must be finite");
    if (count_f < 0) count_f = 0;
    if (count_f > 1e15) return resource_exhausted_error("np.arange() would produce too many elements");
    int64_t count = static_cast<int64_t>(count_f);
    DType out_dtype = args.dtype != DType::kInvalid ? args.dtype : any_float ? DType::kDouble : DType::kInt64;
    TFPORT_ASSIGN_OR_RETURN(Tensor t, allocate(DType::kDouble, {count}));
    double* p = t.mutable_data<double>();
    if (!any_float) {
      // Integer ranges are exact in int64 arithmetic.
      int64_t s = a.size() >= 2 ? a[0].i : 0;
      int64_t st = a.size() == 3 ? a[2].i : 1;
      for (int64_t k = 0; k < count; ++k) p[k] = static_cast<double>(s + k * st);
      if (out_dtype == DType::kInt64) {
        TFPORT_ASSIGN_OR_RETURN(Tensor ti, allocate(DType::kInt64, {count}));
        for (int64_t k = 0; k < count; ++k) ti.mutable_data<int64_t>()[k] = s + k * st;
        return ti;
      }
    } else {
      for (int64_t k = 0; k < count; ++k) p[k] = start + static_cast<double>(k) * step;
    }
    if (out_dtype == DType::kDouble) return t;
    auto c = cast_array(t, out_dtype);
    if (!c.ok()) return error(c.status().message());
    return c;
  }

  std::string_view text_;
  const PyLiteralOptions& options_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<PyValue> parse_py_literal(std::string_view text, const PyLiteralOptions& options) {
  Parser parser(text, options);
  return parser.parse_all();
}


std::string py_repr(const PyValue& v) {
  switch (v.kind) {
    case PyValue::Kind::kNone: return "None";
    case PyValue::Kind::kBool: return v.b ? "True" : "False";
    case PyValue::Kind::kInt: return std::to_string(v.i);
    case PyValue::Kind::kFloat: return numpy_float64_str(v.f);
    case PyValue::Kind::kStr: return python_str_repr(v.s);
    case PyValue::Kind::kBytes: return numpy_bytes_repr(v.s);
    case PyValue::Kind::kList:
    case PyValue::Kind::kTuple: {
      bool list = v.kind == PyValue::Kind::kList;
      std::string out = list ? "[" : "(";
      for (size_t k = 0; k < v.items.size(); ++k) out += (k ? ", " : "") + py_repr(v.items[k]);
      if (!list && v.items.size() == 1) out += ",";
      return out + (list ? "]" : ")");
    }
    case PyValue::Kind::kDict: {
      std::string out = "{";
      for (size_t k = 0; k < v.items.size(); ++k) {
        out += (k ? ", " : "") + py_repr(v.keys[k]) + ": " + py_repr(v.items[k]);
      }
      return out + "}";
    }
    case PyValue::Kind::kArray: return numpy_str(v.array);
  }
  return "?";
}

std::string py_type_repr(const PyValue& v) {
  switch (v.kind) {
    case PyValue::Kind::kNone: return "<class 'NoneType'>";
    case PyValue::Kind::kBool: return "<class 'bool'>";
    case PyValue::Kind::kInt: return "<class 'int'>";
    case PyValue::Kind::kFloat: return "<class 'float'>";
    case PyValue::Kind::kStr: return "<class 'str'>";
    case PyValue::Kind::kBytes: return "<class 'bytes'>";
    case PyValue::Kind::kList: return "<class 'list'>";
    case PyValue::Kind::kTuple: return "<class 'tuple'>";
    case PyValue::Kind::kDict: return "<class 'dict'>";
    case PyValue::Kind::kArray: return "<class 'numpy.ndarray'>";
  }
  return "<class 'object'>";
}

}  // namespace tfport::cli
