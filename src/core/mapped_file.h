// A read-only memory mapping of a whole file. Shared so that tensors wrapping checkpoint
// bytes can keep the mapping alive after the reader is gone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tfport/status.h"

namespace tfport {

class MappedFile {
 public:
  static StatusOr<std::shared_ptr<const MappedFile>> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  uint64_t size() const { return size_; }
  std::string_view view() const { return {data_, static_cast<size_t>(size_)}; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  std::string path_;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace tfport
