// tfport's own reader of the HDF5 structures h5py writes for Keras files, run in process
// (hdf5_native_snapshot.cc builds the snapshot from it). It knows only superblock v0/v1 with
// 8-byte offsets and lengths, version-1 object headers, old-style groups (v1 B-tree, symbol
// table nodes, local heap), attributes with fixed or variable-length (global heap) strings,
// and contiguous or compact datasets of plain numbers. Anything else, and anything that does
// not add up, is reported as not OK so that the caller falls back to the HDF5 library in its
// sandbox: this reader never decides that a file is corrupt, it only declines.
//
// Every address and length is checked against the bytes that are there; walks are bounded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/dtype.h"
#include "tfport/status.h"

namespace tfport::hdf5::native {

// The whole file in memory (a mapping or an image). Every structure is reached through at(),
// which also counts the reads: a crafted file whose structures are shared many times over
// runs out of reads instead of keeping the reader busy.
class Bytes {
 public:
  Bytes(const char* data, uint64_t size) : data_(reinterpret_cast<const uint8_t*>(data)), size_(size) {}
  uint64_t size() const { return size_; }
  // The `length` bytes at `offset`, or nullptr when they are not all inside the file.
  const uint8_t* at(uint64_t offset, uint64_t length) const {
    if (offset > size_ || length > size_ - offset || reads_left_ == 0) return nullptr;
    --reads_left_;
    return data_ + offset;
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  mutable uint64_t reads_left_ = uint64_t{1} << 22;
};

constexpr uint64_t kUndefinedAddress = ~uint64_t{0};

// A header message: its type and where its body lies in the file.
struct Message {
  uint16_t type = 0;
  uint8_t flags = 0;
  const uint8_t* body = nullptr;
  uint64_t size = 0;
};

struct Datatype {
  int type_class = -1;  // HDF5's class numbers: 0 fixed-point, 1 float, 3 string, 8 enum, 9 vlen
  uint32_t size = 0;
  bool big_endian = false;
  bool is_signed = false;
  bool vlen_string = false;
  int string_pad = 0;  // 0 NUL-terminated, 1 NUL-padded, 2 space-padded
};

struct Dataspace {
  bool null = false;          // no elements at all
  std::vector<int64_t> dims;  // empty: scalar
  uint64_t num_elements = 0;
};

struct Layout {
  int layout_class = -1;  // 0 compact, 1 contiguous, 2 chunked, 3 virtual
  uint64_t address = kUndefinedAddress;
  uint64_t size = 0;
  const uint8_t* compact_data = nullptr;
};

// What tfport needs to know about one object, from its header messages.
struct Object {
  bool is_group = false;    // symbol table message (old-style group)
  bool new_style_group = false;
  uint64_t btree_address = kUndefinedAddress;
  uint64_t heap_address = kUndefinedAddress;
  const Message* datatype = nullptr;
  const Message* dataspace = nullptr;
  const Message* layout = nullptr;
  bool filtered = false;
  std::vector<Message> messages;
  std::vector<const Message*> attributes;

  // Back to a fresh Object, keeping the vectors' memory (one Object serves many reads).
  void clear() {
    std::vector<Message> m = std::move(messages);
    std::vector<const Message*> a = std::move(attributes);
    *this = Object();
    m.clear();
    a.clear();
    messages = std::move(m);
    attributes = std::move(a);
  }
};

struct Link {
  std::string name;
  uint64_t address = kUndefinedAddress;  // object header
  bool hard = true;
};

struct Attribute {
  std::string name;
  Datatype type;
  Dataspace space;
  const uint8_t* data = nullptr;
  uint64_t data_size = 0;
};

// The root group's object header address (superblock v0/v1 at byte 0, no user block).
StatusOr<uint64_t> read_superblock(const Bytes& file);
// Follows continuation messages; the Message pointers into `Object::messages` stay valid
// while the Object lives and is not copied or cleared. `out` must be fresh (or cleared).
Status read_object(const Bytes& file, uint64_t address, Object* out);
// The links of an old-style group, in name order.
Status read_group_links(const Bytes& file, const Object& group, std::vector<Link>* out);

Status parse_datatype(const uint8_t* body, uint64_t size, Datatype* out);
Status parse_dataspace(const uint8_t* body, uint64_t size, Dataspace* out);
Status parse_layout(const uint8_t* body, uint64_t size, Layout* out);
Status parse_attribute(const Message& message, Attribute* out);
// The attribute's elements as strings, the way the library-based walk returns them.
// A non-string attribute is an error only when it has elements (h5py writes [] as float64).
Status attribute_strings(const Bytes& file, const Attribute& attribute, std::vector<std::string>* out);

}  // namespace tfport::hdf5::native
