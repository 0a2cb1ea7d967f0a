// Every format tfport runs is served: Keras .h5 (a file as base path, or inside a version
// directory) and frozen GraphDefs through a `serving_default` signature.
#include <gtest/gtest.h>

#include <filesystem>


#include "serving/rapidjson.h"
#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

// Two images of size x size x channels, every value 0.5.
std::string image_request(int size, int channels) {
  std::string pixel = "[";
  for (int c = 0; c < channels; ++c) pixel += std::string(c ? "," : "") + "0.5";
  pixel += "]";
  std::string row = "[";
  for (int i = 0; i < size; ++i) row += std::string(i ? "," : "") + pixel;
  row += "]";
  std::string image = "[";
  for (int i = 0; i < size; ++i) image += std::string(i ? "," : "") + row;
  image += "]";
  return "{\"instances\": [" + image + "," + image + "]}";
}

void expect_two_softmax_rows(const HttpResult& r) {
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  ASSERT_TRUE(doc.IsObject());
  const auto& p = doc["predictions"];
  ASSERT_EQ(p.Size(), 2u);
  for (const auto& row : p.GetArray()) {
    ASSERT_EQ(row.Size(), 10u);
    double sum = 0;
    for (const auto& v : row.GetArray()) sum += v.GetDouble();
    EXPECT_NEAR(sum, 1.0, 1e-4);
  }
}

TEST(FormatsTest, KerasH5AndFrozenGraph) {
  tfport::testing::TempDir dir;
  const std::string frozen = dir.file("frozen");
  std::filesystem::create_directories(frozen + "/3");
  tfport::testing::copy_to(tfport::testing::fixture("realworld/mnist-frozen-tf1/model/frozen_graph.pb"),
                           frozen + "/3/frozen_graph.pb");
  const std::string h5 = dir.file("h5");
  std::filesystem::create_directories(h5 + "/1");
  tfport::testing::copy_to(tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5"), h5 + "/1/model.h5");
  tfport::testing::write_all(dir.file("models.config"),
                             "model_config_list {\n"
                             "  config { name: 'h5' base_path: '" + h5 + "' model_platform: 'tensorflow' }\n"
                             "  config { name: 'h5file' base_path: '" +
                                 tfport::testing::fixture("realworld/mnist-cnn/model/mnist_cnn.h5") +
                                 "' }\n"
                                 "  config { name: 'frozen' base_path: '" + frozen + "' }\n}\n");
  ServerOptions o;
  o.model_config_file = dir.file("models.config");
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  const std::string body = image_request(28, 1);
  expect_two_softmax_rows(http(server->rest_port(), "POST", "/v1/models/h5:predict", body));
  expect_two_softmax_rows(http(server->rest_port(), "POST", "/v1/models/h5file/versions/1:predict", body));
  auto frozen_result = http(server->rest_port(), "POST", "/v1/models/frozen/versions/3:predict", image_request(32, 3));
  expect_two_softmax_rows(frozen_result);
  // The simdjson fast path (plain numeric body) and the RapidJSON path (an extra member forces
  // it) give byte-identical answers.
  std::string varied = "{\"instances\": [[";
  for (int i = 0; i < 28; ++i) {
    varied += std::string(i ? "," : "") + "[";
    for (int j = 0; j < 28; ++j) varied += std::string(j ? "," : "") + "[" + std::to_string((i * 31 + j * 17) % 97 / 97.0) + "]";
    varied += "]";
  }
  varied += "]]";
  auto fast = http(server->rest_port(), "POST", "/v1/models/h5:predict", varied + "}");
  auto slow = http(server->rest_port(), "POST", "/v1/models/h5:predict", varied + ", \"unused\": 1}");
  EXPECT_EQ(fast.status, 200);
  EXPECT_EQ(fast.body, slow.body);
  auto meta = http(server->rest_port(), "GET", "/v1/models/frozen/metadata");
  EXPECT_NE(meta.body.find("\"serving_default\""), std::string::npos);
  EXPECT_NE(meta.body.find("\"dense_1/Softmax\""), std::string::npos) << meta.body;
  server->shutdown(std::chrono::seconds(5));
}

}  // namespace
}  // namespace tfport::serving::testing
