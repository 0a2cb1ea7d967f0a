// The loader's quick scan of saved_model.pb against the full parse, and the path each tf.keras
// recurrent SavedModel takes (fused kernels by default, the graph's While loops on request).
#include <gtest/gtest.h>

#include <filesystem>
#include <google/protobuf/util/message_differencer.h>

#include "runtime/graph_model.h"
#include "runtime/saved_model_scan.h"
#include "support/test_support.h"
#include "tfport/model.h"
#include "tfport/saved_model.h"

namespace tfport {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::fixture;
using testing::read_all;

constexpr char kStockLstm[] = "realworld/stock-lstm-savedmodel/model";

bool graph_loops(const tensorflow::MetaGraphDef& mg) {
  auto loop = [](const std::string& op) { return op == "While" || op == "StatelessWhile" || op == "Enter"; };
  for (const auto& n : mg.graph_def().node()) {
    if (loop(n.op())) return true;
  }
  for (const auto& f : mg.graph_def().library().function()) {
    for (const auto& n : f.node_def()) {
      if (loop(n.op())) return true;
    }
  }
  return false;
}

TEST(SavedModelScan, AgreesWithTheFullParseOnEveryFixture) {
  int count = 0, looping = 0;
  for (const char* root : {"tfserving", "realworld"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(fixture(root))) {
      if (entry.path().filename() != "saved_model.pb") continue;
      const std::string dir = entry.path().parent_path().string();
      auto full = read_saved_model(dir);
      ASSERT_TRUE(full.ok()) << dir << ": " << full.status();
      auto scanned = runtime::scan_saved_model(read_all(entry.path().string()));
      ASSERT_TRUE(scanned.has_value()) << dir;
      ASSERT_EQ(static_cast<int>(scanned->size()), full->proto.meta_graphs_size()) << dir;
      for (size_t i = 0; i < scanned->size(); ++i) {
        const auto& want = full->proto.meta_graphs(static_cast<int>(i));
        const auto& got = (*scanned)[i];
        EXPECT_EQ(got.has_loops, graph_loops(want)) << dir;
        looping += got.has_loops ? 1 : 0;
        tensorflow::MetaGraphDef expected;
        *expected.mutable_meta_info_def()->mutable_tags() = want.meta_info_def().tags();
        *expected.mutable_signature_def() = want.signature_def();
        EXPECT_TRUE(MessageDifferencer::Equals(got.meta, expected)) << dir;
      }
      ++count;
    }
  }
  EXPECT_GE(count, 17);
  EXPECT_GE(looping, 1);
}

TEST(SavedModelScan, RefusesBrokenWireData) {
  const std::string bytes = read_all(fixture(std::string(kStockLstm) + "/saved_model.pb"));
  auto whole = runtime::scan_saved_model(bytes);
  ASSERT_TRUE(whole.has_value());
  ASSERT_EQ(whole->size(), 1u);
  EXPECT_TRUE((*whole)[0].has_loops);
  EXPECT_EQ((*whole)[0].meta.signature_def().count("serving_default"), 1u);
  EXPECT_FALSE(runtime::scan_saved_model(bytes.substr(0, bytes.size() / 2)).has_value());
  EXPECT_FALSE(runtime::scan_saved_model("").has_value());
  EXPECT_FALSE(runtime::scan_saved_model(std::string("\x12\xff\xff\xff\x0f", 5)).has_value());
}

int count_ops(const Model& m, const std::string& op) {
  const auto* g = dynamic_cast<const runtime::GraphModel*>(&m);
  if (!g) return -1;
  int n = 0;
  for (int id = 0; id < g->graph().num_nodes(); ++id) n += g->graph().node(id).op == op ? 1 : 0;
  return n;
}

TEST(SavedModelScan, KerasRecurrentSavedModelTakesTheFusedPathUnlessTurnedOff) {
  auto fused = Model::load(fixture(kStockLstm));
  ASSERT_TRUE(fused.ok()) << fused.status();
  EXPECT_EQ(count_ops(**fused, "_TfportKerasRNN"), 4);
  EXPECT_EQ(count_ops(**fused, "While") + count_ops(**fused, "StatelessWhile"), 0);

  LoadOptions graph_only;
  graph_only.fuse_keras_recurrent_layers = false;
  auto graph = Model::load(fixture(kStockLstm), graph_only);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_EQ(count_ops(**graph, "_TfportKerasRNN"), 0);
  EXPECT_GE(count_ops(**graph, "While") + count_ops(**graph, "StatelessWhile"), 4);

  // An explicit tag set goes the fused way too; a wrong one fails as the full reader says.
  LoadOptions serve;
  serve.tag_set = "serve";
  auto tagged = Model::load(fixture(kStockLstm), serve);
  ASSERT_TRUE(tagged.ok()) << tagged.status();
  EXPECT_EQ(count_ops(**tagged, "_TfportKerasRNN"), 4);
  LoadOptions gpu;
  gpu.tag_set = "serve,gpu";
  auto missing = Model::load(fixture(kStockLstm), gpu);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("could not be found"), std::string::npos) << missing.status();
}

}  // namespace
}  // namespace tfport
