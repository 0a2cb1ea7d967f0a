// print_keras_summary and keras_summary_json: the text layout of tf.keras 2.13+
// model.summary() (fixed column positions, cells wrapped onto continuation lines, a blank
// line after each layer, sizes as "364.54 KB"), and a JSON form for tools.
#include <cstdio>

#include "formats/keras/keras_config.h"
#include "tfport/keras.h"

namespace tfport {
namespace {

// Python's str() of a list of strings: "['a[0][0]', 'b[0][0]']".
std::string python_list(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += '\'';
    s += items[i];
    s += '\'';
  }
  return s + "]";
}

// One table row: each cell is cut to its column width (breaking early after "),", "},",
// "]," or "'," when one occurs), and the rest continues on the next line.
void print_row(std::vector<std::string> cells, const std::vector<int>& positions, std::ostream& out) {
  auto any_left = [&] {
    for (const std::string& c : cells) {
      if (!c.empty()) return true;
    }
    return false;
  };
  while (any_left()) {
    std::string line;
    for (size_t col = 0; col < cells.size(); ++col) {
      int start = col > 0 ? positions[col - 1] : 0;
      int end = positions[col];
      bool last = col == positions.size() - 1;
      int space = last ? 0 : 2;
      int cutoff = end - start - space - (last ? 0 : 1);
      if (cutoff < 0) cutoff = 0;
      std::string fit = cells[col].substr(0, static_cast<size_t>(cutoff));
      size_t best = std::string::npos;
      for (const char* brk : {"),", "},", "],", "',"}) {
        size_t p = fit.find(brk);
        if (p != std::string::npos) best = std::min(best, p + 2);
      }
      size_t used = best != std::string::npos ? best : fit.size();
      fit.resize(used);
      if (col == 0) line += ' ';
      line += fit;
      line += std::string(static_cast<size_t>(space), ' ');
      cells[col].erase(0, used);
      if (static_cast<int>(line.size()) < positions[col]) line.append(positions[col] - line.size(), ' ');
    }
    out << line << "\n";
  }
}

std::string readable_size(double bytes) {
  static const char* kUnits[] = {"Byte", "KB", "MB", "GB", "TB", "PB"};
  char buf[64];
  for (const char* unit : kUnits) {
    if (bytes / 1024 < 1) {
      std::snprintf(buf, sizeof buf, "%.2f %s", bytes, unit);
      return buf;
    }
    bytes /= 1024;
  }
  std::snprintf(buf, sizeof buf, "%.2f %s", bytes, kUnits[5]);
  return buf;
}

}  // namespace

void print_keras_summary(const KerasModel& model, std::ostream& out) {
  KerasSummary s = summarize_keras_model(model);
  int line_length = s.show_connections ? 98 : 65;
  std::vector<int> positions = s.show_connections ? std::vector<int>{29, 58, 68, 98} : std::vector<int>{29, 55, 65};
  std::vector<std::string> header{"Layer (type)", "Output Shape", "Param #"};
  if (s.show_connections) header.emplace_back("Connected to");
  out << "Model: \"" << s.model_name << "\"\n";
  out << std::string(static_cast<size_t>(line_length), '_') << "\n";
  print_row(header, positions, out);
  out << std::string(static_cast<size_t>(line_length), '=') << "\n";
  for (const KerasLayerSummary& row : s.layers) {
    std::vector<std::string> cells{row.name + " (" + row.class_name + ")", row.output_shape, std::to_string(row.params)};
    if (s.show_connections) cells.push_back(python_list(row.connected_to));
    print_row(cells, positions, out);
    out << std::string(static_cast<size_t>(line_length), ' ') << "\n";
  }
  out << std::string(static_cast<size_t>(line_length), '=') << "\n";
  int64_t total = s.trainable_params + s.non_trainable_params;
  int64_t total_bytes = s.trainable_bytes + s.non_trainable_bytes;
  out << "Total params: " << total << " (" << readable_size(static_cast<double>(total_bytes)) << ")\n";
  out << "Trainable params: " << s.trainable_params << " (" << readable_size(static_cast<double>(s.trainable_bytes))
      << ")\n";
  out << "Non-trainable params: " << s.non_trainable_params << " ("
      << readable_size(static_cast<double>(s.non_trainable_bytes)) << ")\n";
  out << std::string(static_cast<size_t>(line_length), '_') << "\n";
}

std::string keras_summary_json(const KerasModel& model) {
  using keras::json;
  KerasSummary s = summarize_keras_model(model);
  json j = json::object();
  j["model"] = s.model_name;
  j["class_name"] = model.class_name;
  j["format"] = model.format;
  j["keras_version"] = model.keras_version;
  j["backend"] = model.backend;
  json layers = json::array();
  for (const KerasLayerSummary& row : s.layers) {
    json l = json::object();
    l["name"] = row.name;
    l["class_name"] = row.class_name;
    l["output_shape"] = row.output_shape;
    l["params"] = row.params;
    l["inbound"] = row.connected_to;
    layers.push_back(std::move(l));
  }
  j["layers"] = std::move(layers);
  j["total_params"] = s.trainable_params + s.non_trainable_params;
  j["trainable_params"] = s.trainable_params;
  j["non_trainable_params"] = s.non_trainable_params;
  j["total_bytes"] = s.trainable_bytes + s.non_trainable_bytes;
  j["params_source"] = s.params_from_configs ? "layer configs" : "stored weights";
  // Invalid UTF-8 in a hostile config must not throw out of dump(): replace it.
  return j.dump(1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tfport
