// `tfport run`: saved_model_cli run compatible. Feeds come from .npy/.npz files (--inputs),
// Python literals and np.* constructors (--input_exprs) and tf.Example dicts
// (--input_examples); every output of the signature is printed as NumPy prints arrays and
// optionally saved as <outdir>/<key>.npy.
//
// tfport extensions: --tag_set defaults to "serve"; --dir takes any model path tfport opens;
// for graphs without signatures (frozen graphs, .meta, TF1 SavedModels without signature_defs)
// --outputs names the tensors to fetch and input keys are tensor names ("x" means "x:0").
// .npy/.npz files are read without pickle: object arrays and pickle files are refused.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/run_literal.h"
#include "tfport/status.h"
#include "tfport/tensor.h"

namespace tfport::cli {

struct RunOptions {
  std::string dir;
  std::string tag_set = "serve";
  std::string signature_def = "serving_default";
  std::string inputs;          // --inputs 'x=f.npy;y=f.npz[key]'
  std::string input_exprs;     // --input_exprs 'x=[[1.0],[2.0]];z=np.ones((2,3))'
  std::string input_examples;  // --input_examples 'inputs=[{"x":[8.0]}]'
  std::optional<std::string> outdir;
  bool overwrite = false;
  std::optional<std::string> outputs;  // --outputs a,b: fetch graph tensors by name
  bool allow_unsafe_ops = false;
};

// Results and "Output ... is saved to ..." lines go to `out`, warnings to `warn`; the first
// error is returned (after the output lines printed before it, as saved_model_cli does).
Status run_run(const RunOptions& options, std::ostream& out, std::ostream& warn);

// ---- the pieces, for tests ----------------------------------------------------------------

struct InputFileArg {
  std::string file;
  std::optional<std::string> variable;  // the [name] of an .npz member
  bool operator==(const InputFileArg&) const = default;
};

// saved_model_cli's preprocess_inputs_arg_string: "k=file" / "k=file[var]" items split on ';'.
StatusOr<std::map<std::string, InputFileArg>> parse_inputs_arg(std::string_view text);

// Loads one --inputs item the way numpy.load does (.npy, or .npz by member name); pickles are
// refused. A variable name given for a .npy file is ignored with a warning on `warn`.
StatusOr<Tensor> load_input_file(const InputFileArg& arg, std::ostream& warn);

// preprocess_input_exprs_arg_string: "k=<python literal>" items; np.* allowed with allow_numpy.
StatusOr<std::map<std::string, PyValue>> parse_input_exprs_arg(std::string_view text, bool allow_numpy = true);

// preprocess_input_examples_arg_string: each value a list of dicts, each dict one serialized
// tensorflow.Example; the result is the 1-D list of serialized protos per key.
StatusOr<std::map<std::string, std::vector<std::string>>> parse_input_examples_arg(std::string_view text);

// One example dict ({"x": [8.0], "s": ["a"]}) as serialized tensorflow.Example bytes.
StatusOr<std::string> serialize_example(const PyValue& dict);

// "(2,)", "(None, 1)": a shape as Python prints it, for feed errors.
std::string python_shape(const std::vector<int64_t>& dims);

}  // namespace tfport::cli
