#include "core/tfrecord.h"

#include <string>

#include "core/coding.h"
#include "core/crc32c.h"

namespace tfport {
namespace {

constexpr std::size_t kHeaderBytes = 12;  // length + its CRC
constexpr std::size_t kFooterBytes = 4;   // the data's CRC

Status truncated(uint64_t offset) { return data_loss_error("truncated record at " + std::to_string(offset)); }
Status corrupted(uint64_t offset) { return data_loss_error("corrupted record at " + std::to_string(offset)); }

}  // namespace

StatusOr<bool> TFRecordReader::next(std::string_view* record) {
  const std::string_view rest = data_.substr(static_cast<std::size_t>(offset_));
  if (rest.empty()) return false;
  if (rest.size() < kHeaderBytes) return truncated(offset_);
  const uint64_t length = decode_fixed64(rest.data());
  if (crc32c::unmask(decode_fixed32(rest.data() + 8)) != crc32c::value(rest.data(), 8)) return corrupted(offset_);
  const std::size_t available = rest.size() - kHeaderBytes;
  if (available < kFooterBytes || length > available - kFooterBytes) return truncated(offset_);
  const std::string_view data = rest.substr(kHeaderBytes, static_cast<std::size_t>(length));
  const uint32_t stored = decode_fixed32(rest.data() + kHeaderBytes + data.size());
  if (crc32c::unmask(stored) != crc32c::value(data.data(), data.size())) return corrupted(offset_);
  *record = data;
  offset_ += kHeaderBytes + data.size() + kFooterBytes;
  return true;
}

}  // namespace tfport
