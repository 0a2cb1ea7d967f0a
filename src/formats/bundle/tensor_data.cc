#include "formats/bundle/tensor_data.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/coding.h"
#include "core/crc32c.h"

namespace tfport::bundle {
namespace {

Status checksum_mismatch(uint32_t masked_stored, uint32_t calculated) {
  return data_loss_error("checksum does not match: stored " + std::to_string(crc32c::unmask(masked_stored)) +
                         " vs. calculated on the restored bytes " + std::to_string(calculated));
}

// Complex numbers swap per component, everything else per element.
std::size_t swap_unit(DType dtype) {
  if (dtype == DType::kComplex64) return 4;
  if (dtype == DType::kComplex128) return 8;
  return element_storage_size(dtype);
}

void byte_swap_in_place(char* data, std::size_t bytes, std::size_t unit) {
  if (unit <= 1) return;
  for (std::size_t i = 0; i + unit <= bytes; i += unit) std::reverse(data + i, data + i + unit);
}

StatusOr<Tensor> decode_fixed_size(const StoredTensor& s) {
  const std::size_t elem = element_storage_size(s.dtype);
  const uint32_t crc = crc32c::value(s.bytes.data(), s.bytes.size());
  if (crc != crc32c::unmask(s.masked_crc)) return checksum_mismatch(s.masked_crc, crc);
  const auto address = reinterpret_cast<std::uintptr_t>(s.bytes.data());
  const std::size_t align = std::min<std::size_t>(elem, 8);
  // Bytes other than 0 and 1 are not valid C++ bools; such data gets copied and normalised.
  bool bools_ok = true;
  if (s.dtype == DType::kBool) {
    bools_ok = std::all_of(s.bytes.begin(), s.bytes.end(), [](char c) { return c == 0 || c == 1; });
  }
  if (!s.big_endian && address % align == 0 && bools_ok) {
    return Tensor::wrap(s.dtype, s.shape, s.bytes.data(), s.keepalive);
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::allocate(s.dtype, s.shape, s.bytes.size()));
  auto* out = static_cast<char*>(t.mutable_raw_data());
  if (!s.bytes.empty()) std::memcpy(out, s.bytes.data(), s.bytes.size());
  if (s.big_endian) byte_swap_in_place(out, s.bytes.size(), swap_unit(s.dtype));
  if (!bools_ok) {
    for (std::size_t i = 0; i < s.bytes.size(); ++i) out[i] = out[i] != 0 ? 1 : 0;
  }
  return t;
}

// Layout: N varint64 lengths, fixed32 Mask(C1), then the N strings' bytes. C1 is the CRC of
// the lengths as 4-byte (or, above 4 GiB, 8-byte) integers in the writer's byte order; the
// entry CRC extends C1 over the 4 checksum bytes and then all string bytes.
StatusOr<Tensor> decode_strings(const StoredTensor& s) {
  const auto n = static_cast<uint64_t>(s.shape.num_elements());
  if (s.bytes.empty()) {
    // TF skips reading entirely for size 0; that is only consistent for an empty tensor.
    if (n != 0) return data_loss_error("string tensor of " + std::to_string(n) + " elements stores no bytes");
    return Tensor::allocate(DType::kString, s.shape);
  }
  std::string_view in = s.bytes;
  // At least one byte per varint was checked by check_stored_size, so this is bounded by size.
  std::vector<uint64_t> lengths(static_cast<std::size_t>(n));
  uint32_t length_crc = 0;
  uint64_t total = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = 0;
    if (!get_varint64(&in, &len)) return data_loss_error("string length " + std::to_string(i) + " is truncated");
    lengths[static_cast<std::size_t>(i)] = len;
    char buf[8];
    const std::size_t width = len <= 0xffffffffull ? 4 : 8;
    for (std::size_t b = 0; b < width; ++b) {
      const std::size_t shift = s.big_endian ? (width - 1 - b) : b;
      buf[b] = static_cast<char>((len >> (8 * shift)) & 0xffu);
    }
    length_crc = crc32c::extend(length_crc, buf, width);
    if (len > s.bytes.size() - total) {
      return data_loss_error("string lengths add up to more than the " + std::to_string(s.bytes.size()) +
                             " stored bytes");
    }
    total += len;
  }
  uint32_t stored_length_crc = 0;
  if (!get_fixed32(&in, &stored_length_crc)) return data_loss_error("string length checksum is truncated");
  if (crc32c::unmask(stored_length_crc) != length_crc) {
    return data_loss_error("the length checksum does not match: expected " +
                           std::to_string(crc32c::unmask(stored_length_crc)) + " but actual is " +
                           std::to_string(length_crc));
  }
  if (in.size() != total) {
    return data_loss_error("string lengths add up to " + std::to_string(total) + " bytes but " +
                           std::to_string(in.size()) + " follow the length checksum");
  }
  uint32_t crc = crc32c::extend(length_crc, s.bytes.data() + (s.bytes.size() - in.size() - 4), 4);
  crc = crc32c::extend(crc, in.data(), in.size());
  if (crc != crc32c::unmask(s.masked_crc)) return checksum_mismatch(s.masked_crc, crc);
  std::vector<std::string> values;
  values.reserve(static_cast<std::size_t>(n));
  for (uint64_t len : lengths) {
    values.emplace_back(in.substr(0, static_cast<std::size_t>(len)));
    in.remove_prefix(static_cast<std::size_t>(len));
  }
  return Tensor::from_strings(s.shape, std::move(values));
}

}  // namespace

Status check_stored_size(DType dtype, const Shape& shape, uint64_t size) {
  const auto n = static_cast<uint64_t>(shape.num_elements());
  if (dtype == DType::kVariant || dtype == DType::kResource) {
    return unimplemented_error(std::string(dtype_name(dtype)) + " tensors cannot be read");
  }
  if (dtype == DType::kString) {
    if (size < n || (size != 0 && size < 4)) {
      return data_loss_error("invalid size in bundle entry: stored size " + std::to_string(size) +
                             " is too small for " + std::to_string(n) + " strings");
    }
    return Status::OK();
  }
  const std::size_t elem = element_storage_size(dtype);
  if (elem == 0) return unimplemented_error(std::string(dtype_name(dtype)) + " tensors cannot be read");
  if (n > UINT64_MAX / elem || n * elem != size) {
    return data_loss_error("invalid size in bundle entry: stored size " + std::to_string(size) +
                           "; expected size " + (n > UINT64_MAX / elem ? std::string("(overflow)")
                                                                        : std::to_string(n * elem)));
  }
  return Status::OK();
}

StatusOr<Tensor> decode_stored_tensor(const StoredTensor& stored) {
  TFPORT_RETURN_IF_ERROR(check_stored_size(stored.dtype, stored.shape, stored.bytes.size()));
  if (stored.dtype == DType::kString) return decode_strings(stored);
  return decode_fixed_size(stored);
}

}  // namespace tfport::bundle
