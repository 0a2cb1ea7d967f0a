// The HDF5 structures that hold h5py's files together (superblock, object headers and their
// continuation chunks, v1 B-trees, symbol table nodes, local heaps), parsed with every read
// bounds-checked; the messages themselves are decoded in hdf5_native_messages.cc.
#include "formats/hdf5/hdf5_native_format.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_set>

#include "formats/hdf5/hdf5_native_cursor.h"

namespace tfport::hdf5::native {
namespace {

constexpr uint64_t kMaxHeaderChunks = 256;
constexpr uint64_t kMaxMessages = 1 << 16;
constexpr int kMaxBTreeDepth = 32;
constexpr uint64_t kMaxLinks = 1 << 20;
constexpr uint64_t kSymbolEntryBytes = 40;  // name offset, header address, cache type, reserved, scratch

constexpr uint16_t kMsgDataspace = 0x0001;
constexpr uint16_t kMsgLinkInfo = 0x0002;
constexpr uint16_t kMsgDatatype = 0x0003;
constexpr uint16_t kMsgFillValue = 0x0005;
constexpr uint16_t kMsgLink = 0x0006;
constexpr uint16_t kMsgLayout = 0x0008;
constexpr uint16_t kMsgFilters = 0x000B;
constexpr uint16_t kMsgAttribute = 0x000C;
constexpr uint16_t kMsgContinuation = 0x0010;
constexpr uint16_t kMsgSymbolTable = 0x0011;
constexpr uint16_t kMsgAttributeInfo = 0x0015;
constexpr uint16_t kMsgLastKnown = 0x0018;
constexpr uint8_t kMsgFlagsKnown = 0x05;  // constant, not to be shared

// The library refuses a dataset whose fill value message it cannot decode; so does this reader
// (version 2, what h5py writes, only).
Status check_fill_value(const Message& m) {
  Cursor c(m.body, m.size);
  uint64_t version = 0, alloc = 0, write = 0, defined = 0, size = 0;
  if (!c.u(1, &version) || !c.u(1, &alloc) || !c.u(1, &write) || !c.u(1, &defined)) return decline("short fill value");
  if (version != 2 || alloc < 1 || alloc > 3 || write > 2 || defined > 1) return decline("fill value message");
  if (defined == 1 && (!c.u(4, &size) || !c.skip(size))) return decline("short fill value");
  return Status::OK();
}

}  // namespace

StatusOr<uint64_t> read_superblock(const Bytes& file) {
  static const uint8_t kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  const uint8_t* sb = file.at(0, 24);
  if (sb == nullptr || std::memcmp(sb, kSignature, 8) != 0) return decline("no superblock at byte 0");
  int version = sb[8];
  if (version > 1) return decline("superblock version " + std::to_string(version));
  if (sb[13] != 8 || sb[14] != 8) return decline("offsets or lengths not 8 bytes");
  // Versions of the parts, reserved bytes, B-tree K values and flags exactly as h5py leaves them.
  if (sb[9] != 0 || sb[10] != 0 || sb[11] != 0 || sb[12] != 0 || sb[15] != 0 || le(sb + 16, 2) == 0 ||
      le(sb + 18, 2) == 0 || le(sb + 20, 4) != 0) {
    return decline("unusual superblock fields");
  }
  uint64_t at = version == 0 ? 24 : 28;
  const uint8_t* rest = file.at(at, 4 * 8 + kSymbolEntryBytes);
  if (rest == nullptr) return decline("truncated superblock");
  uint64_t base = le(rest, 8), free_space = le(rest + 8, 8), eof = le(rest + 16, 8), driver = le(rest + 24, 8);
  if (base != 0) return decline("base address not 0");
  if (free_space != kUndefinedAddress) return decline("free-space information");
  if (le(rest + 32 + 16, 4) != 1) return decline("root entry without a cached symbol table");
  if (driver != kUndefinedAddress) return decline("file driver information");
  // A file shorter than its recorded end was truncated: the library reports that.
  if (eof > file.size()) return decline("file shorter than its end-of-file address");
  return le(rest + 32 + 8, 8);
}

Status read_object(const Bytes& file, uint64_t address, Object* out) {
  const uint8_t* prefix = file.at(address, 16);
  if (prefix == nullptr) return decline("object header outside the file");
  if (prefix[0] != 1) return decline("object header version " + std::to_string(prefix[0]));
  if (prefix[1] != 0 || le(prefix + 4, 4) == 0) return decline("unusual object header prefix");
  uint64_t declared = le(prefix + 2, 2);
  out->messages.reserve(std::min<uint64_t>(declared, 64));
  std::vector<std::pair<uint64_t, uint64_t>> chunks{{address + 16, le(prefix + 8, 4)}};
  for (size_t c = 0; c < chunks.size(); ++c) {
    if (c >= kMaxHeaderChunks) return decline("too many object header chunks");
    const uint8_t* chunk = file.at(chunks[c].first, chunks[c].second);
    if (chunk == nullptr) return decline("object header chunk outside the file");
    Cursor cur(chunk, chunks[c].second);
    while (cur.left() >= 8) {
      uint64_t type = 0, size = 0, flags = 0;
      cur.u(2, &type), cur.u(2, &size), cur.u(1, &flags), cur.skip(3);
      Message m;
      m.type = static_cast<uint16_t>(type);
      m.flags = static_cast<uint8_t>(flags);
      m.size = size;
      if (!cur.take(size, &m.body)) return decline("header message runs past its chunk");
      if (out->messages.size() >= kMaxMessages) return decline("too many header messages");
      if (m.type == kMsgContinuation) {
        Cursor c2(m.body, m.size);
        uint64_t where = 0, length = 0;
        if (!c2.u(8, &where) || !c2.u(8, &length)) return decline("short continuation message");
        chunks.emplace_back(where, length);
      }
      out->messages.push_back(m);
    }
  }
  if (out->messages.size() != declared) return decline("object header message count mismatch");
  for (const Message& m : out->messages) {
    if (m.type > kMsgLastKnown) return decline("unknown header message " + std::to_string(m.type));
    // h5py's files flag messages constant or not-to-be-shared at most; shared messages and the
    // unknown-message flags are the library's to interpret.
    if ((m.flags & ~kMsgFlagsKnown) != 0) {
      return decline("header message flags " + std::to_string(m.flags) + " on message type " + std::to_string(m.type));
    }
    switch (m.type) {
      case kMsgSymbolTable: {
        Cursor c(m.body, m.size);
        if (!c.u(8, &out->btree_address) || !c.u(8, &out->heap_address)) return decline("short symbol table message");
        out->is_group = true;
        break;
      }
      case kMsgLinkInfo:
      case kMsgLink:
      case kMsgAttributeInfo: out->new_style_group = true; break;  // dense or new-style storage: library
      case kMsgDatatype: out->datatype = &m; break;
      case kMsgDataspace: out->dataspace = &m; break;
      case kMsgLayout: out->layout = &m; break;
      case kMsgFillValue: TFPORT_RETURN_IF_ERROR(check_fill_value(m)); break;
      case kMsgFilters: out->filtered = true; break;
      case kMsgAttribute: out->attributes.push_back(&m); break;
      default: break;
    }
  }
  if (out->new_style_group) return decline("new-style group or attribute storage");
  return Status::OK();
}

namespace {

// Local heap: the data segment that holds a group's link names.
struct LocalHeap {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

Status read_local_heap(const Bytes& file, uint64_t address, LocalHeap* out) {
  const uint8_t* h = file.at(address, 32);
  if (h == nullptr || std::memcmp(h, "HEAP", 4) != 0 || h[4] != 0) return decline("bad local heap");
  if (h[5] != 0 || h[6] != 0 || h[7] != 0) return decline("local heap reserved bytes");
  out->size = le(h + 8, 8);
  out->data = file.at(le(h + 24, 8), out->size);
  if (out->data == nullptr) return decline("local heap data outside the file");
  // The free list, as the library checks it when it loads the heap: blocks inside the data.
  constexpr uint64_t kNoFreeBlock = 1;
  uint64_t block = le(h + 16, 8);
  for (int steps = 0; block != kNoFreeBlock; ++steps) {
    if (steps > 4096 || block > out->size || out->size - block < 16) return decline("bad local heap free list");
    uint64_t next = le(out->data + block, 8), length = le(out->data + block + 8, 8);
    if (length > out->size - block || (next != kNoFreeBlock && next <= block)) return decline("bad local heap free list");
    block = next;
  }
  return Status::OK();
}

// A view into the file's bytes, which outlive the walk.
Status heap_name(const LocalHeap& heap, uint64_t offset, std::string_view* out) {
  if (offset >= heap.size) return decline("link name outside the local heap");
  const uint8_t* start = heap.data + offset;
  const void* nul = std::memchr(start, 0, heap.size - offset);
  if (nul == nullptr) return decline("unterminated link name");
  *out = std::string_view(reinterpret_cast<const char*>(start),
                          static_cast<size_t>(static_cast<const uint8_t*>(nul) - start));
  return Status::OK();
}

// The B-tree and symbol table nodes a group walk has visited: a few per group, so a short
// list, which becomes a hash set only when a (crafted) tree has many.
class AddressSet {
 public:
  // False when `address` was there already.
  bool insert(uint64_t address) {
    if (!large_.empty()) return large_.insert(address).second;
    for (uint64_t a : small_) {
      if (a == address) return false;
    }
    if (small_.size() < kSmall) {
      small_.push_back(address);
      return true;
    }
    large_.insert(small_.begin(), small_.end());
    return large_.insert(address).second;
  }

 private:
  static constexpr size_t kSmall = 16;
  std::vector<uint64_t> small_;
  std::unordered_set<uint64_t> large_;
};

Status read_symbol_node(const Bytes& file, uint64_t address, const LocalHeap& heap, std::vector<Link>* out) {
  const uint8_t* h = file.at(address, 8);
  if (h == nullptr || std::memcmp(h, "SNOD", 4) != 0 || h[4] != 1) return decline("bad symbol table node");
  uint64_t count = le(h + 6, 2);
  const uint8_t* entries = file.at(address + 8, count * kSymbolEntryBytes);
  if (entries == nullptr) return decline("symbol table node outside the file");
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* e = entries + i * kSymbolEntryBytes;
    if (out->size() >= kMaxLinks) return decline("too many links");
    Link link;
    std::string_view name;
    TFPORT_RETURN_IF_ERROR(heap_name(heap, le(e, 8), &name));
    link.name = name;
    link.address = le(e + 8, 8);
    uint64_t cache = le(e + 16, 4);
    if (cache > 2) return decline("bad symbol table entry cache type");
    link.hard = cache != 2;  // 2: a soft link, whose value sits in the heap
    out->push_back(std::move(link));
  }
  return Status::OK();
}

Status read_group_btree(const Bytes& file, uint64_t address, int expected_level, const LocalHeap& heap,
                        AddressSet* seen, std::vector<Link>* out) {
  if (!seen->insert(address)) return decline("B-tree node visited twice");
  const uint8_t* h = file.at(address, 24);
  if (h == nullptr || std::memcmp(h, "TREE", 4) != 0 || h[4] != 0) return decline("bad group B-tree node");
  int level = h[5];
  if (level > kMaxBTreeDepth || (expected_level >= 0 && level != expected_level)) return decline("bad B-tree level");
  uint64_t used = le(h + 6, 2);
  // Keys (heap offsets) and children alternate: key0 child0 key1 ... child(n-1) key(n).
  const uint8_t* body = file.at(address + 24, (2 * used + 1) * 8);
  if (body == nullptr) return decline("B-tree node outside the file");
  // The library finds a name by binary search over these keys: child i holds the names after
  // key i up to key i+1. A tree that breaks this is one where its lookups would fail.
  std::string_view low, high;
  TFPORT_RETURN_IF_ERROR(heap_name(heap, le(body, 8), &low));
  for (uint64_t i = 0; i < used; ++i) {
    uint64_t child = le(body + (2 * i + 1) * 8, 8);
    TFPORT_RETURN_IF_ERROR(heap_name(heap, le(body + (2 * i + 2) * 8, 8), &high));
    size_t first = out->size();
    if (level > 0) {
      TFPORT_RETURN_IF_ERROR(read_group_btree(file, child, level - 1, heap, seen, out));
    } else {
      if (!seen->insert(child)) return decline("symbol table node listed twice");
      TFPORT_RETURN_IF_ERROR(read_symbol_node(file, child, heap, out));
    }
    for (size_t k = first; k < out->size(); ++k) {
      const std::string& name = (*out)[k].name;
      if (!(low < name) || high < name) return decline("link name outside its B-tree key range");
      if (k > 0 && !((*out)[k - 1].name < name)) return decline("link names out of order");
    }
    low = high;
  }
  return Status::OK();
}

}  // namespace

Status read_group_links(const Bytes& file, const Object& group, std::vector<Link>* out) {
  LocalHeap heap;
  TFPORT_RETURN_IF_ERROR(read_local_heap(file, group.heap_address, &heap));
  AddressSet seen;
  TFPORT_RETURN_IF_ERROR(read_group_btree(file, group.btree_address, -1, heap, &seen, out));
  // Checked in strictly increasing name order: the order the library lists old-style groups in.
  return Status::OK();
}
}  // namespace tfport::hdf5::native
