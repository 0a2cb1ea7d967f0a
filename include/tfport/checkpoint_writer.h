// Writing TensorFlow V2 checkpoints (tensor bundles) that TensorFlow reads: P.index plus
// P.data-SSSSS-of-NNNNN, byte for byte what TF's BundleWriter writes for the same tensors
// added in the same order, and the text `checkpoint` state file beside them.
//
//   TFPORT_ASSIGN_OR_RETURN(auto w, tfport::CheckpointWriter::create("out/ckpt-1"));
//   TFPORT_RETURN_IF_ERROR(w.add("dense/kernel", kernel));
//   TFPORT_RETURN_IF_ERROR(w.add_object_graph(graph));   // TF2 object-based checkpoints
//   TFPORT_RETURN_IF_ERROR(w.finish());
//
// Nothing appears at the prefix until finish(): shards and index are written to temporary
// files and renamed into place (data first, index last). A failed or abandoned write leaves a
// checkpoint that was already at the prefix as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tfport/checkpoint.h"
#include "tfport/progress.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/tensor.pb.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport {

struct CheckpointWriterOptions {
  // Data files. TF's writer produces one; merged sharded saves produce more (each tensor names
  // its shard in add()).
  int num_shards = 1;
  // Snappy-compress the index's data blocks, as some TF 1.x/2.x builds did (TF Serving's
  // half_plus_two models); current TF writes them uncompressed.
  bool snappy_index = false;
  // Reports written data bytes; `expected_bytes` (0 = unknown) is passed on as the total.
  ProgressCallback progress;
  uint64_t expected_bytes = 0;
};

class CheckpointWriter {
 public:
  // Creates the temporary files beside `prefix`; fails when its directory does not exist or
  // cannot be written (nothing is created then).
  static StatusOr<CheckpointWriter> create(const std::string& prefix, const CheckpointWriterOptions& options = {});
  CheckpointWriter(CheckpointWriter&&) noexcept;
  CheckpointWriter& operator=(CheckpointWriter&&) noexcept;
  ~CheckpointWriter();  // abandons an unfinished write, removing its temporary files

  // Appends the tensor to shard `shard`'s data file (data is laid out in add order; the index
  // is sorted by key). Fails on the empty key (reserved for the header), a duplicate key, a
  // shard out of range, and DT_RESOURCE/DT_VARIANT tensors (see add_variant).
  Status add(const std::string& key, const Tensor& tensor, int shard = 0);
  // A slice of a partitioned variable (TF1 PartitionedVariable): `full_shape` is the whole
  // variable, `starts`/`lengths` the slice (length -1 = the whole dim), `tensor` its values.
  // The full entry listing all slices is written by finish().
  Status add_slice(const std::string& key, const Shape& full_shape, const std::vector<int64_t>& starts,
                   const std::vector<int64_t>& lengths, const Tensor& tensor, int shard = 0);
  // A DT_VARIANT tensor (e.g. tf.data iterator state) as the opaque elements a reader's
  // read_variant() returns; one element per entry of `shape`, row-major.
  Status add_variant(const std::string& key, const Shape& shape,
                     const std::vector<tensorflow::VariantTensorDataProto>& elements, int shard = 0);
  // The serialized TrackableObjectGraph under "_CHECKPOINTABLE_OBJECT_GRAPH" (a string scalar),
  // which TF2's tf.train.Checkpoint and SavedModel loading need.
  Status add_object_graph(const tensorflow::TrackableObjectGraph& graph, int shard = 0);

  // Writes the index and moves every file into place. The writer is done afterwards.
  Status finish();

  const std::string& prefix() const;

  struct State;

 private:
  explicit CheckpointWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// "<prefix>.data-00000-of-00001" and "<prefix>.index".
std::string checkpoint_data_path(const std::string& prefix, int shard, int num_shards);
std::string checkpoint_index_path(const std::string& prefix);

// Writes <dir>/checkpoint (text CheckpointState) atomically. Paths inside `dir` are stored
// relative to it, as tf.train.CheckpointManager does; others as given.
Status write_checkpoint_state(const std::string& dir, const CheckpointState& state);

// The TrackableObjectGraph tf.train.Checkpoint would record for variables stored under TF2
// object-path keys ("dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"): one object per path segment
// (segments unescaped: ".S" is '/', ".." is '.'), each variable an attribute of its object.
// Keys without "/.ATTRIBUTES/" (TF1 names) are attributes of a root child named after them.
tensorflow::TrackableObjectGraph object_graph_for_keys(const std::vector<std::string>& keys);

// Copies every tensor of `reader` into a new checkpoint at `prefix`, keeping each tensor's
// shard and data order, so a TF-written checkpoint is reproduced byte for byte.
Status rewrite_checkpoint(const CheckpointReader& reader, const std::string& prefix,
                          const CheckpointWriterOptions& options = {});

}  // namespace tfport
