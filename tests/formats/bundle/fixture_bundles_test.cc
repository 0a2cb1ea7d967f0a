// Every tensor bundle under the fixtures opens and every variable reads, found by walking the
// tree so that fixtures added later are covered without code changes.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"
#include "tfport/checkpoint.h"

namespace tfport {
namespace {

std::vector<std::string> fixture_prefixes() {
  std::vector<std::string> prefixes;
  const std::filesystem::path root = tfport::testing::fixtures_dir();
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && p.size() > 6 && p.ends_with(".index") && p.find("/invalid/") == std::string::npos) {
      prefixes.push_back(p.substr(0, p.size() - 6));
    }
  }
  std::sort(prefixes.begin(), prefixes.end());
  return prefixes;
}

TEST(FixtureBundles, EveryVariableOfEveryBundleReads) {
  const auto prefixes = fixture_prefixes();
  ASSERT_GE(prefixes.size(), 15u);  // tfserving + realworld + checkpoints
  for (const std::string& prefix : prefixes) {
    SCOPED_TRACE(prefix);
    auto r = CheckpointReader::open(prefix);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->variables().empty());
    for (const CheckpointVariable& v : r->variables()) {
      if (v.dtype == DType::kVariant || v.dtype == DType::kResource) {
        EXPECT_EQ(r->read(v.name).status().code(), StatusCode::kUnimplemented);
        continue;
      }
      auto t = r->read(v.name);
      ASSERT_TRUE(t.ok()) << v.name << ": " << t.status();
      EXPECT_EQ(t->dtype(), v.dtype);
      EXPECT_EQ(t->shape(), v.shape);
      if (v.dtype != DType::kString) {
        EXPECT_EQ(t->byte_size(), v.byte_size) << v.name;
      }
    }
    if (r->find("_CHECKPOINTABLE_OBJECT_GRAPH") != nullptr) {
      auto graph = r->object_graph();
      ASSERT_TRUE(graph.ok()) << graph.status();
      EXPECT_GT(graph->nodes_size(), 0);
    }
  }
}

}  // namespace
}  // namespace tfport
