// `tfport show` for checkpoints: the listing of tf.train.list_variables (every variable with
// dtype and shape, sorted by name) plus element counts, stored bytes and totals.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/show.h"
#include "formats/bundle/printable_key.h"
#include "tfport/checkpoint.h"

namespace tfport::cli {
namespace {

// Parameters are the elements of numeric tensors; strings (the object graph included),
// variants and resources hold no weights.
bool counts_as_parameters(DType dtype) {
  return dtype != DType::kString && dtype != DType::kVariant && dtype != DType::kResource;
}

struct Totals {
  uint64_t variables = 0;
  uint64_t parameters = 0;
  uint64_t bytes = 0;
};

Totals totals_of(const CheckpointReader& reader) {
  Totals t;
  for (const CheckpointVariable& v : reader.variables()) {
    ++t.variables;
    if (counts_as_parameters(v.dtype)) t.parameters += static_cast<uint64_t>(v.shape.num_elements());
    t.bytes += v.byte_size;
  }
  return t;
}

std::string shards_text(int n) { return std::to_string(n) + (n == 1 ? " data shard" : " data shards"); }

void print_text(const CheckpointReader& reader, std::ostream& out) {
  struct Row {
    std::string name, dtype, shape, elements, bytes;
  };
  std::vector<Row> rows;
  rows.push_back({"Variable", "DType", "Shape", "Elements", "Bytes"});
  for (const CheckpointVariable& v : reader.variables()) {
    std::string dtype(dtype_name(v.dtype));
    if (v.partitioned) dtype += " (partitioned)";
    rows.push_back({bundle::printable_key(v.name), dtype, v.shape.to_string(), std::to_string(v.shape.num_elements()),
                    std::to_string(v.byte_size)});
  }
  size_t w[5] = {0, 0, 0, 0, 0};
  for (const Row& r : rows) {
    w[0] = std::max(w[0], r.name.size());
    w[1] = std::max(w[1], r.dtype.size());
    w[2] = std::max(w[2], r.shape.size());
    w[3] = std::max(w[3], r.elements.size());
    w[4] = std::max(w[4], r.bytes.size());
  }
  auto pad_right = [](const std::string& s, size_t width) { return s + std::string(width - s.size(), ' '); };
  auto pad_left = [](const std::string& s, size_t width) { return std::string(width - s.size(), ' ') + s; };
  out << "Checkpoint: " << reader.prefix() << " (" << shards_text(reader.num_shards()) << ")\n\n";
  for (const Row& r : rows) {
    out << pad_right(r.name, w[0]) << "  " << pad_right(r.dtype, w[1]) << "  " << pad_right(r.shape, w[2]) << "  "
        << pad_left(r.elements, w[3]) << "  " << pad_left(r.bytes, w[4]) << "\n";
  }
  const Totals t = totals_of(reader);
  out << "\nTotal: " << t.variables << (t.variables == 1 ? " variable, " : " variables, ") << t.parameters
      << (t.parameters == 1 ? " parameter, " : " parameters, ") << t.bytes << " bytes\n";
}

void print_json(const CheckpointReader& reader, std::ostream& out) {
  using nlohmann::ordered_json;
  ordered_json variables = ordered_json::array();
  for (const CheckpointVariable& v : reader.variables()) {
    ordered_json entry = {{"name", v.name},
                          {"dtype", dtype_name(v.dtype)},
                          {"shape", v.shape.dims()},
                          {"num_elements", v.shape.num_elements()},
                          {"bytes", v.byte_size}};
    if (v.partitioned) entry["partitioned"] = true;
    variables.push_back(std::move(entry));
  }
  const Totals t = totals_of(reader);
  ordered_json doc = {{"format", "checkpoint"},
                      {"prefix", reader.prefix()},
                      {"num_shards", reader.num_shards()},
                      {"variables", std::move(variables)},
                      {"total_variables", t.variables},
                      {"total_parameters", t.parameters},
                      {"total_bytes", t.bytes}};
  // Keys may be arbitrary bytes (slice keys); replace invalid UTF-8 rather than fail.
  out << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

Status show_checkpoint(const DetectedModel& model, const ShowOptions& options, std::ostream& out) {
  const std::string& path = model.checkpoint_prefix.empty() ? model.path : model.checkpoint_prefix;
  TFPORT_ASSIGN_OR_RETURN(CheckpointReader reader, CheckpointReader::open(path));
  if (options.json) {
    print_json(reader, out);
  } else {
    print_text(reader, out);
  }
  return Status::OK();
}

}  // namespace tfport::cli
