// .npy files: element data to and from tensors. The header lives in npy_header.cc.
#include <algorithm>
#include <cstring>

#include "core/file.h"
#include "core/mapped_file.h"
#include "formats/npy/npy_header.h"
#include "formats/npy/utf.h"
#include "tfport/npy.h"

namespace tfport {
namespace {

// Calls fn(c_index, file_index) for every element, where file_index is the element's position
// in the file: the same for C order, the column-major position for Fortran order.
template <typename Fn>
void for_each_element(const std::vector<int64_t>& shape, bool fortran_order, uint64_t count, Fn&& fn) {
  if (!fortran_order || shape.size() < 2) {
    for (uint64_t i = 0; i < count; ++i) fn(i, i);
    return;
  }
  const size_t rank = shape.size();
  std::vector<uint64_t> stride(rank);  // column-major strides, in elements
  uint64_t s = 1;
  for (size_t k = 0; k < rank; ++k) {
    stride[k] = s;
    s *= static_cast<uint64_t>(shape[k]);
  }
  std::vector<int64_t> index(rank, 0);
  uint64_t source = 0;
  for (uint64_t dest = 0; dest < count; ++dest) {
    fn(dest, source);
    for (size_t k = rank; k-- > 0;) {  // advance the C-order index, last axis fastest
      if (++index[k] < shape[k]) {
        source += stride[k];
        break;
      }
      source -= stride[k] * static_cast<uint64_t>(shape[k] - 1);
      index[k] = 0;
    }
  }
}

void reverse_lanes(char* data, uint64_t bytes, size_t lane) {
  for (uint64_t off = 0; off + lane <= bytes; off += lane) std::reverse(data + off, data + off + lane);
}

StatusOr<Tensor> numeric_tensor(const NpyHeader& h, const char* data, std::string_view name) {
  auto allocated = Tensor::allocate(h.dtype, Shape(h.shape));
  if (!allocated.ok()) return allocated.status().with_context(name);
  Tensor t = std::move(allocated).value();
  char* out = static_cast<char*>(t.mutable_raw_data());
  const uint64_t count = static_cast<uint64_t>(t.num_elements());
  const size_t item = static_cast<size_t>(h.item_size);
  if (!h.fortran_order || h.shape.size() < 2) {
    if (h.data_size > 0) std::memcpy(out, data, static_cast<size_t>(h.data_size));
  } else {
    for_each_element(h.shape, true, count, [&](uint64_t dest, uint64_t source) {
      std::memcpy(out + dest * item, data + source * item, item);
    });
  }
  if (h.swap_bytes) {
    const bool complex = h.dtype == DType::kComplex64 || h.dtype == DType::kComplex128;
    reverse_lanes(out, h.data_size, complex ? item / 2 : item);
  }
  if (h.dtype == DType::kBool) {
    // numpy bools are bytes; anything but 0/1 would be an invalid C++ bool.
    for (uint64_t i = 0; i < count; ++i) out[i] = out[i] != 0 ? 1 : 0;
  }
  return t;
}

StatusOr<Tensor> string_tensor(const NpyHeader& h, const char* data, std::string_view name) {
  auto allocated = Tensor::allocate(DType::kString, Shape(h.shape));
  if (!allocated.ok()) return allocated.status().with_context(name);
  Tensor t = std::move(allocated).value();
  std::vector<std::string>& values = t.mutable_strings();
  const uint64_t count = static_cast<uint64_t>(t.num_elements());
  const size_t item = static_cast<size_t>(h.item_size);
  Status status;
  for_each_element(h.shape, h.fortran_order, count, [&](uint64_t dest, uint64_t source) {
    if (!status.ok()) return;
    const char* p = data + source * item;
    if (!h.unicode) {
      size_t length = item;
      while (length > 0 && p[length - 1] == '\0') --length;  // numpy strips trailing NULs
      values[dest].assign(p, length);
      return;
    }
    size_t units = item / 4;
    auto unit = [&](size_t i) {
      uint32_t v = 0;
      std::memcpy(&v, p + 4 * i, 4);
      if (h.swap_bytes) v = ((v & 0xffu) << 24) | ((v & 0xff00u) << 8) | ((v >> 8) & 0xff00u) | (v >> 24);
      return v;
    };
    while (units > 0 && unit(units - 1) == 0) --units;
    std::string& s = values[dest];
    s.reserve(units);
    for (size_t i = 0; i < units; ++i) {
      const uint32_t cp = unit(i);
      if (!append_utf8(cp, &s)) {
        status = data_loss_error(std::string(name) + ": element " + std::to_string(dest) + " of " +
                                 h.descr + " data holds " + describe_code_point(cp) +
                                 ", which is not a valid Unicode code point");
        return;
      }
    }
  });
  TFPORT_RETURN_IF_ERROR(status);
  return t;
}

std::string shape_text(const std::vector<int64_t>& shape) { return Shape(shape).to_string(); }

}  // namespace

StatusOr<Tensor> parse_npy(std::string_view bytes, std::string_view display_name) {
  TFPORT_ASSIGN_OR_RETURN(NpyHeader h, parse_npy_header(bytes, display_name));
  const uint64_t present = bytes.size() - h.data_offset;
  if (present != h.data_size) {
    return data_loss_error(std::string(display_name) + ": npy data: the header declares shape " +
                           shape_text(h.shape) + " of '" + h.descr + "' (" + std::to_string(h.data_size) +
                           " bytes) but the file holds " + std::to_string(present) + " bytes after the header" +
                           (present < h.data_size ? "; the file is truncated" : ""));
  }
  const char* data = bytes.data() + h.data_offset;
  if (h.dtype == DType::kString) return string_tensor(h, data, display_name);
  return numeric_tensor(h, data, display_name);
}

StatusOr<Tensor> read_npy(const std::string& path) {
  if (is_directory(path)) return invalid_argument_error(path + ": is a directory, expected an .npy file");
  TFPORT_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  return parse_npy(file->view(), path);
}

StatusOr<std::string> serialize_npy(const Tensor& tensor, const NpyWriteOptions& options) {
  if (!tensor.valid()) return invalid_argument_error("cannot save an invalid (empty) tensor as .npy");
  const std::vector<int64_t>& shape = tensor.shape().dims();
  const auto count = static_cast<uint64_t>(tensor.num_elements());

  if (tensor.dtype() != DType::kString) {
    TFPORT_ASSIGN_OR_RETURN(std::string descr, npy_descr_for(tensor.dtype()));
    std::string out = format_npy_header(descr, false, shape);
    const size_t header_size = out.size();
    out.resize(header_size + tensor.byte_size());
    if (tensor.byte_size() > 0) std::memcpy(out.data() + header_size, tensor.raw_data(), tensor.byte_size());
    return out;
  }

  const std::vector<std::string>& values = tensor.strings();
  if (options.strings == NpyStringFormat::kBytes) {
    size_t longest = 1;  // numpy's smallest string type is S1
    for (const std::string& v : values) longest = std::max(longest, v.size());
    std::string out = format_npy_header("|S" + std::to_string(longest), false, shape);
    const size_t header_size = out.size();
    out.resize(header_size + count * longest, '\0');
    for (uint64_t i = 0; i < count; ++i) {
      std::memcpy(out.data() + header_size + i * longest, values[i].data(), values[i].size());
    }
    return out;
  }

  std::vector<std::u32string> decoded(values.size());
  size_t longest = 1;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!decode_utf8(values[i], &decoded[i])) {
      return invalid_argument_error("string element " + std::to_string(i) +
                                    " is not valid UTF-8; save it as bytes ('|S') instead of unicode ('<U')");
    }
    longest = std::max(longest, decoded[i].size());
  }
  TFPORT_ASSIGN_OR_RETURN(std::string int_descr, npy_descr_for(DType::kUInt32));
  std::string descr = int_descr.substr(0, 1) + "U" + std::to_string(longest);
  std::string out = format_npy_header(descr, false, shape);
  const size_t header_size = out.size();
  out.resize(header_size + count * longest * 4, '\0');
  for (uint64_t i = 0; i < count; ++i) {
    // Host byte order, which the descr's '<' or '>' states.
    std::memcpy(out.data() + header_size + i * longest * 4, decoded[i].data(), decoded[i].size() * 4);
  }
  return out;
}

Status write_npy(const std::string& path, const Tensor& tensor, const NpyWriteOptions& options) {
  auto bytes = serialize_npy(tensor, options);
  if (!bytes.ok()) return bytes.status().with_context(path);
  return write_file_atomic(path, *bytes);
}

}  // namespace tfport
