// rewrite_checkpoint: a checkpoint copied tensor by tensor through CheckpointWriter, keeping
// each tensor's shard and its position in the data file, so that TF-written checkpoints come
// out byte for byte identical (the round-trip test of the writer).
#include <algorithm>
#include <map>

#include "core/file.h"
#include "formats/bundle/bundle_entry.h"
#include "formats/bundle/slices.h"
#include "formats/bundle/table.h"
#include "tfport/checkpoint_writer.h"

namespace tfport {
namespace {

struct Stored {
  std::string key;
  bundle::BundleEntry entry;
};

}  // namespace

Status rewrite_checkpoint(const CheckpointReader& reader, const std::string& prefix,
                          const CheckpointWriterOptions& options) {
  const std::string index_path = reader.prefix() + ".index";
  TFPORT_ASSIGN_OR_RETURN(std::string index_bytes, read_file(index_path));
  auto table = bundle::read_table(index_bytes);
  if (!table.ok()) return table.status().with_context(index_path);
  std::vector<Stored> stored;
  std::map<std::string, Shape> full_shapes;
  for (const bundle::TableEntry& e : *table) {
    if (e.key.empty()) continue;
    auto entry = bundle::parse_bundle_entry(e.value);
    if (!entry.ok()) return entry.status().with_context(index_path + ": entry '" + e.key + "'");
    if (!entry->slices.empty()) {
      full_shapes[e.key] = entry->shape;  // written again by the writer from its slices
      continue;
    }
    stored.push_back({e.key, std::move(*entry)});
  }
  // Data files keep TF's layout: per shard, tensors in the order they were written.
  std::stable_sort(stored.begin(), stored.end(), [](const Stored& a, const Stored& b) {
    return a.entry.shard_id != b.entry.shard_id ? a.entry.shard_id < b.entry.shard_id : a.entry.offset < b.entry.offset;
  });
  CheckpointWriterOptions opts = options;
  opts.num_shards = reader.num_shards();
  if (opts.expected_bytes == 0) {
    for (const Stored& s : stored) opts.expected_bytes += s.entry.size;
  }
  TFPORT_ASSIGN_OR_RETURN(CheckpointWriter writer, CheckpointWriter::create(prefix, opts));
  for (const Stored& s : stored) {
    if (s.entry.dtype == DType::kVariant) {
      TFPORT_ASSIGN_OR_RETURN(auto elements, reader.read_variant(s.key));
      TFPORT_RETURN_IF_ERROR(writer.add_variant(s.key, s.entry.shape, elements, s.entry.shard_id));
      continue;
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor value, reader.read(s.key));
    std::string name;
    bundle::TensorSlice slice;
    if (bundle::decode_tensor_name_slice(s.key, &name, &slice) && full_shapes.count(name) != 0) {
      std::vector<int64_t> starts, lengths;
      for (const bundle::SliceExtent& x : slice) {
        starts.push_back(x.start);
        lengths.push_back(x.length);
      }
      TFPORT_RETURN_IF_ERROR(writer.add_slice(name, full_shapes[name], starts, lengths, value, s.entry.shard_id));
      continue;
    }
    TFPORT_RETURN_IF_ERROR(writer.add(s.key, value, s.entry.shard_id));
  }
  return writer.finish();
}

}  // namespace tfport
