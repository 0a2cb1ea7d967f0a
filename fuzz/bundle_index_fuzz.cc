// libFuzzer target: a checkpoint's .index bytes through the SSTable reader and the header /
// BundleEntryProto parsers. Seeds: any fixture *.index file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/bundle/bundle_entry.h"
#include "formats/bundle/table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto entries = tfport::bundle::read_table(bytes);
  if (!entries.ok()) return 0;
  for (const auto& e : *entries) {
    if (e.key.empty()) {
      tfport::bundle::parse_bundle_header(e.value).status().ignore_error();
    } else {
      tfport::bundle::parse_bundle_entry(e.value).status().ignore_error();
    }
  }
  return 0;
}
