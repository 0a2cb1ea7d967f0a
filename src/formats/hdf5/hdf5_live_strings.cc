// String attributes as h5py writes them: fixed-length (NUL-padded) or variable-length,
// ASCII or UTF-8, scalar or 1-D array.
#include <hdf5.h>

#include <cstring>
#include <vector>

#include "formats/hdf5/hdf5_live.h"
#include "formats/hdf5/hdf5_internal.h"

namespace tfport::hdf5 {
namespace {

std::string strip_padding(const char* p, size_t n, H5T_str_t pad) {
  std::string s(p, n);
  char fill = pad == H5T_STR_SPACEPAD ? ' ' : '\0';
  // NULLTERM strings end at the first NUL; NULLPAD/SPACEPAD only lose trailing padding.
  if (pad == H5T_STR_NULLTERM) {
    size_t nul = s.find('\0');
    if (nul != std::string::npos) s.resize(nul);
    return s;
  }
  while (!s.empty() && s.back() == fill) s.pop_back();
  return s;
}

// Reads every element of a string attribute. `what` names it for messages.
StatusOr<std::vector<std::string>> read_string_elements(const FileState& file, hid_t attr,
                                                        const std::string& what) {
  Handle type(H5Aget_type(attr));
  Handle space(H5Aget_space(attr));
  if (!type.valid() || !space.valid()) return hdf5_error(file, what, "unreadable type or dataspace");
  hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) return hdf5_error(file, what, "bad dataspace");
  H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_STRING) {
    if (count == 0) return std::vector<std::string>{};  // h5py writes [] as a float64[0] array
    return data_loss_error(file.name + ": " + what + ": expected a string, found a non-string HDF5 type");
  }
  std::vector<std::string> out;
  if (count == 0) return out;
  htri_t is_vlen = H5Tis_variable_str(type.get());
  if (is_vlen < 0) return hdf5_error(file, what, "bad string type");
  if (is_vlen > 0) {
    // Each element is a pointer; the count is bounded by the attribute's stored size.
    if (static_cast<uint64_t>(count) > file.size) {
      return data_loss_error(file.name + ": " + what + ": element count larger than the file");
    }
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    std::vector<char*> ptrs(static_cast<size_t>(count), nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) return hdf5_error(file, what, "cannot read strings");
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  size_t item = H5Tget_size(type.get());
  if (item == 0) return data_loss_error(file.name + ": " + what + ": zero-size string type");
  uint64_t total = static_cast<uint64_t>(count) * item;
  if (total / item != static_cast<uint64_t>(count) || total > file.size) {
    return data_loss_error(file.name + ": " + what + ": string data larger than the file");
  }
  H5T_str_t pad = H5Tget_strpad(type.get());
  Handle mem(H5Tcopy(H5T_C_S1));
  H5Tset_size(mem.get(), item);
  H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
  H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
  std::vector<char> buf(static_cast<size_t>(total));
  if (H5Aread(attr, mem.get(), buf.data()) < 0) return hdf5_error(file, what, "cannot read strings");
  for (hssize_t i = 0; i < count; ++i) {
    out.push_back(strip_padding(buf.data() + static_cast<size_t>(i) * item, item, pad));
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> LiveGroup::string_list_attribute(const std::string& name) const {
  std::string what = "attribute '" + name + "' of '" + path_ + "'";
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (*id_ < 0 || H5Aexists(*id_, name.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return not_found_error(file_->name + ": " + what + " not found");
  }
  Handle attr(H5Aopen(*id_, name.c_str(), H5P_DEFAULT));
  if (!attr.valid()) return hdf5_error(*file_, what, "cannot open");
  return read_string_elements(*file_, attr.get(), what);
}

namespace {

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

StatusOr<std::vector<std::string>> LiveGroup::attribute_names() const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_lock());
  if (*id_ < 0) return data_loss_error(file_->name + ": group '" + path_ + "' is not readable");
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Aiterate2(*id_, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attribute_name, &names) < 0) {
    return hdf5_error(*file_, "attributes of '" + path_ + "'", "cannot list attributes");
  }
  return names;
}

}  // namespace tfport::hdf5
