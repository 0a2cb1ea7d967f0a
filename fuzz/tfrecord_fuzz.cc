// libFuzzer target for the TFRecord reader (TF Serving warm-up files): read arbitrary bytes to
// the end or the first error; every record must lie inside the input and the reader must
// advance, so a damaged file can neither over-read nor loop.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/tfrecord.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tfport::TFRecordReader reader(bytes);
  std::string_view record;
  while (true) {
    const uint64_t before = reader.offset();
    auto more = reader.next(&record);
    if (!more.ok() || !*more) break;
    if (record.data() < bytes.data() || record.data() + record.size() > bytes.data() + bytes.size()) __builtin_trap();
    if (reader.offset() <= before || reader.offset() > size) __builtin_trap();
  }
  return 0;
}
