// String ops: regex rewrite with RE2-style group references, ASCII lowercasing, and the size
// limit that keeps an oversized input from running a regex over it.
#include <gtest/gtest.h>

#include "op_test_util.h"

namespace tfport::runtime::testing {
namespace {

// Text ops refuse oversized strings instead of running a regex over them.
TEST(StringOps, OversizedStringsAreRefused) {
  auto big = Tensor::from_strings(Shape{1}, {std::string((size_t{64} << 20) + 1, 'a')});
  ASSERT_TRUE(big.ok());
  OpTest lower("StringLower");
  auto out = lower.run({*big});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("exceeds the limit"), std::string::npos) << out.status();
  OpTest replace("StaticRegexReplace");
  replace.attr("pattern", string_attr("[0-9]+")).attr("rewrite", string_attr("<\\0>"));
  auto small = Tensor::from_strings(Shape{2}, {"a12b3", "NO"});
  auto r = replace.run({*small});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].strings()[0], "a<12>b<3>");
  EXPECT_EQ((*r)[0].strings()[1], "NO");
  auto lowered = lower.run({*small});
  ASSERT_TRUE(lowered.ok());
  EXPECT_EQ((*lowered)[0].strings()[1], "no");
}

}  // namespace
}  // namespace tfport::runtime::testing
