// The "Concrete Functions" section of `saved_model_cli show --all` for TF2 SavedModels
// (../shared/spec/saved_model_cli.md §3.6), and the same information as JSON.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "tfport/tf/saved_model.pb.h"

namespace tfport::cli {

// True iff some MetaGraphDef has an object graph (TF prints the section only then).
bool has_object_graph(const tensorflow::SavedModel& model);

// Prints "\nConcrete Functions:" and one block per function-valued child of the root object,
// byte for byte as saved_model_cli (including its "\b\b" before closing brackets). Uses the
// first MetaGraphDef that has an object graph; prints nothing when none has.
void print_concrete_functions(const tensorflow::SavedModel& model, std::ostream& out);

// [{"name": child, "options": [{"concrete_function": ..., "args": [...], "kwargs": {...}}]}]
// for one MetaGraphDef's object graph; [] when it has none.
nlohmann::json concrete_functions_json(const tensorflow::MetaGraphDef& meta_graph);

}  // namespace tfport::cli
