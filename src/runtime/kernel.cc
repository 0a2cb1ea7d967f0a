#include "runtime/kernel.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

namespace tfport::runtime {

Status KernelContext::error(std::string_view op, std::string_view message) const {
  std::string m = "node '";
  m += node_name;
  m += "' (";
  m += op;
  m += "): ";
  m += message;
  return invalid_argument_error(std::move(m));
}

namespace {

// Registrations happen during static initialisation (single-threaded) and lookups afterwards,
// but a mutex keeps late registrations (tests, plugins) safe too.
struct RegistryState {
  std::mutex mu;
  std::map<std::string, OpRegistration, std::less<>> ops;
};

RegistryState& state() {
  static RegistryState* s = new RegistryState();  // never destroyed: used from static dtors
  return *s;
}

}  // namespace

OpRegistry& OpRegistry::global() {
  static OpRegistry registry;
  return registry;
}

bool OpRegistry::add(const OpRegistration& registration) {
  RegistryState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  auto [it, inserted] = s.ops.emplace(std::string(registration.op), registration);
  if (inserted) it->second.op = it->first;  // view into the map's own key
  return inserted;
}

const OpRegistration* OpRegistry::find(std::string_view op) const {
  RegistryState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.ops.find(op);
  return it == s.ops.end() ? nullptr : &it->second;
}

std::vector<std::string_view> OpRegistry::op_names() const {
  RegistryState& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  std::vector<std::string_view> names;
  names.reserve(s.ops.size());
  for (const auto& [name, reg] : s.ops) names.push_back(name);
  return names;  // std::map keeps them sorted
}

}  // namespace tfport::runtime
