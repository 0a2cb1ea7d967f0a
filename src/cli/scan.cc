// `tfport scan`: saved_model_cli scan (../shared/spec/saved_model_cli.md §5). Without
// --op_denylist the list is TensorFlow's default {ReadFile, WriteFile, PrintV2} so that the
// output matches saved_model_cli; the broader list the runtime enforces (unsafe_ops(): files,
// network, processes, Python callbacks) is reported in the --json form as "unsafe_ops".
#include <nlohmann/json.hpp>

#include "cli/python_repr.h"
#include "cli/show.h"
#include "formats/graphdef/unsafe_ops.h"
#include "tfport/graph_def.h"
#include "tfport/saved_model.h"

namespace tfport::cli {
namespace {

using nlohmann::json;

// One graph to scan: its label in the output and its GraphDef.
struct ScannedGraph {
  std::string label;  // "MetaGraph with tag set ['serve']" / "GraphDef model.pb"
  std::vector<std::string> tags;
  const tensorflow::GraphDef* graph;
};

std::set<std::string> denylist_from(const std::optional<std::string>& flag) {
  std::set<std::string> ops;
  if (flag) {
    for (auto& op : split_tag_set(*flag)) ops.insert(op);  // same splitting: ',' and no empty items
  }
  // saved_model_cli tests the flag's truthiness, so an empty list means the default one.
  if (ops.empty()) ops = {"ReadFile", "WriteFile", "PrintV2"};
  return ops;
}

}  // namespace

Status run_scan(const ScanOptions& options, std::ostream& out) {
  TFPORT_ASSIGN_OR_RETURN(DetectedModel model, detect_model(options.dir));
  SavedModelFiles saved_model;
  tensorflow::MetaGraphDef meta_graph;
  tensorflow::GraphDef graph;
  std::vector<ScannedGraph> graphs;
  auto tag_label = [](const tensorflow::MetaGraphDef& mg, std::vector<std::string>* tags) {
    tags->assign(mg.meta_info_def().tags().begin(), mg.meta_info_def().tags().end());
    return "MetaGraph with tag set " + python_list_repr(*tags);
  };
  switch (model.format) {
    case ModelFormat::kSavedModel: {
      TFPORT_ASSIGN_OR_RETURN(saved_model, read_saved_model(model.path));
      if (options.tag_set) {
        TFPORT_ASSIGN_OR_RETURN(const tensorflow::MetaGraphDef* mg, find_meta_graph(saved_model.proto, *options.tag_set));
        ScannedGraph g{"", {}, &mg->graph_def()};
        g.label = tag_label(*mg, &g.tags);
        graphs.push_back(std::move(g));
      } else {
        for (const auto& mg : saved_model.proto.meta_graphs()) {
          ScannedGraph g{"", {}, &mg.graph_def()};
          g.label = tag_label(mg, &g.tags);
          graphs.push_back(std::move(g));
        }
      }
      break;
    }
    case ModelFormat::kTf1MetaGraph: {
      TFPORT_ASSIGN_OR_RETURN(meta_graph, read_meta_graph_file(model.path));
      ScannedGraph g{"", {}, &meta_graph.graph_def()};
      g.label = tag_label(meta_graph, &g.tags);
      graphs.push_back(std::move(g));
      break;
    }
    case ModelFormat::kFrozenGraph: {
      TFPORT_ASSIGN_OR_RETURN(graph, read_graph_def(model.path));
      graphs.push_back({"GraphDef " + model.path, {}, &graph});
      break;
    }
    default:
      return failed_precondition_error(model.path + ": a " + std::string(model_format_name(model.format)) +
                                       " has no graph to scan; scan takes a SavedModel, a GraphDef or a .meta file");
  }

  const std::set<std::string> denylist = denylist_from(options.op_denylist);
  json report = json::array();
  for (const auto& g : graphs) {
    std::set<std::string> used = ops_used_by_graph_def(*g.graph);
    std::set<std::string> found;
    for (const auto& op : used) {
      if (denylist.count(op)) found.insert(op);
    }
    if (options.json) {
      json unsafe = json::array();
      for (const auto& op : used) {
        if (is_unsafe_op(op)) unsafe.push_back({{"op", op}, {"reason", unsafe_op_reason(op)}});
      }
      report.push_back({{"tags", g.tags}, {"graph", g.label}, {"denylist", denylist},
                        {"denylisted_ops", found}, {"unsafe_ops", std::move(unsafe)}});
    } else if (!found.empty()) {
      out << g.label << " contains the following denylisted ops: " << python_set_repr(found) << "\n";
    } else {
      out << g.label << " does not contain the default denylisted ops: " << python_set_repr(denylist) << "\n";
    }
  }
  if (options.json) out << json{{"path", model.path}, {"graphs", std::move(report)}}.dump(2) << "\n";
  return Status::OK();
}

}  // namespace tfport::cli
