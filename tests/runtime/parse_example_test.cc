// ParseExample / ParseExampleV2 on serialized tf.Examples: dense features with and without
// defaults, sparse and ragged features, errors.
#include <gtest/gtest.h>

#include <map>

#include "op_test_util.h"
#include "tfport/tf/example.pb.h"

namespace tfport::runtime::testing {
namespace {

std::string example(const std::map<std::string, std::vector<float>>& floats,
                    const std::map<std::string, std::vector<int64_t>>& ints = {},
                    const std::map<std::string, std::vector<std::string>>& bytes = {}) {
  tensorflow::Example e;
  auto& f = *e.mutable_features()->mutable_feature();
  for (const auto& [k, v] : floats) {
    for (float x : v) f[k].mutable_float_list()->add_value(x);
  }
  for (const auto& [k, v] : ints) {
    for (int64_t x : v) f[k].mutable_int64_list()->add_value(x);
  }
  for (const auto& [k, v] : bytes) {
    for (const auto& x : v) f[k].mutable_bytes_list()->add_value(x);
  }
  return e.SerializeAsString();
}

Tensor strings(Shape shape, std::vector<std::string> v) { return *Tensor::from_strings(std::move(shape), std::move(v)); }

tensorflow::AttrValue shapes_attr(const std::vector<std::vector<int64_t>>& shapes) {
  tensorflow::AttrValue a;
  for (const auto& s : shapes) {
    auto* sp = a.mutable_list()->add_shape();
    for (int64_t d : s) sp->add_dim()->set_size(d);
  }
  return a;
}

TEST(ParseExampleTest, DenseFloatWithDefaultV1) {
  OpTest t("ParseExample");
  t.attr("Nsparse", int_attr(0));
  t.attr("Ndense", int_attr(2));
  t.attr("sparse_types", types_attr({}));
  t.attr("Tdense", types_attr({DType::kFloat, DType::kFloat}));
  t.attr("dense_shapes", shapes_attr({{1}, {1}}));
  Tensor serialized = strings(Shape{3}, {example({{"x", {10.f}}}), example({{"x", {20.f}}, {"x2", {4.f}}}),
                                         example({{"x", {-1.f}}})});
  auto out = t.run({serialized, strings(Shape{0}, {}), strings(Shape{}, {"x"}), strings(Shape{}, {"x2"}),
                    floats(Shape{1}, {0.f}), floats(Shape{1}, {7.f})});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 1}));
  EXPECT_EQ(to_vec((*out)[0]), (std::vector<float>{10.f, 20.f, -1.f}));
  EXPECT_EQ(to_vec((*out)[1]), (std::vector<float>{7.f, 4.f, 7.f}));
}

TEST(ParseExampleTest, MissingRequiredFeatureIsAnError) {
  OpTest t("ParseExample");
  t.attr("Nsparse", int_attr(0));
  t.attr("Ndense", int_attr(1));
  t.attr("Tdense", types_attr({DType::kFloat}));
  t.attr("dense_shapes", shapes_attr({{1}}));
  auto out = t.run({strings(Shape{1}, {example({{"y", {1.f}}})}), strings(Shape{0}, {}), strings(Shape{}, {"x"}),
                    floats(Shape{0}, {})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("Feature: x (data type: float) is required but could not be found."),
            std::string::npos);
}

TEST(ParseExampleTest, WrongKindAndGarbageAreErrors) {
  OpTest t("ParseExample");
  t.attr("Nsparse", int_attr(0));
  t.attr("Ndense", int_attr(1));
  t.attr("Tdense", types_attr({DType::kFloat}));
  t.attr("dense_shapes", shapes_attr({{1}}));
  auto kind = t.run({strings(Shape{1}, {example({}, {{"x", {3}}})}), strings(Shape{0}, {}), strings(Shape{}, {"x"}),
                     floats(Shape{0}, {})});
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("Data types don't match"), std::string::npos);
  auto garbage = t.run({strings(Shape{1}, {"\xff\xff\xff"}), strings(Shape{0}, {}), strings(Shape{}, {"x"}),
                        floats(Shape{0}, {})});
  EXPECT_FALSE(garbage.ok());
}

TEST(ParseExampleTest, V2DenseSparseRagged) {
  OpTest t("ParseExampleV2");
  t.attr("num_sparse", int_attr(1));
  t.attr("sparse_types", types_attr({DType::kInt64}));
  t.attr("Tdense", types_attr({DType::kFloat}));
  t.attr("dense_shapes", shapes_attr({{2}}));
  t.attr("ragged_value_types", types_attr({DType::kString}));
  t.attr("ragged_split_types", types_attr({DType::kInt64}));
  Tensor serialized = strings(Shape{2}, {example({{"d", {1.f, 2.f}}}, {{"s", {5, 6, 7}}}, {{"r", {"a"}}}),
                                         example({}, {{"s", {9}}}, {{"r", {"b", "c"}}})});
  auto out = t.run({serialized, strings(Shape{0}, {}), strings(Shape{1}, {"s"}), strings(Shape{1}, {"d"}),
                    strings(Shape{1}, {"r"}), floats(Shape{2}, {-1.f, -2.f})});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 6u);
  const Tensor& idx = (*out)[0];
  EXPECT_EQ(idx.shape(), (Shape{4, 2}));
  EXPECT_EQ(std::vector<int64_t>(idx.data<int64_t>(), idx.data<int64_t>() + 8),
            (std::vector<int64_t>{0, 0, 0, 1, 0, 2, 1, 0}));
  EXPECT_EQ(std::vector<int64_t>((*out)[1].data<int64_t>(), (*out)[1].data<int64_t>() + 4),
            (std::vector<int64_t>{5, 6, 7, 9}));
  EXPECT_EQ(std::vector<int64_t>((*out)[2].data<int64_t>(), (*out)[2].data<int64_t>() + 2),
            (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(to_vec((*out)[3]), (std::vector<float>{1.f, 2.f, -1.f, -2.f}));
  EXPECT_EQ((*out)[4].strings(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(std::vector<int64_t>((*out)[5].data<int64_t>(), (*out)[5].data<int64_t>() + 3),
            (std::vector<int64_t>{0, 1, 3}));
}

TEST(ParseExampleTest, BadAttributesFailAtCreation) {
  OpTest t("ParseExample");
  t.attr("Nsparse", int_attr(0));
  t.attr("Ndense", int_attr(1));
  t.attr("Tdense", types_attr({DType::kInt32}));
  t.attr("dense_shapes", shapes_attr({{1}}));
  EXPECT_FALSE(t.create().ok());
}

}  // namespace
}  // namespace tfport::runtime::testing
