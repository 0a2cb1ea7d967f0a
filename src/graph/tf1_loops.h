// Pass: rewrites TF1 dataflow while loops (the Enter / Merge / Switch / LoopCond /
// NextIteration / Exit frames tf.while_loop leaves in TF1 and frozen graphs) into functional
// While nodes whose cond and body are extracted into function bodies, as converters do. The
// executor then needs no frame machinery: a loop runs like a TF2 While, with the same
// iteration limit. Inner frames are converted first, so nested loops become nested Whiles.
// Frames that do not have the shape tf.while_loop gives them are left alone; planning them then
// reports the cycle.
#pragma once

#include "graph/graph.h"

namespace tfport::graph {

Status convert_tf1_loops(Graph& graph);

}  // namespace tfport::graph
