// NumPy's array printing, re-derived from its documented behaviour: each element is turned
// into a word by a format chosen from all the (possibly summarised) data, then the words are
// laid out row by row with brackets, wrapping at the line width with a hanging indent.
#include "cli/numpy_print.h"

#include <Eigen/Core>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <complex>
#include <cstdio>
#include <functional>
#include <limits>
#include <string_view>

namespace tfport::cli {
namespace {

enum class FloatKind { kHalf, kBFloat16, kFloat, kDouble };

// value == 0.d[0]d[1]... no: value == d[0].d[1]d[2]... * 10^exp, sign aside.
struct Digits {
  bool negative = false;
  std::string digits;  // no trailing zeros except for "0"
  int exp = 0;
};

Digits parse_scientific(std::string_view text) {
  Digits d;
  size_t pos = 0;
  if (!text.empty() && text[0] == '-') {
    d.negative = true;
    pos = 1;
  }
  size_t e = text.find('e', pos);
  for (size_t k = pos; k < e && k < text.size(); ++k) {
    if (text[k] != '.') d.digits += text[k];
  }
  if (e != std::string_view::npos) {
    int exp = 0;
    std::string_view rest = text.substr(e + 1);
    if (!rest.empty() && rest[0] == '+') rest.remove_prefix(1);
    std::from_chars(rest.data(), rest.data() + rest.size(), exp);
    d.exp = exp;
  }
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  return d;
}

bool round_trips(double candidate, double value, FloatKind kind) {
  switch (kind) {
    case FloatKind::kHalf:
      return static_cast<float>(Eigen::half(static_cast<float>(candidate))) == static_cast<float>(value);
    case FloatKind::kBFloat16:
      return static_cast<float>(Eigen::bfloat16(static_cast<float>(candidate))) == static_cast<float>(value);
    case FloatKind::kFloat:
      return static_cast<float>(candidate) == static_cast<float>(value);
    case FloatKind::kDouble:
      return candidate == value;
  }
  return false;
}

// The shortest digits that read back as the same value of the element's own type.
Digits shortest(double value, FloatKind kind) {
  char buf[64];
  if (kind == FloatKind::kDouble || kind == FloatKind::kFloat) {
    std::to_chars_result r = kind == FloatKind::kDouble
                                 ? std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific)
                                 : std::to_chars(buf, buf + sizeof(buf), static_cast<float>(value),
                                                 std::chars_format::scientific);
    return parse_scientific(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
  for (int p = 0; p < 17; ++p) {
    int n = std::snprintf(buf, sizeof(buf), "%.*e", p, value);
    if (round_trips(std::strtod(buf, nullptr), value, kind)) return parse_scientific(std::string_view(buf, static_cast<size_t>(n)));
  }
  int n = std::snprintf(buf, sizeof(buf), "%.17e", value);
  return parse_scientific(std::string_view(buf, static_cast<size_t>(n)));
}

std::string trim_zeros(std::string s) {
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

struct Positional {
  std::string sign;  // "", "-" or "+"
  std::string integer;
  std::string fraction;  // trailing zeros trimmed
};

// dragon4_positional(unique=True, fractional=True, trim='.') with `precision` fractional
// digits at most (precision < 0: no limit).
Positional positional(double value, FloatKind kind, int precision, bool sign_plus) {
  Digits d = shortest(value, kind);
  Positional p;
  p.sign = d.negative ? "-" : sign_plus ? "+" : "";
  int frac_len = std::max(0, static_cast<int>(d.digits.size()) - 1 - d.exp);
  if (precision >= 0 && frac_len > precision) {
    char buf[400];
    int n = std::snprintf(buf, sizeof(buf), "%.*f", precision, std::fabs(value));
    std::string s(buf, static_cast<size_t>(std::max(n, 0)));
    size_t dot = s.find('.');
    p.integer = s.substr(0, dot);
    p.fraction = dot == std::string::npos ? "" : trim_zeros(s.substr(dot + 1));
    return p;
  }
  if (d.exp >= 0) {
    size_t int_len = static_cast<size_t>(d.exp) + 1;
    if (d.digits.size() <= int_len) {
      p.integer = d.digits + std::string(int_len - d.digits.size(), '0');
    } else {
      p.integer = d.digits.substr(0, int_len);
      p.fraction = d.digits.substr(int_len);
    }
  } else {
    p.integer = "0";
    p.fraction = std::string(static_cast<size_t>(-d.exp - 1), '0') + d.digits;
  }
  if (p.fraction.find_first_not_of('0') == std::string::npos) p.fraction.clear();
  return p;
}

struct Scientific {
  std::string sign;
  std::string integer;   // one digit
  std::string fraction;  // trailing zeros trimmed
  int exp = 0;
};

// dragon4_scientific(unique=True, trim='.') with at most `precision` fractional digits.
Scientific scientific(double value, FloatKind kind, int precision, bool sign_plus) {
  Digits d = shortest(value, kind);
  if (precision >= 0 && static_cast<int>(d.digits.size()) - 1 > precision) {
    char buf[64];
    int n = std::snprintf(buf, sizeof(buf), "%.*e", precision, std::fabs(value));
    bool negative = d.negative;
    d = parse_scientific(std::string_view(buf, static_cast<size_t>(std::max(n, 0))));
    d.negative = negative;
  }
  Scientific s;
  s.sign = d.negative ? "-" : sign_plus ? "+" : "";
  s.integer = d.digits.substr(0, 1);
  s.fraction = d.digits.size() > 1 ? d.digits.substr(1) : "";
  if (d.digits == "0") s.exp = 0;
  else s.exp = d.exp;
  return s;
}

std::string exponent_text(int exp, size_t min_digits) {
  std::string digits = std::to_string(exp < 0 ? -exp : exp);
  if (digits.size() < min_digits) digits.insert(0, min_digits - digits.size(), '0');
  return std::string(exp < 0 ? "-" : "+") + digits;
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

// str() of a NumPy float scalar: positional between 1e-4 and 1e16, otherwise scientific,
// with all the shortest digits ("3.0", "1e-05", "1.5e+20").
std::string float_scalar_str(double value, FloatKind kind) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  double a = std::fabs(value);
  if (a == 0 || (a >= 1e-4 && a < 1e16)) {
    Positional p = positional(value, kind, -1, false);
    return p.sign + p.integer + "." + (p.fraction.empty() ? "0" : p.fraction);
  }
  Scientific s = scientific(value, kind, -1, false);
  return s.sign + s.integer + (s.fraction.empty() ? "" : "." + s.fraction) + "e" + exponent_text(s.exp, 2);
}

// FloatingFormat with floatmode 'maxprec' and suppress_small off.
class FloatFormat {
 public:
  FloatFormat(const std::vector<double>& data, FloatKind kind, int precision, bool sign_plus)
      : kind_(kind), precision_(precision), sign_plus_(sign_plus) {
    std::vector<double> finite;
    for (double x : data) {
      if (std::isfinite(x)) finite.push_back(x);
    }
    double max_val = 0, min_val = std::numeric_limits<double>::infinity();
    bool any_nonzero = false;
    for (double x : finite) {
      if (x == 0) continue;
      any_nonzero = true;
      max_val = std::max(max_val, std::fabs(x));
      min_val = std::min(min_val, std::fabs(x));
    }
    if (any_nonzero) {
      double ratio = max_val / min_val;
      if (kind == FloatKind::kFloat) ratio = static_cast<float>(max_val) / static_cast<float>(min_val);
      if (kind == FloatKind::kHalf) ratio = static_cast<float>(Eigen::half(static_cast<float>(max_val) / static_cast<float>(min_val)));
      exp_format_ = max_val >= 1e8 || min_val < 0.0001 || ratio > 1000.0;
    }
    if (finite.empty()) {
      pad_left_ = pad_right_ = 0;
    } else if (exp_format_) {
      size_t frac = 0, exp_digits = 0;
      for (double x : finite) {
        Scientific s = scientific(x, kind, precision, sign_plus);
        frac = std::max(frac, s.fraction.size());
        exp_digits = std::max(exp_digits, exponent_text(s.exp, 2).size() - 1);
        pad_left_ = std::max(pad_left_, s.sign.size() + s.integer.size());
      }
      precision_ = static_cast<int>(frac);
      exp_size_ = exp_digits;
      pad_right_ = exp_size_ + 2 + frac;
    } else {
      for (double x : finite) {
        Positional p = positional(x, kind, precision, sign_plus);
        pad_left_ = std::max(pad_left_, p.sign.size() + p.integer.size());
        pad_right_ = std::max(pad_right_, p.fraction.size());
      }
    }
    if (finite.size() != data.size()) {
      bool neginf = sign_plus;
      for (double x : data) neginf = neginf || (std::isinf(x) && x < 0);
      size_t offset = pad_right_ + 1;
      size_t nan_len = 3, inf_len = 3 + (neginf ? 1 : 0);
      if (nan_len > offset) pad_left_ = std::max(pad_left_, nan_len - offset);
      if (inf_len > offset) pad_left_ = std::max(pad_left_, inf_len - offset);
    }
  }

  std::string operator()(double x) const {
    if (!std::isfinite(x)) {
      std::string text = std::isnan(x) ? std::string(sign_plus_ ? "+" : "") + "nan"
                                       : std::string(x < 0 ? "-" : sign_plus_ ? "+" : "") + "inf";
      return pad_left(text, pad_left_ + pad_right_ + 1);
    }
    if (exp_format_) {
      Scientific s = scientific(x, kind_, precision_, sign_plus_);
      if (s.fraction.size() < static_cast<size_t>(precision_)) {
        // min_digits: NumPy prints further digits of the exact binary value (rounded), not zeros.
        char buf[64];
        int n = std::snprintf(buf, sizeof(buf), "%.*e", precision_, std::fabs(x));
        Digits d = parse_scientific(std::string_view(buf, static_cast<size_t>(std::max(n, 0))));
        s.integer = d.digits.substr(0, 1);
        s.fraction = d.digits.size() > 1 ? d.digits.substr(1) : "";
        s.exp = d.digits == "0" ? 0 : d.exp;
      }
      std::string frac = s.fraction;
      if (frac.size() < static_cast<size_t>(precision_)) frac.append(static_cast<size_t>(precision_) - frac.size(), '0');
      return pad_left(s.sign + s.integer, pad_left_) + "." + frac + "e" + exponent_text(s.exp, exp_size_);
    }
    Positional p = positional(x, kind_, precision_, sign_plus_);
    std::string frac = p.fraction;
    if (frac.size() < pad_right_) frac.append(pad_right_ - frac.size(), ' ');
    return pad_left(p.sign + p.integer, pad_left_) + "." + frac;
  }

 private:
  FloatKind kind_;
  int precision_;
  bool sign_plus_;
  bool exp_format_ = false;
  size_t pad_left_ = 0;
  size_t pad_right_ = 0;
  size_t exp_size_ = 0;
};

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  return s;
}

class Layout {
 public:
  Layout(const Shape& shape, std::function<std::string(int64_t)> word, bool summarize, const NumpyPrintOptions& o)
      : dims_(shape.dims()), word_(std::move(word)), summarize_(summarize), edge_(o.edgeitems) {
    strides_.assign(dims_.size(), 1);
    for (int k = static_cast<int>(dims_.size()) - 2; k >= 0; --k) {
      strides_[static_cast<size_t>(k)] = strides_[static_cast<size_t>(k) + 1] * dims_[static_cast<size_t>(k) + 1];
    }
  }

  std::string format(int linewidth) { return recurse(0, 0, " ", linewidth); }

 private:
  // Appends `word` to `line`, first moving the line to `out` when it would grow past `width`
  // (unless the line holds nothing but the indent, where wrapping would not help).
  static void extend(std::string& out, std::string& line, const std::string& word, int width,
                     const std::string& indent) {
    bool wrap = static_cast<int>(line.size() + word.size()) > width && line.size() > indent.size();
    if (wrap) {
      out += rstrip(line) + "\n";
      line = indent;
    }
    line += word;
  }

  std::string recurse(size_t axis, int64_t offset, const std::string& indent, int width) {
    if (axis == dims_.size()) return word_(offset);
    std::string next_indent = indent + " ";
    int next_width = width - 1;
    int64_t n = dims_[axis];
    int64_t stride = strides_[axis];
    bool summary = summarize_ && 2 * static_cast<int64_t>(edge_) < n;
    int64_t leading = summary ? edge_ : 0;
    int64_t trailing = summary ? edge_ : n;
    size_t axes_left = dims_.size() - axis;
    std::string out;
    if (axes_left == 1) {
      int elem_width = width - 1;
      std::string line = indent;
      for (int64_t i = 0; i < leading; ++i) {
        extend(out, line, recurse(axis + 1, offset + i * stride, next_indent, next_width), elem_width, indent);
        line += " ";
      }
      if (summary) {
        extend(out, line, "...", elem_width, indent);
        line += " ";
      }
      for (int64_t i = trailing; i > 1; --i) {
        extend(out, line, recurse(axis + 1, offset + (n - i) * stride, next_indent, next_width), elem_width, indent);
        line += " ";
      }
      extend(out, line, recurse(axis + 1, offset + (n - 1) * stride, next_indent, next_width), elem_width, indent);
      out += line;
    } else {
      std::string line_sep(axes_left - 1, '\n');
      for (int64_t i = 0; i < leading; ++i) {
        out += indent + recurse(axis + 1, offset + i * stride, next_indent, next_width) + line_sep;
      }
      if (summary) out += indent + "..." + line_sep;
      for (int64_t i = trailing; i > 1; --i) {
        out += indent + recurse(axis + 1, offset + (n - i) * stride, next_indent, next_width) + line_sep;
      }
      out += indent + recurse(axis + 1, offset + (n - 1) * stride, next_indent, next_width);
    }
    return "[" + out.substr(indent.size()) + "]";
  }

  std::vector<int64_t> dims_;
  std::vector<int64_t> strides_;
  std::function<std::string(int64_t)> word_;
  bool summarize_;
  int edge_;
};

// Flat indices of the elements NumPy looks at to choose a format: all of them, or only the
// leading and trailing `edge` items of each long axis when the array is summarised.
std::vector<int64_t> sampled_indices(const Shape& shape, bool summarize, int edge) {
  std::vector<int64_t> out{0};
  for (int axis = 0; axis < shape.rank(); ++axis) {
    int64_t n = shape.dim(axis);
    std::vector<int64_t> picks;
    if (summarize && n > 2 * static_cast<int64_t>(edge)) {
      for (int64_t i = 0; i < edge; ++i) picks.push_back(i);
      for (int64_t i = n - edge; i < n; ++i) picks.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i) picks.push_back(i);
    }
    std::vector<int64_t> next;
    next.reserve(out.size() * picks.size());
    for (int64_t base : out) {
      for (int64_t p : picks) next.push_back(base * n + p);
    }
    out = std::move(next);
  }
  return out;
}

std::optional<FloatKind> float_kind(DType dtype) {
  switch (dtype) {
    case DType::kHalf: return FloatKind::kHalf;
    case DType::kBFloat16: return FloatKind::kBFloat16;
    case DType::kFloat: return FloatKind::kFloat;
    case DType::kDouble: return FloatKind::kDouble;
    default: return std::nullopt;
  }
}

double float_at(const Tensor& t, int64_t k) {
  switch (t.dtype()) {
    case DType::kHalf: return static_cast<float>(t.data<Eigen::half>()[k]);
    case DType::kBFloat16: return static_cast<float>(t.data<Eigen::bfloat16>()[k]);
    case DType::kFloat: return t.data<float>()[k];
    default: return t.data<double>()[k];
  }
}

bool is_signed_int(DType d) {
  return d == DType::kInt8 || d == DType::kInt16 || d == DType::kInt32 || d == DType::kInt64;
}
bool is_unsigned_int(DType d) {
  return d == DType::kUInt8 || d == DType::kUInt16 || d == DType::kUInt32 || d == DType::kUInt64;
}

std::string int_text(const Tensor& t, int64_t k) {
  switch (t.dtype()) {
    case DType::kInt8: return std::to_string(t.data<int8_t>()[k]);
    case DType::kInt16: return std::to_string(t.data<int16_t>()[k]);
    case DType::kInt32: return std::to_string(t.data<int32_t>()[k]);
    case DType::kInt64: return std::to_string(t.data<int64_t>()[k]);
    case DType::kUInt8: return std::to_string(t.data<uint8_t>()[k]);
    case DType::kUInt16: return std::to_string(t.data<uint16_t>()[k]);
    case DType::kUInt32: return std::to_string(t.data<uint32_t>()[k]);
    default: return std::to_string(t.data<uint64_t>()[k]);
  }
}

std::complex<double> complex_at(const Tensor& t, int64_t k) {
  if (t.dtype() == DType::kComplex64) {
    const float* p = t.data<float>();
    return {p[2 * k], p[2 * k + 1]};
  }
  const double* p = t.data<double>();
  return {p[2 * k], p[2 * k + 1]};
}

// repr(complex) in Python: "(1+2j)", "2j", "(-0-1j)".
std::string complex_scalar_str(std::complex<double> c, FloatKind kind) {
  auto part = [&](double v) {
    std::string s = float_scalar_str(v, kind);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    return s;
  };
  std::string im = part(c.imag());
  if (c.real() == 0 && !std::signbit(c.real())) return im + "j";
  if (im[0] != '-') im = "+" + im;
  return "(" + part(c.real()) + im + "j)";
}

}  // namespace

std::string numpy_float64_str(double value) { return float_scalar_str(value, FloatKind::kDouble); }

std::string numpy_bytes_repr(const std::string& bytes) {
  bool has_single = bytes.find('\'') != std::string::npos;
  bool has_double = bytes.find('"') != std::string::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  static const char* kHex = "0123456789abcdef";
  std::string out = "b";
  out += quote;
  for (char c : bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::string numpy_str(const Tensor& t, const NumpyPrintOptions& options) {
  const DType dtype = t.dtype();
  const bool is_complex = dtype == DType::kComplex64 || dtype == DType::kComplex128;
  const FloatKind complex_kind = dtype == DType::kComplex64 ? FloatKind::kFloat : FloatKind::kDouble;
  if (dtype != DType::kString && dtype != DType::kBool && !float_kind(dtype) && !is_signed_int(dtype) &&
      !is_unsigned_int(dtype) && !is_complex) {
    return "<" + t.description() + ">";
  }
  if (t.shape().rank() == 0) {
    if (dtype == DType::kString) return numpy_bytes_repr(t.strings()[0]);
    if (dtype == DType::kBool) return t.data<bool>()[0] ? "True" : "False";
    if (auto kind = float_kind(dtype)) return float_scalar_str(float_at(t, 0), *kind);
    if (is_complex) return complex_scalar_str(complex_at(t, 0), complex_kind);
    return int_text(t, 0);
  }
  if (t.num_elements() == 0) return "[]";

  const bool summarize = t.num_elements() > options.threshold;
  std::vector<int64_t> sample = sampled_indices(t.shape(), summarize, options.edgeitems);
  std::function<std::string(int64_t)> word;
  if (dtype == DType::kString) {
    word = [&t](int64_t k) { return numpy_bytes_repr(t.strings()[static_cast<size_t>(k)]); };
  } else if (dtype == DType::kBool) {
    word = [&t](int64_t k) { return std::string(t.data<bool>()[k] ? " True" : "False"); };
  } else if (auto kind = float_kind(dtype)) {
    std::vector<double> values;
    values.reserve(sample.size());
    for (int64_t k : sample) values.push_back(float_at(t, k));
    auto format = std::make_shared<FloatFormat>(values, *kind, options.precision, false);
    word = [&t, format](int64_t k) { return (*format)(float_at(t, k)); };
  } else if (is_complex) {
    std::vector<double> re, im;
    for (int64_t k : sample) {
      re.push_back(complex_at(t, k).real());
      im.push_back(complex_at(t, k).imag());
    }
    auto real_format = std::make_shared<FloatFormat>(re, complex_kind, options.precision, false);
    auto imag_format = std::make_shared<FloatFormat>(im, complex_kind, options.precision, true);
    word = [&t, real_format, imag_format](int64_t k) {
      std::complex<double> c = complex_at(t, k);
      std::string i = (*imag_format)(c.imag());
      size_t end = i.find_last_not_of(' ') + 1;
      return (*real_format)(c.real()) + i.substr(0, end) + "j" + i.substr(end);
    };
  } else {
    size_t width = 0;
    for (int64_t k : sample) width = std::max(width, int_text(t, k).size());
    word = [&t, width](int64_t k) { return pad_left(int_text(t, k), width); };
  }
  Layout layout(t.shape(), std::move(word), summarize, options);
  return layout.format(options.linewidth);
}

}  // namespace tfport::cli
