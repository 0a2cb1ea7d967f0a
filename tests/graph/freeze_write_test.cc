// write_graph_def_file reports its progress in bytes and writes exactly the serialized graph.
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "tfport/freeze.h"

namespace tfport {
namespace {

TEST(FreezeWrite, ReportsBytesWritten) {
  auto frozen = freeze_model(testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  std::string expected;
  ASSERT_TRUE(frozen->graph_def.SerializeToString(&expected));
  testing::TempDir tmp;
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  Status s = write_graph_def_file(tmp.file("f.pb"), frozen->graph_def,
                                  [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(testing::read_all(tmp.file("f.pb")), expected);
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.front(), std::make_pair(uint64_t{0}, uint64_t{expected.size()}));
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{expected.size()}, uint64_t{expected.size()}));
}

}  // namespace
}  // namespace tfport
