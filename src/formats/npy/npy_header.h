// The .npy header: parsing the descr string, and writing the magic + header dict exactly as
// numpy's format.py does (so that files round-trip byte for byte).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/npy.h"

namespace tfport {

// "\x93NUMPY"
inline constexpr std::string_view kNpyMagic("\x93NUMPY", 6);

// numpy's descr for a fixed-size tensor dtype in host byte order ("<f4", "|b1"), or
// UNIMPLEMENTED naming the type when numpy has no equivalent.
StatusOr<std::string> npy_descr_for(DType dtype);

// Magic, version, header length, the header dict and its padding: everything before the data.
// Version 1.0 unless the header needs more than 65535 bytes (then 2.0), like np.save.
std::string format_npy_header(std::string_view descr, bool fortran_order, const std::vector<int64_t>& shape);

}  // namespace tfport
