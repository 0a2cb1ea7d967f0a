// Read-only access to HDF5 files, with errors as Status values.
//
// The HDF5 C library is not safe on hostile input (Debian 12's 1.10 crashes or spins on some
// corrupted files), so tfport never lets it touch an untrusted file in the caller's process.
// File::open runs the library in a forked, time-limited child that walks the whole file and
// hands back a snapshot — the group tree, every string attribute, every dataset's type, shape
// and data — through a memory file (hdf5_sandbox.cc). If the library crashes or hangs, open
// returns DATA_LOSS and the caller is unharmed. Dataset tensors are views on the snapshot
// mapping: no copy after the child's read. TFPORT_HDF5_SANDBOX=0 takes the same snapshot in
// process instead (debugging, fuzzing with coverage; unsafe on hostile files).
//
//   TFPORT_ASSIGN_OR_RETURN(hdf5::File f, hdf5::File::open("model.h5"));
//   hdf5::Group root = f.root();
//   TFPORT_ASSIGN_OR_RETURN(std::string cfg, root.string_attribute("model_config"));
//   TFPORT_ASSIGN_OR_RETURN(hdf5::Group w, root.group("model_weights"));
//   TFPORT_ASSIGN_OR_RETURN(Tensor k, w.read_dataset("dense/dense/kernel:0"));
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::hdf5 {

// The lock every direct HDF5 library call takes (writers too): Debian's libhdf5 is not
// thread-safe. Recursive, so closing a handle inside a locked section is fine.
std::recursive_mutex& hdf5_lock();

enum class ObjectKind { kGroup, kDataset, kOther, kMissing };

struct DatasetInfo {
  DType dtype = DType::kInvalid;
  std::vector<int64_t> dims;  // empty for a scalar
};

struct Snapshot;  // hdf5_snapshot.h

}  // namespace tfport::hdf5

namespace tfport::internal {
class Hdf5Dataset;  // hdf5_snapshot.proto
}  // namespace tfport::internal

namespace tfport::hdf5 {

class Group {
 public:
  // "/" or "/model_weights/dense" — for messages.
  const std::string& path() const { return path_; }
  // The file name given at open, for messages.
  const std::string& file_name() const;

  // Direct children (links), in creation order when the file tracks it, else name order.
  // Soft and external links are not followed (an external link could name any file).
  StatusOr<std::vector<std::string>> children() const;
  // Kind of the object at `relative` (may contain '/'); kMissing when any part is absent.
  ObjectKind kind(const std::string& relative) const;
  StatusOr<Group> group(const std::string& relative) const;

  bool has_attribute(const std::string& name) const;
  // A string attribute: fixed or variable length, ASCII or UTF-8; trailing NULs stripped.
  // A one-element string array is accepted too.
  StatusOr<std::string> string_attribute(const std::string& name) const;
  // A list of strings: string arrays or scalars; a zero-length array of any type is empty.
  StatusOr<std::vector<std::string>> string_list_attribute(const std::string& name) const;
  // Keras' chunked form: `name` if present, else `name0`, `name1`, ... concatenated.
  // NOT_FOUND when neither exists.
  StatusOr<std::vector<std::string>> chunked_string_list_attribute(const std::string& name) const;

  StatusOr<DatasetInfo> dataset_info(const std::string& relative) const;
  // A dataset whole. Element data larger than the file justifies was refused at open
  // (RESOURCE_EXHAUSTED here), as are types tfport does not map (UNIMPLEMENTED).
  StatusOr<Tensor> read_dataset(const std::string& relative) const;

 private:
  friend class File;
  Group(std::shared_ptr<const Snapshot> snapshot, int node, std::string path);
  std::string child_path(const std::string& relative) const;
  int find(const std::string& relative) const;  // node index or -1
  // The dataset at `relative` (NOT_FOUND, or its recorded info error).
  StatusOr<const internal::Hdf5Dataset*> dataset_node(const std::string& relative) const;
  std::shared_ptr<const Snapshot> snapshot_;
  int node_ = -1;
  std::string path_;
};

class File {
 public:
  static StatusOr<File> open(const std::string& path);
  // Opens an HDF5 image held in memory (e.g. model.weights.h5 inside a .keras zip).
  static StatusOr<File> open_image(std::shared_ptr<const std::string> bytes, std::string display_name);

  Group root() const;
  const std::string& name() const;
  uint64_t size_bytes() const;

 private:
  File() = default;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace tfport::hdf5
