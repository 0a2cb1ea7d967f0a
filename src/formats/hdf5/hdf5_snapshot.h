// The snapshot of an HDF5 file that hdf5::File serves (see hdf5_file.h for why): taken by
// walking the file with the HDF5 library (hdf5_snapshot_walk.cc) inside a sandboxed child
// (hdf5_sandbox.cc), read back by the parent from a memory file.
//
// Memory file layout: a 64-byte header ("TFH5SNP1", u64 proto offset, u64 proto size), the
// element data of every dataset at 64-byte aligned offsets, then the Hdf5Snapshot proto.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <google/protobuf/arena.h>

#include "tfport/internal/hdf5_snapshot.pb.h"
#include "tfport/status.h"

namespace tfport::hdf5 {

struct SnapshotSource {
  std::string path;                           // a file on disk, or
  std::shared_ptr<const std::string> image;   // an in-memory HDF5 image
  std::string name;                           // for messages
  uint64_t size = 0;                          // bytes, for size limits
};

// Building and freeing the proto took a fifth of a large Keras file's open (thousands of small
// messages and strings): it lives on an arena, allocated in large blocks and freed at once.
std::unique_ptr<google::protobuf::Arena> make_snapshot_arena();

struct Snapshot {
  std::string name;
  uint64_t size = 0;
  std::unique_ptr<google::protobuf::Arena> arena = make_snapshot_arena();
  internal::Hdf5Snapshot& proto = *google::protobuf::Arena::CreateMessage<internal::Hdf5Snapshot>(arena.get());
  std::unordered_map<std::string_view, int> by_path;  // node index of each path (the proto's strings)
  std::shared_ptr<const void> mapping;           // keeps `data` alive; tensors hold it too
  const char* data = nullptr;
  // The HDF5 file's own bytes (a private mapping, or the image), for datasets used in place.
  std::shared_ptr<const void> file_keepalive;
  const char* file_bytes = nullptr;
  uint64_t file_bytes_size = 0;
};

constexpr char kSnapshotMagic[8] = {'T', 'F', 'H', '5', 'S', 'N', 'P', '1'};
constexpr uint64_t kSnapshotHeaderBytes = 64;
constexpr uint64_t kSnapshotAlignment = 64;

// Exit codes of the walk (the child's exit status).
enum SnapshotWalkResult : int { kWalkOk = 0, kWalkNoRoom = 3, kWalkIoError = 4 };

// Opens `source` with the HDF5 library and writes its snapshot into memory file `fd`.
// Problems with the file itself are recorded in the snapshot, not returned.
SnapshotWalkResult write_snapshot(const SnapshotSource& source, int fd);

// The snapshot hdf5::File serves: tfport's own in-process reader's (hdf5_native_snapshot.cc)
// when it handles the file, else the library's. TFPORT_HDF5_NATIVE=0 always takes the library's.
StatusOr<std::shared_ptr<const Snapshot>> take_snapshot(const SnapshotSource& source);
// The library's snapshot (sandboxed unless TFPORT_HDF5_SANDBOX=0), mapped.
StatusOr<std::shared_ptr<const Snapshot>> take_library_snapshot(const SnapshotSource& source);
// The native reader's snapshot; UNIMPLEMENTED whenever it declines the file (anything it does
// not know, or that does not add up), never any other error.
StatusOr<std::shared_ptr<const Snapshot>> take_native_snapshot(const SnapshotSource& source);

// Checks a dataset node's dtype, shape and data bounds against the snapshot's memory (which
// ends at `data_end`) or the HDF5 file's bytes.
Status check_snapshot_dataset(const Snapshot& s, const internal::Hdf5Node& node, uint64_t data_end);

// Status <-> proto.
void status_to_proto(const Status& status, internal::Hdf5Error* out);
Status status_from_proto(const internal::Hdf5Error& error);

}  // namespace tfport::hdf5
