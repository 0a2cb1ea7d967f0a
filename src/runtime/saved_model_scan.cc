// The wire format walked field by field (../shared/spec/savedmodel.md; field numbers as in
// proto/tfport/tf): every field the scan does not need is skipped by its length.
#include "runtime/saved_model_scan.h"

#include <climits>
#include <cstdint>
#include <string>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace tfport::runtime {
namespace {

using google::protobuf::io::CodedInputStream;
using WireFormat = google::protobuf::internal::WireFormatLite;

enum class Field { kBad, kSkipped, kRead };

// Walks the message that ends at the stream's current limit. Each length-delimited field is
// offered to on_field(number, in) with the limit set to the field's end; a field it does not
// read to the end (Field::kSkipped) is skipped. Other wire types are skipped.
template <typename OnField>
bool walk(CodedInputStream& in, OnField&& on_field) {
  for (;;) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return in.ConsumedEntireMessage();
    if (WireFormat::GetTagWireType(tag) != WireFormat::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormat::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t len = 0;
    if (!in.ReadVarint32(&len) || len > static_cast<uint32_t>(in.BytesUntilLimit())) return false;
    const auto limit = in.PushLimit(static_cast<int>(len));
    const Field f = on_field(WireFormat::GetTagFieldNumber(tag), in);
    if (f == Field::kBad) return false;
    if (in.BytesUntilLimit() > 0 && !in.Skip(in.BytesUntilLimit())) return false;
    in.PopLimit(limit);
  }
}

bool read_rest(CodedInputStream& in, std::string* out) { return in.ReadString(out, in.BytesUntilLimit()); }

bool is_loop_op(const std::string& op) { return op == "While" || op == "StatelessWhile" || op == "Enter"; }

// NodeDef.op (2).
Field node_loops(CodedInputStream& in, bool* loops) {
  bool ok = walk(in, [&](int number, CodedInputStream& s) {
    if (number != 2) return Field::kSkipped;
    std::string op;
    if (!read_rest(s, &op)) return Field::kBad;
    *loops = *loops || is_loop_op(op);
    return Field::kRead;
  });
  return ok ? Field::kRead : Field::kBad;
}

// GraphDef.node (1), GraphDef.library (2) -> FunctionDefLibrary.function (1) ->
// FunctionDef.node_def (3).
Field graph_loops(CodedInputStream& in, bool* loops) {
  auto function = [&](int number, CodedInputStream& s) {
    return number == 3 && !*loops ? node_loops(s, loops) : Field::kSkipped;
  };
  auto library = [&](int number, CodedInputStream& s) {
    if (number != 1 || *loops) return Field::kSkipped;
    return walk(s, function) ? Field::kRead : Field::kBad;
  };
  bool ok = walk(in, [&](int number, CodedInputStream& s) {
    if (*loops) return Field::kSkipped;
    if (number == 1) return node_loops(s, loops);
    if (number == 2) return walk(s, library) ? Field::kRead : Field::kBad;
    return Field::kSkipped;
  });
  return ok ? Field::kRead : Field::kBad;
}

// A map<string, SignatureDef> entry: key (1), value (2).
Field signature_entry(CodedInputStream& in, tensorflow::MetaGraphDef* meta) {
  std::string key, value;
  bool ok = walk(in, [&](int number, CodedInputStream& s) {
    if (number == 1) return read_rest(s, &key) ? Field::kRead : Field::kBad;
    if (number == 2) return read_rest(s, &value) ? Field::kRead : Field::kBad;
    return Field::kSkipped;
  });
  tensorflow::SignatureDef sig;
  if (!ok || !sig.ParseFromString(value)) return Field::kBad;
  (*meta->mutable_signature_def())[key] = std::move(sig);
  return Field::kRead;
}

// MetaGraphDef: meta_info_def (1) -> tags (4); graph_def (2); signature_def (5).
Field meta_graph(CodedInputStream& in, ScannedMetaGraph* out) {
  auto info = [&](int number, CodedInputStream& s) {
    if (number != 4) return Field::kSkipped;
    return read_rest(s, out->meta.mutable_meta_info_def()->add_tags()) ? Field::kRead : Field::kBad;
  };
  bool ok = walk(in, [&](int number, CodedInputStream& s) {
    if (number == 1) return walk(s, info) ? Field::kRead : Field::kBad;
    if (number == 2) return graph_loops(s, &out->has_loops);
    if (number == 5) return signature_entry(s, &out->meta);
    return Field::kSkipped;
  });
  return ok ? Field::kRead : Field::kBad;
}

}  // namespace

std::optional<std::vector<ScannedMetaGraph>> scan_saved_model(std::string_view bytes) {
  if (bytes.empty() || bytes.size() > static_cast<size_t>(INT_MAX)) return std::nullopt;
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  in.SetRecursionLimit(64);
  in.PushLimit(static_cast<int>(bytes.size()));
  std::vector<ScannedMetaGraph> graphs;
  bool ok = walk(in, [&](int number, CodedInputStream& s) {
    if (number != 2) return Field::kSkipped;
    return meta_graph(s, &graphs.emplace_back());
  });
  if (!ok || graphs.empty()) return std::nullopt;
  return graphs;
}

}  // namespace tfport::runtime
