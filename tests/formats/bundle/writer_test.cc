// CheckpointWriter on hand-made tensors: the spec's byte examples, every dtype, partitioned
// variables, the object graph, the state file, and refusing bad input.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/crc32c.h"
#include "core/staged_file.h"
#include "formats/bundle/table.h"
#include "support/test_support.h"
#include "tfport/checkpoint.h"
#include "tfport/checkpoint_writer.h"
#include "tfport/tf/tensor_bundle.pb.h"

namespace tfport {
namespace {

using tfport::testing::read_all;
using tfport::testing::TempDir;

Tensor floats(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(DType::kFloat, std::move(shape), v); }

TEST(CheckpointWriter, SpecExampleOneFloatVector) {
  // tensor_bundle.md §3.7: v = [1.0, 2.0] -> an 8-byte data file and a 121-byte index.
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("P"));
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->add("v", floats(Shape{2}, {1.0f, 2.0f})).ok());
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(read_all(dir.file("P.data-00000-of-00001")), std::string("\x00\x00\x80\x3f\x00\x00\x00\x40", 8));
  const std::string index = read_all(dir.file("P.index"));
  ASSERT_EQ(index.size(), 121u);
  // Header entry bytes, the empty metaindex block with its constant trailer, index key "w", magic.
  EXPECT_EQ(index.substr(0, 12), std::string("\x00\x00\x06\x08\x01\x1a\x02\x08\x01\x00\x01\x0f", 12));
  EXPECT_EQ(index.substr(41, 13), std::string("\x00\x00\x00\x00\x01\x00\x00\x00\x00\xc0\xf2\xa1\xb0", 13));
  EXPECT_EQ(index.substr(index.size() - 8), std::string("\x57\xfb\x80\x8b\x24\x75\x47\xdb", 8));
  auto table = bundle::read_table(index);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->size(), 2u);
  tensorflow::BundleEntryProto e;
  ASSERT_TRUE(e.ParseFromString((*table)[1].value));
  EXPECT_EQ(e.size(), 8);
  EXPECT_EQ(e.crc32c(), crc32c::mask(crc32c::value("\x00\x00\x80\x3f\x00\x00\x00\x40", 8)));
}

TEST(CheckpointWriter, StringLayoutMatchesSpec) {
  // tensor_bundle.md §5.2: ["abc", "de"] -> 03 02 | EE BA 48 CF | abcde, crc 0xC28FAD4E.
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("P"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->add("s", *Tensor::from_strings(Shape{2}, {"abc", "de"})).ok());
  ASSERT_TRUE(w->add("empty", *Tensor::from_strings(Shape{0}, {})).ok());
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(read_all(dir.file("P.data-00000-of-00001")),
            std::string("\x03\x02\xee\xba\x48\xcf" "abcde" "\xd8\xea\x82\xa2", 15));
  auto table = bundle::read_table(read_all(dir.file("P.index")));
  ASSERT_TRUE(table.ok());
  tensorflow::BundleEntryProto e;
  ASSERT_TRUE(e.ParseFromString(table->back().value));  // "s" sorts after "empty"
  EXPECT_EQ(e.crc32c(), 0xC28FAD4Eu);
  auto r = CheckpointReader::open(dir.file("P"));
  ASSERT_TRUE(r.ok()) << r.status();
  auto s = r->read("s");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->strings(), (std::vector<std::string>{"abc", "de"}));
  EXPECT_EQ(r->read("empty")->num_elements(), 0);
}

TEST(CheckpointWriter, EveryFixedSizeDtypeRoundTrips) {
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("all"));
  ASSERT_TRUE(w.ok());
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (int v = 1; v <= kDTypeMaxValue; ++v) {
    const auto dtype = static_cast<DType>(v);
    if (!is_fixed_size(dtype)) continue;
    auto t = Tensor::allocate(dtype, Shape{2, 3});
    ASSERT_TRUE(t.ok());
    auto* bytes = static_cast<unsigned char*>(t->mutable_raw_data());
    for (size_t i = 0; i < t->byte_size(); ++i) bytes[i] = static_cast<unsigned char>(dtype == DType::kBool ? i % 2 : i * 7 + 1);
    tensors.emplace_back(std::string(dtype_name(dtype)), *t);
    ASSERT_TRUE(w->add(tensors.back().first, *t).ok()) << dtype_name(dtype);
  }
  ASSERT_TRUE(w->add("scalar", floats(Shape{}, {0.5f})).ok());
  ASSERT_TRUE(w->finish().ok());
  auto r = CheckpointReader::open(dir.file("all"));
  ASSERT_TRUE(r.ok()) << r.status();
  for (const auto& [key, t] : tensors) {
    auto back = r->read(key);
    ASSERT_TRUE(back.ok()) << key << ": " << back.status();
    EXPECT_TRUE(back->equals(t)) << key;
  }
  EXPECT_EQ(r->read("scalar")->data<float>()[0], 0.5f);
}

TEST(CheckpointWriter, PartitionedVariableAndObjectGraph) {
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("p"));
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->add_slice("w", Shape{4, 2}, {0, 0}, {2, -1}, floats(Shape{2, 2}, {1, 2, 3, 4})).ok());
  ASSERT_TRUE(w->add_slice("w", Shape{4, 2}, {2, 0}, {2, -1}, floats(Shape{2, 2}, {5, 6, 7, 8})).ok());
  EXPECT_EQ(w->add_slice("w", Shape{4, 2}, {0, 0}, {3, -1}, floats(Shape{2, 2}, {1, 2, 3, 4})).code(),
            StatusCode::kInvalidArgument);
  tensorflow::TrackableObjectGraph graph;
  auto* root = graph.add_nodes();
  auto* child = root->add_children();
  child->set_node_id(1);
  child->set_local_name("w");
  graph.add_nodes()->add_attributes()->set_checkpoint_key("w");
  ASSERT_TRUE(w->add_object_graph(graph).ok());
  ASSERT_TRUE(w->finish().ok());
  auto r = CheckpointReader::open(dir.file("p"));
  ASSERT_TRUE(r.ok()) << r.status();
  auto whole = r->read("w");
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_TRUE(whole->equals(floats(Shape{4, 2}, {1, 2, 3, 4, 5, 6, 7, 8})));
  auto g = r->object_graph();
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->SerializeAsString(), graph.SerializeAsString());
}

TEST(CheckpointWriter, ManyBlocksAndShards) {
  TempDir dir;
  CheckpointWriterOptions options;
  options.num_shards = 3;
  uint64_t last_done = 0;
  options.progress = [&](uint64_t done, uint64_t) { last_done = done; };
  auto w = CheckpointWriter::create(dir.file("big"), options);
  ASSERT_TRUE(w.ok());
  // Long keys push the index past one 256 KiB block.
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i) {
    keys.push_back("layer_" + std::to_string(i) + "/" + std::string(100, 'k'));
    ASSERT_TRUE(w->add(keys.back(), floats(Shape{1}, {static_cast<float>(i)}), i % 3).ok());
  }
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(last_done, 3000u * 4);
  auto r = CheckpointReader::open(dir.file("big"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->num_shards(), 3);
  for (int i = 0; i < 3000; i += 97) EXPECT_EQ(r->read(keys[static_cast<size_t>(i)])->data<float>()[0], static_cast<float>(i));
}

TEST(CheckpointWriter, RefusesBadInput) {
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("x"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->add("", floats(Shape{}, {1})).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->add("a", floats(Shape{}, {1})).ok());
  Status dup = w->add("a", floats(Shape{}, {1}));
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dup.message().find("duplicate key: a"), std::string::npos) << dup;
  EXPECT_EQ(w->add("r", Tensor::resource_handle("v")).code(), StatusCode::kUnimplemented);
  EXPECT_EQ(w->add("b", floats(Shape{}, {1}), 1).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(w->finish().code(), StatusCode::kFailedPrecondition);

  // The prefix's directory is created as TF's BundleWriter does; a file in the way fails.
  auto nested = CheckpointWriter::create(dir.file("new/dir/ckpt"));
  ASSERT_TRUE(nested.ok()) << nested.status();
  ASSERT_TRUE(nested->add("a", floats(Shape{}, {1})).ok());
  ASSERT_TRUE(nested->finish().ok());
  tfport::testing::write_all(dir.file("file"), "x");
  auto blocked = CheckpointWriter::create(dir.file("file/ckpt"));
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.status().message().find("file/ckpt"), std::string::npos) << blocked.status();
}

TEST(CheckpointWriter, AbandonedWriteLeavesNothing) {
  TempDir dir;
  {
    auto w = CheckpointWriter::create(dir.file("gone"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->add("a", floats(Shape{}, {1})).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(CheckpointState, WritesWhatTheReaderReads) {
  TempDir dir;
  CheckpointState state;
  state.model_checkpoint_path = dir.file("ckpt-2");
  state.all_model_checkpoint_paths = {dir.file("ckpt-1")};
  state.all_model_checkpoint_timestamps = {1700000000.5, 1700000060.25};
  ASSERT_TRUE(write_checkpoint_state(dir.path(), state).ok());
  const std::string text = read_all(dir.file("checkpoint"));
  EXPECT_EQ(text.substr(0, text.find('\n')), "model_checkpoint_path: \"ckpt-2\"");
  auto back = read_checkpoint_state(dir.path());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->model_checkpoint_path, dir.file("ckpt-2"));
  EXPECT_EQ(back->all_model_checkpoint_paths, (std::vector<std::string>{dir.file("ckpt-1"), dir.file("ckpt-2")}));
  EXPECT_EQ(back->all_model_checkpoint_timestamps.size(), 2u);
}

}  // namespace
}  // namespace tfport

namespace tfport {
namespace {

TEST(ObjectGraphForKeys, MatchesTheFixtureCheckpoint) {
  // The TF 2.2 checkpoint's own graph and the one rebuilt from its keys lead to the same keys.
  auto r = CheckpointReader::open(tfport::testing::fixture("checkpoints/lso_ckpt_tf2.2"));
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> keys;
  for (const auto& v : r->variables()) keys.push_back(v.name);
  const auto built = object_graph_for_keys(keys);
  auto walk = [](const tensorflow::TrackableObjectGraph& g, const std::vector<std::string>& path) {
    int node = 0;
    for (const std::string& part : path) {
      int next = -1;
      for (const auto& c : g.nodes(node).children()) {
        if (c.local_name() == part) next = c.node_id();
      }
      if (next < 0) return std::string("<missing " + part + ">");
      node = next;
    }
    for (const auto& a : g.nodes(node).attributes()) {
      if (a.name() == "VARIABLE_VALUE") return a.checkpoint_key();
    }
    return std::string("<no attribute>");
  };
  const std::vector<std::string> kernel = {"layer_with_weights-0", "kernel"};
  EXPECT_EQ(walk(built, kernel), "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(walk(*r->object_graph(), kernel), walk(built, kernel));
  TempDir dir;
  auto w = CheckpointWriter::create(dir.file("ckpt-1"));
  ASSERT_TRUE(w.ok());
  for (const std::string& k : keys) {
    if (k != kObjectGraphKey) {
      ASSERT_TRUE(w->add(k, *r->read(k)).ok()) << k;
    }
  }
  ASSERT_TRUE(w->add_object_graph(built).ok());
  ASSERT_TRUE(w->finish().ok());
  auto back = CheckpointReader::open(dir.file("ckpt-1"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(walk(*back->object_graph(), {"optimizer", "base_optimizer", "iter"}),
            "optimizer/base_optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE");
  EXPECT_EQ(object_graph_for_keys({"a"}).nodes(1).attributes(0).checkpoint_key(), "a");
  EXPECT_EQ(object_graph_for_keys({"x.Sy/.ATTRIBUTES/VARIABLE_VALUE"}).nodes(1).attributes(0).full_name(), "x/y");
}

}  // namespace
}  // namespace tfport
