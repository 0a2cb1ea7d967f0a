#include "formats/keras/json_from_simdjson.h"

#include <cstdint>
#include <string>

namespace tfport::keras {
namespace {

using nlohmann::json;
using simdjson::dom::element;
using simdjson::dom::element_type;

// Recursion is bounded by the simdjson parser's depth limit, checked when it parsed the text.
void convert(element value, json* out) {
  switch (value.type()) {
    case element_type::OBJECT: {
      *out = json::object();
      json::object_t& object = out->get_ref<json::object_t&>();
      for (simdjson::dom::key_value_pair field : object_of(value)) {
        auto slot = object.try_emplace(std::string(field.key)).first;
        convert(field.value, &slot->second);
      }
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array items = array_of(value);
      *out = json::array();
      json::array_t& array = out->get_ref<json::array_t&>();
      array.reserve(items.size());
      for (element item : items) convert(item, &array.emplace_back());
      return;
    }
    case element_type::STRING: *out = std::string(value.get_string().value_unsafe()); return;
    case element_type::INT64: {
      int64_t v = value.get_int64().value_unsafe();
      if (v >= 0) *out = static_cast<uint64_t>(v);
      else *out = v;
      return;
    }
    case element_type::UINT64: *out = value.get_uint64().value_unsafe(); return;
    case element_type::DOUBLE: *out = value.get_double().value_unsafe(); return;
    case element_type::BOOL: *out = value.get_bool().value_unsafe(); return;
    case element_type::NULL_VALUE: *out = nullptr; return;
  }
}

}  // namespace

json json_from_simdjson(element value) {
  json out;
  convert(value, &out);
  return out;
}

}  // namespace tfport::keras
