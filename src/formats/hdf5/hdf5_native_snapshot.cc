// The snapshot of an HDF5 file taken in process by tfport's own reader (hdf5_native_format.h),
// node for node what the library-based walk (hdf5_snapshot_walk.cc) records for the same file:
// same paths and order, same attributes and their string values, same dataset types, shapes
// and bytes (contiguous data used where it lies in the file). Whenever the reader declines,
// the caller takes the library snapshot in the sandbox instead.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "formats/hdf5/hdf5_file.h"
#include "formats/hdf5/hdf5_native_format.h"
#include "formats/hdf5/hdf5_snapshot.h"
#include "tfport/shape.h"

namespace tfport::hdf5 {
namespace {

using native::Bytes;

constexpr int kMaxDepth = 64;  // as the library walk: deeper nesting is its error to report
constexpr int kMaxNodes = 1 << 20;
constexpr const char* kSkippedDataPrefix = "/optimizer_weights/";

Status decline(const std::string& why) { return unimplemented_error("native HDF5 reader: " + why); }

// The DType the library walk maps a dataset's type to, when the data can be used as stored
// (little-endian numbers and h5py's one-byte bool enum); otherwise the reader declines.
StatusOr<DType> dataset_dtype(const native::Datatype& t) {
  if (t.big_endian) return decline("big-endian data");
  switch (t.type_class) {
    case 0:
      switch (t.size) {
        case 1: return t.is_signed ? DType::kInt8 : DType::kUInt8;
        case 2: return t.is_signed ? DType::kInt16 : DType::kUInt16;
        case 4: return t.is_signed ? DType::kInt32 : DType::kUInt32;
        case 8: return t.is_signed ? DType::kInt64 : DType::kUInt64;
        default: break;
      }
      break;
    case 1:
      if (t.size == 2) return DType::kHalf;
      if (t.size == 4) return DType::kFloat;
      if (t.size == 8) return DType::kDouble;
      break;
    case 8:
      if (t.size == 1) return DType::kBool;
      break;
    default: break;
  }
  return decline("dataset type");
}

class NativeWalker {
 public:
  NativeWalker(const Bytes& file, const std::string& name, uint64_t file_size, internal::Hdf5Snapshot* out)
      : file_(file), name_(name), file_size_(file_size), out_(out) {}

  Status walk_group(const native::Object& group, const std::string& path, int depth) {
    if (depth > kMaxDepth) return decline("nesting deeper than the library walk allows");
    TFPORT_RETURN_IF_ERROR(count_node());
    int index = out_->nodes_size();
    internal::Hdf5Node* node = out_->add_nodes();
    node->set_path(path);
    node->set_kind(static_cast<int>(ObjectKind::kGroup));
    TFPORT_RETURN_IF_ERROR(add_attributes(group, path, node));
    std::vector<native::Link> links;
    TFPORT_RETURN_IF_ERROR(native::read_group_links(file_, group, &links));
    native::Object object;
    for (const native::Link& link : links) {
      out_->mutable_nodes(index)->add_children(link.name);
      std::string child_path = path == "/" ? "/" + link.name : path + "/" + link.name;
      if (link.name.empty() || link.name.find('/') != std::string::npos) return decline("odd link name");
      ObjectKind kind = ObjectKind::kOther;
      object.clear();
      if (link.hard) {
        TFPORT_RETURN_IF_ERROR(native::read_object(file_, link.address, &object));
        if (object.is_group) {
          kind = ObjectKind::kGroup;
        } else if (object.layout != nullptr && object.datatype != nullptr && object.dataspace != nullptr) {
          kind = ObjectKind::kDataset;
        } else if (object.layout != nullptr || object.dataspace != nullptr || object.datatype == nullptr) {
          return decline("object of unknown kind");  // only groups, datasets and named types are known
        }
      }
      if (kind == ObjectKind::kGroup) {
        if (!ancestors_.insert(link.address).second) return decline("group contains itself");
        TFPORT_RETURN_IF_ERROR(walk_group(object, child_path, depth + 1));
        ancestors_.erase(link.address);
        continue;
      }
      TFPORT_RETURN_IF_ERROR(count_node());
      internal::Hdf5Node* leaf = out_->add_nodes();
      leaf->set_kind(static_cast<int>(kind));
      if (kind == ObjectKind::kDataset) {
        TFPORT_RETURN_IF_ERROR(add_dataset(object, child_path, leaf->mutable_dataset()));
      }
      leaf->set_path(std::move(child_path));
    }
    return Status::OK();
  }

  void set_root(uint64_t address) { ancestors_.insert(address); }
  const std::string& memory_data() const { return memory_; }

 private:
  Status count_node() {
    if (++nodes_ > kMaxNodes) return decline("too many objects");
    return Status::OK();
  }

  Status add_attributes(const native::Object& group, const std::string& path, internal::Hdf5Node* node) {
    std::vector<native::Attribute> attributes(group.attributes.size());
    for (size_t i = 0; i < attributes.size(); ++i) {
      TFPORT_RETURN_IF_ERROR(native::parse_attribute(*group.attributes[i], &attributes[i]));
    }
    // The library lists attributes by name.
    std::sort(attributes.begin(), attributes.end(),
              [](const native::Attribute& a, const native::Attribute& b) { return a.name < b.name; });
    for (size_t i = 0; i < attributes.size(); ++i) {
      if (i > 0 && attributes[i].name == attributes[i - 1].name) return decline("duplicate attribute name");
      internal::Hdf5Attribute* attr = node->add_attributes();
      attr->set_name(attributes[i].name);
      std::vector<std::string> values;
      Status read = native::attribute_strings(file_, attributes[i], &values);
      if (read.code() == StatusCode::kUnimplemented) return read;
      if (!read.ok()) {
        status_to_proto(data_loss_error(name_ + ": attribute '" + attributes[i].name + "' of '" + path + "': " +
                                        read.message()),
                        attr->mutable_error());
        continue;
      }
      for (std::string& v : values) attr->add_values(std::move(v));
    }
    return Status::OK();
  }

  Status add_dataset(const native::Object& object, const std::string& path, internal::Hdf5Dataset* out) {
    if (object.filtered) return decline("filtered dataset");
    native::Datatype type;
    TFPORT_RETURN_IF_ERROR(native::parse_datatype(object.datatype->body, object.datatype->size, &type));
    TFPORT_ASSIGN_OR_RETURN(DType dtype, dataset_dtype(type));
    // Keras 3 marks bfloat16 data stored as 16-bit values with a "dtype" attribute: library.
    if (type.size == 2 && !object.attributes.empty()) return decline("16-bit dataset with attributes");
    native::Dataspace space;
    TFPORT_RETURN_IF_ERROR(native::parse_dataspace(object.dataspace->body, object.dataspace->size, &space));
    if (space.null) return decline("dataset without a dataspace");
    native::Layout layout;
    TFPORT_RETURN_IF_ERROR(native::parse_layout(object.layout->body, object.layout->size, &layout));
    out->set_dtype(static_cast<int>(dtype));
    for (int64_t d : space.dims) out->add_dims(d);
    if (path.rfind(kSkippedDataPrefix, 0) == 0) {
      status_to_proto(unimplemented_error("'" + path + "': optimizer state is not loaded"), out->mutable_read_error());
      return Status::OK();
    }
    StatusOr<Shape> shape = Shape::make(space.dims);
    if (!shape.ok()) return decline("dataset shape");
    uint64_t elem = element_storage_size(dtype);
    uint64_t count = static_cast<uint64_t>(shape->num_elements());
    if (count > 0 && count * elem / elem != count) return decline("dataset size overflows");
    uint64_t bytes = count * elem;
    if (bytes > file_size_) return decline("dataset larger than the file");
    const uint8_t* data = nullptr;
    if (layout.layout_class == 1 && bytes > 0) {
      if (layout.address == native::kUndefinedAddress || layout.size != bytes) {
        return decline("contiguous data of '" + path + "' unallocated or of another size");
      }
      data = file_.at(layout.address, bytes);
      if (data == nullptr) return decline("contiguous data of '" + path + "' outside the file");
      if (layout.address % elem == 0) {  // used where it lies
        out->set_in_file(true);
        out->set_offset(layout.address);
        out->set_size(bytes);
        return Status::OK();
      }
    } else if (layout.layout_class == 0) {
      if (layout.size != bytes) return decline("compact data size");
      data = layout.compact_data;
    } else if (layout.layout_class != 1) {
      return decline("chunked or virtual layout");
    }
    // Other data (compact, misaligned, or none at all) is copied into the snapshot's own
    // memory, which (as the library walk's) may not hold more than the file can justify.
    uint64_t start = (memory_.size() + kSnapshotAlignment - 1) / kSnapshotAlignment * kSnapshotAlignment;
    if (start + bytes > file_size_ + (uint64_t{1} << 20)) return decline("compact data exceeds the file");
    memory_.resize(static_cast<size_t>(start), '\0');
    if (bytes > 0) memory_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(bytes));
    out->set_offset(start);
    out->set_size(bytes);
    return Status::OK();
  }

  const Bytes& file_;
  const std::string& name_;
  uint64_t file_size_;
  internal::Hdf5Snapshot* out_;
  std::string memory_ = std::string(kSnapshotHeaderBytes, '\0');  // offsets as in the memory file
  std::unordered_set<uint64_t> ancestors_;
  int nodes_ = 0;
};

// A private (copy-on-write) mapping of the whole file, as the library path uses for data in place.
StatusOr<std::shared_ptr<const void>> map_file(const SnapshotSource& source, uint64_t* size) {
  int fd = open(source.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return decline("cannot open: " + std::string(std::strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != source.size || st.st_size == 0) {
    close(fd);
    return decline("file size changed");
  }
  size_t length = static_cast<size_t>(st.st_size);
  void* mapped = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) return decline("cannot map the file");
  *size = length;
  return std::shared_ptr<const void>(mapped, [length](const void* p) { munmap(const_cast<void*>(p), length); });
}

}  // namespace

StatusOr<std::shared_ptr<const Snapshot>> take_native_snapshot(const SnapshotSource& source) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->name = source.name;
  snapshot->size = source.size;
  if (source.image) {
    snapshot->file_keepalive = source.image;
    snapshot->file_bytes = source.image->data();
    snapshot->file_bytes_size = source.image->size();
  } else {
    TFPORT_ASSIGN_OR_RETURN(snapshot->file_keepalive, map_file(source, &snapshot->file_bytes_size));
    snapshot->file_bytes = static_cast<const char*>(snapshot->file_keepalive.get());
  }
  Bytes file(snapshot->file_bytes, snapshot->file_bytes_size);
  TFPORT_ASSIGN_OR_RETURN(uint64_t root_address, native::read_superblock(file));
  native::Object root;
  TFPORT_RETURN_IF_ERROR(native::read_object(file, root_address, &root));
  if (!root.is_group) return decline("root is not an old-style group");
  NativeWalker walker(file, source.name, source.size, &snapshot->proto);
  walker.set_root(root_address);
  TFPORT_RETURN_IF_ERROR(walker.walk_group(root, "/", 0));

  // Element data that is not used in place lives in an aligned block laid out like the memory file.
  const std::string& memory = walker.memory_data();
  size_t length = (memory.size() + kSnapshotAlignment - 1) / kSnapshotAlignment * kSnapshotAlignment;
  void* block = std::aligned_alloc(kSnapshotAlignment, length);
  if (block == nullptr) return decline("no memory for small datasets");
  std::memcpy(block, memory.data(), memory.size());
  snapshot->mapping = std::shared_ptr<const void>(block, [](const void* p) { std::free(const_cast<void*>(p)); });
  snapshot->data = static_cast<const char*>(block);
  snapshot->by_path.reserve(static_cast<size_t>(snapshot->proto.nodes_size()));
  for (int i = 0; i < snapshot->proto.nodes_size(); ++i) {
    const internal::Hdf5Node& node = snapshot->proto.nodes(i);
    Status checked = check_snapshot_dataset(*snapshot, node, memory.size());
    if (!checked.ok()) return decline(checked.message());
    snapshot->by_path.emplace(node.path(), i);
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace tfport::hdf5
