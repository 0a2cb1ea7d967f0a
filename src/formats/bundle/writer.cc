// CheckpointWriter: tensors stream into the staged data shards as they are added; finish()
// builds the index table and commits everything (data files first, index last, as TF does).
#include <map>

#include "core/crc32c.h"
#include "core/file.h"
#include "core/staged_file.h"
#include "formats/bundle/checkpoint_path.h"
#include "formats/bundle/slices.h"
#include "formats/bundle/table_builder.h"
#include "formats/bundle/tensor_encode.h"
#include "formats/bundle/variant_data.h"
#include "tfport/checkpoint_writer.h"
#include "tfport/tf/tensor_bundle.pb.h"

namespace tfport {

struct CheckpointWriter::State {
  std::string prefix;
  CheckpointWriterOptions options;
  std::vector<StagedFile> shards;
  // std::map orders std::string keys bytewise (char_traits compares as unsigned char), which is
  // the order of TF's table comparator.
  std::map<std::string, tensorflow::BundleEntryProto> entries;
  std::map<std::string, tensorflow::BundleEntryProto> partitioned;  // full entries of sliced tensors
  uint64_t written = 0;
  bool done = false;
  Status failed;  // a failed add poisons the writer: its shards no longer match the entries
};

namespace {

void set_shape(const Shape& shape, tensorflow::TensorShapeProto* proto) {
  proto->Clear();
  for (int64_t d : shape.dims()) proto->add_dim()->set_size(d);
}

Status append_encoded(CheckpointWriter::State& s, DType dtype, const Shape& shape,
                      const StatusOr<bundle::EncodedTensor>& encoded, int shard, tensorflow::BundleEntryProto* entry) {
  if (shard < 0 || shard >= s.options.num_shards) {
    return invalid_argument_error("shard " + std::to_string(shard) + " is out of range: the checkpoint has " +
                                  std::to_string(s.options.num_shards) + " data files");
  }
  if (!encoded.ok()) return encoded.status();
  StagedFile& file = s.shards[static_cast<size_t>(shard)];
  entry->set_dtype(static_cast<tensorflow::DataType>(dtype));
  // TF always writes the shape field, even for scalars.
  set_shape(shape, entry->mutable_shape());
  entry->set_shard_id(shard);
  entry->set_offset(static_cast<int64_t>(file.size()));
  entry->set_size(static_cast<int64_t>(encoded->bytes.size()));
  entry->set_crc32c(encoded->masked_crc);
  TFPORT_RETURN_IF_ERROR(file.append(encoded->bytes));
  s.written += encoded->bytes.size();
  if (s.options.progress) s.options.progress(s.written, s.options.expected_bytes);
  return Status::OK();
}

Status append_entry(CheckpointWriter::State& s, const Tensor& tensor, int shard,
                    tensorflow::BundleEntryProto* entry) {
  return append_encoded(s, tensor.dtype(), tensor.shape(), bundle::encode_tensor(tensor), shard, entry);
}

Status check_open(const CheckpointWriter::State& s) {
  if (s.done) return failed_precondition_error(s.prefix + ": the checkpoint was already finished");
  return s.failed;
}

}  // namespace

std::string checkpoint_data_path(const std::string& prefix, int shard, int num_shards) {
  return bundle::data_shard_path(prefix, shard, num_shards);
}

std::string checkpoint_index_path(const std::string& prefix) { return prefix + ".index"; }

CheckpointWriter::CheckpointWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
CheckpointWriter::CheckpointWriter(CheckpointWriter&&) noexcept = default;
CheckpointWriter& CheckpointWriter::operator=(CheckpointWriter&&) noexcept = default;
CheckpointWriter::~CheckpointWriter() = default;  // StagedFiles remove their temporaries

const std::string& CheckpointWriter::prefix() const { return state_->prefix; }

StatusOr<CheckpointWriter> CheckpointWriter::create(const std::string& prefix, const CheckpointWriterOptions& options) {
  if (prefix.empty()) return invalid_argument_error("empty checkpoint prefix");
  if (options.num_shards < 1) {
    return invalid_argument_error(prefix + ": a checkpoint needs at least one data file, not " +
                                  std::to_string(options.num_shards));
  }
  // TF's BundleWriter creates the prefix's directory; so do we (a failure is reported below,
  // when the first file cannot be created there).
  make_directories(dir_name(prefix)).ignore_error();
  auto state = std::make_unique<State>();
  state->prefix = prefix;
  state->options = options;
  for (int i = 0; i < options.num_shards; ++i) {
    auto f = StagedFile::create(checkpoint_data_path(prefix, i, options.num_shards));
    if (!f.ok()) return f.status().with_context("writing checkpoint " + prefix);
    state->shards.push_back(std::move(*f));
  }
  return CheckpointWriter(std::move(state));
}

namespace {

Status check_new_key(const CheckpointWriter::State& s, const std::string& key) {
  TFPORT_RETURN_IF_ERROR(check_open(s));
  if (key.empty()) return invalid_argument_error(s.prefix + ": the empty key is reserved for the bundle header");
  if (s.entries.count(key) != 0 || s.partitioned.count(key) != 0) {
    return invalid_argument_error(s.prefix + ": adding duplicate key: " + key);
  }
  return Status::OK();
}

}  // namespace

Status CheckpointWriter::add(const std::string& key, const Tensor& tensor, int shard) {
  State& s = *state_;
  TFPORT_RETURN_IF_ERROR(check_new_key(s, key));
  tensorflow::BundleEntryProto entry;
  Status st = append_entry(s, tensor, shard, &entry);
  if (!st.ok()) {
    // A partial append leaves the shard out of step with the entries: nothing more may be added.
    if (st.code() != StatusCode::kInvalidArgument && st.code() != StatusCode::kUnimplemented) s.failed = st;
    return st.with_context(s.prefix + ": tensor '" + key + "'");
  }
  s.entries.emplace(key, std::move(entry));
  return Status::OK();
}

Status CheckpointWriter::add_slice(const std::string& key, const Shape& full_shape, const std::vector<int64_t>& starts,
                                   const std::vector<int64_t>& lengths, const Tensor& tensor, int shard) {
  State& s = *state_;
  TFPORT_RETURN_IF_ERROR(check_open(s));
  const std::string where = s.prefix + ": slice of '" + key + "'";
  if (key.empty()) return invalid_argument_error(s.prefix + ": the empty key is reserved for the bundle header");
  if (s.entries.count(key) != 0) return invalid_argument_error(where + ": '" + key + "' was added whole");
  if (static_cast<int>(starts.size()) != full_shape.rank() || starts.size() != lengths.size()) {
    return invalid_argument_error(where + ": needs one start and one length per dimension of " +
                                  full_shape.to_string());
  }
  tensorflow::TensorSliceProto proto;
  for (size_t i = 0; i < starts.size(); ++i) {
    auto* extent = proto.add_extent();
    if (lengths[i] >= 0) {
      extent->set_start(starts[i]);
      extent->set_length(lengths[i]);
    }
  }
  auto slice = bundle::slice_from_proto(proto, full_shape);
  if (!slice.ok()) return slice.status().with_context(where);
  if (bundle::slice_shape(*slice, full_shape) != tensor.shape()) {
    return invalid_argument_error(where + ": values of shape " + tensor.shape().to_string() + " do not fill slice " +
                                  bundle::slice_shape(*slice, full_shape).to_string());
  }
  auto [it, inserted] = s.partitioned.try_emplace(key);
  tensorflow::BundleEntryProto& full = it->second;
  if (inserted) {
    full.set_dtype(static_cast<tensorflow::DataType>(tensor.dtype()));
    set_shape(full_shape, full.mutable_shape());
  } else if (full.dtype() != static_cast<tensorflow::DataType>(tensor.dtype())) {
    return invalid_argument_error(where + ": dtype differs from the other slices");
  }
  const std::string slice_key = bundle::encode_tensor_name_slice(key, *slice);
  if (s.entries.count(slice_key) != 0) return invalid_argument_error(where + ": this slice was already added");
  tensorflow::BundleEntryProto entry;
  Status st = append_entry(s, tensor, shard, &entry);
  if (!st.ok()) {
    if (st.code() != StatusCode::kInvalidArgument && st.code() != StatusCode::kUnimplemented) s.failed = st;
    if (full.slices_size() == 0) s.partitioned.erase(key);
    return st.with_context(where);
  }
  *full.add_slices() = proto;
  s.entries.emplace(slice_key, std::move(entry));
  return Status::OK();
}

Status CheckpointWriter::add_variant(const std::string& key, const Shape& shape,
                                     const std::vector<tensorflow::VariantTensorDataProto>& elements, int shard) {
  State& s = *state_;
  TFPORT_RETURN_IF_ERROR(check_new_key(s, key));
  const std::string where = s.prefix + ": variant tensor '" + key + "'";
  if (shape.num_elements() < 0 || static_cast<uint64_t>(shape.num_elements()) != elements.size()) {
    return invalid_argument_error(where + ": shape " + shape.to_string() + " does not hold " +
                                  std::to_string(elements.size()) + " elements");
  }
  tensorflow::BundleEntryProto entry;
  Status st = append_encoded(s, DType::kVariant, shape, bundle::encode_variants(elements), shard, &entry);
  if (!st.ok()) {
    if (st.code() != StatusCode::kInvalidArgument && st.code() != StatusCode::kInternal) s.failed = st;
    return st.with_context(where);
  }
  s.entries.emplace(key, std::move(entry));
  return Status::OK();
}

Status CheckpointWriter::add_object_graph(const tensorflow::TrackableObjectGraph& graph, int shard) {
  auto t = Tensor::from_strings(Shape{}, {graph.SerializeAsString()});
  if (!t.ok()) return t.status();
  return add(std::string(kObjectGraphKey), *t, shard);
}

Status CheckpointWriter::finish() {
  State& s = *state_;
  TFPORT_RETURN_IF_ERROR(check_open(s));
  s.done = true;
  tensorflow::BundleHeaderProto header;
  header.set_num_shards(s.options.num_shards);
  header.mutable_version()->set_producer(1);
  bundle::TableOptions table_options;
  table_options.snappy = s.options.snappy_index;
  bundle::TableBuilder table(table_options);
  TFPORT_RETURN_IF_ERROR(table.add("", header.SerializeAsString()));
  // Full entries of partitioned tensors and ordinary entries share one key space; merge them.
  std::map<std::string, const tensorflow::BundleEntryProto*> all;
  for (const auto& [key, entry] : s.entries) all.emplace(key, &entry);
  for (const auto& [key, entry] : s.partitioned) all.emplace(key, &entry);
  for (const auto& [key, entry] : all) {
    TFPORT_RETURN_IF_ERROR(table.add(key, entry->SerializeAsString()));
  }
  auto index = StagedFile::create(checkpoint_index_path(s.prefix));
  if (!index.ok()) return index.status().with_context("writing checkpoint " + s.prefix);
  Status st = index->append(table.finish());
  if (!st.ok()) return st.with_context("writing checkpoint " + s.prefix);
  std::vector<StagedFile*> files;
  for (StagedFile& f : s.shards) files.push_back(&f);
  files.push_back(&*index);
  st = commit_staged_files(files);
  if (!st.ok()) return st.with_context("writing checkpoint " + s.prefix);
  return Status::OK();
}

}  // namespace tfport
