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

TEST(StringOps, WhitespaceSplitThenDensify) {
  auto text = Tensor::from_strings(Shape{3}, {"  the cat  sat ", "", "dog"});
  auto sep = Tensor::from_strings(Shape{}, {""});
  OpTest split("StringSplitV2");
  auto parts = split.run({*text, *sep});
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ((*parts)[1].strings(), (std::vector<std::string>{"the", "cat", "sat", "dog"}));
  const int64_t* idx = (*parts)[0].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(idx, idx + 8), (std::vector<int64_t>{0, 0, 0, 1, 0, 2, 2, 0}));
  EXPECT_EQ((*parts)[2].data<int64_t>()[1], 3);

  OpTest dense("RaggedTensorToTensor");
  tensorflow::AttrValue kinds;
  kinds.mutable_list()->add_s("FIRST_DIM_SIZE");
  kinds.mutable_list()->add_s("VALUE_ROWIDS");
  dense.attr("row_partition_types", kinds);
  auto pad = Tensor::from_strings(Shape{}, {"<pad>"});
  auto out = dense.run({vec_i64({-1, 2}), (*parts)[1], *pad, Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {3}),
                        vec_i64({0, 0, 0, 2})});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), (Shape{3, 2}));  // rows truncated to the requested width
  EXPECT_EQ((*out)[0].strings(), (std::vector<std::string>{"the", "cat", "<pad>", "<pad>", "dog", "<pad>"}));

  OpTest by_splits("RaggedTensorToTensor");
  tensorflow::AttrValue splits_kind;
  splits_kind.mutable_list()->add_s("ROW_SPLITS");
  by_splits.attr("row_partition_types", splits_kind);
  auto ints = by_splits.run({Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {-1}), vec_i64({5, 6, 7}),
                             Tensor::from_vector<int64_t>(DType::kInt64, Shape{}, {0}), vec_i64({0, 2, 2, 3})});
  ASSERT_TRUE(ints.ok()) << ints.status();
  ASSERT_EQ((*ints)[0].shape(), (Shape{3, 2}));
  const int64_t* v = (*ints)[0].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(v, v + 6), (std::vector<int64_t>{5, 6, 0, 0, 7, 0}));
}

TEST(StringOps, NGramsPerRowWithAndWithoutPadding) {
  auto data = Tensor::from_strings(Shape{4}, {"a", "b", "c", "d"});
  OpTest bigrams("StringNGrams");
  bigrams.attr("ngram_widths", ints_attr({1, 2})).attr("separator", string_attr(" "));
  bigrams.attr("left_pad", string_attr("")).attr("right_pad", string_attr("")).attr("pad_width", int_attr(0));
  bigrams.attr("preserve_short_sequences", bool_attr(false));
  auto out = bigrams.run({*data, vec_i64({0, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].strings(), (std::vector<std::string>{"a", "b", "c", "a b", "b c", "d"}));
  const int64_t* sp = (*out)[1].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(sp, sp + 3), (std::vector<int64_t>{0, 5, 6}));

  OpTest padded("StringNGrams");
  padded.attr("ngram_widths", ints_attr({3})).attr("separator", string_attr("|"));
  padded.attr("left_pad", string_attr("<s>")).attr("right_pad", string_attr("</s>")).attr("pad_width", int_attr(-1));
  padded.attr("preserve_short_sequences", bool_attr(false));
  auto p = padded.run({*data, vec_i64({0, 1, 4})});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)[0].strings(), (std::vector<std::string>{"<s>|<s>|a", "<s>|a|</s>", "a|</s>|</s>", "<s>|<s>|b",
                                                         "<s>|b|c", "b|c|d", "c|d|</s>", "d|</s>|</s>"}));
}

TEST(StringOps, JoinBroadcastsScalars) {
  auto a = Tensor::from_strings(Shape{2}, {"x", "y"});
  auto b = Tensor::from_strings(Shape{}, {"tmp"});
  OpTest join("StringJoin");
  join.attr("separator", string_attr("/"));
  auto out = join.run({*a, *b, *a});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].strings(), (std::vector<std::string>{"x/tmp/x", "y/tmp/y"}));
  auto c = Tensor::from_strings(Shape{3}, {"p", "q", "r"});
  EXPECT_FALSE(join.run({*a, *c}).ok());
}

}  // namespace
}  // namespace tfport::runtime::testing
