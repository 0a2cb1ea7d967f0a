// libFuzzer target for the TFRecord reader (TF Serving warm-up files): read arbitrary bytes to
// the end or the first error; every record must lie inside the input and the reader must
// advance, so a damaged file can neither over-read nor loop. Inputs whose first byte is odd are
// first framed into records with correct checksums (the rest split at its '\n' bytes), so the
// reader's success path is fuzzed too, not only its checksum refusals.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/crc32c.h"
#include "core/tfrecord.h"

namespace {

void put_le(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

std::string framed(std::string_view payloads) {
  std::string out;
  while (true) {
    const size_t cut = payloads.find('\n');
    const std::string_view record = payloads.substr(0, cut);
    std::string length;
    put_le(&length, record.size(), 8);
    out += length;
    put_le(&out, tfport::crc32c::mask(tfport::crc32c::value(length.data(), length.size())), 4);
    out += record;
    put_le(&out, tfport::crc32c::mask(tfport::crc32c::value(record.data(), record.size())), 4);
    if (cut == std::string_view::npos) return out;
    payloads.remove_prefix(cut + 1);
  }
}

void read_all(std::string_view bytes) {
  tfport::TFRecordReader reader(bytes);
  std::string_view record;
  while (true) {
    const uint64_t before = reader.offset();
    auto more = reader.next(&record);
    if (!more.ok() || !*more) break;
    if (record.data() < bytes.data() || record.data() + record.size() > bytes.data() + bytes.size()) __builtin_trap();
    if (reader.offset() <= before || reader.offset() > bytes.size()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (size > 0 && (data[0] & 1) != 0) {
    const std::string records = framed(bytes.substr(1));
    read_all(records);
  } else {
    read_all(bytes);
  }
  return 0;
}
