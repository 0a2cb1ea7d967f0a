// Read-only access to HDF5 files through the HDF5 C library, with errors as Status values.
// Debian's libhdf5 is not thread-safe, so every call into it is serialised through one
// process-wide lock (hdf5_lock()). Every hid_t is owned by an RAII handle.
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

// The lock every HDF5 call takes (recursive: closing a handle inside a locked section is fine).
std::recursive_mutex& hdf5_lock();

struct FileState;  // the open file id, its name for messages and its size for limits

enum class ObjectKind { kGroup, kDataset, kOther, kMissing };

struct DatasetInfo {
  DType dtype = DType::kInvalid;
  std::vector<int64_t> dims;  // empty for a scalar
};

class Group {
 public:
  // "/" or "/model_weights/dense" — for messages.
  const std::string& path() const { return path_; }
  // The file name given at open, for messages.
  const std::string& file_name() const;

  // Direct children (links), in creation order when the file tracks it, else name order.
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
  // Reads a dataset whole. Refuses element data larger than the file justifies
  // (RESOURCE_EXHAUSTED) and types tfport does not map (UNIMPLEMENTED).
  StatusOr<Tensor> read_dataset(const std::string& relative) const;

 private:
  friend class File;
  Group(std::shared_ptr<FileState> file, int64_t id, std::string path);
  std::string child_path(const std::string& relative) const;
  std::shared_ptr<FileState> file_;
  std::shared_ptr<const int64_t> id_;  // hid_t, closed when the last copy goes
  std::string path_;
};

class File {
 public:
  static StatusOr<File> open(const std::string& path);
  // Opens an HDF5 image held in memory (e.g. model.weights.h5 inside a .keras zip). HDF5
  // takes its own copy; `bytes` may be released after the call.
  static StatusOr<File> open_image(std::shared_ptr<const std::string> bytes, std::string display_name);

  Group root() const;
  const std::string& name() const;
  uint64_t size_bytes() const;

 private:
  File() = default;
  std::shared_ptr<FileState> state_;
};

}  // namespace tfport::hdf5
