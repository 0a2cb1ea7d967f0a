#include "formats/bundle/bundle_entry.h"

#include <algorithm>

#include "tfport/tf/tensor_bundle.pb.h"

namespace tfport::bundle {
namespace {

constexpr int kBundleVersion = 1;  // TF's kTensorBundleVersion, which this reader implements

}  // namespace

StatusOr<BundleHeader> parse_bundle_header(std::string_view bytes) {
  tensorflow::BundleHeaderProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return data_loss_error("unable to parse the bundle header (key \"\")");
  }
  if (proto.num_shards() < 1) {
    return data_loss_error("bundle header: invalid num_shards " + std::to_string(proto.num_shards()));
  }
  if (proto.endianness() != tensorflow::BundleHeaderProto::LITTLE &&
      proto.endianness() != tensorflow::BundleHeaderProto::BIG) {
    return data_loss_error("bundle header: unknown endianness " + std::to_string(proto.endianness()));
  }
  const auto& v = proto.version();
  if (v.min_consumer() > kBundleVersion) {
    return failed_precondition_error("checkpoint needs a reader of bundle version >= " +
                                     std::to_string(v.min_consumer()) + " (written by producer version " +
                                     std::to_string(v.producer()) + "); tfport implements version " +
                                     std::to_string(kBundleVersion));
  }
  if (std::find(v.bad_consumers().begin(), v.bad_consumers().end(), kBundleVersion) != v.bad_consumers().end()) {
    return failed_precondition_error("checkpoint disallows readers of bundle version " +
                                     std::to_string(kBundleVersion));
  }
  BundleHeader h;
  h.num_shards = proto.num_shards();
  h.big_endian = proto.endianness() == tensorflow::BundleHeaderProto::BIG;
  return h;
}

StatusOr<BundleEntry> parse_bundle_entry(std::string_view bytes) {
  tensorflow::BundleEntryProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return data_loss_error("not a valid BundleEntryProto");
  }
  BundleEntry e;
  const int dtype = static_cast<int>(proto.dtype());
  if (dtype <= 0 || dtype > kDTypeMaxValue || !dtype_enum_name(dtype).has_value()) {
    return data_loss_error("unknown dtype " + std::to_string(dtype));
  }
  e.dtype = static_cast<DType>(dtype);
  if (proto.shape().unknown_rank()) return data_loss_error("invalid tensor shape: unknown rank");
  std::vector<int64_t> dims;
  for (const auto& d : proto.shape().dim()) dims.push_back(d.size());
  auto shape = Shape::make(dims);
  if (!shape.ok()) return data_loss_error("invalid tensor shape: " + shape.status().message());
  e.shape = *std::move(shape);
  if (proto.shard_id() < 0 || proto.offset() < 0 || proto.size() < 0) {
    return data_loss_error("negative shard_id, offset or size (" + std::to_string(proto.shard_id()) + ", " +
                           std::to_string(proto.offset()) + ", " + std::to_string(proto.size()) + ")");
  }
  e.shard_id = proto.shard_id();
  e.offset = static_cast<uint64_t>(proto.offset());
  e.size = static_cast<uint64_t>(proto.size());
  e.masked_crc = proto.crc32c();
  for (int i = 0; i < proto.slices_size(); ++i) {
    auto slice = slice_from_proto(proto.slices(i), e.shape);
    if (!slice.ok()) return slice.status().with_context("slice " + std::to_string(i));
    e.slices.push_back(*std::move(slice));
  }
  return e;
}

}  // namespace tfport::bundle
