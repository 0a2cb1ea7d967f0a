// libFuzzer target: SavedModel bytes (binary, or text when the first byte is odd) through the
// parser, default-attribute filling and every saved_model_cli printer; binary bytes also through
// the model loader's quick scan (runtime/saved_model_scan.h).
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "cli/show_saved_model.h"
#include "runtime/saved_model_scan.h"
#include "tfport/saved_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  bool text = data[0] == '#';  // text-format files may start with a comment
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!text) (void)tfport::runtime::scan_saved_model(bytes);
  auto model = tfport::parse_saved_model(bytes, text, "fuzz/saved_model.pb");
  if (!model.ok()) return 0;
  tfport::SavedModelFiles files;
  files.dir = "fuzz";
  files.proto_path = "fuzz/saved_model.pb";
  files.proto = std::move(*model);
  for (bool json : {false, true}) {
    for (int form = 0; form < 4; ++form) {
      tfport::cli::ShowOptions options;
      options.json = json;
      options.all = form == 0;
      if (form >= 2) options.tag_set = "serve";
      if (form == 3) options.signature_def = "serving_default";
      options.list_ops = form == 2;
      std::ostringstream out;
      tfport::cli::print_saved_model(files, options, out).ignore_error();
    }
  }
  for (auto& mg : *files.proto.mutable_meta_graphs()) {
    tfport::fill_default_attrs(&mg).ignore_error();
    tfport::asset_file_defs(mg).status().ignore_error();
    tfport::variable_defs(mg, "variables").status().ignore_error();
  }
  return 0;
}
