// NumPy's str() of an array, as `saved_model_cli run` prints results with print(array):
// numpy >= 1.14 defaults (precision 8, floatmode 'maxprec', linewidth 75, threshold 1000,
// edgeitems 3). Floats use the shortest digits that round-trip for their own width,
// positional unless the magnitudes call for scientific notation, aligned on the decimal
// point with trailing zeros trimmed ("3. "); 0-d tensors print like NumPy scalars ("3.0").
#pragma once

#include <cstdint>
#include <string>

#include "tfport/tensor.h"

namespace tfport::cli {

struct NumpyPrintOptions {
  int precision = 8;
  int64_t threshold = 1000;  // more elements than this are summarised with "..."
  int edgeitems = 3;
  int linewidth = 75;
};

std::string numpy_str(const Tensor& tensor, const NumpyPrintOptions& options = {});

// str(np.float64(v)), the same as repr(float(v)) in Python 3: "2.5", "3.0", "1e-05", "inf".
std::string numpy_float64_str(double value);
// repr() of a bytes object (also how NumPy prints bytes elements): b'a\x00', b"it's".
std::string numpy_bytes_repr(const std::string& bytes);

}  // namespace tfport::cli
