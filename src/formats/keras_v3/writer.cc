// write_keras_v3: a Keras 3 .keras zip — config.json, metadata.json and model.weights.h5
// (layers/<name>/vars/<i>), entries stored uncompressed as Keras writes them.
#include <ctime>

#include "formats/hdf5/hdf5_writer.h"
#include "formats/keras/keras_config.h"
#include "formats/keras/keras_weight_layout.h"
#include "formats/keras_v3/writer_config.h"
#include "formats/zip/zip_archive.h"
#include "tfport/keras_writer.h"

namespace tfport {
namespace {

std::string date_saved() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d@%H:%M:%S", &tm);
  return buf;
}

StatusOr<std::string> weights_file(const KerasModel& model, const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(hdf5::Writer w, hdf5::Writer::create(path + "/model.weights.h5"));
  for (const KerasLayer* l : keras::saved_layers(model)) {
    if (l->nested && model.format != "keras-v3") {
      return unimplemented_error("layer '" + l->name + "' is a nested model; its weights cannot be mapped to " +
                                 "the Keras 3 layout yet");
    }
    TFPORT_RETURN_IF_ERROR(w.make_group("/layers/" + l->name + "/vars"));
    const std::vector<std::string> paths = keras::v3_weight_paths(*l);
    for (size_t i = 0; i < paths.size(); ++i) {
      Status s = w.write_dataset("/" + paths[i], l->weights[i].value);
      if (!s.ok()) return s.with_context("layer '" + l->name + "'");
    }
  }
  return w.finish();
}

}  // namespace

Status write_keras_v3(const KerasModel& model, const std::string& path) {
  const std::string where = "writing Keras file " + path;
  if (model.config_json.empty()) {
    return failed_precondition_error(path + ": the source (" + model.source + ") holds weights only; a .keras file "
                                     "needs the model config");
  }
  if (!model.weights_loaded) {
    return failed_precondition_error(path + ": the source (" + model.source + ") carries no weight values");
  }
  auto config = keras::keras3_config_json(model.config_json);
  if (!config.ok()) return config.status().with_context(where);
  auto weights = weights_file(model, path);
  if (!weights.ok()) return weights.status().with_context(where);
  keras::json meta;
  meta["keras_version"] = model.keras_version.rfind("3", 0) == 0 ? model.keras_version : std::string("3.10.0");
  meta["date_saved"] = date_saved();
  auto zip = ZipWriter::create(path);
  if (!zip.ok()) return zip.status().with_context(where);
  Status s = zip->add("metadata.json", meta.dump());
  if (s.ok()) s = zip->add("config.json", std::move(*config));
  if (s.ok()) s = zip->add("model.weights.h5", std::move(*weights));
  if (s.ok()) s = zip->finish();
  return s.ok() ? s : s.with_context(where);
}

}  // namespace tfport
