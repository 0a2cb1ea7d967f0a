#include "runtime/freeze_source_version.h"

#include "tfport/formats.h"
#include "tfport/graph_def.h"
#include "tfport/saved_model.h"

namespace tfport::runtime {

// The GraphDef version of the source: TF checks ops against it (an op deprecated after the
// producer's version is still accepted), so the frozen graph keeps it. Keras models are
// lowered to current ops; they get the version of a TF 2.9-era graph.
int source_graph_producer(const std::string& path, const std::optional<std::string>& tag_set) {
  constexpr int kLoweredKerasProducer = 1087;
  auto m = detect_model(path);
  if (!m.ok()) return 0;
  switch (m->format) {
    case ModelFormat::kSavedModel: {
      auto files = read_saved_model(m->path);
      if (!files.ok()) return 0;
      if (!tag_set && files->proto.meta_graphs_size() == 1) return files->proto.meta_graphs(0).graph_def().versions().producer();
      auto mg = find_meta_graph(files->proto, tag_set.value_or("serve"));
      return mg.ok() ? (*mg)->graph_def().versions().producer() : 0;
    }
    case ModelFormat::kTf1MetaGraph: {
      auto mg = read_meta_graph_file(m->path);
      return mg.ok() ? mg->graph_def().versions().producer() : 0;
    }
    case ModelFormat::kFrozenGraph: {
      auto g = read_graph_def(m->path);
      return g.ok() ? g->versions().producer() : 0;
    }
    case ModelFormat::kKerasH5:
    case ModelFormat::kKerasV3:
      return kLoweredKerasProducer;
    case ModelFormat::kCheckpoint:
      return 0;
  }
  return 0;
}

}  // namespace tfport::runtime
