// tfport's in-process HDF5 reader on arbitrary bytes: it must decline or produce a snapshot
// whose every dataset lies inside the image, never read out of bounds or loop.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "formats/hdf5/hdf5_snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tfport::hdf5::SnapshotSource source;
  source.image = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  source.size = size;
  source.name = "fuzz.h5";
  auto snapshot = tfport::hdf5::take_native_snapshot(source);
  if (snapshot.ok()) {
    // Touch every dataset's bytes (ASan reports any that are not really there).
    const tfport::hdf5::Snapshot& s = **snapshot;
    volatile uint8_t sink = 0;
    for (const auto& node : s.proto.nodes()) {
      const auto& d = node.dataset();
      const char* base = d.in_file() ? s.file_bytes : s.data;
      for (uint64_t i = 0; i < d.size(); i += 64) sink = sink ^ static_cast<uint8_t>(base[d.offset() + i]);
    }
  }
  return 0;
}
