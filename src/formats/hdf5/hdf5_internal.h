// Private helpers of the HDF5 wrapper: the owning handle for hid_t values, the shared file
// state, and turning HDF5's error stack into a Status. Callers hold hdf5_lock().
#pragma once

#include <hdf5.h>

#include <memory>
#include <string>

#include "formats/hdf5/hdf5_file.h"

namespace tfport::hdf5 {

// Owns one HDF5 identifier of any kind (file, group, dataset, attribute, type, space, plist).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.id_;
      other.id_ = -1;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  bool valid() const { return id_ >= 0; }
  hid_t get() const { return id_; }
  hid_t release() {
    hid_t id = id_;
    id_ = -1;
    return id;
  }
  void reset();

 private:
  hid_t id_ = -1;
};

// Closes any identifier by asking HDF5 what it is.
void close_id(hid_t id);

struct FileState {
  Handle file;
  std::string name;
  uint64_t size = 0;
  // The file's bytes in memory (a read-only mapping, or the image), when HDF5 addresses are
  // offsets into them: uncompressed contiguous datasets are then wrapped, not read and copied.
  const char* bytes = nullptr;
  uint64_t bytes_size = 0;
  std::shared_ptr<const void> bytes_keepalive;
  ~FileState();
};

// Disables HDF5's automatic error printing once per process.
void silence_hdf5_errors();

// The innermost messages of the current HDF5 error stack (then cleared), or `fallback`.
std::string take_hdf5_error(const std::string& fallback);

// DATA_LOSS "<file>: <what>: <hdf5 message>".
Status hdf5_error(const FileState& file, const std::string& what, const std::string& fallback);

}  // namespace tfport::hdf5
