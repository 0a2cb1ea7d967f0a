// TensorFlow V2 checkpoints (tensor bundles): a prefix P with P.index (an SSTable of
// BundleEntryProtos) and P.data-SSSSS-of-NNNNN shards, memory-mapped. Used for standalone
// checkpoints and for a SavedModel's variables/variables.
//
//   TFPORT_ASSIGN_OR_RETURN(tfport::CheckpointReader ckpt,
//                           tfport::CheckpointReader::open("model/variables/variables"));
//   for (const tfport::CheckpointVariable& v : ckpt.variables()) ...
//   TFPORT_ASSIGN_OR_RETURN(tfport::Tensor a, ckpt.read("a/.ATTRIBUTES/VARIABLE_VALUE"));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tfport/dtype.h"
#include "tfport/shape.h"
#include "tfport/status.h"
#include "tfport/tensor.h"
#include "tfport/tf/tensor.pb.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport {

struct CheckpointVariable {
  std::string name;      // bundle key
  DType dtype;
  Shape shape;           // full shape (partitioned variables: the full, merged shape)
  uint64_t byte_size;    // bytes stored in the data files
  bool partitioned;
};

// The key under which TF2 checkpoints store their serialized TrackableObjectGraph.
inline constexpr std::string_view kObjectGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

// Cheap to copy: copies share the parsed index and the mappings. Thread-safe for reads.
class CheckpointReader {
 public:
  // `path`: a prefix (".../variables/variables", ".../ckpt-3"), its ".index" file, or a directory
  // holding a `checkpoint` state file (then the latest prefix is used; absolute paths in the state
  // file that don't exist fall back to the same base name inside the directory).
  // The whole index is validated here (header version, every entry's dtype, shape, shard and
  // byte range, partitioned-variable slices); tensor bytes are checked when read.
  // A V1 checkpoint (TensorSliceWriter file at the prefix, no .index) is refused (UNIMPLEMENTED).
  static StatusOr<CheckpointReader> open(const std::string& path);

  const std::string& prefix() const;
  int num_shards() const;
  // Every tensor key except the header (""), sorted by name; includes "_CHECKPOINTABLE_OBJECT_GRAPH".
  // The per-slice entries of partitioned variables are not listed (like tf.train.list_variables).
  const std::vector<CheckpointVariable>& variables() const;
  const CheckpointVariable* find(std::string_view name) const;  // nullptr if absent
  // Reads (and crc32c-checks) one tensor; partitioned variables are assembled from their slices.
  // Numeric tensors may wrap the mapped shard (zero-copy; the mapping lives as long as the tensor).
  // NOT_FOUND for unknown keys, DATA_LOSS for corrupted bytes, UNIMPLEMENTED for DT_VARIANT
  // (see read_variant) and DT_RESOURCE entries.
  StatusOr<Tensor> read(std::string_view name) const;
  // A DT_VARIANT entry's elements (one serialized VariantTensorDataProto per element, checked
  // against the stored checksums); FAILED_PRECONDITION for entries of other dtypes.
  StatusOr<std::vector<tensorflow::VariantTensorDataProto>> read_variant(std::string_view name) const;
  // The decoded _CHECKPOINTABLE_OBJECT_GRAPH entry; NOT_FOUND for TF1 name-based checkpoints.
  StatusOr<tensorflow::TrackableObjectGraph> object_graph() const;

  struct State;  // defined in the implementation

 private:
  explicit CheckpointReader(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

struct CheckpointState {
  std::string model_checkpoint_path;
  std::vector<std::string> all_model_checkpoint_paths;
  std::vector<double> all_model_checkpoint_timestamps;
  double last_preserved_timestamp = 0;
};

// Parses the text-format <dir>/checkpoint. Relative paths are returned joined to `dir` (as
// TensorFlow's get_checkpoint_state does); absolute paths as written. NOT_FOUND without the
// file; DATA_LOSS when it does not parse or names no model_checkpoint_path.
StatusOr<CheckpointState> read_checkpoint_state(const std::string& dir);

}  // namespace tfport
