// CheckpointReader's lookups and tensor reads over the state open() validated.
#include <algorithm>

#include "formats/bundle/printable_key.h"
#include "formats/bundle/reader_state.h"
#include "formats/bundle/tensor_data.h"
#include "formats/bundle/variant_data.h"

namespace tfport {
namespace {

using bundle::BundleEntry;

StatusOr<Tensor> read_stored(const CheckpointReader::State& state, const std::string& key, const BundleEntry& e) {
  const std::string where = "TensorBundle at " + state.prefix + " shard " + std::to_string(e.shard_id) + " (" +
                            std::to_string(e.size) + " bytes): key '" + bundle::printable_key(key) + "'";
  if (e.dtype == DType::kVariant || e.dtype == DType::kResource) {
    return unimplemented_error(where + ": reading " + std::string(dtype_name(e.dtype)) +
                               " tensors is not supported");
  }
  // open() checked shard_id and the byte range against the mapped shard.
  const auto& shard = state.shards[static_cast<size_t>(e.shard_id)];
  bundle::StoredTensor stored;
  stored.dtype = e.dtype;
  stored.shape = e.shape;
  stored.bytes = shard->view().substr(static_cast<size_t>(e.offset), static_cast<size_t>(e.size));
  stored.masked_crc = e.masked_crc;
  stored.big_endian = state.big_endian;
  stored.keepalive = shard;
  auto tensor = bundle::decode_stored_tensor(stored);
  if (!tensor.ok()) return tensor.status().with_context(where);
  return tensor;
}

StatusOr<Tensor> read_partitioned(const CheckpointReader::State& state, const std::string& key,
                                  const BundleEntry& e) {
  // open() checked that the slices tile the shape, so every element gets written.
  auto whole = Tensor::allocate(e.dtype, e.shape);
  if (!whole.ok()) return whole.status().with_context("partitioned tensor '" + bundle::printable_key(key) + "'");
  for (const bundle::TensorSlice& slice : e.slices) {
    const std::string slice_key = bundle::encode_tensor_name_slice(key, slice);
    TFPORT_ASSIGN_OR_RETURN(Tensor part, read_stored(state, slice_key, state.entries.at(slice_key)));
    TFPORT_RETURN_IF_ERROR(bundle::copy_slice_into(part, slice, &*whole));
  }
  return whole;
}

}  // namespace

const std::string& CheckpointReader::prefix() const { return state_->prefix; }
int CheckpointReader::num_shards() const { return state_->num_shards; }
const std::vector<CheckpointVariable>& CheckpointReader::variables() const { return state_->variables; }

const CheckpointVariable* CheckpointReader::find(std::string_view name) const {
  const auto& vars = state_->variables;
  auto it = std::lower_bound(vars.begin(), vars.end(), name,
                             [](const CheckpointVariable& v, std::string_view n) { return v.name < n; });
  return it != vars.end() && it->name == name ? &*it : nullptr;
}

StatusOr<Tensor> CheckpointReader::read(std::string_view name) const {
  const std::string key(name);
  auto it = state_->entries.find(key);
  if (it == state_->entries.end()) {
    return not_found_error("key '" + bundle::printable_key(key) + "' not found in checkpoint " + state_->prefix);
  }
  if (!it->second.slices.empty()) return read_partitioned(*state_, key, it->second);
  return read_stored(*state_, key, it->second);
}

StatusOr<std::vector<tensorflow::VariantTensorDataProto>> CheckpointReader::read_variant(std::string_view name) const {
  const std::string key(name);
  auto it = state_->entries.find(key);
  if (it == state_->entries.end()) {
    return not_found_error("key '" + bundle::printable_key(key) + "' not found in checkpoint " + state_->prefix);
  }
  const BundleEntry& e = it->second;
  const std::string where = "TensorBundle at " + state_->prefix + ": key '" + bundle::printable_key(key) + "'";
  if (e.dtype != DType::kVariant || !e.slices.empty()) {
    return failed_precondition_error(where + " is a " + std::string(dtype_name(e.dtype)) + " tensor, not a variant");
  }
  // open() checked shard_id and the byte range against the mapped shard.
  const auto& shard = state_->shards[static_cast<size_t>(e.shard_id)];
  const std::string_view bytes = shard->view().substr(static_cast<size_t>(e.offset), static_cast<size_t>(e.size));
  auto elements = bundle::decode_variants(bytes, static_cast<uint64_t>(e.shape.num_elements()), e.masked_crc);
  if (!elements.ok()) return elements.status().with_context(where);
  return elements;
}

StatusOr<tensorflow::TrackableObjectGraph> CheckpointReader::object_graph() const {
  if (state_->entries.count(std::string(kObjectGraphKey)) == 0) {
    return not_found_error("checkpoint " + state_->prefix + " has no " + std::string(kObjectGraphKey) +
                           " entry (a TF1 name-based checkpoint)");
  }
  TFPORT_ASSIGN_OR_RETURN(Tensor t, read(kObjectGraphKey));
  if (t.dtype() != DType::kString || t.num_elements() != 1) {
    return data_loss_error("checkpoint " + state_->prefix + ": " + std::string(kObjectGraphKey) + " is " +
                           t.description() + ", expected a string scalar");
  }
  tensorflow::TrackableObjectGraph graph;
  const std::string& bytes = t.strings()[0];
  if (!graph.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return data_loss_error("checkpoint " + state_->prefix + ": " + std::string(kObjectGraphKey) +
                           " does not parse as a TrackableObjectGraph");
  }
  return graph;
}

}  // namespace tfport
