// AttrValue builders for the NodeDefs and FunctionDefs tfport writes (Keras lowering, frozen
// recurrent loops).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "tfport/dtype.h"
#include "tfport/tf/attr_value.pb.h"

namespace tfport::graph {

tensorflow::AttrValue attr_type(DType v);
tensorflow::AttrValue attr_int(int64_t v);
tensorflow::AttrValue attr_ints(const std::vector<int64_t>& v);
tensorflow::AttrValue attr_float(float v);
tensorflow::AttrValue attr_bool(bool v);
tensorflow::AttrValue attr_string(std::string v);
tensorflow::AttrValue attr_shape(const std::vector<int64_t>& dims);  // -1 = unknown dim
tensorflow::AttrValue attr_types(const std::vector<DType>& v);

// The attributes of a Const node of `dtype` ({"dtype": dtype}), one map per dtype shared by
// every such node (copy on write), since graphs hold thousands of weight constants.
NodeAttrs const_node_attrs(DType dtype);
// {"T": dtype}, the only attribute of the elementwise ops a Keras model emits by the hundred
// (one Mul and AddV2 per BatchNormalization, one activation per layer); shared the same way.
NodeAttrs t_node_attrs(DType dtype);

}  // namespace tfport::graph
