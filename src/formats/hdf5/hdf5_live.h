// Direct access to HDF5 files through the HDF5 C library: what the sandboxed snapshot
// (hdf5_snapshot.cc) runs in its child process. Nothing outside src/formats/hdf5 uses these
// classes: the HDF5 library is not safe on hostile files, so readers get hdf5::File (a
// validated snapshot, hdf5_file.h) instead. The API mirrors hdf5::File and hdf5::Group; every
// call takes hdf5_lock() because Debian's libhdf5 is not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "formats/hdf5/hdf5_file.h"

namespace tfport::hdf5 {

struct FileState;  // the open file id, its name for messages and its size for limits

// Hands out memory for `bytes` of element data (nullptr when there is no room).
using DataSink = std::function<void*(size_t bytes)>;

struct LiveDataset {
  Status info_status;  // not OK: nothing below is valid
  DatasetInfo info;
  Status read_status;  // not OK: no data
  Tensor tensor;       // the data (strings, or a view on memory from the sink)
  std::optional<uint64_t> offset_in_file;  // set instead of `tensor` for in-place data
};

class LiveGroup {
 public:
  // "/" or "/model_weights/dense" — for messages.
  const std::string& path() const { return path_; }
  // The file name given at open, for messages.
  const std::string& file_name() const;

  // Direct children (links), in creation order when the file tracks it, else name order.
  StatusOr<std::vector<std::string>> children() const;
  // Kind of the object at `relative` (may contain '/'); kMissing when any part is absent.
  ObjectKind kind(const std::string& relative) const;
  StatusOr<LiveGroup> group(const std::string& relative) const;
  // True when direct child `name` is a hard link (not a soft or external one).
  bool is_hard_link(const std::string& name) const;

  bool has_attribute(const std::string& name) const;
  // Names of every attribute of this group, in name order.
  StatusOr<std::vector<std::string>> attribute_names() const;
  // A list of strings: string arrays or scalars; a zero-length array of any type is empty.
  StatusOr<std::vector<std::string>> string_list_attribute(const std::string& name) const;

  // Dataset `name`, opened once: its type and shape, then its data — read into memory from
  // `into`, or, when `in_file_ok` and the bytes can be used where they lie, only located
  // (offset_in_file). `data_wanted` false stops after the type and shape.
  LiveDataset read_dataset(const std::string& name, const DataSink& into, bool in_file_ok, bool data_wanted) const;

 private:
  friend class LiveFile;
  LiveGroup(std::shared_ptr<FileState> file, int64_t id, std::string path);
  std::string child_path(const std::string& relative) const;
  std::shared_ptr<FileState> file_;
  std::shared_ptr<const int64_t> id_;  // hid_t, closed when the last copy goes
  std::string path_;
};

class LiveFile {
 public:
  static StatusOr<LiveFile> open(const std::string& path);
  // Opens an HDF5 image held in memory (e.g. model.weights.h5 inside a .keras zip). HDF5
  // takes its own copy; `bytes` may be released after the call.
  static StatusOr<LiveFile> open_image(std::shared_ptr<const std::string> bytes, std::string display_name);

  LiveGroup root() const;
  const std::string& name() const;
  uint64_t size_bytes() const;

 private:
  LiveFile() = default;
  std::shared_ptr<FileState> state_;
};

}  // namespace tfport::hdf5
