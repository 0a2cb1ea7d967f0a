// libFuzzer target for the .npy reader: parse arbitrary bytes; whatever parses must serialize
// and parse back to an equal tensor.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfport/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tensor = tfport::parse_npy(bytes, "fuzz.npy");
  if (!tensor.ok()) return 0;
  auto again = tfport::serialize_npy(*tensor);
  if (!again.ok()) __builtin_trap();  // every type the reader produces can be written
  auto back = tfport::parse_npy(*again, "fuzz-roundtrip.npy");
  if (!back.ok() || !back->equals(*tensor)) __builtin_trap();
  return 0;
}
