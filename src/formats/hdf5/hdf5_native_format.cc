// The byte layouts of the HDF5 file format specification (superblock, object headers,
// messages, v1 B-trees, symbol table nodes, local and global heaps) that h5py writes by
// default, parsed with every read bounds-checked.
#include "formats/hdf5/hdf5_native_format.h"

#include <cstring>
#include <unordered_set>

namespace tfport::hdf5::native {
namespace {

constexpr uint64_t kMaxHeaderChunks = 256;
constexpr uint64_t kMaxMessages = 1 << 16;
constexpr int kMaxBTreeDepth = 32;
constexpr uint64_t kMaxLinks = 1 << 20;
constexpr uint64_t kMaxRank = 32;
constexpr uint64_t kSymbolEntryBytes = 40;  // name offset, header address, cache type, reserved, scratch

Status decline(const std::string& why) { return unimplemented_error("native HDF5 reader: " + why); }

uint64_t le(const uint8_t* p, int bytes) {
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

Status heap_name(const LocalHeap& heap, uint64_t offset, std::string* out) {
  if (offset >= heap.size) return decline("link name outside the local heap");
  const uint8_t* start = heap.data + offset;
  const void* nul = std::memchr(start, 0, heap.size - offset);
  if (nul == nullptr) return decline("unterminated link name");
  out->assign(reinterpret_cast<const char*>(start), static_cast<size_t>(static_cast<const uint8_t*>(nul) - start));
  return Status::OK();
}

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
    TFPORT_RETURN_IF_ERROR(heap_name(heap, le(e, 8), &link.name));
    link.address = le(e + 8, 8);
    uint64_t cache = le(e + 16, 4);
    if (cache > 2) return decline("bad symbol table entry cache type");
    link.hard = cache != 2;  // 2: a soft link, whose value sits in the heap
    out->push_back(std::move(link));
  }
  return Status::OK();
}

Status read_group_btree(const Bytes& file, uint64_t address, int expected_level, const LocalHeap& heap,
                        std::unordered_set<uint64_t>* seen, std::vector<Link>* out) {
  if (!seen->insert(address).second) return decline("B-tree node visited twice");
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
  std::string low, high;
  TFPORT_RETURN_IF_ERROR(heap_name(heap, le(body, 8), &low));
  for (uint64_t i = 0; i < used; ++i) {
    uint64_t child = le(body + (2 * i + 1) * 8, 8);
    TFPORT_RETURN_IF_ERROR(heap_name(heap, le(body + (2 * i + 2) * 8, 8), &high));
    size_t first = out->size();
    if (level > 0) {
      TFPORT_RETURN_IF_ERROR(read_group_btree(file, child, level - 1, heap, seen, out));
    } else {
      if (!seen->insert(child).second) return decline("symbol table node listed twice");
      TFPORT_RETURN_IF_ERROR(read_symbol_node(file, child, heap, out));
    }
    for (size_t k = first; k < out->size(); ++k) {
      const std::string& name = (*out)[k].name;
      if (!(low < name) || high < name) return decline("link name outside its B-tree key range");
      if (k > 0 && !((*out)[k - 1].name < name)) return decline("link names out of order");
    }
    low = std::move(high);
  }
  return Status::OK();
}

}  // namespace

Status read_group_links(const Bytes& file, const Object& group, std::vector<Link>* out) {
  LocalHeap heap;
  TFPORT_RETURN_IF_ERROR(read_local_heap(file, group.heap_address, &heap));
  std::unordered_set<uint64_t> seen;
  TFPORT_RETURN_IF_ERROR(read_group_btree(file, group.btree_address, -1, heap, &seen, out));
  // Checked in strictly increasing name order: the order the library lists old-style groups in.
  return Status::OK();
}

Status parse_datatype(const uint8_t* body, uint64_t size, Datatype* out) {
  Cursor c(body, size);
  const uint8_t* h;
  if (!c.take(8, &h)) return decline("short datatype message");
  int version = h[0] >> 4;
  out->type_class = h[0] & 0x0f;
  uint32_t bits = static_cast<uint32_t>(le(h + 1, 3));
  out->size = static_cast<uint32_t>(le(h + 4, 4));
  if (version < 1 || version > 3) return decline("datatype version");
  const uint8_t* p;
  switch (out->type_class) {
    case 0:  // fixed-point: byte order bit 0, sign bit 3; offset 0 and full precision only
      if (!c.take(4, &p) || le(p, 2) != 0 || le(p + 2, 2) != 8 * uint64_t{out->size}) return decline("padded integer");
      out->big_endian = (bits & 1) != 0;
      out->is_signed = (bits & 8) != 0;
      return Status::OK();
    case 1: {  // IEEE binary16/32/64 exactly as the library's predefined types describe them
      if (!c.take(12, &p)) return decline("short float type");
      struct Ieee { uint32_t size, exp_loc, exp_size, mant_size, bias; };
      static const Ieee kIeee[] = {{2, 10, 5, 10, 15}, {4, 23, 8, 23, 127}, {8, 52, 11, 52, 1023}};
      bool ok = false;
      for (const Ieee& f : kIeee) {
        ok = ok || (out->size == f.size && le(p, 2) == 0 && le(p + 2, 2) == 8 * f.size && p[4] == f.exp_loc &&
                    p[5] == f.exp_size && p[6] == 0 && p[7] == f.mant_size && le(p + 8, 4) == f.bias &&
                    ((bits >> 8) & 0xff) == 8 * f.size - 1 && ((bits >> 4) & 3) == 2 && (bits & 0x4e) == 0);
      }
      if (!ok) return decline("non-IEEE float type");
      out->big_endian = (bits & 1) != 0;
      return Status::OK();
    }
    case 3:  // fixed-length string
      out->string_pad = static_cast<int>(bits & 0x0f);
      if (out->string_pad > 1 || ((bits >> 4) & 0x0f) > 1 || out->size == 0) return decline("string type");
      return Status::OK();
    case 8:  // enum: h5py's bool; only its size matters
      return Status::OK();
    case 9: {  // variable-length: only strings, whose base is one byte
      if ((bits & 0x0f) != 1 || ((bits >> 4) & 0x0f) > 1 || ((bits >> 8) & 0x0f) > 1) return decline("vlen type");
      Datatype base;
      TFPORT_RETURN_IF_ERROR(parse_datatype(c.here(), c.left(), &base));
      if (base.size != 1) return decline("vlen string base type");
      if (out->size != 16) return decline("vlen string size");  // length, heap address, index
      out->vlen_string = true;
      out->string_pad = static_cast<int>((bits >> 4) & 0x0f);
      return Status::OK();
    }
    default: return decline("datatype class " + std::to_string(out->type_class));
  }
}

Status parse_dataspace(const uint8_t* body, uint64_t size, Dataspace* out) {
  Cursor c(body, size);
  uint64_t version = 0, rank = 0, flags = 0, type = 1;
  if (!c.u(1, &version) || !c.u(1, &rank) || !c.u(1, &flags)) return decline("short dataspace");
  if (version == 1) {
    if (!c.skip(5)) return decline("short dataspace");
    if (rank == 0) type = 0;
  } else if (version == 2) {
    if (!c.u(1, &type) || type > 2) return decline("dataspace type");
  } else {
    return decline("dataspace version");
  }
  if (rank > kMaxRank || (flags & ~uint64_t{1}) != 0) return decline("dataspace rank or flags");
  out->null = type == 2;
  out->dims.clear();
  uint64_t n = 1;
  for (uint64_t i = 0; i < rank; ++i) {
    uint64_t d = 0;
    if (!c.u(8, &d) || d > (uint64_t{1} << 62)) return decline("dataspace dimension");
    out->dims.push_back(static_cast<int64_t>(d));
    n = (d != 0 && n > UINT64_MAX / d) ? UINT64_MAX : n * d;
  }
  if (flags & 1) {
    for (uint64_t i = 0; i < rank; ++i) {
      uint64_t m = 0;
      if (!c.u(8, &m)) return decline("dataspace max dimension");
    }
  }
  out->num_elements = out->null ? 0 : n;
  return Status::OK();
}

Status parse_layout(const uint8_t* body, uint64_t size, Layout* out) {
  Cursor c(body, size);
  uint64_t version = 0, cls = 0;
  if (!c.u(1, &version) || !c.u(1, &cls)) return decline("short layout message");
  if (version != 3) return decline("layout version " + std::to_string(version));
  out->layout_class = static_cast<int>(cls);
  if (cls == 0) {
    if (!c.u(2, &out->size) || !c.take(out->size, &out->compact_data)) return decline("short compact layout");
  } else if (cls == 1) {
    if (!c.u(8, &out->address) || !c.u(8, &out->size)) return decline("short contiguous layout");
  }
  return Status::OK();
}

Status parse_attribute(const Message& message, Attribute* out) {
  Cursor c(message.body, message.size);
  uint64_t version = 0, flags = 0, name_size = 0, type_size = 0, space_size = 0, encoding = 0;
  if (!c.u(1, &version) || !c.u(1, &flags) || !c.u(2, &name_size) || !c.u(2, &type_size) || !c.u(2, &space_size)) {
    return decline("short attribute message");
  }
  if (version < 1 || version > 3 || flags != 0) return decline("attribute version, reserved byte or shared parts");
  if (version == 3 && !c.u(1, &encoding)) return decline("short attribute message");
  bool padded = version == 1;
  const uint8_t *name, *type, *space;
  if (name_size == 0 || !c.take(name_size, &name) || (padded && !c.align8())) return decline("attribute name");
  if (name[name_size - 1] != 0) return decline("unterminated attribute name");
  out->name.assign(reinterpret_cast<const char*>(name), static_cast<size_t>(name_size - 1));
  if (out->name.find('\0') != std::string::npos) return decline("attribute name with a NUL");
  if (!c.take(type_size, &type) || (padded && !c.align8())) return decline("attribute datatype");
  if (!c.take(space_size, &space) || (padded && !c.align8())) return decline("attribute dataspace");
  TFPORT_RETURN_IF_ERROR(parse_datatype(type, type_size, &out->type));
  TFPORT_RETURN_IF_ERROR(parse_dataspace(space, space_size, &out->space));
  out->data = c.here();
  out->data_size = c.left();
  return Status::OK();
}

namespace {

// One object of a global heap collection (where variable-length strings live).
Status global_heap_object(const Bytes& file, uint64_t collection, uint64_t index, const uint8_t** data,
                          uint64_t* size) {
  const uint8_t* h = file.at(collection, 16);
  if (h == nullptr || std::memcmp(h, "GCOL", 4) != 0 || h[4] != 1) return decline("bad global heap collection");
  constexpr uint64_t kMinCollection = 4096;  // the library never writes smaller ones
  uint64_t total = le(h + 8, 8);
  const uint8_t* all = file.at(collection, total);
  if (all == nullptr || total < kMinCollection) return decline("global heap collection outside the file");
  // Objects (and the free space, whose size counts its own header) must tile the collection.
  Cursor c(all + 16, total - 16);
  bool found = false;
  while (c.left() > 0) {
    uint64_t id = 0, object_size = 0;
    if (c.left() < 16) break;  // too small for a header: free space
    c.u(2, &id), c.skip(6), c.u(8, &object_size);
    const uint8_t* p;
    if (id == 0) {
      if (object_size != c.left() + 16) return decline("global heap free space does not fill its collection");
      break;
    }
    if (!c.take(object_size, &p) || !c.align8()) return decline("global heap object outside its collection");
    if (id == index) {
      if (found) return decline("global heap object index used twice");
      found = true;
      *data = p;
      *size = object_size;
    }
  }
  if (!found) return decline("global heap object not found");
  return Status::OK();
}

std::string strip(const uint8_t* p, uint64_t n, int pad) {
  std::string s(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  if (pad == 0) {  // NUL-terminated: ends at the first NUL
    size_t nul = s.find('\0');
    if (nul != std::string::npos) s.resize(nul);
  } else {
    while (!s.empty() && s.back() == '\0') s.pop_back();
  }
  return s;
}

}  // namespace

Status attribute_strings(const Bytes& file, const Attribute& attribute, std::vector<std::string>* out) {
  out->clear();
  uint64_t count = attribute.space.num_elements;
  const Datatype& t = attribute.type;
  if (t.type_class != 3 && !t.vlen_string) {
    if (count == 0) return Status::OK();
    return data_loss_error("expected a string, found a non-string HDF5 type");
  }
  uint64_t item = t.vlen_string ? 16 : t.size;  // vlen: length, collection address, object index
  if (count > attribute.data_size / item) return decline("attribute data shorter than its dataspace");
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* e = attribute.data + i * item;
    if (!t.vlen_string) {
      out->push_back(strip(e, item, t.string_pad));
      continue;
    }
    uint64_t length = le(e, 4);
    if (length == 0) {
      out->emplace_back();
      continue;
    }
    const uint8_t* data = nullptr;
    uint64_t size = 0;
    TFPORT_RETURN_IF_ERROR(global_heap_object(file, le(e + 4, 8), le(e + 12, 4), &data, &size));
    if (length > size) return decline("variable-length string longer than its heap object");
    // The library hands back C strings: a string ends at its first NUL.
    out->push_back(strip(data, length, 0));
  }
  return Status::OK();
}

}  // namespace tfport::hdf5::native
