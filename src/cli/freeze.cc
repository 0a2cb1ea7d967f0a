// `tfport freeze --dir SRC [--tag_set T] [--signature_def S] [--output_node_names a,b] --output F.pb`
#include "cli/export_commands.h"
#include "cli/progress.h"
#include "tfport/freeze.h"
#include "tfport/saved_model.h"

namespace tfport::cli {
namespace {

void print_specs(const char* title, const std::vector<TensorSpec>& specs, std::ostream& out) {
  out << title << ":\n";
  for (const TensorSpec& s : specs) {
    out << "  " << s.key << ": " << s.tensor_name;
    if (s.dtype != DType::kInvalid) {
      out << " " << dtype_python_name(s.dtype) << (s.shape.unknown_rank() ? " (shape unknown)" : s.shape.to_string());
    }
    out << "\n";
  }
}

}  // namespace

Status run_freeze(const FreezeCommandOptions& options, std::ostream& out) {
  if (options.output.empty()) return invalid_argument_error("freeze needs --output FILE.pb");
  FreezeOptions fo;
  fo.tag_set = options.tag_set;
  fo.signature_key = options.signature_def;
  fo.output_node_names = split_tag_set(options.output_node_names);  // ',' separated, empties dropped
  TFPORT_ASSIGN_OR_RETURN(FrozenGraph frozen, freeze_model(options.dir, fo));
  {
    Progress progress("writing " + options.output);
    TFPORT_RETURN_IF_ERROR(write_graph_def_file(options.output, frozen.graph_def, progress.callback()));
  }
  out << "Wrote " << options.output << ": " << frozen.graph_def.node_size() << " nodes, " << frozen.frozen_variables
      << " variables frozen into constants\n";
  print_specs("Inputs", frozen.inputs, out);
  print_specs("Outputs", frozen.outputs, out);
  return Status::OK();
}

}  // namespace tfport::cli
