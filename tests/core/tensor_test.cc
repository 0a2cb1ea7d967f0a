#include "tfport/tensor.h"

#include <gtest/gtest.h>

namespace tfport {
namespace {

TEST(DType, NamesMatchTensorFlow) {
  EXPECT_EQ(dtype_name(DType::kFloat), "DT_FLOAT");
  EXPECT_EQ(dtype_name(DType::kBFloat16), "DT_BFLOAT16");
  EXPECT_EQ(dtype_enum_name(101).value(), "DT_FLOAT_REF");
  EXPECT_EQ(dtype_enum_name(133).value(), "DT_FLOAT4_E2M1FN_REF");
  EXPECT_FALSE(dtype_enum_name(34).has_value());
  EXPECT_FALSE(dtype_enum_name(100).has_value());
  EXPECT_EQ(dtype_python_name(DType::kHalf), "float16");
  EXPECT_EQ(dtype_size(DType::kComplex128), 16u);
  EXPECT_EQ(dtype_size(DType::kString), 0u);
  EXPECT_EQ(element_storage_size(DType::kInt4), 1u);
}

TEST(Shape, ValidatesDimsAndOverflow) {
  EXPECT_EQ(Shape::make({2, 3}).value().num_elements(), 6);
  EXPECT_FALSE(Shape::make({-1}).ok());
  EXPECT_FALSE(Shape::make({1LL << 40, 1LL << 40}).ok());
  EXPECT_TRUE(Shape::make({0, 1LL << 62, 1LL << 62}).ok());  // zero elements never overflow
  EXPECT_EQ(Shape({}).to_string(), "[]");
  PartialShape p({-1, 3});
  EXPECT_TRUE(p.is_compatible_with(Shape{7, 3}));
  EXPECT_FALSE(p.is_compatible_with(Shape{7, 4}));
  EXPECT_EQ(p.to_string(), "[?, 3]");
}

TEST(Tensor, AllocatesZeroedAndRefusesHugeSizes) {
  auto t = Tensor::allocate(DType::kFloat, Shape{2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->byte_size(), 24u);
  for (float v : t->values<float>()) EXPECT_EQ(v, 0.0f);
  auto huge = Tensor::allocate(DType::kFloat, Shape{1LL << 40}, 1 << 20);
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Tensor::allocate(DType::kResource, Shape{1}).status().code(), StatusCode::kUnimplemented);
}

TEST(Tensor, WrapsCallerMemoryWithoutCopy) {
  float buf[4] = {1, 2, 3, 4};
  Tensor t = Tensor::wrap(DType::kFloat, Shape{4}, buf, nullptr);
  EXPECT_EQ(t.data<float>(), buf);
  Tensor c = t.clone();
  EXPECT_NE(c.data<float>(), buf);
  EXPECT_TRUE(c.equals(t));
  buf[0] = 9;
  EXPECT_FALSE(c.equals(t));
}

TEST(Tensor, Strings) {
  auto t = Tensor::from_strings(Shape{2}, {"a", "bc"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->strings()[1], "bc");
  EXPECT_FALSE(Tensor::from_strings(Shape{3}, {"a"}).ok());
}

}  // namespace
}  // namespace tfport
