// read_keras_h5 on an already open HDF5 file (also one opened from memory, as the fuzz
// target does); `path` names it in messages.
#pragma once

#include <string>

#include "formats/hdf5/hdf5_file.h"
#include "tfport/keras.h"

namespace tfport::keras {

StatusOr<KerasModel> read_keras_h5_file(const hdf5::File& file, const std::string& path);

}  // namespace tfport::keras
