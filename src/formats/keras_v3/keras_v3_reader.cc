// read_keras_v3: the Keras 3 `.keras` zip — config.json, metadata.json, model.weights.h5.
#include <memory>

#include "formats/hdf5/hdf5_file.h"
#include "formats/keras/keras_config.h"
#include "formats/keras_v3/keras_v3_reader.h"
#include "formats/keras_v3/keras_v3_weights.h"
#include "formats/zip/zip_archive.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

constexpr uint64_t kMaxJsonBytes = uint64_t{64} << 20;
constexpr uint64_t kMaxWeightsBytes = uint64_t{16} << 30;

}  // namespace

StatusOr<KerasModel> read_keras_v3(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open(path));
  return keras::read_keras_v3_zip(zip, path);
}

StatusOr<KerasModel> keras::read_keras_v3_zip(const ZipReader& zip, const std::string& path) {
  if (!zip.contains("config.json")) {
    return data_loss_error(path + ": zip entry 'config.json' not found; not a Keras .keras file");
  }
  KerasModel model;
  model.source = path;
  model.format = "keras-v3";
  TFPORT_ASSIGN_OR_RETURN(std::string config, zip.read("config.json", kMaxJsonBytes));
  TFPORT_RETURN_IF_ERROR(keras::parse_model_config(config, path + ": zip entry 'config.json'", &model));

  if (zip.contains("metadata.json")) {
    TFPORT_ASSIGN_OR_RETURN(std::string meta_text, zip.read("metadata.json", kMaxJsonBytes));
    keras::json meta = keras::json::parse(meta_text, nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) {
      return data_loss_error(path + ": zip entry 'metadata.json': not a JSON object");
    }
    model.keras_version = keras::json_string(meta, "keras_version");
  }
  model.backend = "tensorflow";  // .keras files do not record it; Keras 2.15 and 3 default

  if (zip.contains("model.weights.h5")) {
    TFPORT_ASSIGN_OR_RETURN(std::string bytes, zip.read("model.weights.h5", kMaxWeightsBytes));
    auto shared = std::make_shared<const std::string>(std::move(bytes));
    StatusOr<hdf5::File> weights = hdf5::File::open_image(shared, path + ": zip entry 'model.weights.h5'");
    if (!weights.ok()) return weights.status();
    TFPORT_RETURN_IF_ERROR(keras::attach_v3_weights(weights->root(), &model));
  } else if (zip.contains("model.weights.npz")) {
    return unimplemented_error(path + ": weights stored as 'model.weights.npz' are not supported yet");
  } else {
    return data_loss_error(path + ": zip entry 'model.weights.h5' not found");
  }
  return model;
}

}  // namespace tfport
