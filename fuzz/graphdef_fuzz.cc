// libFuzzer target: GraphDef bytes (binary or text, sniffed like a .pb file) through the reader
// and the graph analysis helpers.
#include <cstddef>
#include <cstdint>

#include "tfport/graph_def.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto graph = tfport::parse_graph_def(bytes, "fuzz/graph.pb", false);
  if (!graph.ok()) return 0;
  (void)tfport::graph_placeholders(*graph);
  (void)tfport::likely_outputs(*graph);
  (void)tfport::op_histogram(*graph);
  (void)tfport::ops_used_by_graph_def(*graph);
  return 0;
}
