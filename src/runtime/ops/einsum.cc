// Einsum with one or two operands, as Keras' EinsumDense and MultiHeadAttention and BERT-style
// graphs use it ("abc,cde->abde", "aecd,abcd->acbe", "...ij,jk->...ik"). Each operand is
// gathered (one strided copy) into [batch, free, contracted] order, labels it alone carries
// and the output lacks are summed out, the pair is multiplied batch by batch, and the product
// is gathered into the output's order. Ellipsis dims broadcast as in NumPy. Repeated labels
// within one operand (diagonals) are refused at load.
#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "runtime/ops/matmul.h"

namespace tfport::runtime::ops {
namespace {

constexpr std::string_view kOp = "Einsum";
constexpr int kEllipsis = -1;  // in a parsed term: where the ellipsis dims go
constexpr int kFirstEllipsisLabel = 1000;

// A term's labels: letters as their char codes, kEllipsis once at most.
using Term = std::vector<int>;

StatusOr<Term> parse_term(std::string_view s, const Attrs& attrs) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (std::find(t.begin(), t.end(), c) != t.end()) {
        return Status(StatusCode::kUnimplemented,
                      attrs.error(std::string("label '") + c + "' repeated within one operand (a diagonal)").message());
      }
      t.push_back(c);
    } else if (s.substr(i, 3) == "...") {
      if (std::find(t.begin(), t.end(), kEllipsis) != t.end()) return attrs.error("two ellipses in one term");
      t.push_back(kEllipsis);
      i += 2;
    } else if (c != ' ') {
      return attrs.error(std::string("unexpected character '") + c + "' in the equation");
    }
  }
  return t;
}

struct Equation {
  std::vector<Term> inputs;
  Term output;
};

StatusOr<Equation> parse_equation(const std::string& eq, const Attrs& attrs) {
  Equation e;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  size_t start = 0;
  while (true) {
    const size_t comma = lhs.find(',', start);
    TFPORT_ASSIGN_OR_RETURN(Term t, parse_term(std::string_view(lhs).substr(start, comma - start), attrs));
    e.inputs.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (e.inputs.size() > 2) return Status(StatusCode::kUnimplemented, attrs.error("more than two operands").message());
  if (arrow != std::string::npos) {
    TFPORT_ASSIGN_OR_RETURN(e.output, parse_term(std::string_view(eq).substr(arrow + 2), attrs));
  } else {  // implicit: the ellipsis, then the labels used once, in alphabetical order
    std::map<int, int> count;
    bool ellipsis = false;
    for (const Term& t : e.inputs) {
      for (int l : t) {
        if (l == kEllipsis) ellipsis = true;
        else ++count[l];
      }
    }
    if (ellipsis) e.output.push_back(kEllipsis);
    for (const auto& [l, n] : count) {
      if (n == 1) e.output.push_back(l);
    }
  }
  for (int l : e.output) {
    if (l == kEllipsis) continue;
    const bool used = std::any_of(e.inputs.begin(), e.inputs.end(),
                                  [&](const Term& t) { return std::find(t.begin(), t.end(), l) != t.end(); });
    if (!used) return attrs.error(std::string("output label '") + static_cast<char>(l) + "' is in no operand");
  }
  return e;
}

// One operand with its ellipsis expanded: a label per dim (ellipsis dims get labels
// kFirstEllipsisLabel + i, right-aligned across operands so that they broadcast).
struct Operand {
  const Tensor* t;
  std::vector<int> labels;
};

class EinsumKernel final : public Kernel {
 public:
  explicit EinsumKernel(Equation eq) : eq_(std::move(eq)) {}

  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, eq_.inputs.size()));
    const DType dtype = ctx.inputs[0].dtype();
    for (const Tensor& t : ctx.inputs) {
      if (t.dtype() != dtype) return ctx.error(kOp, "operands of different types");
    }
    // Expand ellipses; the widest one sets how many broadcast dims there are.
    int ellipsis_dims = 0;
    std::vector<int> explicit_count;
    for (size_t i = 0; i < eq_.inputs.size(); ++i) {
      const Term& term = eq_.inputs[i];
      const int n = static_cast<int>(std::count_if(term.begin(), term.end(), [](int l) { return l != kEllipsis; }));
      const int rank = ctx.inputs[i].shape().rank();
      const bool has_ellipsis = std::find(term.begin(), term.end(), kEllipsis) != term.end();
      if (has_ellipsis ? rank < n : rank != n) {
        return ctx.error(kOp, "operand " + std::to_string(i) + " of shape " + ctx.inputs[i].shape().to_string() +
                                  " does not fit its term of " + std::to_string(n) + " labels");
      }
      explicit_count.push_back(n);
      ellipsis_dims = std::max(ellipsis_dims, rank - n);
    }
    std::vector<Operand> ops;
    std::map<int, int64_t> size;
    for (size_t i = 0; i < eq_.inputs.size(); ++i) {
      Operand o{&ctx.inputs[i], {}};
      const int own = ctx.inputs[i].shape().rank() - explicit_count[i];
      for (int l : eq_.inputs[i]) {
        if (l != kEllipsis) {
          o.labels.push_back(l);
          continue;
        }
        for (int k = 0; k < own; ++k) o.labels.push_back(kFirstEllipsisLabel + ellipsis_dims - own + k);
      }
      for (size_t d = 0; d < o.labels.size(); ++d) {
        const int64_t n = o.t->shape().dim(static_cast<int>(d));
        auto [it, inserted] = size.emplace(o.labels[d], n);
        if (inserted || it->second == n) continue;
        if (o.labels[d] >= kFirstEllipsisLabel && (it->second == 1 || n == 1)) {
          it->second = std::max(it->second, n);
          continue;
        }
        return ctx.error(kOp, "dimension sizes differ for one label: " + std::to_string(it->second) + " and " +
                                  std::to_string(n));
      }
      ops.push_back(std::move(o));
    }
    std::vector<int> out_labels;
    for (int l : eq_.output) {
      if (l != kEllipsis) {
        out_labels.push_back(l);
        continue;
      }
      for (int k = 0; k < ellipsis_dims; ++k) out_labels.push_back(kFirstEllipsisLabel + k);
    }
    Status status;
    const bool handled = visit_dtype<kMatMulTypes>(dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      status = ops.size() == 1 ? unary<T>(ctx, ops[0], out_labels, size) : binary<T>(ctx, ops, out_labels, size);
    });
    if (!handled) return unsupported_dtype(ctx, kOp, dtype, kMatMulTypes);
    return status;
  }

 private:
  static bool has(const std::vector<int>& v, int l) { return std::find(v.begin(), v.end(), l) != v.end(); }

  // The operand gathered into the order `order` (labels it lacks or has as size 1 broadcast
  // with step 0), then summed over the trailing `summed` labels it alone carries.
  template <typename T>
  static StatusOr<Tensor> arrange(const Operand& o, const std::vector<int>& order, const std::vector<int>& summed,
                                  const std::map<int, int64_t>& size) {
    const auto strides = row_major_strides(o.t->shape());
    std::vector<int64_t> dims, step;
    auto add = [&](int l) {
      const auto at = std::find(o.labels.begin(), o.labels.end(), l);
      const int64_t n = size.at(l);
      dims.push_back(n);
      if (at == o.labels.end() || o.t->shape().dim(static_cast<int>(at - o.labels.begin())) == 1) {
        step.push_back(0);
      } else {
        step.push_back(strides[static_cast<size_t>(at - o.labels.begin())]);
      }
    };
    for (int l : order) add(l);
    int64_t kept = 1, reduced = 1;
    for (int64_t d : dims) kept *= d;
    for (int l : summed) {
      add(l);
      reduced *= size.at(l);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor gathered, allocate_uninitialized(o.t->dtype(), Shape(dims)));
    strided_gather(*o.t, 0, step, gathered);
    if (summed.empty()) return gathered;
    TFPORT_ASSIGN_OR_RETURN(Tensor out, allocate_uninitialized(o.t->dtype(), Shape{kept}));
    const T* in = gathered.data<T>();
    T* po = out.mutable_data<T>();
    for (int64_t i = 0; i < kept; ++i) {
      T acc = T(0);
      for (int64_t j = 0; j < reduced; ++j) acc += in[i * reduced + j];
      po[i] = acc;
    }
    return out;
  }

  static Shape shape_of(const std::vector<int>& labels, const std::map<int, int64_t>& size) {
    std::vector<int64_t> dims;
    for (int l : labels) dims.push_back(size.at(l));
    return Shape(dims);
  }

  template <typename T>
  static Status unary(KernelContext& ctx, const Operand& o, const std::vector<int>& out_labels,
                      const std::map<int, int64_t>& size) {
    std::vector<int> summed;
    for (int l : o.labels) {
      if (!has(out_labels, l)) summed.push_back(l);
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor r, arrange<T>(o, out_labels, summed, size));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, kOp, o.t->dtype(), shape_of(out_labels, size)));
    std::copy(r.data<T>(), r.data<T>() + r.num_elements(), out->mutable_data<T>());
    return Status::OK();
  }

  template <typename T>
  static Status binary(KernelContext& ctx, const std::vector<Operand>& ops, const std::vector<int>& out_labels,
                       const std::map<int, int64_t>& size) {
    const Operand& a = ops[0];
    const Operand& b = ops[1];
    std::vector<int> batch, free_a, free_b, contract, sum_a, sum_b;
    for (int l : out_labels) {
      const bool in_a = has(a.labels, l), in_b = has(b.labels, l);
      if (in_a && in_b) batch.push_back(l);
      else if (in_a) free_a.push_back(l);
      else free_b.push_back(l);
    }
    for (int l : a.labels) {
      if (has(out_labels, l)) continue;
      if (has(b.labels, l)) contract.push_back(l);
      else sum_a.push_back(l);
    }
    for (int l : b.labels) {
      if (!has(out_labels, l) && !has(a.labels, l)) sum_b.push_back(l);
    }
    auto count = [&](const std::vector<int>& ls) {
      int64_t n = 1;
      for (int l : ls) n *= size.at(l);
      return n;
    };
    const int64_t nb = count(batch), m = count(free_a), n = count(free_b), k = count(contract);
    std::vector<int> order_a = batch, order_b = batch;
    order_a.insert(order_a.end(), free_a.begin(), free_a.end());
    order_a.insert(order_a.end(), contract.begin(), contract.end());
    order_b.insert(order_b.end(), contract.begin(), contract.end());
    order_b.insert(order_b.end(), free_b.begin(), free_b.end());
    TFPORT_ASSIGN_OR_RETURN(Tensor ga, arrange<T>(a, order_a, sum_a, size));
    TFPORT_ASSIGN_OR_RETURN(Tensor gb, arrange<T>(b, order_b, sum_b, size));
    std::vector<int> product_labels = batch;
    product_labels.insert(product_labels.end(), free_a.begin(), free_a.end());
    product_labels.insert(product_labels.end(), free_b.begin(), free_b.end());
    const Shape out_shape = shape_of(out_labels, size);
    const bool in_order = product_labels == out_labels;
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output_uninitialized(ctx, kOp, a.t->dtype(), out_shape));
    Tensor product = *out;
    if (!in_order) {
      TFPORT_ASSIGN_OR_RETURN(product, allocate_uninitialized(a.t->dtype(), shape_of(product_labels, size)));
    }
    T* pc = product.mutable_data<T>();
    for (int64_t i = 0; i < nb; ++i) {
      TFPORT_RETURN_IF_ERROR(gemm<T>(false, false, m, n, k, ga.data<T>() + i * m * k, gb.data<T>() + i * k * n, pc + i * m * n));
    }
    if (in_order) return Status::OK();
    // Gather the product [batch, free_a, free_b] into the output's label order.
    const auto strides = row_major_strides(product.shape());
    std::vector<int64_t> step;
    for (int l : out_labels) {
      step.push_back(strides[static_cast<size_t>(std::find(product_labels.begin(), product_labels.end(), l) -
                                                 product_labels.begin())]);
    }
    strided_gather(product, 0, step, *out);
    return Status::OK();
  }

  Equation eq_;
};

StatusOr<std::unique_ptr<Kernel>> make_einsum(const Attrs& attrs) {
  TFPORT_RETURN_IF_ERROR(check_type_attr(attrs, "T", kMatMulTypes));
  TFPORT_ASSIGN_OR_RETURN(std::string equation, attrs.get_string("equation"));
  TFPORT_ASSIGN_OR_RETURN(Equation eq, parse_equation(equation, attrs));
  TFPORT_ASSIGN_OR_RETURN(int64_t n, attrs.get_int_or("N", static_cast<int64_t>(eq.inputs.size())));
  if (n != static_cast<int64_t>(eq.inputs.size())) {
    return attrs.error("N = " + std::to_string(n) + " but the equation has " + std::to_string(eq.inputs.size()) +
                       " operands");
  }
  return std::unique_ptr<Kernel>(new EinsumKernel(std::move(eq)));
}

TFPORT_REGISTER_OP({"Einsum", &make_einsum});

}  // namespace
}  // namespace tfport::runtime::ops
