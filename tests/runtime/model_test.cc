// Loading real SavedModels and running their signatures end to end.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/test_support.h"
#include "tfport/model.h"

namespace tfport {
namespace {

using testing::fixture;

Tensor column(std::vector<float> values) {
  auto n = static_cast<int64_t>(values.size());
  return Tensor::from_vector<float>(DType::kFloat, Shape{n, 1}, values);
}

void expect_values(const Tensor& t, const std::vector<float>& expected) {
  ASSERT_EQ(t.dtype(), DType::kFloat);
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(t.data<float>()[i], expected[i]) << "element " << i;
}

TEST(Model, RunsHalfPlusTwoTf1Exactly) {
  auto model = Model::load(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto out = (*model)->run("serving_default", {{"x", column({1, 2, 5})}});
  ASSERT_TRUE(out.ok()) << out.status();
  expect_values(out->at("y"), {2.5f, 3.0f, 4.5f});
}

TEST(Model, RunsHalfPlusTwoTf2Exactly) {
  auto model = Model::load(fixture("tfserving/saved_model_half_plus_two_tf2_cpu/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto out = (*model)->run("serving_default", {{"x", Tensor::from_vector<float>(DType::kFloat, Shape{1}, {4.0f})}});
  ASSERT_TRUE(out.ok()) << out.status();
  expect_values(out->at("y"), {4.0f});
}

TEST(Model, RunsHalfPlusThreeAndServingBasePaths) {
  auto three = Model::load(fixture("tfserving/saved_model_half_plus_three/00000123"));
  ASSERT_TRUE(three.ok()) << three.status();
  auto out = (*three)->run("serving_default", {{"x", column({1, 2})}});
  ASSERT_TRUE(out.ok()) << out.status();
  expect_values(out->at("y"), {3.5f, 4.0f});
  auto versions = Model::load(fixture("tfserving/saved_model_half_plus_two_2_versions"));
  ASSERT_TRUE(versions.ok()) << versions.status();
  auto v = (*versions)->run("serving_default", {{"x", column({0})}});
  ASSERT_TRUE(v.ok()) << v.status();
  expect_values(v->at("y"), {2.0f});
}

TEST(Model, OtherSignaturesOfHalfPlusTwo) {
  auto model = Model::load(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto out = (*model)->run("regress_x2_to_y3", {{"inputs", column({1, 2})}});
  ASSERT_TRUE(out.ok()) << out.status();
  expect_values(out->at("outputs"), {3.5f, 4.0f});
}

TEST(Model, RunsByTensorNames) {
  auto model = Model::load(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto out = (*model)->run_tensors({{"x:0", column({4})}}, {"y:0", "y"});
  ASSERT_TRUE(out.ok()) << out.status();
  expect_values((*out)[0], {4.0f});
  expect_values((*out)[1], {4.0f});
}

TEST(Model, ConcurrentRunsAgree) {
  auto model = Model::load(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        float x = static_cast<float>(t * 1000 + i);
        auto out = (*model)->run("serving_default", {{"x", column({x})}});
        if (!out.ok() || out->at("y").data<float>()[0] != 0.5f * x + 2.0f) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Model, CounterKeepsStateAcrossRuns) {
  auto model = Model::load(fixture("tfserving/saved_model_counter/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto get = [&](const char* sig, std::map<std::string, Tensor> in = {}) {
    auto out = (*model)->run(sig, in);
    EXPECT_TRUE(out.ok()) << sig << ": " << out.status();
    return out.ok() ? out->begin()->second.data<float>()[0] : -1.0f;
  };
  EXPECT_EQ(get("get_counter"), 0.0f);
  EXPECT_EQ(get("incr_counter"), 1.0f);
  EXPECT_EQ(get("incr_counter"), 2.0f);
  EXPECT_EQ(get("incr_counter_by", {{"delta", Tensor::from_vector<float>(DType::kFloat, Shape{}, {3.0f})}}), 5.0f);
  EXPECT_EQ(get("get_counter"), 5.0f);
  EXPECT_EQ(get("reset_counter"), 0.0f);
}

TEST(Model, ReportsBadInputsClearly) {
  auto model = Model::load(fixture("tfserving/saved_model_half_plus_two_cpu/00000123"));
  ASSERT_TRUE(model.ok()) << model.status();
  auto wrong_name = (*model)->run("serving_default", {{"z", column({1})}});
  EXPECT_EQ(wrong_name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_name.status().message().find("'z'"), std::string::npos);
  auto wrong_type = (*model)->run("serving_default", {{"x", Tensor::from_vector<int32_t>(DType::kInt32, Shape{1, 1}, {1})}});
  EXPECT_NE(wrong_type.status().message().find("expects float32, got int32"), std::string::npos) << wrong_type.status();
  auto wrong_shape = (*model)->run("serving_default", {{"x", Tensor::from_vector<float>(DType::kFloat, Shape{2}, {1, 2})}});
  EXPECT_NE(wrong_shape.status().message().find("expects shape [?, 1], got [2]"), std::string::npos)
      << wrong_shape.status();
  auto no_sig = (*model)->run("nope", {});
  EXPECT_EQ(no_sig.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tfport
