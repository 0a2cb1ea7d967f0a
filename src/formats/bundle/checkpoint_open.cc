// CheckpointReader::open: resolve the prefix, read and validate the whole index, map the shards.
#include <algorithm>
#include <unordered_set>

#include "core/file.h"
#include "formats/bundle/checkpoint_path.h"
#include "formats/bundle/printable_key.h"
#include "formats/bundle/reader_state.h"
#include "formats/bundle/table.h"
#include "formats/bundle/tensor_data.h"

namespace tfport {
namespace {

using bundle::BundleEntry;

// Index files hold metadata only; this bounds the work a hostile shard count can cause.
constexpr int kMaxShards = 1 << 20;
constexpr size_t kMaxSlices = 1 << 12;

Status map_shards(CheckpointReader::State* state) {
  if (state->num_shards > kMaxShards) {
    return data_loss_error(state->prefix + ".index: bundle header: implausible num_shards " +
                           std::to_string(state->num_shards));
  }
  for (int i = 0; i < state->num_shards; ++i) {
    const std::string path = bundle::data_shard_path(state->prefix, i, state->num_shards);
    auto file = MappedFile::open(path);
    if (!file.ok()) {
      return data_loss_error("data shard " + std::to_string(i) + " of " + std::to_string(state->num_shards) +
                             " of checkpoint " + state->prefix + " is missing or unreadable: " +
                             file.status().message());
    }
    state->shards.push_back(*std::move(file));
  }
  return Status::OK();
}

// Checks a stored (non-partitioned) entry against its shard, without touching tensor bytes.
Status check_stored_entry(const CheckpointReader::State& state, const BundleEntry& e) {
  if (e.shard_id >= state.num_shards) {
    return data_loss_error("shard_id " + std::to_string(e.shard_id) + " but the bundle has " +
                           std::to_string(state.num_shards) + " shards");
  }
  if (e.dtype != DType::kVariant && e.dtype != DType::kResource) {  // those are listed only
    TFPORT_RETURN_IF_ERROR(bundle::check_stored_size(e.dtype, e.shape, e.size));
  }
  const uint64_t shard_size = state.shards[static_cast<size_t>(e.shard_id)]->size();
  if (e.offset > shard_size || e.size > shard_size - e.offset) {
    return data_loss_error("bytes [" + std::to_string(e.offset) + ", +" + std::to_string(e.size) +
                           ") lie beyond the end of data shard " + std::to_string(e.shard_id) + " (" +
                           std::to_string(shard_size) + " bytes)");
  }
  return Status::OK();
}

// Checks a partitioned entry's slices: each stored under its key with matching dtype/shape, and
// together tiling the full shape. Returns the bytes they store.
StatusOr<uint64_t> check_partitioned_entry(const CheckpointReader::State& state, const std::string& key,
                                           const BundleEntry& e, std::unordered_set<std::string>* slice_keys) {
  // Tiling is checked pairwise; real partitioned variables have at most a few hundred parts.
  if (e.slices.size() > kMaxSlices) {
    return data_loss_error("implausibly many slices (" + std::to_string(e.slices.size()) + ")");
  }
  uint64_t bytes = 0;
  for (const bundle::TensorSlice& slice : e.slices) {
    const std::string slice_key = bundle::encode_tensor_name_slice(key, slice);
    auto it = state.entries.find(slice_key);
    if (it == state.entries.end()) {
      return data_loss_error("slice entry '" + bundle::printable_key(slice_key) + "' is missing");
    }
    const BundleEntry& part = it->second;
    const Shape expected = bundle::slice_shape(slice, e.shape);
    if (part.dtype != e.dtype || part.shape != expected || !part.slices.empty()) {
      return data_loss_error("slice entry '" + bundle::printable_key(slice_key) + "' holds " +
                             std::string(dtype_name(part.dtype)) + part.shape.to_string() + ", expected " +
                             std::string(dtype_name(e.dtype)) + expected.to_string());
    }
    slice_keys->insert(slice_key);
    bytes += part.size;
  }
  if (!bundle::slices_tile(e.slices, e.shape)) {
    return data_loss_error("its " + std::to_string(e.slices.size()) + " slices overlap or do not cover shape " +
                           e.shape.to_string());
  }
  return bytes;
}

StatusOr<std::shared_ptr<CheckpointReader::State>> load(const std::string& prefix) {
  auto state = std::make_shared<CheckpointReader::State>();
  state->prefix = prefix;
  const std::string index_path = prefix + ".index";
  TFPORT_ASSIGN_OR_RETURN(auto index_file, MappedFile::open(index_path));
  auto table = bundle::read_table(index_file->view());
  if (!table.ok()) return table.status().with_context(index_path);
  if (table->empty() || !table->front().key.empty()) {
    return data_loss_error(index_path + ": no bundle header (the entry with key \"\" is missing)");
  }
  auto header = bundle::parse_bundle_header(table->front().value);
  if (!header.ok()) return header.status().with_context(index_path);
  state->num_shards = header->num_shards;
  state->big_endian = header->big_endian;
  TFPORT_RETURN_IF_ERROR(map_shards(state.get()));
  for (size_t i = 1; i < table->size(); ++i) {
    auto& [key, value] = (*table)[i];
    auto entry = bundle::parse_bundle_entry(value);
    if (!entry.ok()) {
      return entry.status().with_context(index_path + ": BundleEntryProto of key '" + bundle::printable_key(key) + "'");
    }
    state->entries.emplace(key, *std::move(entry));
  }
  std::unordered_set<std::string> slice_keys;
  std::vector<CheckpointVariable> variables;
  for (size_t i = 1; i < table->size(); ++i) {
    const std::string& key = (*table)[i].key;
    const BundleEntry& e = state->entries.at(key);
    const std::string where = index_path + ": BundleEntryProto of key '" + bundle::printable_key(key) + "'";
    uint64_t bytes = e.size;
    if (e.slices.empty()) {
      Status s = check_stored_entry(*state, e);
      if (!s.ok()) return s.with_context(where);
    } else {
      auto stored = check_partitioned_entry(*state, key, e, &slice_keys);
      if (!stored.ok()) return stored.status().with_context(where);
      bytes = *stored;
    }
    variables.push_back(CheckpointVariable{key, e.dtype, e.shape, bytes, !e.slices.empty()});
  }
  // The table is sorted, so `variables` already is; drop the slice entries from the listing.
  std::erase_if(variables, [&](const CheckpointVariable& v) { return slice_keys.count(v.name) > 0; });
  state->variables = std::move(variables);
  return state;
}

}  // namespace

StatusOr<CheckpointReader> CheckpointReader::open(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(std::string prefix, bundle::resolve_checkpoint_prefix(path));
  TFPORT_ASSIGN_OR_RETURN(std::shared_ptr<State> state, load(prefix));
  return CheckpointReader(std::move(state));
}

}  // namespace tfport
