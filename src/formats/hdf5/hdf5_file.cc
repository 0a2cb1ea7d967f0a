// Opening files (from a path or an in-memory image), handles, error conversion, groups.
#include "formats/hdf5/hdf5_file.h"

#include <hdf5.h>

#include <cstring>
#include <vector>

#include "core/mapped_file.h"

#include "core/file.h"
#include "formats/hdf5/hdf5_internal.h"

namespace tfport::hdf5 {

std::recursive_mutex& hdf5_lock() {
  static std::recursive_mutex mutex;
  return mutex;
}

void close_id(hid_t id) {
  if (id < 0) return;
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  switch (H5Iget_type(id)) {
    case H5I_FILE: H5Fclose(id); break;
    case H5I_GROUP: H5Gclose(id); break;
    case H5I_DATASET: H5Dclose(id); break;
    case H5I_ATTR: H5Aclose(id); break;
    case H5I_DATATYPE: H5Tclose(id); break;
    case H5I_DATASPACE: H5Sclose(id); break;
    case H5I_GENPROP_LST: H5Pclose(id); break;
    default: H5Idec_ref(id); break;
  }
  H5Eclear2(H5E_DEFAULT);
}

void Handle::reset() {
  if (id_ >= 0) close_id(id_);
  id_ = -1;
}

FileState::~FileState() {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  file.reset();
}

void silence_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  });
}

namespace {

herr_t collect_error(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (n < 3 && err->desc && err->desc[0]) out->emplace_back(err->desc);
  return 0;
}

}  // namespace

std::string take_hdf5_error(const std::string& fallback) {
  std::vector<std::string> messages;
  // Upward walk: the innermost (most specific) failure first.
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &messages);
  H5Eclear2(H5E_DEFAULT);
  if (messages.empty()) return fallback;
  std::string joined;
  for (const std::string& m : messages) {
    if (!joined.empty()) joined += "; ";
    joined += m;
  }
  return joined;
}

Status hdf5_error(const FileState& file, const std::string& what, const std::string& fallback) {
  return data_loss_error(file.name + ": " + what + ": " + take_hdf5_error(fallback));
}

namespace {

// HDF5 addresses are relative to the superblock; only when it sits at byte 0 (no user block)
// are they offsets into the file's bytes.
bool starts_with_signature(const char* p, uint64_t size) {
  static const char kSignature[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  return size >= 8 && std::memcmp(p, kSignature, 8) == 0;
}

// Maps the file read-only so weights can be wrapped in place; without a mapping every read
// goes through HDF5 as before.
void attach_bytes(FileState& state, const std::string& path) {
  auto mapped = MappedFile::open(path);
  if (!mapped.ok() || (*mapped)->size() != state.size || !starts_with_signature((*mapped)->data(), (*mapped)->size())) {
    return;
  }
  state.bytes = (*mapped)->data();
  state.bytes_size = (*mapped)->size();
  state.bytes_keepalive = std::move(*mapped);
}

}  // namespace

StatusOr<File> File::open(const std::string& path) {
  silence_hdf5_errors();
  if (!path_exists(path)) return not_found_error(path + ": no such file");
  TFPORT_ASSIGN_OR_RETURN(uint64_t size, file_size(path));
  if (size == 0) return data_loss_error(path + ": empty file, not an HDF5 file");
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  auto state = std::make_shared<FileState>();
  state->name = path;
  state->size = size;
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return data_loss_error(path + ": not an HDF5 file (no valid superblock signature)");
  }
  state->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!state->file.valid()) return hdf5_error(*state, "cannot open HDF5 file", "corrupt or truncated");
  attach_bytes(*state, path);
  File f;
  f.state_ = std::move(state);
  return f;
}

StatusOr<File> File::open_image(std::shared_ptr<const std::string> bytes, std::string display_name) {
  silence_hdf5_errors();
  if (!bytes || bytes->empty()) return data_loss_error(display_name + ": empty HDF5 image");
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  auto state = std::make_shared<FileState>();
  state->name = std::move(display_name);
  state->size = bytes->size();
  // The core driver over a copy of the image: H5LTopen_file_image would avoid the copy but
  // leaks its bookkeeping whenever the image is corrupt.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 16, 0) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<char*>(bytes->data()), bytes->size()) < 0) {
    return hdf5_error(*state, "cannot set up HDF5 image", "out of memory");
  }
  // HDF5 identifies open files by name: give each image its own, never touched on disk.
  static uint64_t image_counter = 0;
  std::string image_name = "tfport-hdf5-image-" + std::to_string(++image_counter);
  state->file = Handle(H5Fopen(image_name.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!state->file.valid()) return hdf5_error(*state, "cannot open HDF5 image", "corrupt or truncated");
  if (starts_with_signature(bytes->data(), bytes->size())) {
    state->bytes = bytes->data();
    state->bytes_size = bytes->size();
    state->bytes_keepalive = bytes;
  }
  File f;
  f.state_ = std::move(state);
  return f;
}

Group File::root() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  hid_t id = H5Gopen2(state_->file.get(), "/", H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return Group(state_, id, "/");
}

const std::string& File::name() const { return state_->name; }
uint64_t File::size_bytes() const { return state_->size; }

Group::Group(std::shared_ptr<FileState> file, int64_t id, std::string path)
    : file_(std::move(file)),
      id_(new int64_t(id), [](const int64_t* p) {
        close_id(*p);
        delete p;
      }),
      path_(std::move(path)) {}

const std::string& Group::file_name() const { return file_->name; }

std::string Group::child_path(const std::string& relative) const {
  return path_ == "/" ? "/" + relative : path_ + "/" + relative;
}

namespace {

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

// H5Oget_info_by_name on a missing path fails; check each component's link first.
bool path_exists_in(hid_t base, const std::string& relative) {
  if (relative.empty()) return false;
  size_t pos = 0;
  while (true) {
    size_t slash = relative.find('/', pos);
    std::string prefix = relative.substr(0, slash);
    if (prefix.empty() || prefix.back() == '/') return false;
    if (H5Lexists(base, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

}  // namespace

StatusOr<std::vector<std::string>> Group::children() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (*id_ < 0) return data_loss_error(file_->name + ": group '" + path_ + "' is not readable");
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Literate(*id_, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect_link, &names) < 0) {
    H5Eclear2(H5E_DEFAULT);
    names.clear();
    idx = 0;
    if (H5Literate(*id_, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &names) < 0) {
      return hdf5_error(*file_, "group '" + path_ + "'", "cannot list children");
    }
  }
  return names;
}

ObjectKind Group::kind(const std::string& relative) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (*id_ < 0 || !path_exists_in(*id_, relative)) {
    H5Eclear2(H5E_DEFAULT);
    return ObjectKind::kMissing;
  }
  H5O_info_t info;
  // Only the object type is needed: the basic fields skip reading header and attribute counts.
  if (H5Oget_info_by_name2(*id_, relative.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return ObjectKind::kMissing;
  }
  if (info.type == H5O_TYPE_GROUP) return ObjectKind::kGroup;
  if (info.type == H5O_TYPE_DATASET) return ObjectKind::kDataset;
  return ObjectKind::kOther;
}

StatusOr<Group> Group::group(const std::string& relative) const {
  std::string full = child_path(relative);
  {
    // The common case opens directly; kind() below only explains a failure.
    std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
    if (*id_ >= 0 && path_exists_in(*id_, relative)) {
      Handle direct(H5Gopen2(*id_, relative.c_str(), H5P_DEFAULT));
      if (direct.valid()) return Group(file_, direct.release(), full);
    }
    H5Eclear2(H5E_DEFAULT);
  }
  ObjectKind k = kind(relative);
  if (k == ObjectKind::kMissing) return not_found_error(file_->name + ": group '" + full + "' not found");
  if (k != ObjectKind::kGroup) return data_loss_error(file_->name + ": '" + full + "' is not a group");
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  Handle id(H5Gopen2(*id_, relative.c_str(), H5P_DEFAULT));
  if (!id.valid()) return hdf5_error(*file_, "group '" + full + "'", "cannot open");
  return Group(file_, id.release(), full);
}

bool Group::has_attribute(const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (*id_ < 0) return false;
  htri_t r = H5Aexists(*id_, name.c_str());
  H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

}  // namespace tfport::hdf5
