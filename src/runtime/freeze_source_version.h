// The GraphDef version (versions.producer) of the graph a model path holds, for exporters
// that must keep it: TensorFlow checks ops against it when importing.
#pragma once

#include <optional>
#include <string>

namespace tfport::runtime {

// 0 when the path holds no graph or cannot be read.
int source_graph_producer(const std::string& path, const std::optional<std::string>& tag_set);

}  // namespace tfport::runtime
