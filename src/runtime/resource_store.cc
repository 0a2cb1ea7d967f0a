#include "runtime/resource_store.h"

namespace tfport::runtime {

StatusOr<Tensor> ResourceStore::read(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = variables_.find(key);
  if (it == variables_.end()) {
    return failed_precondition_error("variable '" + key + "' is read before it was initialized (no value restored "
                                     "from the checkpoint or assigned)");
  }
  return it->second;
}

void ResourceStore::assign(const std::string& key, Tensor value) {
  std::lock_guard<std::mutex> lock(mu_);
  variables_[key] = std::move(value);
}

bool ResourceStore::contains(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return variables_.count(key) > 0;
}

Tensor ResourceStore::get_or_insert(const std::string& key, Tensor value) {
  std::lock_guard<std::mutex> lock(mu_);
  return variables_.try_emplace(key, std::move(value)).first->second;
}

std::vector<std::string> ResourceStore::keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, v] : variables_) out.push_back(k);
  return out;
}

std::string variable_key(const std::string& container, const std::string& shared_name, const std::string& node_name) {
  const std::string& name = shared_name.empty() ? node_name : shared_name;
  return container.empty() ? name : container + "/" + name;
}

}  // namespace tfport::runtime
