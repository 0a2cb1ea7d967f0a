// A Model backed by one graph: SavedModels (TF1 and TF2, functions inlined), frozen
// GraphDefs and TF1 .meta graphs. Keras models are lowered to such a graph too.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "runtime/plan.h"
#include "runtime/resource_store.h"
#include "tfport/model.h"

namespace tfport::runtime {

class GraphModel final : public Model {
 public:
  GraphModel(graph::Graph graph, LoadOptions options);

  // Runs `targets` once with `feeds` (restore, init ops); file access is allowed for these
  // steps only, so a model can read its own checkpoint and assets.
  Status run_setup(const std::vector<std::pair<std::string, Tensor>>& feeds, const std::vector<std::string>& targets);

  // Plans a signature now. A signature whose plan fails keeps its error and is reported when run.
  void add_signature(Signature signature);

  const std::vector<Signature>& signatures() const override { return signatures_; }
  // The plan error of a signature ("" when it planned fine).
  std::string signature_error(std::string_view key) const;

  StatusOr<std::map<std::string, Tensor>> run(std::string_view signature_key,
                                              const std::map<std::string, Tensor>& inputs) const override;
  StatusOr<std::vector<Tensor>> run_tensors(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                            const std::vector<std::string>& fetches) const override;

  const graph::Graph& graph() const { return graph_; }
  ResourceStore& resources() const { return resources_; }

  // Keeps `owner` alive as long as the model: what a loader built and would otherwise destroy
  // at the end of the load (the Keras reader's model and parsed configs, ~1 ms to free).
  void keep_alive(std::shared_ptr<const void> owner) { kept_.push_back(std::move(owner)); }

 private:
  PlanOptions plan_options() const;

  graph::Graph graph_;
  LoadOptions options_;
  mutable ResourceStore resources_;
  std::vector<Signature> signatures_;
  std::map<std::string, std::shared_ptr<const Plan>, std::less<>> signature_plans_;
  std::map<std::string, Status, std::less<>> signature_errors_;
  mutable std::mutex cache_mu_;
  mutable std::map<std::string, std::shared_ptr<const Plan>> tensor_plans_;
  std::vector<std::shared_ptr<const void>> kept_;
};

// Input validation shared by every Model: names, dtypes and shapes against the signature.
Status check_signature_inputs(const Signature& signature, const std::map<std::string, Tensor>& inputs);

}  // namespace tfport::runtime
