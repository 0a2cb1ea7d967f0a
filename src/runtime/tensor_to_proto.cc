#include "runtime/tensor_to_proto.h"

namespace tfport::runtime {

StatusOr<tensorflow::TensorProto> tensor_to_proto(const Tensor& t) {
  if (!t.valid() || (!is_fixed_size(t.dtype()) && t.dtype() != DType::kString)) {
    return invalid_argument_error("cannot store a " + t.description() + " tensor as a constant");
  }
  tensorflow::TensorProto p;
  p.set_dtype(static_cast<tensorflow::DataType>(t.dtype()));
  for (int64_t d : t.shape().dims()) p.mutable_tensor_shape()->add_dim()->set_size(d);
  if (t.dtype() == DType::kString) {
    for (const std::string& s : t.strings()) p.add_string_val(s);
    return p;
  }
  const std::size_t bytes = static_cast<std::size_t>(t.num_elements()) * element_storage_size(t.dtype());
  p.mutable_tensor_content()->assign(static_cast<const char*>(t.raw_data()), bytes);
  return p;
}

}  // namespace tfport::runtime
