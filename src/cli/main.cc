// The tfport command line: one binary, one subcommand per job.
#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

#include "cli/bench.h"
#include "cli/export_commands.h"
#include "cli/openmp_defaults.h"
#include "cli/run.h"
#include "cli/serve.h"
#include "cli/show.h"

namespace {

// Prints the error as one line on stderr and returns the process exit code.
int report(const tfport::Status& status) {
  if (status.ok()) return 0;
  std::cerr << "tfport: error: " << status.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  tfport::cli::apply_openmp_defaults(argc, argv);
  CLI::App app{"tfport: read, inspect, run, serve and write TensorFlow and Keras model files"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tfport 0.1.0");

  tfport::cli::ShowOptions show;
  std::string tag_set, signature_def;
  auto* show_cmd = app.add_subcommand("show", "Show a model's contents (saved_model_cli show compatible)");
  show_cmd->add_option("--dir", show.dir, "Model path: SavedModel dir, checkpoint, .pb, .meta, .h5, .keras")
      ->required();
  auto* tag_opt = show_cmd->add_option("--tag_set", tag_set, "Comma-separated tag set, e.g. serve,gpu");
  auto* sig_opt = show_cmd->add_option("--signature_def", signature_def, "Signature key to show");
  show_cmd->add_flag("--all", show.all, "Show everything");
  show_cmd->add_flag("--list_ops", show.list_ops, "List the ops of the tag set's MetaGraph");
  show_cmd->add_flag("--json", show.json, "Print one JSON document instead of text");
  show_cmd->add_flag("--summary", show.summary, "Keras SavedModels: print the Keras model summary");

  tfport::cli::ScanOptions scan;
  std::string scan_tag_set, denylist;
  auto* scan_cmd = app.add_subcommand("scan", "Report ops that touch files, network or processes");
  scan_cmd->add_option("--dir", scan.dir, "SavedModel directory (or any model path)")->required();
  auto* scan_tag_opt = scan_cmd->add_option("--tag_set", scan_tag_set, "Only scan this tag set");
  auto* deny_opt = scan_cmd->add_option("--op_denylist", denylist, "Comma-separated op names");
  scan_cmd->add_flag("--json", scan.json, "Print one JSON document instead of text");

  tfport::cli::RunOptions run;
  std::string run_outdir, run_outputs;
  auto* run_cmd = app.add_subcommand("run", "Run a model on inputs (saved_model_cli run compatible)");
  run_cmd->add_option("--dir", run.dir, "Model path: SavedModel dir, .pb, .meta, ...")->required();
  run_cmd->add_option("--tag_set", run.tag_set, "SavedModels: comma-separated tag set (default serve)");
  run_cmd->add_option("--signature_def", run.signature_def, "Signature key (default serving_default)");
  run_cmd->add_option("--inputs", run.inputs, "'key=file.npy;key2=file.npz[name]'");
  run_cmd->add_option("--input_exprs", run.input_exprs, "'key=[[1.0],[2.0]];key2=np.ones((2,3))'");
  run_cmd->add_option("--input_examples", run.input_examples, "'key=[{\"x\":[8.0]}]' as serialized tf.Examples");
  auto* run_outdir_opt = run_cmd->add_option("--outdir", run_outdir, "Save each output as <outdir>/<key>.npy");
  run_cmd->add_flag("--overwrite", run.overwrite, "Allow replacing files in --outdir");
  auto* run_outputs_opt =
      run_cmd->add_option("--outputs", run_outputs, "Graphs without signatures: tensors to fetch, a,b");
  run_cmd->add_flag("--allow_unsafe_ops", run.allow_unsafe_ops, "Allow ops that touch files, network, processes");

  tfport::cli::BenchOptions bench;
  auto* bench_cmd = app.add_subcommand("bench", "Measure load time, latency and throughput of a model");
  bench_cmd->add_option("--model", bench.model, "Model path (any format tfport runs)")->required();
  bench_cmd->add_option("--signature_def", bench.signature, "Signature key (default serving_default)");
  bench_cmd->add_option("--batch", bench.batch, "Batch size (default 1)");
  bench_cmd->add_option("--threads", bench.threads, "Intra-op threads (default: all cores)");
  bench_cmd->add_option("--runs", bench.runs, "Timed runs (default: enough for 2 s, at least 10)");
  bench_cmd->add_flag("--json", bench.json, "Print the JSON contract of shared/bench/README.md");
  bench_cmd->add_flag("--profile", bench.profile, "Print time per op type over the timed runs on stderr");

  tfport::serving::ServerOptions serve;
  auto* serve_cmd = tfport::cli::add_serve_command(app, serve);

  tfport::cli::FreezeCommandOptions freeze;
  std::string freeze_tag_set;
  auto* freeze_cmd = app.add_subcommand("freeze", "Write a frozen GraphDef (variables as constants, pruned)");
  freeze_cmd->add_option("--dir", freeze.dir, "SavedModel dir, TF1 .meta (beside its checkpoint), .h5, .keras")
      ->required();
  auto* freeze_tag_opt = freeze_cmd->add_option("--tag_set", freeze_tag_set, "SavedModels: comma-separated tag set");
  freeze_cmd->add_option("--signature_def", freeze.signature_def, "Signature to freeze (default serving_default)");
  freeze_cmd->add_option("--output_node_names", freeze.output_node_names, "Nodes to keep instead, a,b");
  freeze_cmd->add_option("--output", freeze.output, "The .pb file to write")->required();

  tfport::cli::ConvertCommandOptions convert;
  auto* convert_cmd = app.add_subcommand("convert", "Convert between Keras h5, .keras, Keras SavedModel, weights");
  convert_cmd->add_option("--dir", convert.dir, "Source model")->required();
  convert_cmd->add_option("--output", convert.output, "Destination file or directory")->required();
  convert_cmd->add_option("--to", convert.to, "h5, keras, savedmodel or weights (default: from --output)");
  convert_cmd->add_flag("--overwrite", convert.overwrite, "Replace an existing destination");

  CLI11_PARSE(app, argc, argv);
  if (*serve_cmd) return report(tfport::cli::run_serve(serve));

  std::ostringstream out;
  tfport::Status status;
  if (*show_cmd) {
    if (*tag_opt) show.tag_set = tag_set;
    if (*sig_opt) show.signature_def = signature_def;
    status = tfport::cli::run_show(show, out);
  } else if (*scan_cmd) {
    if (*scan_tag_opt) scan.tag_set = scan_tag_set;
    if (*deny_opt) scan.op_denylist = denylist;
    status = tfport::cli::run_scan(scan, out);
  } else if (*bench_cmd) {
    status = tfport::cli::run_bench(bench, out);
  } else if (*run_cmd) {
    if (*run_outdir_opt) run.outdir = run_outdir;
    if (*run_outputs_opt) run.outputs = run_outputs;
    status = tfport::cli::run_run(run, out, std::cerr);
  } else if (*freeze_cmd) {
    if (*freeze_tag_opt) freeze.tag_set = freeze_tag_set;
    status = tfport::cli::run_freeze(freeze, out);
  } else if (*convert_cmd) {
    status = tfport::cli::run_convert(convert, out);
  }
  std::cout << out.str() << std::flush;
  return report(status);
}
