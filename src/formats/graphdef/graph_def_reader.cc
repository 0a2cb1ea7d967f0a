// Reading frozen GraphDefs and TF1 .meta files.
#include "core/file.h"
#include "formats/savedmodel/proto_parse.h"
#include "tfport/graph_def.h"

namespace tfport {
namespace {

constexpr uint64_t kMaxFileBytes = uint64_t{1} << 31;

bool has_suffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Text when asked for, or when the bytes look like text; binary otherwise. Like TF's reader,
// text that fails to parse is reported as text, binary that fails as binary.
Status parse_binary_or_text(std::string_view bytes, const std::string& path, bool text,
                            google::protobuf::Message* message) {
  if (text || looks_like_text_proto(bytes)) return parse_text_proto(bytes, path, message);
  return parse_binary_proto(bytes, path, message);
}

}  // namespace

StatusOr<tensorflow::GraphDef> parse_graph_def(std::string_view bytes, const std::string& path, bool text) {
  tensorflow::GraphDef graph;
  TFPORT_RETURN_IF_ERROR(parse_binary_or_text(bytes, path, text, &graph));
  if (graph.node_size() == 0) {
    return data_loss_error("Cannot parse file " + path + ": the GraphDef has no nodes.");
  }
  return graph;
}

StatusOr<tensorflow::GraphDef> read_graph_def(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(std::string bytes, read_file(path, kMaxFileBytes));
  return parse_graph_def(bytes, path, has_suffix(path, ".pbtxt"));
}

StatusOr<tensorflow::MetaGraphDef> read_meta_graph_file(const std::string& path) {
  TFPORT_ASSIGN_OR_RETURN(std::string bytes, read_file(path, kMaxFileBytes));
  tensorflow::MetaGraphDef meta_graph;
  TFPORT_RETURN_IF_ERROR(parse_binary_or_text(bytes, path, false, &meta_graph));
  if (meta_graph.graph_def().node_size() == 0) {
    return data_loss_error("Cannot parse file " + path + ": the MetaGraphDef has no graph nodes.");
  }
  return meta_graph;
}

}  // namespace tfport
