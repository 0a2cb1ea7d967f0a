// libFuzzer target: arbitrary bytes as an in-memory HDF5 image read as a Keras .h5 model,
// then summarised. Seeds: the fixture .h5 files.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "formats/hdf5/hdf5_file.h"
#include "formats/keras_h5/keras_h5_reader.h"
#include "tfport/keras.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto file = tfport::hdf5::File::open_image(bytes, "fuzz.h5");
  if (!file.ok()) return 0;
  auto model = tfport::keras::read_keras_h5_file(*file, "fuzz.h5");
  if (model.ok()) {
    std::ostringstream out;
    tfport::print_keras_summary(*model, out);
    out << tfport::keras_summary_json(*model);
  }
  return 0;
}
