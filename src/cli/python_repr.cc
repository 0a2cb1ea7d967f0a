#include "cli/python_repr.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "tfport/dtype.h"

namespace tfport::cli {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 if invalid.
size_t decode_utf8(std::string_view s, size_t i, uint32_t* cp) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return len;
}

// Python's str.isprintable() for the code points that matter in names; everything above
// U+00A0 except the line/paragraph separators and format characters counts as printable.
bool is_printable(uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) return false;
  if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x200b && cp <= 0x200f) || cp == 0xfeff) return false;
  return true;
}

std::string hex_escape(uint32_t cp) {
  char buf[16];
  if (cp <= 0xff) std::snprintf(buf, sizeof buf, "\\x%02x", cp);
  else if (cp <= 0xffff) std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  else std::snprintf(buf, sizeof buf, "\\U%08x", cp);
  return buf;
}

}  // namespace

std::string python_str_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t len = decode_utf8(s, i, &cp);
    if (len == 0) {
      out += hex_escape(static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (cp == '\\') out += "\\\\";
    else if (cp == static_cast<uint32_t>(quote)) {
      out += '\\';
      out += quote;
    }
    else if (cp == '\t') out += "\\t";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (!is_printable(cp)) out += hex_escape(cp);
    else out.append(s.substr(i, len));
    i += len;
  }
  out += quote;
  return out;
}

std::string python_list_repr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += python_str_repr(items[i]);
  }
  return out + "]";
}

std::string python_set_repr(const std::set<std::string>& items) {
  if (items.empty()) return "set()";
  std::string out = "{";
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ", ";
    out += python_str_repr(item);
    first = false;
  }
  return out + "}";
}

std::string python_repr_of_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-1.2345e-05": shortest round-trip digits
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    int point = exponent + 1;  // digits before the decimal point
    if (point <= 0) {
      out.append("0.").append(static_cast<size_t>(-point), '0').append(digits);
    } else if (static_cast<size_t>(point) >= digits.size()) {
      out.append(digits).append(static_cast<size_t>(point) - digits.size(), '0').append(".0");
    } else {
      out.append(digits, 0, static_cast<size_t>(point)).append(".").append(digits, static_cast<size_t>(point));
    }
  } else {
    out.append(digits, 0, 1);
    if (digits.size() > 1) out.append(".").append(digits, 1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  }
  if (negative) out.insert(out.begin(), '-');
  return out;
}

std::string python_tensor_shape_str(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return "<unknown>";
  std::string out = "(";
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i) out += ", ";
    int64_t d = shape.dim(i).size();
    out += d < 0 ? "None" : std::to_string(d);
  }
  if (shape.dim_size() == 1) out += ",";
  return out + ")";
}

std::string python_dtype_repr(int32_t dtype) {
  if (!is_known_dtype_value(dtype)) return "tf.dtype(" + std::to_string(dtype) + ")";
  std::string name(dtype_python_name(base_dtype(dtype)));
  return "tf." + name + (is_ref_dtype(dtype) ? "_ref" : "");
}

std::string python_tensor_spec_repr(const tensorflow::TensorShapeProto& shape, int32_t dtype,
                                    std::string_view name) {
  return "TensorSpec(shape=" + python_tensor_shape_str(shape) + ", dtype=" + python_dtype_repr(dtype) +
         ", name=" + (name.empty() ? std::string("None") : python_str_repr(name)) + ")";
}

std::string dtype_enum_text(int32_t dtype) {
  auto name = dtype_enum_name(dtype);
  return name ? std::string(*name) : std::to_string(dtype);
}

std::string signature_shape_text(const tensorflow::TensorShapeProto& shape) {
  if (shape.unknown_rank()) return "unknown_rank";
  std::string out = "(";
  for (int i = 0; i < shape.dim_size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape.dim(i).size());
  }
  return out + ")";
}

}  // namespace tfport::cli
