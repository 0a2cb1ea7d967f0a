// read_keras_v3 on an already open zip (also one opened from memory, as the fuzz target
// does); `path` names it in messages.
#pragma once

#include <string>

#include "formats/zip/zip_archive.h"
#include "tfport/keras.h"

namespace tfport::keras {

StatusOr<KerasModel> read_keras_v3_zip(const ZipReader& zip, const std::string& path);

}  // namespace tfport::keras
