// Ops that reach outside the process: files, network, other processes, Python callbacks.
// The runtime refuses to execute them (PERMISSION_DENIED) when they are reachable from what a
// caller fetches; `tfport scan` reports them. Note that every SavedModel's save/restore
// subgraph contains SaveV2/RestoreV2/MergeV2Checkpoints: tfport restores variables itself and
// never runs that subgraph, so their presence alone is not a reason to refuse a model.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tfport {

// Every unsafe op type name, sorted.
const std::vector<std::string>& unsafe_ops();

// True iff `op` is in unsafe_ops().
bool is_unsafe_op(std::string_view op);

// A short reason ("reads files", "runs Python code", ...), or "" for ops that are not unsafe.
std::string_view unsafe_op_reason(std::string_view op);

}  // namespace tfport
