// Bounds-checked reading helpers shared by the native HDF5 reader's files.
#pragma once

#include <cstdint>
#include <string>

#include "tfport/status.h"

namespace tfport::hdf5::native {

inline Status decline(const std::string& why) { return unimplemented_error("native HDF5 reader: " + why); }

inline uint64_t le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A cursor over one message body or structure; reads past its end fail.
class Cursor {
 public:
  Cursor(const uint8_t* p, uint64_t size) : p_(p), size_(size) {}
  bool take(uint64_t n, const uint8_t** out) {
    if (n > size_ - pos_) return false;
    *out = p_ + pos_;
    pos_ += n;
    return true;
  }
  bool u(int bytes, uint64_t* out) {
    const uint8_t* p;
    if (!take(static_cast<uint64_t>(bytes), &p)) return false;
    *out = le(p, bytes);
    return true;
  }
  bool skip(uint64_t n) {
    const uint8_t* p;
    return take(n, &p);
  }
  bool align8() { return skip((8 - pos_ % 8) % 8); }
  uint64_t pos() const { return pos_; }
  uint64_t left() const { return size_ - pos_; }
  const uint8_t* here() const { return p_ + pos_; }

 private:
  const uint8_t* p_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

}  // namespace tfport::hdf5::native
