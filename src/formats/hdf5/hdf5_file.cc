// hdf5::File and hdf5::Group: the reader-facing API, answered from the sandboxed snapshot.
#include "formats/hdf5/hdf5_file.h"

#include "core/file.h"
#include "formats/hdf5/hdf5_snapshot.h"

namespace tfport::hdf5 {

std::unique_ptr<google::protobuf::Arena> make_snapshot_arena() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 << 10;  // small files stay small
  options.max_block_size = 1 << 20;     // a Keras file's tree is a few hundred kB of proto
  return std::make_unique<google::protobuf::Arena>(options);
}

StatusOr<File> File::open(const std::string& path) {
  if (!path_exists(path)) return not_found_error(path + ": no such file");
  TFPORT_ASSIGN_OR_RETURN(uint64_t size, file_size(path));
  if (size == 0) return data_loss_error(path + ": empty file, not an HDF5 file");
  SnapshotSource source;
  source.path = path;
  source.name = path;
  source.size = size;
  File f;
  TFPORT_ASSIGN_OR_RETURN(f.snapshot_, take_snapshot(source));
  return f;
}

StatusOr<File> File::open_image(std::shared_ptr<const std::string> bytes, std::string display_name) {
  if (!bytes || bytes->empty()) return data_loss_error(display_name + ": empty HDF5 image");
  SnapshotSource source;
  source.size = bytes->size();
  source.image = std::move(bytes);
  source.name = std::move(display_name);
  File f;
  TFPORT_ASSIGN_OR_RETURN(f.snapshot_, take_snapshot(source));
  return f;
}

Group File::root() const { return Group(snapshot_, 0, "/"); }
const std::string& File::name() const { return snapshot_->name; }
uint64_t File::size_bytes() const { return snapshot_->size; }

Group::Group(std::shared_ptr<const Snapshot> snapshot, int node, std::string path)
    : snapshot_(std::move(snapshot)), node_(node), path_(std::move(path)) {}

const std::string& Group::file_name() const { return snapshot_->name; }

std::string Group::child_path(const std::string& relative) const {
  return path_ == "/" ? "/" + relative : path_ + "/" + relative;
}

int Group::find(const std::string& relative) const {
  if (relative.empty() || relative.front() == '/' || relative.back() == '/' ||
      relative.find("//") != std::string::npos) {
    return -1;
  }
  auto it = snapshot_->by_path.find(child_path(relative));
  return it == snapshot_->by_path.end() ? -1 : it->second;
}

StatusOr<std::vector<std::string>> Group::children() const {
  const internal::Hdf5Node& node = snapshot_->proto.nodes(node_);
  if (node.has_children_error()) return status_from_proto(node.children_error());
  return std::vector<std::string>(node.children().begin(), node.children().end());
}

ObjectKind Group::kind(const std::string& relative) const {
  int index = find(relative);
  if (index < 0) return ObjectKind::kMissing;
  return static_cast<ObjectKind>(snapshot_->proto.nodes(index).kind());
}

StatusOr<Group> Group::group(const std::string& relative) const {
  std::string full = child_path(relative);
  int index = find(relative);
  if (index < 0) return not_found_error(snapshot_->name + ": group '" + full + "' not found");
  if (snapshot_->proto.nodes(index).kind() != static_cast<int>(ObjectKind::kGroup)) {
    return data_loss_error(snapshot_->name + ": '" + full + "' is not a group");
  }
  return Group(snapshot_, index, std::move(full));
}

bool Group::has_attribute(const std::string& name) const {
  for (const internal::Hdf5Attribute& a : snapshot_->proto.nodes(node_).attributes()) {
    if (a.name() == name) return true;
  }
  return false;
}

StatusOr<std::vector<std::string>> Group::string_list_attribute(const std::string& name) const {
  const internal::Hdf5Node& node = snapshot_->proto.nodes(node_);
  for (const internal::Hdf5Attribute& a : node.attributes()) {
    if (a.name() != name) continue;
    if (a.has_error()) return status_from_proto(a.error());
    return std::vector<std::string>(a.values().begin(), a.values().end());
  }
  if (node.has_attributes_error()) return status_from_proto(node.attributes_error());
  return not_found_error(snapshot_->name + ": attribute '" + name + "' of '" + path_ + "' not found");
}

StatusOr<std::string> Group::string_attribute(const std::string& name) const {
  TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> items, string_list_attribute(name));
  if (items.size() != 1) {
    return data_loss_error(snapshot_->name + ": attribute '" + name + "' of '" + path_ + "': expected one string, found " +
                           std::to_string(items.size()));
  }
  return std::move(items[0]);
}

StatusOr<std::vector<std::string>> Group::chunked_string_list_attribute(const std::string& name) const {
  if (has_attribute(name)) return string_list_attribute(name);
  std::vector<std::string> all;
  int chunk = 0;
  for (; has_attribute(name + std::to_string(chunk)); ++chunk) {
    TFPORT_ASSIGN_OR_RETURN(std::vector<std::string> part, string_list_attribute(name + std::to_string(chunk)));
    all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  if (chunk == 0) {
    return not_found_error(snapshot_->name + ": attribute '" + name + "' of '" + path_ + "' not found");
  }
  return all;
}

StatusOr<const internal::Hdf5Dataset*> Group::dataset_node(const std::string& relative) const {
  int index = find(relative);
  if (index < 0 || snapshot_->proto.nodes(index).kind() != static_cast<int>(ObjectKind::kDataset)) {
    return not_found_error(snapshot_->name + ": dataset '" + child_path(relative) + "' not found");
  }
  const internal::Hdf5Dataset& d = snapshot_->proto.nodes(index).dataset();
  if (d.has_info_error()) return status_from_proto(d.info_error());
  return &d;
}

StatusOr<DatasetInfo> Group::dataset_info(const std::string& relative) const {
  TFPORT_ASSIGN_OR_RETURN(const internal::Hdf5Dataset* d, dataset_node(relative));
  DatasetInfo info;
  info.dtype = static_cast<DType>(d->dtype());
  info.dims.assign(d->dims().begin(), d->dims().end());
  return info;
}

StatusOr<Tensor> Group::read_dataset(const std::string& relative) const {
  TFPORT_ASSIGN_OR_RETURN(const internal::Hdf5Dataset* found, dataset_node(relative));
  const internal::Hdf5Dataset& d = *found;
  if (d.has_read_error()) return status_from_proto(d.read_error());
  const DType dtype = static_cast<DType>(d.dtype());
  TFPORT_ASSIGN_OR_RETURN(Shape shape, Shape::make(std::vector<int64_t>(d.dims().begin(), d.dims().end())));
  if (dtype == DType::kString) {
    return Tensor::from_strings(std::move(shape), std::vector<std::string>(d.strings().begin(), d.strings().end()));
  }
  if (d.in_file()) {
    return Tensor::wrap(dtype, std::move(shape), snapshot_->file_bytes + d.offset(), snapshot_->file_keepalive);
  }
  return Tensor::wrap(dtype, std::move(shape), snapshot_->data + d.offset(), snapshot_->mapping);
}

}  // namespace tfport::hdf5
