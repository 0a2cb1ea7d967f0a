// The header messages tfport reads (datatype, dataspace, layout, attribute) and the string
// values of attributes, fixed-length or in the global heap, parsed with every read
// bounds-checked.
#include <cstring>

#include "formats/hdf5/hdf5_native_cursor.h"
#include "formats/hdf5/hdf5_native_format.h"

namespace tfport::hdf5::native {
namespace {

constexpr uint64_t kMaxRank = 32;

}  // namespace

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
