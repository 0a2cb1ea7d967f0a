// Reading TFRecord files (tf.io.TFRecordWriter, TF Serving's warm-up requests). Each record is
//   uint64 length | uint32 masked crc32c(length's 8 bytes) | data | uint32 masked crc32c(data)
// all little-endian. Records are views into the caller's bytes; lengths are checked against
// what is left before anything is read, so a damaged file is refused, never over-read.
//
//   TFRecordReader reader(bytes);
//   std::string_view record;
//   while (true) {
//     TFPORT_ASSIGN_OR_RETURN(bool more, reader.next(&record));
//     if (!more) break;
//     ...
//   }
#pragma once

#include <cstdint>
#include <string_view>

#include "tfport/status.h"

namespace tfport {

class TFRecordReader {
 public:
  explicit TFRecordReader(std::string_view data) : data_(data) {}

  // true and the next record; false at the clean end of the data; DATA_LOSS ("truncated
  // record at <offset>" / "corrupted record at <offset>", TF's texts) for a damaged record.
  StatusOr<bool> next(std::string_view* record);

  uint64_t offset() const { return offset_; }  // of the next record

 private:
  std::string_view data_;
  uint64_t offset_ = 0;
};

}  // namespace tfport
