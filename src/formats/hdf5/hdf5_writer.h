// Writing HDF5 files the way h5py lays out what Keras saves: groups created along paths,
// variable-length string attributes (scalars and arrays, as h5py 3 stores Python str), and
// little-endian numeric datasets. All calls hold hdf5_lock(). The file is built in memory and
// handed back as bytes, so callers write it through a StagedFile (or into a zip) themselves.
//
//   TFPORT_ASSIGN_OR_RETURN(hdf5::Writer w, hdf5::Writer::create("model.h5"));
//   TFPORT_RETURN_IF_ERROR(w.set_string("/", "keras_version", "2.13.1", /*utf8=*/true));
//   TFPORT_RETURN_IF_ERROR(w.write_dataset("/model_weights/dense/dense/kernel:0", kernel));
//   TFPORT_ASSIGN_OR_RETURN(std::string bytes, w.finish());
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::hdf5 {

class Writer {
 public:
  // An empty file in memory; `display_name` is only used in messages.
  static StatusOr<Writer> create(const std::string& display_name);
  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;
  ~Writer();

  // Creates the group and any missing parents ("/a/b"); existing groups are fine.
  Status make_group(const std::string& path);
  // A scalar variable-length string attribute on the group at `group_path`.
  Status set_string(const std::string& group_path, const std::string& name, const std::string& value, bool utf8 = false);
  // A 1-D array of variable-length strings.
  Status set_strings(const std::string& group_path, const std::string& name, const std::vector<std::string>& values);
  // A dataset at `path` (parents created). Float, double, half and the integer types; bool
  // as h5py's enum; UNIMPLEMENTED otherwise.
  Status write_dataset(const std::string& path, const Tensor& value);
  // The file's bytes; the writer is unusable afterwards.
  StatusOr<std::string> finish();

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfport::hdf5
