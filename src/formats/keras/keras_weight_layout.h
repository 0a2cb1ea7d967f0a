// How a KerasModel's weights are named in the Keras 2 HDF5 layout, for the writers: which
// layers hold a weight group and their weight names ("dense/kernel:0"), whichever format the
// weights were read from. (Keras 3 paths are the .keras writer's business.)
#pragma once

#include <string>
#include <vector>

#include "tfport/keras.h"
#include "tfport/progress.h"

namespace tfport::keras {

// The layers that get a weight group, in model order: Keras' model.layers (a Sequential
// model's InputLayer is not one of them).
std::vector<const KerasLayer*> saved_layers(const KerasModel& model);

// Keras' variable names for a layer class, in weight order ("kernel", "bias"); empty when the
// class is not one tfport knows.
std::vector<std::string> class_weight_names(const KerasLayer& layer);

// Keras 2 HDF5 names of a layer's weights, in order. Names read from an h5 file are kept;
// others are made from the layer's class ("kernel", "bias", "gamma", ...).
std::vector<std::string> h5_weight_names(const KerasLayer& layer);

// Reports a writer's progress in weight bytes against all of the model's weights.
class WeightProgress {
 public:
  WeightProgress(const KerasModel& model, ProgressCallback callback);
  void wrote(const Tensor& value);
  void finished();

 private:
  ProgressCallback callback_;
  uint64_t done_ = 0;
  uint64_t total_ = 0;
};

}  // namespace tfport::keras
