// libFuzzer target: arbitrary bytes as a Keras 3 .keras zip (config.json, metadata.json,
// model.weights.h5), then summarised. Seeds: the fixture .keras files.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "formats/keras_v3/keras_v3_reader.h"
#include "formats/zip/zip_archive.h"
#include "tfport/keras.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  auto zip = tfport::ZipReader::open_from_memory(bytes, "fuzz.keras");
  if (!zip.ok()) return 0;
  auto model = tfport::keras::read_keras_v3_zip(*zip, "fuzz.keras");
  if (model.ok()) {
    std::ostringstream out;
    tfport::print_keras_summary(*model, out);
    out << tfport::keras_summary_json(*model);
  }
  return 0;
}
