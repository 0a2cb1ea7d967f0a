#include "formats/hdf5/hdf5_writer.h"

#include <hdf5.h>

#include "formats/hdf5/hdf5_internal.h"

namespace tfport::hdf5 {

struct Writer::Impl {
  std::string path;
  Handle file;
};

namespace {

Status write_error(const std::string& file, const std::string& what) {
  return internal_error(file + ": " + what + ": " + take_hdf5_error("HDF5 error"));
}

Handle vlen_string_type(bool utf8) {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
  return t;
}

// The file type and memory type of a dtype; bool becomes h5py's enum(int8){FALSE, TRUE}.
StatusOr<Handle> file_type(DType dtype) {
  switch (dtype) {
    case DType::kFloat: return Handle(H5Tcopy(H5T_IEEE_F32LE));
    case DType::kDouble: return Handle(H5Tcopy(H5T_IEEE_F64LE));
    case DType::kInt8: return Handle(H5Tcopy(H5T_STD_I8LE));
    case DType::kUInt8: return Handle(H5Tcopy(H5T_STD_U8LE));
    case DType::kInt16: return Handle(H5Tcopy(H5T_STD_I16LE));
    case DType::kUInt16: return Handle(H5Tcopy(H5T_STD_U16LE));
    case DType::kInt32: return Handle(H5Tcopy(H5T_STD_I32LE));
    case DType::kUInt32: return Handle(H5Tcopy(H5T_STD_U32LE));
    case DType::kInt64: return Handle(H5Tcopy(H5T_STD_I64LE));
    case DType::kUInt64: return Handle(H5Tcopy(H5T_STD_U64LE));
    case DType::kHalf: {
      // IEEE binary16 built the way h5py does: a 2-byte float with 1/5/10 bit fields.
      Handle t(H5Tcopy(H5T_IEEE_F32LE));
      H5Tset_fields(t.get(), 15, 10, 5, 0, 10);
      H5Tset_size(t.get(), 2);
      H5Tset_ebias(t.get(), 15);
      return t;
    }
    case DType::kBool: {
      Handle t(H5Tenum_create(H5T_NATIVE_INT8));
      int8_t v = 0;
      H5Tenum_insert(t.get(), "FALSE", &v);
      v = 1;
      H5Tenum_insert(t.get(), "TRUE", &v);
      return t;
    }
    default:
      return unimplemented_error("cannot store " + std::string(dtype_name(dtype)) + " tensors in HDF5");
  }
}

}  // namespace

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;
Writer::~Writer() {
  if (impl_) {
    std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
    impl_->file.reset();
  }
}

StatusOr<Writer> Writer::create(const std::string& path) {
  silence_hdf5_errors();
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  // The core driver keeps the file in memory (no backing store); finish() copies the image out.
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 20, 0) < 0) {
    return write_error(path, "cannot set up an in-memory HDF5 file");
  }
  impl->file = Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  if (!impl->file.valid()) return write_error(path, "cannot create the HDF5 file");
  return Writer(std::move(impl));
}

Status Writer::make_group(const std::string& path) {
  if (path.empty() || path == "/") return Status::OK();
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (!impl_ || !impl_->file.valid()) return failed_precondition_error("HDF5 writer is closed");
  std::string so_far;
  size_t start = path[0] == '/' ? 1 : 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) {
      so_far += "/" + part;
      htri_t exists = H5Lexists(impl_->file.get(), so_far.c_str(), H5P_DEFAULT);
      if (exists <= 0) {
        Handle g(H5Gcreate2(impl_->file.get(), so_far.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (!g.valid()) return write_error(impl_->path, "cannot create group '" + so_far + "'");
      }
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return Status::OK();
}

Status Writer::set_string(const std::string& group_path, const std::string& name, const std::string& value, bool utf8) {
  TFPORT_RETURN_IF_ERROR(make_group(group_path));
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  Handle g(H5Oopen(impl_->file.get(), group_path.c_str(), H5P_DEFAULT));
  if (!g.valid()) return write_error(impl_->path, "cannot open '" + group_path + "'");
  Handle type = vlen_string_type(utf8);
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(H5Acreate2(g.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return write_error(impl_->path, "cannot create attribute '" + name + "' on '" + group_path + "'");
  const char* p = value.c_str();
  if (H5Awrite(attr.get(), type.get(), &p) < 0) {
    return write_error(impl_->path, "cannot write attribute '" + name + "' on '" + group_path + "'");
  }
  return Status::OK();
}

Status Writer::set_strings(const std::string& group_path, const std::string& name,
                           const std::vector<std::string>& values) {
  TFPORT_RETURN_IF_ERROR(make_group(group_path));
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  Handle g(H5Oopen(impl_->file.get(), group_path.c_str(), H5P_DEFAULT));
  if (!g.valid()) return write_error(impl_->path, "cannot open '" + group_path + "'");
  Handle type = vlen_string_type(false);
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle attr(H5Acreate2(g.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return write_error(impl_->path, "cannot create attribute '" + name + "' on '" + group_path + "'");
  std::vector<const char*> ptrs;
  for (const std::string& v : values) ptrs.push_back(v.c_str());
  if (!ptrs.empty() && H5Awrite(attr.get(), type.get(), ptrs.data()) < 0) {
    return write_error(impl_->path, "cannot write attribute '" + name + "' on '" + group_path + "'");
  }
  return Status::OK();
}

Status Writer::write_dataset(const std::string& path, const Tensor& value) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TFPORT_RETURN_IF_ERROR(make_group(path.substr(0, slash)));
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  auto type = file_type(value.dtype());
  if (!type.ok()) return type.status().with_context(impl_->path + ": dataset '" + path + "'");
  std::vector<hsize_t> dims(value.shape().dims().begin(), value.shape().dims().end());
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                            : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle d(H5Dcreate2(impl_->file.get(), path.c_str(), type->get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!d.valid()) return write_error(impl_->path, "cannot create dataset '" + path + "'");
  // Tensors are little-endian in memory like the file types chosen, so HDF5 copies bytes as is.
  if (value.num_elements() > 0 && H5Dwrite(d.get(), type->get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, value.raw_data()) < 0) {
    return write_error(impl_->path, "cannot write dataset '" + path + "'");
  }
  return Status::OK();
}

StatusOr<std::string> Writer::finish() {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (!impl_ || !impl_->file.valid()) return failed_precondition_error("HDF5 writer is closed");
  if (H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) < 0) return write_error(impl_->path, "cannot flush");
  const ssize_t size = H5Fget_file_image(impl_->file.get(), nullptr, 0);
  if (size < 0) return write_error(impl_->path, "cannot get the file image");
  std::string bytes(static_cast<size_t>(size), '\0');
  if (H5Fget_file_image(impl_->file.get(), bytes.data(), bytes.size()) != size) {
    return write_error(impl_->path, "cannot copy the file image");
  }
  impl_->file.reset();
  return bytes;
}

}  // namespace tfport::hdf5
