// Datasets into tfport::Tensor: the HDF5 type mapped to a DType, sizes checked against the
// file before anything is allocated.
#include <hdf5.h>

#include <cstring>
#include <vector>

#include "formats/hdf5/hdf5_file.h"
#include "formats/hdf5/hdf5_internal.h"

namespace tfport::hdf5 {
namespace {

// Compressed (filtered) datasets may legitimately expand; plain ones cannot exceed the file.
constexpr uint64_t kMaxCompressionRatio = 1024;

struct OpenDataset {
  Handle dataset;
  Handle type;
  Handle space;
  DatasetInfo info;
  Handle mem_type;  // the in-memory type to read with (invalid for strings)
  Handle plist;     // the creation property list, fetched once by creation_plist()
};

// Layout and filters both come from the creation property list; copying it out is one of the
// costlier calls per dataset, so it is made once.
hid_t creation_plist(OpenDataset& d) {
  if (!d.plist.valid()) d.plist = Handle(H5Dget_create_plist(d.dataset.get()));
  return d.plist.get();
}

// Maps an HDF5 file type to a DType and the native memory type to read it with.
Status map_type(const FileState& file, const std::string& what, hid_t type, DType* dtype, Handle* mem) {
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) {
    if (size == 4) *dtype = DType::kFloat, *mem = Handle(H5Tcopy(H5T_NATIVE_FLOAT));
    else if (size == 8) *dtype = DType::kDouble, *mem = Handle(H5Tcopy(H5T_NATIVE_DOUBLE));
    else if (size == 2 && H5Tget_order(type) == H5T_ORDER_LE) {
      *dtype = DType::kHalf, *mem = Handle(H5Tcopy(type));  // IEEE half, read as stored
    } else {
      return unimplemented_error(file.name + ": " + what + ": unsupported float size " + std::to_string(size));
    }
    return Status::OK();
  }
  if (cls == H5T_INTEGER) {
    bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    hid_t native = -1;
    switch (size) {
      case 1: *dtype = is_signed ? DType::kInt8 : DType::kUInt8; native = is_signed ? H5T_NATIVE_INT8 : H5T_NATIVE_UINT8; break;
      case 2: *dtype = is_signed ? DType::kInt16 : DType::kUInt16; native = is_signed ? H5T_NATIVE_INT16 : H5T_NATIVE_UINT16; break;
      case 4: *dtype = is_signed ? DType::kInt32 : DType::kUInt32; native = is_signed ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT32; break;
      case 8: *dtype = is_signed ? DType::kInt64 : DType::kUInt64; native = is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64; break;
      default:
        return unimplemented_error(file.name + ": " + what + ": unsupported integer size " + std::to_string(size));
    }
    *mem = Handle(H5Tcopy(native));
    return Status::OK();
  }
  if (cls == H5T_ENUM && size == 1) {  // h5py stores numpy bool as enum(int8){FALSE=0, TRUE=1}
    *dtype = DType::kBool;
    *mem = Handle(H5Tcopy(type));
    return Status::OK();
  }
  if (cls == H5T_STRING) {
    *dtype = DType::kString;
    return Status::OK();
  }
  return unimplemented_error(file.name + ": " + what + ": unsupported HDF5 type class " + std::to_string(cls));
}

StatusOr<OpenDataset> open_dataset(const FileState& file, hid_t group, const std::string& relative,
                                   const std::string& what) {
  OpenDataset d;
  d.dataset = Handle(H5Dopen2(group, relative.c_str(), H5P_DEFAULT));
  if (!d.dataset.valid()) return hdf5_error(file, what, "cannot open");
  d.type = Handle(H5Dget_type(d.dataset.get()));
  d.space = Handle(H5Dget_space(d.dataset.get()));
  if (!d.type.valid() || !d.space.valid()) return hdf5_error(file, what, "unreadable type or dataspace");
  int rank = H5Sget_simple_extent_ndims(d.space.get());
  if (rank < 0 || rank > 32) return data_loss_error(file.name + ": " + what + ": bad rank");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(d.space.get(), dims.data(), nullptr) < 0) {
    return hdf5_error(file, what, "bad dims");
  }
  for (hsize_t v : dims) {
    if (v > (hsize_t{1} << 62)) return data_loss_error(file.name + ": " + what + ": dimension too large");
    d.info.dims.push_back(static_cast<int64_t>(v));
  }
  TFPORT_RETURN_IF_ERROR(map_type(file, what, d.type.get(), &d.info.dtype, &d.mem_type));
  // Keras 3 stores bfloat16 variables as raw 16-bit values with attribute dtype="bfloat16".
  if ((d.info.dtype == DType::kUInt16 || d.info.dtype == DType::kHalf) &&
      H5Aexists(d.dataset.get(), "dtype") > 0) {
    Handle attr(H5Aopen(d.dataset.get(), "dtype", H5P_DEFAULT));
    Handle atype(attr.valid() ? H5Aget_type(attr.get()) : -1);
    if (atype.valid() && H5Tget_class(atype.get()) == H5T_STRING && H5Tis_variable_str(atype.get()) > 0) {
      Handle mem(H5Tcopy(H5T_C_S1));
      H5Tset_size(mem.get(), H5T_VARIABLE);
      char* value = nullptr;
      if (H5Aread(attr.get(), mem.get(), &value) >= 0 && value) {
        if (std::strcmp(value, "bfloat16") == 0) d.info.dtype = DType::kBFloat16;
        H5free_memory(value);
      }
    }
  }
  H5Eclear2(H5E_DEFAULT);
  return d;
}

Status check_size(const FileState& file, const std::string& what, OpenDataset& d, uint64_t bytes) {
  uint64_t limit = file.size;
  const hid_t plist = creation_plist(d);
  if (plist >= 0 && H5Pget_nfilters(plist) > 0) limit = file.size * kMaxCompressionRatio;
  if (bytes > limit) {
    return resource_exhausted_error(file.name + ": " + what + ": " + std::to_string(bytes) +
                                    " bytes of data claimed, more than the file (" + std::to_string(file.size) +
                                    " bytes) can hold");
  }
  return Status::OK();
}

// The dataset's bytes wrapped where they lie in the file's memory (no read, no copy), when
// they are stored contiguously, unfiltered, already in the memory type's byte order and
// aligned for it; an invalid Tensor otherwise.
Tensor wrap_in_place(const FileState& file, OpenDataset& d, const Shape& shape, uint64_t bytes) {
  if (file.bytes == nullptr || bytes == 0 || d.info.dtype == DType::kBFloat16) return Tensor();
  const hid_t plist = creation_plist(d);
  if (plist < 0 || H5Pget_layout(plist) != H5D_CONTIGUOUS || H5Pget_nfilters(plist) != 0) {
    H5Eclear2(H5E_DEFAULT);
    return Tensor();
  }
  if (H5Tequal(d.type.get(), d.mem_type.get()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return Tensor();
  }
  const haddr_t offset = H5Dget_offset(d.dataset.get());
  H5Eclear2(H5E_DEFAULT);
  const std::size_t align = element_storage_size(d.info.dtype);
  if (offset == HADDR_UNDEF || offset > file.bytes_size || bytes > file.bytes_size - offset || align == 0 ||
      reinterpret_cast<uintptr_t>(file.bytes + offset) % align != 0) {
    return Tensor();
  }
  return Tensor::wrap(d.info.dtype, shape, file.bytes + offset, file.bytes_keepalive);
}

StatusOr<Tensor> read_strings(const FileState& file, const std::string& what, OpenDataset& d, Shape shape) {
  int64_t n = shape.num_elements();
  htri_t is_vlen = H5Tis_variable_str(d.type.get());
  std::vector<std::string> values;
  if (is_vlen > 0) {
    TFPORT_RETURN_IF_ERROR(check_size(file, what, d, static_cast<uint64_t>(n)));
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    if (n > 0 && H5Dread(d.dataset.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
      return hdf5_error(file, what, "cannot read strings");
    }
    for (char* p : ptrs) values.emplace_back(p ? p : "");
    if (n > 0) H5Dvlen_reclaim(mem.get(), d.space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    size_t item = H5Tget_size(d.type.get());
    uint64_t total = static_cast<uint64_t>(n) * item;
    if (item == 0 || (n > 0 && total / item != static_cast<uint64_t>(n))) {
      return data_loss_error(file.name + ": " + what + ": bad string size");
    }
    TFPORT_RETURN_IF_ERROR(check_size(file, what, d, total));
    std::vector<char> buf(static_cast<size_t>(total));
    if (n > 0 && H5Dread(d.dataset.get(), d.type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
      return hdf5_error(file, what, "cannot read strings");
    }
    for (int64_t i = 0; i < n; ++i) {
      std::string s(buf.data() + static_cast<size_t>(i) * item, item);
      while (!s.empty() && s.back() == '\0') s.pop_back();
      values.push_back(std::move(s));
    }
  }
  return Tensor::from_strings(std::move(shape), std::move(values));
}

// Datasets are opened directly (walking the path once); kind() only explains a failure.
// Checking the kind first cost as much as the open again, for every weight of a model.
StatusOr<OpenDataset> explain_failure(StatusOr<OpenDataset> opened, const Group& group, const std::string& relative,
                                      const std::string& file_name, const std::string& what) {
  if (opened.ok()) return opened;
  H5Eclear2(H5E_DEFAULT);
  if (group.kind(relative) != ObjectKind::kDataset) return not_found_error(file_name + ": " + what + " not found");
  return opened.status();
}

}  // namespace

StatusOr<DatasetInfo> Group::dataset_info(const std::string& relative) const {
  std::string what = "dataset '" + child_path(relative) + "'";
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  TFPORT_ASSIGN_OR_RETURN(
      OpenDataset d,
      explain_failure(*id_ >= 0 ? open_dataset(*file_, *id_, relative, what) : StatusOr<OpenDataset>(not_found_error(what)),
                      *this, relative, file_->name, what));
  return d.info;
}

StatusOr<Tensor> Group::read_dataset(const std::string& relative) const {
  std::string what = "dataset '" + child_path(relative) + "'";
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  TFPORT_ASSIGN_OR_RETURN(
      OpenDataset d,
      explain_failure(*id_ >= 0 ? open_dataset(*file_, *id_, relative, what) : StatusOr<OpenDataset>(not_found_error(what)),
                      *this, relative, file_->name, what));
  StatusOr<Shape> shape = Shape::make(d.info.dims);
  if (!shape.ok()) return shape.status().with_context(file_->name + ": " + what);
  if (d.info.dtype == DType::kString) return read_strings(*file_, what, d, std::move(*shape));
  size_t elem = element_storage_size(d.info.dtype);
  uint64_t count = static_cast<uint64_t>(shape->num_elements());
  if (elem == 0 || (count > 0 && count * elem / elem != count)) {
    return data_loss_error(file_->name + ": " + what + ": bad element size");
  }
  TFPORT_RETURN_IF_ERROR(check_size(*file_, what, d, count * elem));
  if (auto view = wrap_in_place(*file_, d, *shape, count * elem); view.valid()) return view;
  StatusOr<Tensor> tensor = Tensor::allocate(d.info.dtype, *shape);
  if (!tensor.ok()) return tensor.status().with_context(file_->name + ": " + what);
  if (count > 0 && H5Dread(d.dataset.get(), d.mem_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                           tensor->mutable_raw_data()) < 0) {
    return hdf5_error(*file_, what, "cannot read data");
  }
  return tensor;
}

}  // namespace tfport::hdf5
