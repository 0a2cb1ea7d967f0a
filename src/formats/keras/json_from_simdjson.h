// simdjson DOM values as nlohmann::json: the Keras config is parsed once with simdjson (much
// faster than nlohmann's own parser), and only the layer configs that lowering reads become
// nlohmann values. Numbers keep nlohmann's own parse result: non-negative integers unsigned,
// negative ones signed, the rest double; a key given twice keeps its last value, as nlohmann.
#pragma once

#include <simdjson.h>

#include <nlohmann/json.hpp>

namespace tfport::keras {

nlohmann::json json_from_simdjson(simdjson::dom::element value);

// The array / object `e` is; check its type first (the empty one returned otherwise cannot be
// iterated). A copy: iterating get_array().value_unsafe() directly iterates a dead temporary.
inline simdjson::dom::array array_of(simdjson::dom::element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}
inline simdjson::dom::object object_of(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}

}  // namespace tfport::keras
