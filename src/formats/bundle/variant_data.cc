#include "formats/bundle/variant_data.h"

#include "core/coding.h"
#include "core/crc32c.h"

namespace tfport::bundle {
namespace {

uint32_t extend_length(uint32_t crc, uint64_t len) {
  std::string le;
  put_fixed64(&le, len);
  return crc32c::extend(crc, le.data(), le.size());
}

}  // namespace

StatusOr<EncodedTensor> encode_variants(const std::vector<tensorflow::VariantTensorDataProto>& elements) {
  EncodedTensor out;
  uint32_t crc = 0;
  for (const auto& element : elements) {
    std::string payload;
    if (!element.SerializeToString(&payload)) return internal_error("cannot serialize a variant element");
    put_varint64(&out.bytes, payload.size());
    crc = extend_length(crc, payload.size());
    out.bytes.append(payload);
    crc = crc32c::extend(crc, payload.data(), payload.size());
    const std::size_t checksum_at = out.bytes.size();
    put_fixed32(&out.bytes, crc32c::mask(crc));
    crc = crc32c::extend(crc, out.bytes.data() + checksum_at, 4);
  }
  out.masked_crc = crc32c::mask(crc);
  return out;
}

StatusOr<std::vector<tensorflow::VariantTensorDataProto>> decode_variants(std::string_view bytes, uint64_t count,
                                                                          uint32_t masked_crc) {
  // Each element takes at least a one-byte length and a four-byte checksum.
  if (count > bytes.size() / 5) {
    return data_loss_error("variant tensor of " + std::to_string(count) + " elements cannot fit in " +
                           std::to_string(bytes.size()) + " bytes");
  }
  std::vector<tensorflow::VariantTensorDataProto> out(static_cast<std::size_t>(count));
  uint32_t crc = 0;
  std::string_view in = bytes;
  for (uint64_t i = 0; i < count; ++i) {
    const std::string where = "variant element " + std::to_string(i);
    uint64_t len = 0;
    uint32_t stored = 0;
    if (!get_varint64(&in, &len) || len > in.size() || len > 0x7fffffffu) return data_loss_error(where + ": truncated length or payload");
    const std::string_view payload = in.substr(0, static_cast<std::size_t>(len));
    in.remove_prefix(payload.size());
    crc = crc32c::extend(extend_length(crc, len), payload.data(), payload.size());
    const char* checksum = in.data();
    if (!get_fixed32(&in, &stored)) return data_loss_error(where + ": truncated checksum");
    if (stored != crc32c::mask(crc)) return data_loss_error(where + ": checksum does not match");
    crc = crc32c::extend(crc, checksum, 4);
    if (!out[static_cast<std::size_t>(i)].ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return data_loss_error(where + ": not a VariantTensorDataProto");
    }
  }
  if (!in.empty()) return data_loss_error(std::to_string(in.size()) + " bytes left after the variant elements");
  if (crc32c::mask(crc) != masked_crc) return data_loss_error("variant tensor checksum does not match");
  return out;
}

}  // namespace tfport::bundle
