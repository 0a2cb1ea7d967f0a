// ParseExample (TF1) and ParseExampleV2 (TF2): serialized tf.Example protos to tensors.
// Dense features (fixed shape, with or without a default), sparse features (indices, values,
// dense_shape per key) and, for V2, ragged features (values, row_splits). This is what
// TF Serving's classify/regress signatures put in front of the model.
#include <algorithm>
#include <string>

#include "runtime/ops/op_util.h"
#include "tfport/tf/example.pb.h"

namespace tfport::runtime::ops {
namespace {

constexpr std::string_view kV1 = "ParseExample";
constexpr std::string_view kV2 = "ParseExampleV2";

struct DenseSpec {
  DType type = DType::kFloat;
  PartialShape shape;  // per example
  int64_t elements = 0;  // per example; -1 for a variable-length first dim
};

// Python's names for the feature kinds, as TF's error messages print them.
std::string_view kind_name(DType type) {
  switch (type) {
    case DType::kFloat: return "float";
    case DType::kInt64: return "int64";
    default: return "string";
  }
}

DType feature_type(const tensorflow::Feature& f) {
  switch (f.kind_case()) {
    case tensorflow::Feature::kFloatList: return DType::kFloat;
    case tensorflow::Feature::kInt64List: return DType::kInt64;
    case tensorflow::Feature::kBytesList: return DType::kString;
    default: return DType::kInvalid;
  }
}

int64_t feature_size(const tensorflow::Feature& f) {
  switch (f.kind_case()) {
    case tensorflow::Feature::kFloatList: return f.float_list().value_size();
    case tensorflow::Feature::kInt64List: return f.int64_list().value_size();
    case tensorflow::Feature::kBytesList: return f.bytes_list().value_size();
    default: return 0;
  }
}

// Copies feature values [0, n) into out at element offset `at`.
void copy_values(const tensorflow::Feature& f, Tensor* out, int64_t at) {
  switch (f.kind_case()) {
    case tensorflow::Feature::kFloatList:
      std::copy(f.float_list().value().begin(), f.float_list().value().end(), out->mutable_data<float>() + at);
      break;
    case tensorflow::Feature::kInt64List:
      std::copy(f.int64_list().value().begin(), f.int64_list().value().end(), out->mutable_data<int64_t>() + at);
      break;
    case tensorflow::Feature::kBytesList:
      for (int i = 0; i < f.bytes_list().value_size(); ++i) {
        out->mutable_strings()[static_cast<std::size_t>(at + i)] = f.bytes_list().value(i);
      }
      break;
    default:
      break;
  }
}

Status check_feature_type(const KernelContext& ctx, std::string_view op, const std::string& key,
                          const tensorflow::Feature& f, DType expected) {
  DType got = feature_type(f);
  if (got == DType::kInvalid || got == expected) return Status::OK();
  return ctx.error(op, "Name: <unknown>, Feature: " + key + ".  Data types don't match. Data type: " +
                           std::string(kind_name(got)) + " but expected type: " + std::string(kind_name(expected)));
}

class ParseExampleKernel final : public Kernel {
 public:
  ParseExampleKernel(bool v2, int num_sparse, std::vector<DType> sparse_types, std::vector<DenseSpec> dense,
                     std::vector<DType> ragged_values, std::vector<DType> ragged_splits)
      : v2_(v2),
        num_sparse_(num_sparse),
        sparse_types_(std::move(sparse_types)),
        dense_(std::move(dense)),
        ragged_values_(std::move(ragged_values)),
        ragged_splits_(std::move(ragged_splits)) {}

  Status compute(KernelContext& ctx) const override {
    const std::string_view op = v2_ ? kV2 : kV1;
    const std::size_t nd = dense_.size();
    const std::size_t ns = static_cast<std::size_t>(num_sparse_);
    const std::size_t nr = ragged_values_.size();
    // Inputs: serialized, names, then keys (V1: one scalar per key; V2: one vector per kind),
    // then the dense defaults.
    std::vector<std::string> sparse_keys, dense_keys, ragged_keys;
    std::size_t defaults_at = 0;
    if (!v2_) {
      TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op, 2 + ns + 2 * nd));
      for (std::size_t i = 0; i < ns; ++i) {
        TFPORT_ASSIGN_OR_RETURN(std::string k, scalar_string(ctx, op, ctx.inputs[2 + i], "sparse_keys"));
        sparse_keys.push_back(std::move(k));
      }
      for (std::size_t i = 0; i < nd; ++i) {
        TFPORT_ASSIGN_OR_RETURN(std::string k, scalar_string(ctx, op, ctx.inputs[2 + ns + i], "dense_keys"));
        dense_keys.push_back(std::move(k));
      }
      defaults_at = 2 + ns + nd;
    } else {
      TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op, 5 + nd));
      TFPORT_RETURN_IF_ERROR(string_list(ctx, op, ctx.inputs[2], ns, "sparse_keys", &sparse_keys));
      TFPORT_RETURN_IF_ERROR(string_list(ctx, op, ctx.inputs[3], nd, "dense_keys", &dense_keys));
      TFPORT_RETURN_IF_ERROR(string_list(ctx, op, ctx.inputs[4], nr, "ragged_keys", &ragged_keys));
      defaults_at = 5;
    }
    const Tensor& serialized = ctx.inputs[0];
    if (serialized.dtype() != DType::kString) return ctx.error(op, "serialized must be a string tensor");
    const bool scalar = v2_ && serialized.shape().rank() == 0;
    if (!scalar && serialized.shape().rank() != 1) {
      return ctx.error(op, "Expected serialized to be a vector, got shape: " + serialized.shape().to_string());
    }
    const int64_t batch = serialized.num_elements();

    std::vector<tensorflow::Example> examples(static_cast<std::size_t>(batch));
    for (int64_t b = 0; b < batch; ++b) {
      const std::string& bytes = serialized.strings()[static_cast<std::size_t>(b)];
      if (!examples[static_cast<std::size_t>(b)].ParseFromString(bytes)) {
        return ctx.error(op, "Could not parse example input, value: '" + bytes.substr(0, 64) + "'");
      }
    }
    auto find = [&](int64_t b, const std::string& key) -> const tensorflow::Feature* {
      const auto& map = examples[static_cast<std::size_t>(b)].features().feature();
      auto it = map.find(key);
      return it == map.end() ? nullptr : &it->second;
    };

    std::vector<Tensor> dense_out(nd);
    for (std::size_t d = 0; d < nd; ++d) {
      TFPORT_ASSIGN_OR_RETURN(dense_out[d], parse_dense(ctx, op, d, dense_keys[d], ctx.inputs[defaults_at + d],
                                                        batch, scalar, find));
    }

    // Sparse: indices [N, rank], values [N], dense_shape [rank].
    std::vector<Tensor> sp_idx(ns), sp_val(ns), sp_shape(ns);
    for (std::size_t s = 0; s < ns; ++s) {
      int64_t total = 0, longest = 0;
      for (int64_t b = 0; b < batch; ++b) {
        const tensorflow::Feature* f = find(b, sparse_keys[s]);
        if (f == nullptr) continue;
        TFPORT_RETURN_IF_ERROR(check_feature_type(ctx, op, sparse_keys[s], *f, sparse_types_[s]));
        total += feature_size(*f);
        longest = std::max(longest, feature_size(*f));
      }
      const int64_t rank = scalar ? 1 : 2;
      TFPORT_ASSIGN_OR_RETURN(sp_idx[s], Tensor::allocate(DType::kInt64, Shape{total, rank}));
      TFPORT_ASSIGN_OR_RETURN(sp_val[s], Tensor::allocate(sparse_types_[s], Shape{total}));
      TFPORT_ASSIGN_OR_RETURN(sp_shape[s], Tensor::allocate(DType::kInt64, Shape{rank}));
      int64_t at = 0;
      for (int64_t b = 0; b < batch; ++b) {
        const tensorflow::Feature* f = find(b, sparse_keys[s]);
        if (f == nullptr) continue;
        const int64_t n = feature_size(*f);
        copy_values(*f, &sp_val[s], at);
        for (int64_t i = 0; i < n; ++i) {
          int64_t* row = sp_idx[s].mutable_data<int64_t>() + (at + i) * rank;
          if (scalar) {
            row[0] = i;
          } else {
            row[0] = b;
            row[1] = i;
          }
        }
        at += n;
      }
      int64_t* shape = sp_shape[s].mutable_data<int64_t>();
      if (scalar) {
        shape[0] = longest;
      } else {
        shape[0] = batch;
        shape[1] = longest;
      }
    }

    // Ragged (V2 only): values [N], row_splits [batch + 1].
    std::vector<Tensor> rg_val(nr), rg_splits(nr);
    for (std::size_t r = 0; r < nr; ++r) {
      int64_t total = 0;
      for (int64_t b = 0; b < batch; ++b) {
        const tensorflow::Feature* f = find(b, ragged_keys[r]);
        if (f == nullptr) continue;
        TFPORT_RETURN_IF_ERROR(check_feature_type(ctx, op, ragged_keys[r], *f, ragged_values_[r]));
        total += feature_size(*f);
      }
      TFPORT_ASSIGN_OR_RETURN(rg_val[r], Tensor::allocate(ragged_values_[r], Shape{total}));
      TFPORT_ASSIGN_OR_RETURN(rg_splits[r], Tensor::allocate(ragged_splits_[r], Shape{scalar ? 2 : batch + 1}));
      int64_t at = 0;
      for (int64_t b = 0; b < batch; ++b) {
        const tensorflow::Feature* f = find(b, ragged_keys[r]);
        if (f != nullptr) {
          copy_values(*f, &rg_val[r], at);
          at += feature_size(*f);
        }
        if (ragged_splits_[r] == DType::kInt32) {
          rg_splits[r].mutable_data<int32_t>()[b + 1] = static_cast<int32_t>(at);
        } else {
          rg_splits[r].mutable_data<int64_t>()[b + 1] = at;
        }
      }
    }

    for (auto& t : sp_idx) ctx.outputs->push_back(std::move(t));
    for (auto& t : sp_val) ctx.outputs->push_back(std::move(t));
    for (auto& t : sp_shape) ctx.outputs->push_back(std::move(t));
    for (auto& t : dense_out) ctx.outputs->push_back(std::move(t));
    if (v2_) {
      for (auto& t : rg_val) ctx.outputs->push_back(std::move(t));
      for (auto& t : rg_splits) ctx.outputs->push_back(std::move(t));
    }
    return Status::OK();
  }

 private:
  static StatusOr<std::string> scalar_string(const KernelContext& ctx, std::string_view op, const Tensor& t,
                                             std::string_view what) {
    if (t.dtype() != DType::kString || t.num_elements() != 1) {
      return ctx.error(op, std::string(what) + " must be string scalars");
    }
    return t.strings()[0];
  }

  static Status string_list(const KernelContext& ctx, std::string_view op, const Tensor& t, std::size_t n,
                            std::string_view what, std::vector<std::string>* out) {
    if (t.dtype() != DType::kString || t.shape().rank() > 1 || static_cast<std::size_t>(t.num_elements()) != n) {
      return ctx.error(op, std::string(what) + " must be a string vector of " + std::to_string(n) + " keys, got " +
                               t.description());
    }
    *out = t.strings();
    return Status::OK();
  }

  template <typename Find>
  StatusOr<Tensor> parse_dense(const KernelContext& ctx, std::string_view op, std::size_t d, const std::string& key,
                               const Tensor& def, int64_t batch, bool scalar, const Find& find) const {
    const DenseSpec& spec = dense_[d];
    if (def.dtype() != spec.type) return ctx.error(op, "dense_defaults[" + std::to_string(d) + "] has the wrong dtype");
    const bool has_default = def.num_elements() > 0;
    if (spec.elements < 0) {
      // Variable-length (first dim -1): padded with the default value to the longest.
      int64_t inner = 1;
      for (std::size_t i = 1; i < spec.shape.dims().size(); ++i) inner *= spec.shape.dims()[i];
      int64_t longest = 0;
      for (int64_t b = 0; b < batch; ++b) {
        const tensorflow::Feature* f = find(b, key);
        if (f == nullptr) continue;
        TFPORT_RETURN_IF_ERROR(check_feature_type(ctx, op, key, *f, spec.type));
        const int64_t n = feature_size(*f);
        if (inner == 0 || n % inner != 0) {
          return ctx.error(op, "Name: <unknown>, Key: " + key + ".  Number of values is not a multiple of " +
                                   std::to_string(inner));
        }
        longest = std::max(longest, n / inner);
      }
      std::vector<int64_t> dims;
      if (!scalar) dims.push_back(batch);
      dims.push_back(longest);
      for (std::size_t i = 1; i < spec.shape.dims().size(); ++i) dims.push_back(spec.shape.dims()[i]);
      TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(spec.type, Shape(dims)));
      const int64_t per = longest * inner;
      for (int64_t b = 0; b < batch; ++b) {
        const tensorflow::Feature* f = find(b, key);
        const int64_t n = f == nullptr ? 0 : feature_size(*f);
        if (f != nullptr) copy_values(*f, &out, b * per);
        if (has_default) fill_from(def, &out, b * per + n, per - n);
      }
      return out;
    }
    std::vector<int64_t> dims;
    if (!scalar) dims.push_back(batch);
    for (int64_t x : spec.shape.dims()) dims.push_back(x);
    TFPORT_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(spec.type, Shape(dims)));
    if (has_default && def.num_elements() != spec.elements) {
      return ctx.error(op, "dense_defaults[" + std::to_string(d) + "] has " + std::to_string(def.num_elements()) +
                               " values, expected " + std::to_string(spec.elements));
    }
    for (int64_t b = 0; b < batch; ++b) {
      const tensorflow::Feature* f = find(b, key);
      const int64_t at = b * spec.elements;
      if (f == nullptr || f->kind_case() == tensorflow::Feature::KIND_NOT_SET) {
        if (!has_default) {
          return ctx.error(op, "Name: <unknown>, Feature: " + key + " (data type: " + std::string(kind_name(spec.type)) +
                                   ") is required but could not be found.");
        }
        fill_from(def, &out, at, spec.elements);
        continue;
      }
      TFPORT_RETURN_IF_ERROR(check_feature_type(ctx, op, key, *f, spec.type));
      if (feature_size(*f) != spec.elements) {
        return ctx.error(op, "Name: <unknown>, Key: " + key + ", Index: " + std::to_string(b) +
                                 ".  Number of float values != expected.  values size: " +
                                 std::to_string(feature_size(*f)) + " but output shape: " + spec.shape.to_string());
      }
      copy_values(*f, &out, at);
    }
    return out;
  }

  // Writes `count` elements of `src` (repeated cyclically from its start) at element `at`.
  static void fill_from(const Tensor& src, Tensor* out, int64_t at, int64_t count) {
    const int64_t n = src.num_elements();
    if (n == 0 || count <= 0) return;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t j = i % n;
      switch (src.dtype()) {
        case DType::kFloat: out->mutable_data<float>()[at + i] = src.data<float>()[j]; break;
        case DType::kInt64: out->mutable_data<int64_t>()[at + i] = src.data<int64_t>()[j]; break;
        default: out->mutable_strings()[static_cast<std::size_t>(at + i)] = src.strings()[static_cast<std::size_t>(j)];
      }
    }
  }

  bool v2_;
  int num_sparse_;
  std::vector<DType> sparse_types_;
  std::vector<DenseSpec> dense_;
  std::vector<DType> ragged_values_;
  std::vector<DType> ragged_splits_;
};

Status check_feature_dtypes(const Attrs& attrs, const std::vector<DType>& types, std::string_view what) {
  for (DType t : types) {
    if (t != DType::kFloat && t != DType::kInt64 && t != DType::kString) {
      return attrs.error(std::string(what) + " must be float, int64 or string, got " + std::string(dtype_name(t)));
    }
  }
  return Status::OK();
}

StatusOr<std::vector<DenseSpec>> dense_specs(const Attrs& attrs) {
  std::vector<DType> tdense;
  if (attrs.has("Tdense")) {
    TFPORT_ASSIGN_OR_RETURN(tdense, attrs.get_type_list("Tdense"));
  }
  TFPORT_RETURN_IF_ERROR(check_feature_dtypes(attrs, tdense, "Tdense"));
  std::vector<DenseSpec> specs(tdense.size());
  const tensorflow::AttrValue* shapes = attrs.find("dense_shapes");
  const int nshapes = shapes == nullptr ? 0 : shapes->list().shape_size();
  if (static_cast<std::size_t>(nshapes) != tdense.size()) {
    return attrs.error("dense_shapes has " + std::to_string(nshapes) + " entries for " + std::to_string(tdense.size()) +
                       " dense keys");
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    specs[i].type = tdense[i];
    const auto& sp = shapes->list().shape(static_cast<int>(i));
    if (sp.unknown_rank()) return attrs.error("dense_shapes must have a known rank");
    std::vector<int64_t> dims;
    int64_t elements = 1;
    for (int j = 0; j < sp.dim_size(); ++j) {
      const int64_t x = sp.dim(j).size();
      if (x < 0 && j != 0) return attrs.error("dense_shapes: only the first dimension may be unknown");
      if (x > (int64_t{1} << 31)) return attrs.error("dense_shapes: dimension too large");
      dims.push_back(x);
      elements = x < 0 ? -1 : (elements < 0 ? -1 : elements * x);
      if (elements > (int64_t{1} << 31)) return attrs.error("dense_shapes: too many elements");
    }
    specs[i].shape = PartialShape(dims);
    specs[i].elements = elements;
  }
  return specs;
}

StatusOr<std::vector<DType>> type_list_or_empty(const Attrs& attrs, std::string_view name) {
  if (!attrs.has(name)) return std::vector<DType>{};
  return attrs.get_type_list(name);
}

StatusOr<std::unique_ptr<Kernel>> make_parse_example(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(auto dense, dense_specs(attrs));
  TFPORT_ASSIGN_OR_RETURN(auto sparse_types, type_list_or_empty(attrs, "sparse_types"));
  TFPORT_RETURN_IF_ERROR(check_feature_dtypes(attrs, sparse_types, "sparse_types"));
  TFPORT_ASSIGN_OR_RETURN(int64_t nsparse, attrs.get_int_or("Nsparse", static_cast<int64_t>(sparse_types.size())));
  if (nsparse != static_cast<int64_t>(sparse_types.size())) return attrs.error("Nsparse does not match sparse_types");
  return std::unique_ptr<Kernel>(
      new ParseExampleKernel(false, static_cast<int>(nsparse), std::move(sparse_types), std::move(dense), {}, {}));
}

StatusOr<std::unique_ptr<Kernel>> make_parse_example_v2(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(auto dense, dense_specs(attrs));
  TFPORT_ASSIGN_OR_RETURN(auto sparse_types, type_list_or_empty(attrs, "sparse_types"));
  TFPORT_RETURN_IF_ERROR(check_feature_dtypes(attrs, sparse_types, "sparse_types"));
  TFPORT_ASSIGN_OR_RETURN(int64_t nsparse, attrs.get_int_or("num_sparse", static_cast<int64_t>(sparse_types.size())));
  if (nsparse != static_cast<int64_t>(sparse_types.size())) return attrs.error("num_sparse does not match sparse_types");
  TFPORT_ASSIGN_OR_RETURN(auto ragged_values, type_list_or_empty(attrs, "ragged_value_types"));
  TFPORT_ASSIGN_OR_RETURN(auto ragged_splits, type_list_or_empty(attrs, "ragged_split_types"));
  TFPORT_RETURN_IF_ERROR(check_feature_dtypes(attrs, ragged_values, "ragged_value_types"));
  if (ragged_values.size() != ragged_splits.size()) {
    return attrs.error("ragged_value_types and ragged_split_types differ in length");
  }
  for (DType t : ragged_splits) {
    if (t != DType::kInt32 && t != DType::kInt64) return attrs.error("ragged_split_types must be int32 or int64");
  }
  return std::unique_ptr<Kernel>(new ParseExampleKernel(true, static_cast<int>(nsparse), std::move(sparse_types),
                                                        std::move(dense), std::move(ragged_values),
                                                        std::move(ragged_splits)));
}

}  // namespace

TFPORT_REGISTER_OP({"ParseExample", &make_parse_example});
TFPORT_REGISTER_OP({"ParseExampleV2", &make_parse_example_v2});

}  // namespace tfport::runtime::ops
