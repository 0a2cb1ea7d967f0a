#include "formats/npy/npy_header.h"

#include <bit>
#include <set>

#include "formats/npy/python_literal.h"
#include "tfport/shape.h"

namespace tfport {
namespace {

constexpr bool kHostIsLittleEndian = std::endian::native == std::endian::little;
constexpr int kMaxRank = 64;          // numpy 2's NPY_MAXDIMS
constexpr size_t kArrayAlign = 64;    // np.save aligns the data to this
constexpr size_t kGrowthAxisDigits = 21;  // np.save leaves room to grow the first axis in place

struct DescrInfo {
  DType dtype = DType::kInvalid;
  uint64_t item_size = 0;
  bool unicode = false;
  bool swap_bytes = false;
};

std::string quote(std::string_view s) {
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

// Parses a numpy type string: optional byte order ('<', '>', '|', '='), a kind letter, a size.
StatusOr<DescrInfo> parse_descr(std::string_view descr) {
  std::string_view rest = descr;
  char order = '=';
  if (!rest.empty() && (rest[0] == '<' || rest[0] == '>' || rest[0] == '|' || rest[0] == '=')) {
    order = rest[0];
    rest.remove_prefix(1);
  }
  if (rest.empty()) return invalid_argument_error("empty type string");
  const char kind = rest[0];
  rest.remove_prefix(1);
  if (kind == 'O') {
    return unimplemented_error("object arrays (" + quote(descr) +
                               ") hold Python pickles, which tfport does not load; save the data "
                               "with a numeric or string dtype");
  }
  if (kind == '?' && rest.empty()) rest = "1";
  uint64_t size = 0;
  if (rest.empty()) return invalid_argument_error("type string " + quote(descr) + " has no item size");
  for (char c : rest) {
    if (c < '0' || c > '9') {
      if (kind == 'M' || kind == 'm') {
        return unimplemented_error("datetime/timedelta dtype " + quote(descr) + " is not supported");
      }
      return invalid_argument_error("type string " + quote(descr) + " is not of the form <kind><size>");
    }
    if (size > (uint64_t{1} << 40)) return invalid_argument_error("item size in " + quote(descr) + " is too large");
    size = size * 10 + static_cast<uint64_t>(c - '0');
  }

  DescrInfo info;
  info.item_size = size;
  auto unsupported_size = [&]() {
    return unimplemented_error("type " + quote(descr) + " (kind '" + std::string(1, kind) + "', " +
                               std::to_string(size) + " bytes) is not supported");
  };
  switch (kind) {
    case 'b':
    case '?':
      if (size != 1) return unsupported_size();
      info.dtype = DType::kBool;
      break;
    case 'i':
      if (size == 1) info.dtype = DType::kInt8;
      else if (size == 2) info.dtype = DType::kInt16;
      else if (size == 4) info.dtype = DType::kInt32;
      else if (size == 8) info.dtype = DType::kInt64;
      else return unsupported_size();
      break;
    case 'u':
      if (size == 1) info.dtype = DType::kUInt8;
      else if (size == 2) info.dtype = DType::kUInt16;
      else if (size == 4) info.dtype = DType::kUInt32;
      else if (size == 8) info.dtype = DType::kUInt64;
      else return unsupported_size();
      break;
    case 'f':
      if (size == 2) info.dtype = DType::kHalf;
      else if (size == 4) info.dtype = DType::kFloat;
      else if (size == 8) info.dtype = DType::kDouble;
      else return unsupported_size();  // long double
      break;
    case 'c':
      if (size == 8) info.dtype = DType::kComplex64;
      else if (size == 16) info.dtype = DType::kComplex128;
      else return unsupported_size();
      break;
    case 'S':
    case 'a':
      info.dtype = DType::kString;
      break;
    case 'U':
      info.dtype = DType::kString;
      info.unicode = true;
      info.item_size = size * 4;
      break;
    case 'V':
      return unimplemented_error("void/record dtype " + quote(descr) + " is not supported");
    case 'M':
    case 'm':
      return unimplemented_error("datetime/timedelta dtype " + quote(descr) + " is not supported");
    default:
      return invalid_argument_error("unknown type kind '" + std::string(1, kind) + "' in " + quote(descr));
  }
  if (info.dtype == DType::kString && size == 0) {
    return invalid_argument_error("zero-length string type " + quote(descr) + " is not valid in an .npy file");
  }
  // Byte order matters for multi-byte numbers and UTF-32 code units; bytes strings have none.
  const bool multibyte = info.unicode || (info.dtype != DType::kString && size > 1);
  if (multibyte) {
    if (order == '<') info.swap_bytes = !kHostIsLittleEndian;
    if (order == '>') info.swap_bytes = kHostIsLittleEndian;
  }
  return info;
}

uint32_t read_le(std::string_view bytes, size_t offset, size_t width) {
  uint32_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint32_t{static_cast<uint8_t>(bytes[offset + i])} << (8 * i);
  return v;
}

std::string shape_repr(const std::vector<int64_t>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ',';
  out += ')';
  return out;
}

}  // namespace

StatusOr<NpyHeader> parse_npy_header(std::string_view bytes, std::string_view display_name) {
  const std::string name(display_name);
  auto fail = [&](StatusCode code, const std::string& message) { return Status(code, name + ": " + message); };

  if (bytes.size() < kNpyMagic.size() || bytes.substr(0, kNpyMagic.size()) != kNpyMagic) {
    if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4) || bytes.substr(0, 4) == std::string_view("PK\x05\x06", 4)) {
      return fail(StatusCode::kInvalidArgument, "this is a zip archive (an .npz or .keras file), not an .npy file; read .npz files with read_npz");
    }
    if (bytes.empty()) return fail(StatusCode::kDataLoss, "empty file, not an .npy file");
    if (bytes.size() < kNpyMagic.size() && kNpyMagic.substr(0, bytes.size()) == bytes) {
      return fail(StatusCode::kDataLoss, "truncated .npy file (" + std::to_string(bytes.size()) + " bytes)");
    }
    return fail(StatusCode::kDataLoss, "not an .npy file (the magic string \\x93NUMPY is missing)");
  }
  if (bytes.size() < 8) return fail(StatusCode::kDataLoss, "truncated .npy file: no format version");
  NpyHeader header;
  const int major = static_cast<uint8_t>(bytes[6]);
  const int minor = static_cast<uint8_t>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    return fail(StatusCode::kUnimplemented, "unsupported .npy format version " + std::to_string(major) + "." +
                                                std::to_string(minor) + " (tfport reads 1.0, 2.0 and 3.0)");
  }
  header.major_version = major;
  const size_t length_width = major == 1 ? 2 : 4;
  const size_t prefix = 8 + length_width;
  if (bytes.size() < prefix) return fail(StatusCode::kDataLoss, "truncated .npy file: no header length");
  const uint64_t header_length = read_le(bytes, 8, length_width);
  if (header_length > bytes.size() - prefix) {
    return fail(StatusCode::kDataLoss, "npy header length " + std::to_string(header_length) +
                                           " runs past the end of the file (" + std::to_string(bytes.size()) +
                                           " bytes); the file is truncated or corrupt");
  }
  header.data_offset = prefix + header_length;
  const std::string_view text = bytes.substr(prefix, header_length);

  auto literal = parse_python_literal(text);
  if (!literal.ok()) {
    return fail(StatusCode::kDataLoss, "npy header is not a valid dict literal: " + literal.status().message());
  }
  if (literal->kind != PyLiteral::Kind::kDict) {
    return fail(StatusCode::kDataLoss, "npy header is a " + std::string(literal->kind_name()) + ", expected a dict");
  }
  const PyLiteral* descr = nullptr;
  const PyLiteral* fortran = nullptr;
  const PyLiteral* shape = nullptr;
  for (size_t i = 0; i < literal->keys.size(); ++i) {
    const PyLiteral& key = literal->keys[i];
    const PyLiteral& value = literal->items[i];
    if (key.kind != PyLiteral::Kind::kString) {
      return fail(StatusCode::kDataLoss, "npy header has a non-string key " + key.to_string());
    }
    const PyLiteral** slot = key.text == "descr"           ? &descr
                             : key.text == "fortran_order" ? &fortran
                             : key.text == "shape"         ? &shape
                                                           : nullptr;
    if (slot == nullptr) {
      return fail(StatusCode::kDataLoss, "npy header has an unexpected key " + quote(key.text) +
                                             " (expected 'descr', 'fortran_order' and 'shape')");
    }
    if (*slot != nullptr) return fail(StatusCode::kDataLoss, "npy header repeats the key " + quote(key.text));
    *slot = &value;
  }
  for (auto [field, key] : {std::pair{descr, "descr"}, {fortran, "fortran_order"}, {shape, "shape"}}) {
    if (field == nullptr) return fail(StatusCode::kDataLoss, "npy header lacks the key '" + std::string(key) + "'");
  }

  // descr
  if (descr->kind == PyLiteral::Kind::kList) {
    return fail(StatusCode::kUnimplemented,
                "npy header field 'descr': structured (record) dtypes are not supported: " + descr->to_string());
  }
  if (descr->kind != PyLiteral::Kind::kString) {
    return fail(StatusCode::kDataLoss, "npy header field 'descr' is a " + std::string(descr->kind_name()) +
                                           ", expected a type string such as '<f4'");
  }
  auto info = parse_descr(descr->text);
  if (!info.ok()) {
    StatusCode code = info.status().code() == StatusCode::kUnimplemented ? StatusCode::kUnimplemented
                                                                          : StatusCode::kDataLoss;
    return fail(code, "npy header field 'descr': " + info.status().message());
  }
  header.descr = descr->text;
  header.dtype = info->dtype;
  header.item_size = info->item_size;
  header.unicode = info->unicode;
  header.swap_bytes = info->swap_bytes;

  // fortran_order
  if (fortran->kind != PyLiteral::Kind::kBool) {
    return fail(StatusCode::kDataLoss, "npy header field 'fortran_order' is " + fortran->to_string() +
                                           ", expected True or False");
  }
  header.fortran_order = fortran->boolean;

  // shape
  if (shape->kind != PyLiteral::Kind::kTuple) {
    return fail(StatusCode::kDataLoss, "npy header field 'shape' is " + shape->to_string() +
                                           ", expected a tuple of integers such as (3,) or ()");
  }
  if (shape->items.size() > static_cast<size_t>(kMaxRank)) {
    return fail(StatusCode::kDataLoss, "npy header field 'shape' has " + std::to_string(shape->items.size()) +
                                           " dimensions, more than numpy's limit of " + std::to_string(kMaxRank));
  }
  for (const PyLiteral& dim : shape->items) {
    if (dim.kind != PyLiteral::Kind::kInt || dim.integer < 0) {
      return fail(StatusCode::kDataLoss, "npy header field 'shape' is " + shape->to_string() +
                                             ": dimensions must be non-negative integers");
    }
    header.shape.push_back(dim.integer);
  }
  auto checked = Shape::make(header.shape);
  if (!checked.ok()) {
    return fail(StatusCode::kDataLoss, "npy header field 'shape' " + shape_repr(header.shape) +
                                           " has more elements than fit in 64 bits");
  }
  const auto count = static_cast<uint64_t>(checked->num_elements());
  if (count != 0 && header.item_size > UINT64_MAX / count) {
    return fail(StatusCode::kDataLoss, "npy header field 'shape' " + shape_repr(header.shape) + " of " +
                                           quote(header.descr) + " describes more bytes than fit in 64 bits");
  }
  header.data_size = count * header.item_size;
  return header;
}

StatusOr<std::string> npy_descr_for(DType dtype) {
  const char order = kHostIsLittleEndian ? '<' : '>';
  auto multi = [&](const char* rest) { return std::string(1, order) + rest; };
  switch (dtype) {
    case DType::kBool: return std::string("|b1");
    case DType::kInt8: return std::string("|i1");
    case DType::kUInt8: return std::string("|u1");
    case DType::kInt16: return multi("i2");
    case DType::kUInt16: return multi("u2");
    case DType::kInt32: return multi("i4");
    case DType::kUInt32: return multi("u4");
    case DType::kInt64: return multi("i8");
    case DType::kUInt64: return multi("u8");
    case DType::kHalf: return multi("f2");
    case DType::kFloat: return multi("f4");
    case DType::kDouble: return multi("f8");
    case DType::kComplex64: return multi("c8");
    case DType::kComplex128: return multi("c16");
    default:
      return unimplemented_error("NumPy has no dtype for " + std::string(dtype_name(dtype)) +
                                 "; cast the tensor to a NumPy type (e.g. float32) before saving it as .npy");
  }
}

std::string format_npy_header(std::string_view descr, bool fortran_order, const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '";
  dict += descr;
  dict += "', 'fortran_order': ";
  dict += fortran_order ? "True" : "False";
  dict += ", 'shape': ";
  dict += shape_repr(shape);
  dict += ", }";
  if (!shape.empty()) {
    const size_t digits = std::to_string(fortran_order ? shape.back() : shape.front()).size();
    if (digits < kGrowthAxisDigits) dict.append(kGrowthAxisDigits - digits, ' ');
  }
  // Header text + '\n' is padded with spaces so the data starts at a multiple of 64 bytes; when
  // it already would, numpy still adds a full 64 bytes of padding.
  size_t length_width = 2;
  size_t text_length = dict.size() + 1;
  size_t padding = kArrayAlign - (8 + length_width + text_length) % kArrayAlign;
  if (text_length + padding > 0xffff) {
    length_width = 4;
    padding = kArrayAlign - (8 + length_width + text_length) % kArrayAlign;
  }
  const uint64_t header_length = text_length + padding;
  std::string out(kNpyMagic);
  out += static_cast<char>(length_width == 2 ? 1 : 2);
  out += '\0';
  for (size_t i = 0; i < length_width; ++i) out += static_cast<char>((header_length >> (8 * i)) & 0xff);
  out += dict;
  out.append(padding, ' ');
  out += '\n';
  return out;
}

}  // namespace tfport
