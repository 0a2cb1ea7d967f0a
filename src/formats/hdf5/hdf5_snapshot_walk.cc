// The walk that turns an HDF5 file into a snapshot: every hard-linked group and dataset,
// every attribute of the groups read as a string list, every dataset read whole straight into
// the memory file. This is the only code that lets the HDF5 library loose on a file, and it
// normally runs in the sandbox child.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "formats/hdf5/hdf5_internal.h"
#include "formats/hdf5/hdf5_snapshot.h"

namespace tfport::hdf5 {
namespace {

constexpr int kMaxDepth = 64;
constexpr int kMaxNodes = 1 << 20;
// Keras keeps the optimizer's slots here; tfport never reads them, so neither does the walk.
constexpr const char* kSkippedDataPrefix = "/optimizer_weights/";

class Walker {
 public:
  Walker(internal::Hdf5Snapshot* out, char* base, uint64_t capacity, bool in_file_ok)
      : out_(out), base_(base), capacity_(capacity), in_file_ok_(in_file_ok) {
    allocate_ = [this](size_t bytes) -> void* {
      uint64_t start = (used_ + kSnapshotAlignment - 1) / kSnapshotAlignment * kSnapshotAlignment;
      if (start > capacity_ || bytes > capacity_ - start) {
        no_room_ = true;
        return nullptr;
      }
      used_ = start + bytes;
      return base_ + start;
    };
  }

  Status walk(const LiveGroup& group, const std::string& path, int depth) {
    if (depth > kMaxDepth) return resource_exhausted_error("groups nested more than " + std::to_string(kMaxDepth) + " deep at '" + path + "'");
    TFPORT_RETURN_IF_ERROR(count_node());
    int index = out_->nodes_size();
    internal::Hdf5Node* node = out_->add_nodes();
    node->set_path(path);
    node->set_kind(static_cast<int>(ObjectKind::kGroup));
    StatusOr<std::vector<std::string>> attributes = group.attribute_names();
    if (attributes.ok()) {
      for (const std::string& name : *attributes) {
        internal::Hdf5Attribute* attr = node->add_attributes();
        attr->set_name(name);
        StatusOr<std::vector<std::string>> values = group.string_list_attribute(name);
        if (values.ok()) {
          for (std::string& v : *values) attr->add_values(std::move(v));
        } else {
          status_to_proto(values.status(), attr->mutable_error());
        }
      }
    } else {
      status_to_proto(attributes.status(), node->mutable_attributes_error());
    }
    StatusOr<std::vector<std::string>> children = group.children();
    if (!children.ok()) {
      status_to_proto(children.status(), out_->mutable_nodes(index)->mutable_children_error());
      return Status::OK();
    }
    for (const std::string& child : *children) {
      // `node` may move as nodes are added: always go through the index.
      out_->mutable_nodes(index)->add_children(child);
      std::string child_path = path == "/" ? "/" + child : path + "/" + child;
      // Soft and external links are listed but never followed: an external link could make
      // the library open any file on the machine.
      ObjectKind kind = group.is_hard_link(child) ? group.kind(child) : ObjectKind::kOther;
      if (kind == ObjectKind::kGroup) {
        StatusOr<LiveGroup> sub = group.group(child);
        if (sub.ok()) {
          TFPORT_RETURN_IF_ERROR(walk(*sub, child_path, depth + 1));
          continue;
        }
        kind = ObjectKind::kOther;
      }
      TFPORT_RETURN_IF_ERROR(count_node());
      internal::Hdf5Node* leaf = out_->add_nodes();
      leaf->set_path(child_path);
      leaf->set_kind(static_cast<int>(kind));
      if (kind == ObjectKind::kDataset) add_dataset(group, child, child_path, leaf->mutable_dataset());
      if (no_room_) return resource_exhausted_error("the data of '" + child_path + "' exceeds the snapshot limit");
    }
    return Status::OK();
  }

  uint64_t used() const { return used_; }
  bool no_room() const { return no_room_; }

 private:
  Status count_node() {
    if (++nodes_ > kMaxNodes) return resource_exhausted_error("more than " + std::to_string(kMaxNodes) + " objects");
    return Status::OK();
  }

  void add_dataset(const LiveGroup& group, const std::string& child, const std::string& path,
                   internal::Hdf5Dataset* out) {
    bool wanted = path.rfind(kSkippedDataPrefix, 0) != 0;
    LiveDataset d = group.read_dataset(child, allocate_, in_file_ok_, wanted);
    if (!d.info_status.ok()) {
      status_to_proto(d.info_status, out->mutable_info_error());
      return;
    }
    out->set_dtype(static_cast<int>(d.info.dtype));
    for (int64_t dim : d.info.dims) out->add_dims(dim);
    if (!d.read_status.ok()) {
      status_to_proto(wanted ? d.read_status : unimplemented_error("'" + path + "': optimizer state is not loaded"),
                      out->mutable_read_error());
      return;
    }
    if (d.offset_in_file) {
      out->set_in_file(true);
      out->set_offset(*d.offset_in_file);
      out->set_size(static_cast<uint64_t>(Shape::make(d.info.dims)->num_elements()) * element_storage_size(d.info.dtype));
      return;
    }
    if (d.tensor.dtype() == DType::kString) {
      for (const std::string& s : d.tensor.strings()) out->add_strings(s);
      return;
    }
    out->set_offset(static_cast<uint64_t>(static_cast<const char*>(d.tensor.raw_data()) - base_));
    out->set_size(d.tensor.byte_size());
  }

  internal::Hdf5Snapshot* out_;
  char* base_;
  uint64_t capacity_;
  bool in_file_ok_;
  uint64_t used_ = kSnapshotHeaderBytes;
  bool no_room_ = false;
  int nodes_ = 0;
  DataSink allocate_;
};

bool write_all(int fd, const void* data, size_t size, off_t offset) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = pwrite(fd, p, size, offset);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return true;
}

// HDF5 addresses are file offsets only when the superblock sits at byte 0 (no user block);
// then contiguous data can be used where it lies in the file.
bool superblock_at_start(const SnapshotSource& source) {
  static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  char head[8] = {};
  if (source.image) {
    if (source.image->size() < 8) return false;
    std::memcpy(head, source.image->data(), 8);
  } else {
    int fd = open(source.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool got = pread(fd, head, 8, 0) == 8;
    close(fd);
    if (!got) return false;
  }
  return std::memcmp(head, kSignature, 8) == 0;
}

}  // namespace

SnapshotWalkResult write_snapshot(const SnapshotSource& source, int fd) {
  // Room for the element data: a plain dataset cannot exceed the file, compressed ones may
  // expand; the memory file is sparse, so the reservation costs nothing until written.
  uint64_t capacity = kSnapshotHeaderBytes + source.size * 16 + (uint64_t{256} << 20);
  if (ftruncate(fd, static_cast<off_t>(capacity)) != 0) return kWalkIoError;
  void* mapped = mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) return kWalkIoError;

  internal::Hdf5Snapshot snapshot;
  StatusOr<LiveFile> file = source.image ? LiveFile::open_image(source.image, source.name) : LiveFile::open(source.path);
  Walker walker(&snapshot, static_cast<char*>(mapped), capacity, superblock_at_start(source));
  if (file.ok()) {
    Status walked = walker.walk(file->root(), "/", 0);
    if (!walked.ok()) status_to_proto(walked.with_context(source.name), snapshot.mutable_open_error());
  } else {
    status_to_proto(file.status(), snapshot.mutable_open_error());
  }
  munmap(mapped, capacity);
  if (walker.no_room() && !snapshot.has_open_error()) return kWalkNoRoom;

  std::string proto;
  if (!snapshot.SerializeToString(&proto)) return kWalkIoError;
  uint64_t proto_offset = (walker.used() + kSnapshotAlignment - 1) / kSnapshotAlignment * kSnapshotAlignment;
  uint64_t proto_size = proto.size();
  char header[kSnapshotHeaderBytes] = {};
  std::memcpy(header, kSnapshotMagic, sizeof kSnapshotMagic);
  std::memcpy(header + 8, &proto_offset, 8);
  std::memcpy(header + 16, &proto_size, 8);
  if (!write_all(fd, proto.data(), proto.size(), static_cast<off_t>(proto_offset)) ||
      !write_all(fd, header, sizeof header, 0) ||
      ftruncate(fd, static_cast<off_t>(proto_offset + proto_size)) != 0) {
    return kWalkIoError;
  }
  return kWalkOk;
}

void status_to_proto(const Status& status, internal::Hdf5Error* out) {
  out->set_code(static_cast<int>(status.code()));
  out->set_message(status.message());
}

Status status_from_proto(const internal::Hdf5Error& error) {
  if (error.code() == 0) return Status::OK();
  int code = error.code();
  if (code < 0 || code > static_cast<int>(StatusCode::kDeadlineExceeded)) code = static_cast<int>(StatusCode::kDataLoss);
  return Status(static_cast<StatusCode>(code), error.message());
}

}  // namespace tfport::hdf5
