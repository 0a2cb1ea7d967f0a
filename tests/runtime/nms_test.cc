// The detection ops: NonMaxSuppression V3/V4/V5 and CombinedNonMaxSuppression on TF's own
// three-cluster example (the selections TF's tests state for these boxes) and soft-NMS worked out
// by hand; CropAndResize on a 3x3 image.
#include <gtest/gtest.h>

#include <cmath>

#include "op_test_util.h"

namespace tfport::runtime::testing {
namespace {

// Three clusters: {0, 1, 2} around x = 0, {3, 4} around x = 10, {5} at x = 100.
const std::vector<float> kClusters = {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                      0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
Tensor cluster_boxes() { return floats(Shape{6, 4}, kClusters); }
Tensor cluster_scores() { return floats(Shape{6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f}); }
Tensor f32(float v) { return floats(Shape{}, {v}); }
std::vector<int32_t> ints(const Tensor& t) { return {t.data<int32_t>(), t.data<int32_t>() + t.num_elements()}; }

TEST(NonMaxSuppression, SelectsOneBoxPerClusterAboveTheScoreThreshold) {
  OpTest v3("NonMaxSuppressionV3");
  auto out = v3.run1({cluster_boxes(), cluster_scores(), scalar_i32(3), f32(0.5f), f32(0.f)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(ints(*out), (std::vector<int32_t>{3, 0, 5}));
  OpTest thresholded("NonMaxSuppressionV3");
  out = thresholded.run1({cluster_boxes(), cluster_scores(), scalar_i32(6), f32(0.5f), f32(0.4f)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(ints(*out), (std::vector<int32_t>{3, 0}));
  // Flipped corners are the same boxes.
  Tensor flipped = floats(Shape{6, 4}, {1, 1, 0, 0, 0, 0.1f, 1, 1.1f, 0, 0.9f, 1, -0.1f, 0, 10, 1, 11, 1, 10.1f, 0, 11.1f, 1, 101, 0, 100});
  OpTest v2("NonMaxSuppressionV2");
  out = v2.run1({flipped, cluster_scores(), scalar_i32(3), f32(0.5f)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(ints(*out), (std::vector<int32_t>{3, 0, 5}));
}

TEST(NonMaxSuppression, V4PadsAndCountsValidOutputs) {
  OpTest v4("NonMaxSuppressionV4");
  v4.attr("pad_to_max_output_size", bool_attr(true));
  auto out = v4.run({cluster_boxes(), cluster_scores(), scalar_i32(5), f32(0.5f), f32(0.f)});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(ints((*out)[0]), (std::vector<int32_t>{3, 0, 5, 0, 0}));
  EXPECT_EQ((*out)[1].data<int32_t>()[0], 3);
}

TEST(NonMaxSuppression, V5SoftNmsDecaysOverlappingScores) {
  // sigma 0.5: a box overlapping a selected one at IoU 0.9 / 1.1 keeps exp(-(9/11)^2) of its score;
  // box 1 then beats the far box 5 (0.75 * 0.512 = 0.384 > 0.3).
  OpTest v5("NonMaxSuppressionV5");
  auto out = v5.run({cluster_boxes(), cluster_scores(), scalar_i32(3), f32(1.f), f32(0.f), f32(0.5f)});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ(ints((*out)[0]), (std::vector<int32_t>{3, 0, 1}));
  const float overlap = 0.9f / 1.1f;
  const std::vector<float> got = to_vec((*out)[1]);
  EXPECT_FLOAT_EQ(got[0], 0.95f);
  EXPECT_FLOAT_EQ(got[1], 0.9f);
  EXPECT_NEAR(got[2], 0.75f * std::exp(-overlap * overlap), 1e-6);
  EXPECT_EQ((*out)[2].data<int32_t>()[0], 3);
}

TEST(CombinedNonMaxSuppression, PerClassThenBestOverallClippedAndPadded) {
  // One image, the six cluster boxes shared by two classes; class 1 scores are the class 0
  // scores reversed.
  Tensor boxes = floats(Shape{1, 6, 1, 4}, kClusters);
  std::vector<float> s;
  const std::vector<float> c0 = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};
  for (int i = 0; i < 6; ++i) {
    s.push_back(c0[static_cast<size_t>(i)]);
    s.push_back(c0[static_cast<size_t>(5 - i)]);
  }
  OpTest t("CombinedNonMaxSuppression");
  auto out = t.run({boxes, floats(Shape{1, 6, 2}, s), scalar_i32(2), scalar_i32(5), f32(0.5f), f32(0.55f)});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 4u);
  // Class 0 keeps 3 (0.95) and 0 (0.9); class 1 (scores 0.3 0.5 0.95 0.6 0.75 0.9) keeps 2 (0.95)
  // and 5 (0.9). Overall by score: 3/c0, 2/c1, 0/c0, 5/c1, then a zero pad.
  EXPECT_EQ(to_vec((*out)[1]), (std::vector<float>{0.95f, 0.95f, 0.9f, 0.9f, 0}));
  EXPECT_EQ(to_vec((*out)[2]), (std::vector<float>{0, 1, 0, 1, 0}));
  EXPECT_EQ((*out)[3].data<int32_t>()[0], 4);
  // Boxes are clipped to [0, 1]: box 3 (x from 10 to 11) becomes (0, 1, 1, 1).
  const std::vector<float> b = to_vec((*out)[0]);
  EXPECT_EQ((std::vector<float>(b.begin(), b.begin() + 4)), (std::vector<float>{0, 1, 1, 1}));
  EXPECT_EQ((std::vector<float>(b.begin() + 8, b.begin() + 12)), (std::vector<float>{0, 0, 1, 1}));
}

TEST(CropAndResize, SamplesCornerToCornerAndExtrapolates) {
  Tensor image = floats(Shape{1, 3, 3, 1}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  auto crop = [&](std::vector<float> box, int32_t hh, int32_t ww, const char* method = "bilinear") {
    OpTest t("CropAndResize");
    t.attr("method", string_attr(method)).attr("extrapolation_value", float_attr(-1));
    return t.run1({image, floats(Shape{1, 4}, box), vec_i32({0}), vec_i32({hh, ww})});
  };
  auto whole = crop({0, 0, 1, 1}, 3, 3);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(to_vec(*whole), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  auto quarter = crop({0, 0, 0.25f, 0.25f}, 2, 2);  // samples at 0 and 0.5 pixels
  ASSERT_TRUE(quarter.ok()) << quarter.status();
  EXPECT_EQ(to_vec(*quarter), (std::vector<float>{0, 0.5f, 1.5f, 2}));
  auto center = crop({0, 0, 1, 1}, 1, 1);
  ASSERT_TRUE(center.ok()) << center.status();
  EXPECT_EQ(to_vec(*center), (std::vector<float>{4}));
  auto nearest = crop({0, 0, 1, 1}, 2, 2, "nearest");
  ASSERT_TRUE(nearest.ok()) << nearest.status();
  EXPECT_EQ(to_vec(*nearest), (std::vector<float>{0, 2, 6, 8}));
  auto outside = crop({0.5f, 0.5f, 1.5f, 1.5f}, 2, 2);  // the far corner lies outside the image
  ASSERT_TRUE(outside.ok()) << outside.status();
  EXPECT_EQ(to_vec(*outside), (std::vector<float>{4, -1, -1, -1}));
  OpTest bad("CropAndResize");
  EXPECT_FALSE(bad.run1({image, floats(Shape{1, 4}, {0, 0, 1, 1}), vec_i32({1}), vec_i32({2, 2})}).ok());
}

}  // namespace
}  // namespace tfport::runtime::testing
