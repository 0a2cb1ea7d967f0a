// Zip archives (Keras 3 .keras files, NumPy .npz) through libzip, with limits so a hostile
// archive (zip bomb, huge entry count, lying sizes) is refused instead of exhausting memory.
//
//   TFPORT_ASSIGN_OR_RETURN(auto zip, ZipReader::open("model.keras"));
//   TFPORT_ASSIGN_OR_RETURN(std::string config, zip.read("config.json", 64 << 20));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/status.h"

namespace tfport {

struct ZipEntryInfo {
  std::string name;
  uint64_t size = 0;             // uncompressed, as the archive claims
  uint64_t compressed_size = 0;
};

class ZipReader {
 public:
  // Opens an archive from a file, or from bytes already in memory (kept alive by the reader).
  static StatusOr<ZipReader> open(const std::string& path);
  static StatusOr<ZipReader> open_from_memory(std::shared_ptr<const std::string> bytes, std::string display_name);

  ZipReader(ZipReader&&) noexcept;
  ZipReader& operator=(ZipReader&&) noexcept;
  ~ZipReader();

  const std::vector<ZipEntryInfo>& entries() const { return entries_; }
  bool contains(std::string_view name) const;

  // Reads one entry whole; fails (RESOURCE_EXHAUSTED) when it is larger than max_bytes, and
  // (DATA_LOSS) when the bytes do not decompress or fail their CRC.
  StatusOr<std::string> read(std::string_view name, uint64_t max_bytes) const;

  const std::string& display_name() const { return display_name_; }

 private:
  ZipReader() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<ZipEntryInfo> entries_;
  std::string display_name_;
};

// Builds an archive in a temporary file beside `path` and renames it into place on finish(),
// so a failed write leaves any existing file untouched.
class ZipWriter {
 public:
  static StatusOr<ZipWriter> create(const std::string& path);
  ZipWriter(ZipWriter&&) noexcept;
  ZipWriter& operator=(ZipWriter&&) noexcept;
  ~ZipWriter();  // discards the temporary file unless finish() succeeded

  // compress=false stores the entry (as numpy's savez does); true deflates (savez_compressed).
  Status add(std::string_view name, std::string data, bool compress = false);
  Status finish();

 private:
  ZipWriter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfport
