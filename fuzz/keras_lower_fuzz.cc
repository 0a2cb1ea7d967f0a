// libFuzzer target: a Keras model config, lowered to TensorFlow ops. The input is either a
// .keras zip (config and weights) or the config JSON alone (then every layer that needs weights
// fails on their absence, but TF-op layers, Keras 3 ops and shape logic run). Seeds: the
// fixture .keras files and the configs in fuzz/seeds/keras_lower/.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "formats/keras/keras_config.h"
#include "formats/keras_v3/keras_v3_reader.h"
#include "formats/zip/zip_archive.h"
#include "graph/keras/lower_keras.h"
#include "tfport/keras.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  tfport::KerasModel model;
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    auto zip = tfport::ZipReader::open_from_memory(bytes, "fuzz.keras");
    if (!zip.ok()) return 0;
    auto read = tfport::keras::read_keras_v3_zip(*zip, "fuzz.keras");
    if (!read.ok()) return 0;
    model = std::move(*read);
  } else {
    if (!tfport::keras::parse_model_config(*bytes, "fuzz.json", &model).ok()) return 0;
    model.format = "keras-v3";
    model.keras_version = "2.15.0";
    model.weights_loaded = true;
  }
  (void)tfport::graph::lower_keras_model(model);
  return 0;
}
