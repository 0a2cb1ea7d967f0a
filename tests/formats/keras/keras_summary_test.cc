// model.summary() text for one Sequential and one functional model, compared line by line
// with the tf.keras 2.13+ layout (trailing blanks stripped; every table line is checked to be
// exactly the table width, as Keras pads them).
#include <gtest/gtest.h>

#include <sstream>

#include "support/test_support.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

using tfport::testing::fixture;

std::vector<std::string> summary_lines(const KerasModel& m, size_t width) {
  std::ostringstream out;
  print_keras_summary(m, out);
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  std::string line;
  while (std::getline(in, line)) {
    bool is_header_or_total = line.rfind("Model:", 0) == 0 || line.rfind("Total", 0) == 0 ||
                              line.rfind("Trainable", 0) == 0 || line.rfind("Non-trainable", 0) == 0;
    if (!is_header_or_total) {
      EXPECT_EQ(line.size(), width) << "line: '" << line << "'";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

TEST(KerasSummary, SequentialMnistCnn) {
  auto m = read_keras_h5(fixture("realworld/mnist-cnn/model/mnist_cnn.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  const std::vector<std::string> expected = {
      "Model: \"sequential\"",
      "_________________________________________________________________",
      " Layer (type)                Output Shape              Param #",
      "=================================================================",
      " conv2d (Conv2D)             (None, 26, 26, 32)        320",
      "",
      " max_pooling2d (MaxPooling2  (None, 13, 13, 32)        0",
      " D)",
      "",
      " conv2d_1 (Conv2D)           (None, 11, 11, 64)        18496",
      "",
      " max_pooling2d_1 (MaxPoolin  (None, 5, 5, 64)          0",
      " g2D)",
      "",
      " conv2d_2 (Conv2D)           (None, 3, 3, 64)          36928",
      "",
      " flatten (Flatten)           (None, 576)               0",
      "",
      " dense (Dense)               (None, 64)                36928",
      "",
      " dense_1 (Dense)             (None, 10)                650",
      "",
      "=================================================================",
      "Total params: 93322 (364.54 KB)",
      "Trainable params: 93322 (364.54 KB)",
      "Non-trainable params: 0 (0.00 Byte)",
      "_________________________________________________________________",
  };
  EXPECT_EQ(summary_lines(*m, 65), expected);
}

TEST(KerasSummary, FunctionalKatakanaSeq2Seq) {
  auto m = read_keras_h5(fixture("realworld/katakana-seq2seq/model/model.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  const std::vector<std::string> expected = {
      "Model: \"model_1\"",
      "__________________________________________________________________________________________________",
      " Layer (type)                Output Shape                 Param #   Connected to",
      "==================================================================================================",
      " input_1 (InputLayer)        [(None, 85)]                 0         []",
      "",
      " input_2 (InputLayer)        [(None, 45)]                 0         []",
      "",
      " embedding_1 (Embedding)     (None, 85, 64)               3456      ['input_1[0][0]']",
      "",
      " embedding_2 (Embedding)     (None, 45, 64)               5696      ['input_2[0][0]']",
      "",
      " lstm_1 (LSTM)               (None, 64)                   33024     ['embedding_1[0][0]']",
      "",
      " lstm_2 (LSTM)               (None, 45, 64)               33024     ['embedding_2[0][0]',",
      "                                                                     'lstm_1[0][0]',",
      "                                                                     'lstm_1[0][0]']",
      "",
      " time_distributed_1 (TimeDi  (None, 45, 89)               5785      ['lstm_2[0][0]']",
      " stributed)",
      "",
      "==================================================================================================",
      "Total params: 80985 (316.35 KB)",
      "Trainable params: 80985 (316.35 KB)",
      "Non-trainable params: 0 (0.00 Byte)",
      "__________________________________________________________________________________________________",
  };
  EXPECT_EQ(summary_lines(*m, 98), expected);
}

TEST(KerasSummary, TrainableSplitCountsBatchNormStatistics) {
  auto m = read_keras_v3(fixture("realworld/ecg-cnn-tfkeras215-windows/model/cnn_model.keras"));
  ASSERT_TRUE(m.ok()) << m.status();
  KerasSummary s = summarize_keras_model(*m);
  // Three BatchNormalization layers over 512, 128 and 64 channels: moving mean + variance.
  EXPECT_EQ(s.non_trainable_params, 2 * (512 + 128 + 64));
  EXPECT_EQ(s.trainable_params + s.non_trainable_params, 234721);
  EXPECT_FALSE(s.show_connections);
}

TEST(KerasSummary, SavedModelCountsComeFromConfigs) {
  auto m = read_keras_saved_model_metadata(fixture("realworld/imdb-sentiment-savedmodel/model"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->weights_loaded);
  KerasSummary s = summarize_keras_model(*m);
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].params, 10000 * 32);     // Embedding(10000, 32)
  EXPECT_EQ(s.layers[1].params, 4 * (32 * 32 + 32 * 32 + 32));  // LSTM(32) on 32 features
  EXPECT_EQ(s.layers[1].output_shape, "(None, 32)");
  EXPECT_EQ(s.trainable_params, 328353);
}

TEST(KerasSummary, JsonHasLayersAndTotals) {
  auto m = read_keras_h5(fixture("realworld/katakana-seq2seq/model/model.h5"));
  ASSERT_TRUE(m.ok()) << m.status();
  std::string j = keras_summary_json(*m);
  EXPECT_NE(j.find("\"total_params\": 80985"), std::string::npos) << j;
  EXPECT_NE(j.find("\"keras_version\": \"2.2.4\""), std::string::npos);
  EXPECT_NE(j.find("\"lstm_1[0][0]\""), std::string::npos);
}

}  // namespace
}  // namespace tfport
