// write_keras_v3: a Keras 3 .keras zip — config.json, metadata.json and model.weights.h5
// (layers/<name>/vars/<i>), entries stored uncompressed as Keras writes them.
#include <ctime>
#include <map>

#include "formats/hdf5/hdf5_writer.h"
#include "formats/keras/keras_config.h"
#include "formats/keras/keras_weight_layout.h"
#include "formats/keras_v3/keras_v3_weights.h"
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

// Keras 3 names a layer's object by its class in snake_case, numbered per class in model
// order ("dense", "dense_1"); its variables sit in "vars", those of sub-objects below it.
std::vector<std::string> generated_paths(const KerasLayer& layer, const std::string& base) {
  const size_t n = layer.weights.size();
  std::vector<std::string> paths;
  auto add = [&](const std::string& object, size_t count) {
    for (size_t i = 0; i < count; ++i) paths.push_back(base + object + "vars/" + std::to_string(i));
  };
  const std::string& c = layer.class_name;
  if (c == "LSTM" || c == "GRU" || c == "SimpleRNN") {
    add("cell/", n);
  } else if (c == "Bidirectional" && n % 2 == 0) {
    add("forward_layer/cell/", n / 2);
    add("backward_layer/cell/", n / 2);
  } else if (c == "TimeDistributed") {
    add("layer/", n);
  } else {
    add("", n);
  }
  return paths;
}

// Paths read from a .keras file are kept (tf.keras 2.15 on Windows joined them with '\\').
std::vector<std::string> weight_paths(const KerasLayer& layer, const std::string& base) {
  std::vector<std::string> generated = generated_paths(layer, base);
  std::vector<std::string> paths;
  for (size_t i = 0; i < layer.weights.size(); ++i) {
    std::string stored = layer.weights[i].name;
    if (stored.find("vars/") != std::string::npos) {
      for (char& ch : stored) ch = ch == '\\' ? '/' : ch;
      paths.push_back(stored);
    } else {
      paths.push_back(generated[i]);
    }
  }
  return paths;
}

StatusOr<std::string> weights_file(const KerasModel& model, const std::string& path,
                                   keras::WeightProgress& progress) {
  TFPORT_ASSIGN_OR_RETURN(hdf5::Writer w, hdf5::Writer::create(path + "/model.weights.h5"));
  std::map<std::string, int> used;
  for (const KerasLayer& l : model.layers) {
    std::string object = keras::keras_snake_case(l.class_name);
    auto [it, fresh] = used.try_emplace(object, 0);
    if (!fresh) object.append(1, '_').append(std::to_string(++it->second));
    if (model.is_sequential() && l.class_name == "InputLayer") continue;
    const std::string base = "layers/" + object + "/";
    if (l.nested && model.format != "keras-v3" && !l.weights.empty()) {
      return unimplemented_error("layer '" + l.name + "' is a nested model; its weights cannot be mapped to " +
                                 "the Keras 3 layout yet");
    }
    TFPORT_RETURN_IF_ERROR(w.make_group("/" + base + "vars"));
    const std::vector<std::string> paths = weight_paths(l, base);
    for (size_t i = 0; i < paths.size(); ++i) {
      Status s = w.write_dataset("/" + paths[i], l.weights[i].value);
      if (!s.ok()) return s.with_context("layer '" + l.name + "'");
      progress.wrote(l.weights[i].value);
    }
  }
  return w.finish();
}

}  // namespace

Status write_keras_v3(const KerasModel& model, const std::string& path, const KerasWriteOptions& options) {
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
  keras::WeightProgress progress(model, options.progress);
  auto weights = weights_file(model, path, progress);
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
  if (s.ok()) progress.finished();
  return s.ok() ? s : s.with_context(where);
}

}  // namespace tfport
