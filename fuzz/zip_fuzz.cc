// libFuzzer target for the zip layer (Keras 3 .keras files, .npz): open arbitrary bytes as an
// archive, read every entry under a cap, and parse entries named *.npy as npz members.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "formats/zip/zip_archive.h"
#include "tfport/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto zip = tfport::ZipReader::open_from_memory(bytes, "fuzz.zip");
  if (!zip.ok()) return 0;
  constexpr uint64_t kEntryCap = uint64_t{4} << 20;
  for (const tfport::ZipEntryInfo& entry : zip->entries()) {
    if (!zip->contains(entry.name)) __builtin_trap();
    auto contents = zip->read(entry.name, kEntryCap);
    if (!contents.ok()) continue;
    if (contents->size() != entry.size) __builtin_trap();  // read() promises the declared size
    if (entry.name.size() > 4 && entry.name.compare(entry.name.size() - 4, 4, ".npy") == 0) {
      auto tensor = tfport::parse_npy(*contents, entry.name);
      (void)tensor;
    }
  }
  return 0;
}
