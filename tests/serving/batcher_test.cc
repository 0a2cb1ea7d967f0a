// Server-side batching: concurrent requests merge into one run and each gets its own rows.
#include <gtest/gtest.h>

#include <thread>

#include "serving/batcher.h"
#include "serving/inference.h"
#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

std::shared_ptr<const Servable> half_plus_two() {
  auto s = load_servable("m", 123, tfserving_fixture("saved_model_half_plus_two_cpu/00000123"), LoadOptions{});
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(BatcherTest, ConcurrentRequestsMergeAndSplit) {
  auto servable = half_plus_two();
  const Signature* sig = *find_signature(*servable, "");
  BatchingOptions o;
  o.max_batch_size = 8;
  o.batch_timeout_micros = 200000;
  o.num_batch_threads = 1;
  Batcher batcher(o);
  std::vector<std::thread> threads;
  std::vector<float> got(8, 0.f);
  std::atomic<int> errors{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      std::map<std::string, Tensor> in{{"x", Tensor::from_vector<float>(DType::kFloat, Shape{1, 1}, {float(i)})}};
      auto out = batcher.run(*servable, *sig, in);
      if (!out.ok() || out->at("y").shape() != Shape{1, 1}) {
        ++errors;
        return;
      }
      got[static_cast<std::size_t>(i)] = out->at("y").data<float>()[0];
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], 0.5f * float(i) + 2.f);
  EXPECT_EQ(batcher.batched_requests(), 8);
  EXPECT_LT(batcher.runs(), 8);
}

TEST(BatcherTest, PadsToAllowedSizesAndRejectsLargeTasks) {
  auto servable = half_plus_two();
  const Signature* sig = *find_signature(*servable, "");
  BatchingOptions o;
  o.max_batch_size = 4;
  o.allowed_batch_sizes = {2, 4};
  o.batch_timeout_micros = 0;
  ASSERT_TRUE(validate_batching_options(o).ok());
  Batcher batcher(o);
  std::map<std::string, Tensor> in{{"x", Tensor::from_vector<float>(DType::kFloat, Shape{3, 1}, {1.f, 2.f, 3.f})}};
  auto out = batcher.run(*servable, *sig, in);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->at("y").shape(), (Shape{3, 1}));
  EXPECT_EQ(out->at("y").data<float>()[2], 3.5f);
  std::map<std::string, Tensor> big{{"x", Tensor::from_vector<float>(DType::kFloat, Shape{5, 1}, {1, 2, 3, 4, 5})}};
  EXPECT_FALSE(batcher.run(*servable, *sig, big).ok());
  o.allowed_batch_sizes = {2, 3};
  EXPECT_EQ(validate_batching_options(o).message(),
            "Last entry in allowed_batch_sizes must match max_batch_size; last entry was 3; expected 4");
}

TEST(BatcherTest, ServerWithBatchingParametersFile) {
  tfport::testing::TempDir dir;
  tfport::testing::write_all(dir.file("batching.config"),
                             "max_batch_size { value: 16 } batch_timeout_micros { value: 1000 } "
                             "num_batch_threads { value: 2 } max_enqueued_batches { value: 10 }");
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
  o.enable_batching = true;
  o.batching_parameters_file = dir.file("batching.config");
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      HttpConnection c(server->rest_port());
      for (int k = 0; k < 20; ++k) {
        auto r = c.request("POST", "/v1/models/m:predict", "{\"instances\": [[" + std::to_string(2 * i) + ".0]]}");
        const std::string want = "{\n    \"predictions\": [[" + std::to_string(i + 2) + ".0]\n    ]\n}";
        if (r.body == want) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 120);
  server->shutdown(std::chrono::seconds(5));

  ServerOptions bad = o;
  bad.enable_batching = false;
  ModelServer s(bad);
  EXPECT_EQ(s.start().message(),
            "server_options.batching_parameters_file is set without setting server_options.enable_batching to true.");
}

}  // namespace
}  // namespace tfport::serving::testing

namespace tfport::serving::testing {
namespace {

// Large REST bodies are decoded on a run thread; with batching on, the run itself happens on a
// batch thread, which must not wait for that same run thread.
TEST(BatcherTest, LargeRestBodyWithBatching) {
  tfport::testing::TempDir dir;
  tfport::testing::write_all(dir.file("batching.config"),
                             "max_batch_size { value: 4 } batch_timeout_micros { value: 1000 } "
                             "num_batch_threads { value: 1 }");
  ServerOptions o;
  o.model_name = "m";
  o.model_base_path = tfserving_fixture("saved_model_half_plus_two_cpu");
  o.enable_batching = true;
  o.batching_parameters_file = dir.file("batching.config");
  o.rest_api_timeout_in_ms = 5000;
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  const std::string body = "{\"instances\": [[3.0]]" + std::string(300 * 1024, ' ') + "}";
  for (int k = 0; k < 3; ++k) {
    auto r = http(server->rest_port(), "POST", "/v1/models/m:predict", body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, "{\n    \"predictions\": [[3.5]\n    ]\n}");
  }
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
