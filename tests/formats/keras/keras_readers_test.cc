// Known structure and weights of real fixtures through read_keras_h5 / read_keras_v3 /
// read_keras_saved_model_metadata, and the weights-only layout.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/hdf5/hdf5_file.h"
#include "formats/keras_h5/keras_h5_weights.h"
#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

using tfport::testing::fixture;

std::vector<int64_t> dims(const KerasWeight& w) { return w.value.shape().dims(); }

TEST(KerasH5, MnistCnnLayersAndWeights) {
  auto m = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->format, "keras-h5");
  EXPECT_EQ(m->keras_version, "2.14.0");
  EXPECT_EQ(m->backend, "tensorflow");
  EXPECT_EQ(m->class_name, "Sequential");
  EXPECT_EQ(m->name, "sequential");
  std::vector<std::string> names;
  for (const auto& l : m->layers) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv2d_input", "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1",
                                             "conv2d_2", "flatten", "dense", "dense_1"}));
  const KerasLayer* dense = m->find_layer("dense");
  ASSERT_NE(dense, nullptr);
  EXPECT_EQ(dense->class_name, "Dense");
  ASSERT_EQ(dense->weights.size(), 2u);
  EXPECT_EQ(dense->weights[0].name, "dense/kernel:0");
  EXPECT_EQ(dims(dense->weights[0]), (std::vector<int64_t>{576, 64}));
  EXPECT_EQ(dense->weights[0].value.dtype(), DType::kFloat);
  EXPECT_EQ(dims(dense->weights[1]), (std::vector<int64_t>{64}));
  const KerasLayer* conv = m->find_layer("conv2d");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(dims(conv->weights[0]), (std::vector<int64_t>{3, 3, 1, 32}));
  // Trained weights: finite and not all zero.
  double sum = 0;
  for (float v : conv->weights[0].value.values<float>()) {
    ASSERT_TRUE(std::isfinite(v));
    sum += std::fabs(v);
  }
  EXPECT_GT(sum, 0.0);
  EXPECT_TRUE(m->find_layer("flatten")->weights.empty());
  EXPECT_NE(m->layers[1].config_json.find("\"filters\":32"), std::string::npos);
}

TEST(KerasH5, FunctionalInboundNodesAndIo) {
  auto m = read_keras_h5(fixture("realworld/katakana-seq2seq/model/model.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->class_name, "Model");
  ASSERT_EQ(m->inputs.size(), 2u);
  EXPECT_EQ(m->inputs[1], (KerasTensorRef{"input_2", 0, 0}));
  ASSERT_EQ(m->outputs.size(), 1u);
  EXPECT_EQ(m->outputs[0].layer, "time_distributed_1");
  const KerasLayer* lstm2 = m->find_layer("lstm_2");
  ASSERT_NE(lstm2, nullptr);
  ASSERT_EQ(lstm2->inbound_nodes.size(), 1u);
  ASSERT_EQ(lstm2->inbound_nodes[0].inputs.size(), 3u);
  EXPECT_EQ(lstm2->inbound_nodes[0].inputs[0].layer, "embedding_2");
  // LSTM weights: kernel, recurrent_kernel, bias (4 gates of 64 units).
  ASSERT_EQ(lstm2->weights.size(), 3u);
  EXPECT_EQ(dims(lstm2->weights[1]), (std::vector<int64_t>{64, 256}));
}

TEST(KerasH5, Keras3LegacyH5UsesVariablePaths) {
  auto m = read_keras_h5(fixture("realworld/simplernn-text-keras3h5/model/simple_rnn_model.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->keras_version, "3.13.2");
  const KerasLayer* rnn = m->find_layer("simple_rnn");
  ASSERT_NE(rnn, nullptr);
  ASSERT_EQ(rnn->weights.size(), 3u);
  EXPECT_EQ(rnn->weights[2].name, "sequential/simple_rnn/simple_rnn_cell/bias");
  EXPECT_EQ(dims(rnn->weights[1]), (std::vector<int64_t>{32, 32}));
}

TEST(KerasH5, BidirectionalWeightsForwardThenBackward) {
  auto m = read_keras_h5(fixture("realworld/emoji-bilstm/model/bilstm_model.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  const KerasLayer* bi = m->find_layer("bidirectional_4");
  ASSERT_NE(bi, nullptr);
  ASSERT_EQ(bi->weights.size(), 6u);
  EXPECT_NE(bi->weights[0].name.find("forward"), std::string::npos);
  EXPECT_NE(bi->weights[3].name.find("backward"), std::string::npos);
}

// A full model's model_weights group has the weights-only layout (save_weights writes it at
// the file root), so reading that group as a weights-only file exercises the same code.
TEST(KerasH5, ModelWeightsGroupReadsAsWeightsOnly) {
  std::string path = fixture("realworld/mnist-cnn/model/mnist_cnn.h5");
  auto file = hdf5::File::open(path);
  ASSERT_TRUE(file.ok()) << file.status();
  auto group = file->root().group("model_weights");
  ASSERT_TRUE(group.ok()) << group.status();
  auto m = keras::read_h5_weights_only(*group, path);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->format, "keras-h5-weights");
  EXPECT_EQ(m->keras_version, "2.14.0");
  ASSERT_EQ(m->layers.size(), 8u);  // layer_names of a Sequential omits the InputLayer
  EXPECT_EQ(m->layers[0].name, "conv2d");
  EXPECT_EQ(m->layers[7].name, "dense_1");
  EXPECT_EQ(dims(m->layers[6].weights[0]), (std::vector<int64_t>{576, 64}));
  KerasSummary s = summarize_keras_model(*m);
  EXPECT_EQ(s.trainable_params, 93322);
}

TEST(KerasH5, BenchMobileNetFixedLengthStringsAndBatchNorm) {
  auto m = read_keras_h5(fixture("bench/mobilenet_v2_nsfw.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->layers.size(), 162u);
  const KerasLayer* bn = m->find_layer("bn_Conv1");
  ASSERT_NE(bn, nullptr);
  ASSERT_EQ(bn->weights.size(), 4u);
  EXPECT_NE(bn->weights[2].name.find("moving_mean"), std::string::npos);
  // The base network was frozen ("trainable": false): all its weights are non-trainable;
  // the classifier head on top is trainable.
  for (const KerasWeight& w : bn->weights) EXPECT_FALSE(w.trainable) << w.name;
  const KerasLayer* head = m->find_layer("dense_3");
  ASSERT_NE(head, nullptr);
  EXPECT_TRUE(head->weights[0].trainable);
}

TEST(KerasH5, BatchNormStatisticsAreNonTrainable) {
  auto m = read_keras_v3(fixture("realworld/ecg-cnn-tfkeras215-windows/model/cnn_model.keras"));
  ASSERT_TRUE(m.ok()) << m.status();
  const KerasLayer* bn = m->find_layer("batch_normalization");
  ASSERT_NE(bn, nullptr);
  ASSERT_EQ(bn->weights.size(), 4u);
  EXPECT_TRUE(bn->weights[0].trainable);
  EXPECT_TRUE(bn->weights[1].trainable);
  EXPECT_FALSE(bn->weights[2].trainable);
  EXPECT_FALSE(bn->weights[3].trainable);
}

TEST(KerasV3, FashionCnn) {
  auto m = read_keras_v3(fixture("realworld/fashion-cnn-keras3/model/model.keras"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->keras_version, "3.10.0");
  const KerasLayer* dense = m->find_layer("dense");
  ASSERT_NE(dense, nullptr);
  ASSERT_EQ(dense->weights.size(), 2u);
  EXPECT_EQ(dense->weights[0].name, "layers/dense/vars/0");
  EXPECT_EQ(dims(dense->weights[0]), (std::vector<int64_t>{1600, 64}));
}

TEST(KerasV3, ObjectPathsFollowClassNamesNotLayerNames) {
  // Layers lstm_2/lstm_3/dense_2/dense_3 are stored at layers/lstm, layers/lstm_1, ...
  auto m = read_keras_v3(fixture("realworld/crypto-lstm-keras3/model/model.keras"));
  ASSERT_TRUE(m.ok()) << m.status();
  const KerasLayer* lstm = m->find_layer("lstm_3");
  ASSERT_NE(lstm, nullptr);
  ASSERT_EQ(lstm->weights.size(), 3u);
  EXPECT_EQ(lstm->weights[0].name, "layers/lstm_1/cell/vars/0");
  EXPECT_EQ(dims(lstm->weights[0]), (std::vector<int64_t>{128, 256}));
  EXPECT_EQ(dims(m->find_layer("dense_3")->weights[0]), (std::vector<int64_t>{25, 1}));
}

TEST(KerasV3, WindowsBackslashPaths) {
  auto cnn = read_keras_v3(fixture("realworld/ecg-cnn-tfkeras215-windows/model/cnn_model.keras"));
  ASSERT_TRUE(cnn.ok()) << cnn.status();
  const KerasLayer* conv = cnn->find_layer("conv1d");
  ASSERT_NE(conv, nullptr);
  ASSERT_EQ(conv->weights.size(), 2u);
  EXPECT_EQ(conv->weights[0].name, "layers\\conv1d/vars/0");
  EXPECT_EQ(dims(conv->weights[0]), (std::vector<int64_t>{3, 1, 512}));

  auto tr = read_keras_v3(fixture("realworld/ecg-transformer-tfkeras215-windows/model/transformer_model.keras"));
  ASSERT_TRUE(tr.ok()) << tr.status();
  const KerasLayer* mha = tr->find_layer("multi_head_attention_14");
  ASSERT_NE(mha, nullptr);
  ASSERT_EQ(mha->weights.size(), 8u);  // query, key, value, output: kernel + bias each
  EXPECT_NE(mha->weights[0].name.find("_query_dense"), std::string::npos);
  EXPECT_NE(mha->weights[6].name.find("_output_dense"), std::string::npos);
  EXPECT_EQ(dims(mha->weights[6]), (std::vector<int64_t>{4, 64, 1}));
  // Keras 2 kwargs tensors (MultiHeadAttention's value) are kept as keyword inputs.
  ASSERT_EQ(mha->inbound_nodes.size(), 1u);
  ASSERT_EQ(mha->inbound_nodes[0].kwarg_inputs.size(), 1u);
  EXPECT_EQ(mha->inbound_nodes[0].kwarg_inputs[0].first, "value");
}

TEST(KerasSavedModel, MetadataGivesStructure) {
  auto m = read_keras_saved_model_metadata(fixture("realworld/stock-lstm-savedmodel/model"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->format, "keras-savedmodel");
  EXPECT_EQ(m->class_name, "Sequential");
  EXPECT_FALSE(m->keras_version.empty());
  ASSERT_NE(m->find_layer("lstm"), nullptr);
  EXPECT_EQ(m->find_layer("lstm")->class_name, "LSTM");
}

TEST(KerasSavedModel, MissingMetadataIsNotFound) {
  testing::TempDir dir;
  auto m = read_keras_saved_model_metadata(dir.path());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("keras_metadata.pb"), std::string::npos);
}

}  // namespace
}  // namespace tfport
