// Tokenising and densifying for text pipelines (Keras TextVectorization, tf.strings.split,
// tf.strings.ngrams): StringSplitV2 (sparse tokens of each string), StringNGrams over ragged
// rows, and RaggedTensorToTensor for one ragged dimension given as ROW_SPLITS or as
// FIRST_DIM_SIZE + VALUE_ROWIDS.
#include <cstring>

#include "runtime/ops/op_util.h"

namespace tfport::runtime::ops {
namespace {

constexpr size_t kMaxStringBytes = size_t{64} << 20;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

class StringSplitKernel final : public Kernel {
 public:
  explicit StringSplitKernel(int64_t maxsplit) : maxsplit_(maxsplit) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "StringSplitV2";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& in = ctx.inputs[0];
    const Tensor& sep_t = ctx.inputs[1];
    if (in.dtype() != DType::kString || in.shape().rank() != 1) return ctx.error(kOp, "input must be a 1-D string tensor");
    if (sep_t.dtype() != DType::kString || sep_t.num_elements() != 1) return ctx.error(kOp, "sep must be a string scalar");
    const std::string& sep = sep_t.strings()[0];
    std::vector<std::pair<int64_t, int64_t>> idx;
    std::vector<std::string> tokens;
    int64_t widest = 0;
    for (size_t row = 0; row < in.strings().size(); ++row) {
      const std::string& s = in.strings()[row];
      if (s.size() > kMaxStringBytes) return ctx.error(kOp, "a string of " + std::to_string(s.size()) + " bytes exceeds the limit");
      std::vector<std::string> parts;
      if (sep.empty()) {
        // Runs of whitespace separate tokens; leading and trailing whitespace is dropped.
        size_t i = 0;
        while (i < s.size()) {
          while (i < s.size() && is_space(s[i])) ++i;
          if (i >= s.size()) break;
          if (maxsplit_ >= 0 && static_cast<int64_t>(parts.size()) == maxsplit_) {
            size_t e = s.size();
            while (e > i && is_space(s[e - 1])) --e;
            parts.push_back(s.substr(i, e - i));
            break;
          }
          size_t j = i;
          while (j < s.size() && !is_space(s[j])) ++j;
          parts.push_back(s.substr(i, j - i));
          i = j;
        }
      } else if (!s.empty()) {
        size_t start = 0;
        while (true) {
          size_t hit = s.find(sep, start);
          if (hit == std::string::npos || (maxsplit_ >= 0 && static_cast<int64_t>(parts.size()) == maxsplit_)) {
            parts.push_back(s.substr(start));
            break;
          }
          parts.push_back(s.substr(start, hit - start));
          start = hit + sep.size();
        }
      }
      widest = std::max(widest, static_cast<int64_t>(parts.size()));
      for (size_t k = 0; k < parts.size(); ++k) {
        idx.emplace_back(static_cast<int64_t>(row), static_cast<int64_t>(k));
        tokens.push_back(std::move(parts[k]));
      }
    }
    const auto n = static_cast<int64_t>(tokens.size());
    TFPORT_ASSIGN_OR_RETURN(Tensor * indices, add_output(ctx, kOp, DType::kInt64, Shape{n, 2}));
    for (int64_t i = 0; i < n; ++i) {
      indices->mutable_data<int64_t>()[2 * i] = idx[static_cast<size_t>(i)].first;
      indices->mutable_data<int64_t>()[2 * i + 1] = idx[static_cast<size_t>(i)].second;
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * values, add_output(ctx, kOp, DType::kString, Shape{n}));
    values->mutable_strings() = std::move(tokens);
    TFPORT_ASSIGN_OR_RETURN(Tensor * shape, add_output(ctx, kOp, DType::kInt64, Shape{2}));
    shape->mutable_data<int64_t>()[0] = in.shape().dim(0);
    shape->mutable_data<int64_t>()[1] = widest;
    return Status::OK();
  }

 private:
  int64_t maxsplit_;
};

// Inputs: shape, values, default_value, then the partition tensors named by
// row_partition_types. Rows longer than a given shape are truncated; shorter ones padded.
class RaggedToTensorKernel final : public Kernel {
 public:
  explicit RaggedToTensorKernel(bool value_rowids) : value_rowids_(value_rowids) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "RaggedTensorToTensor";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, value_rowids_ ? 5 : 4));
    const Tensor& values = ctx.inputs[1];
    const Tensor& dflt = ctx.inputs[2];
    if (values.dtype() != dflt.dtype() || dflt.num_elements() != 1) {
      return ctx.error(kOp, "default_value must be a scalar of the values' type");
    }
    if (values.shape().rank() != 1) return ctx.error(kOp, "only 1-D values (one ragged dimension) are supported");
    const int64_t nvals = values.shape().dim(0);
    // Row of each value and the number of rows.
    std::vector<int64_t> row_of;
    int64_t rows = 0;
    if (value_rowids_) {
      TFPORT_ASSIGN_OR_RETURN(rows, read_int_scalar(ctx, kOp, ctx.inputs[3], "first_dim_size"));
      TFPORT_ASSIGN_OR_RETURN(row_of, read_int_values(ctx, kOp, ctx.inputs[4], "value_rowids"));
      if (static_cast<int64_t>(row_of.size()) != nvals) return ctx.error(kOp, "one row id per value expected");
    } else {
      TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> splits, read_int_values(ctx, kOp, ctx.inputs[3], "row_splits"));
      if (splits.empty() || splits[0] != 0 || splits.back() != nvals) return ctx.error(kOp, "row_splits do not cover the values");
      rows = static_cast<int64_t>(splits.size()) - 1;
      for (int64_t r = 0; r < rows; ++r) {
        if (splits[static_cast<size_t>(r + 1)] < splits[static_cast<size_t>(r)]) return ctx.error(kOp, "row_splits decrease");
        for (int64_t v = splits[static_cast<size_t>(r)]; v < splits[static_cast<size_t>(r + 1)]; ++v) row_of.push_back(r);
      }
    }
    std::vector<int64_t> col(static_cast<size_t>(nvals));
    int64_t widest = 0;
    for (int64_t v = 0, run = 0; v < nvals; ++v) {
      const int64_t r = row_of[static_cast<size_t>(v)];
      if (r < 0 || r >= rows || (v > 0 && r < row_of[static_cast<size_t>(v - 1)])) return ctx.error(kOp, "bad row ids");
      run = v > 0 && r == row_of[static_cast<size_t>(v - 1)] ? run + 1 : 0;
      col[static_cast<size_t>(v)] = run;
      widest = std::max(widest, run + 1);
    }
    // Requested shape: a -1 scalar or -1 dims mean "as needed".
    std::vector<int64_t> want{rows, widest};
    if (ctx.inputs[0].shape().rank() == 1 && ctx.inputs[0].num_elements() == 2) {
      TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> s, read_int_values(ctx, kOp, ctx.inputs[0], "shape"));
      if (s[0] >= 0) want[0] = s[0];
      if (s[1] >= 0) want[1] = s[1];
    }
    const bool strings = values.dtype() == DType::kString;
    if (!strings && element_storage_size(values.dtype()) == 0) return unsupported_dtype(ctx, kOp, values.dtype(), kAllPlainTypes);
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, values.dtype(), Shape{want[0], want[1]}));
    const size_t e = strings ? 0 : element_storage_size(values.dtype());
    char* dst = strings ? nullptr : static_cast<char*>(out->mutable_raw_data());
    for (int64_t i = 0; i < out->num_elements(); ++i) {
      if (strings) out->mutable_strings()[static_cast<size_t>(i)] = dflt.strings()[0];
      else std::memcpy(dst + static_cast<size_t>(i) * e, dflt.raw_data(), e);
    }
    for (int64_t v = 0; v < nvals; ++v) {
      const int64_t r = row_of[static_cast<size_t>(v)], c = col[static_cast<size_t>(v)];
      if (r >= want[0] || c >= want[1]) continue;
      const int64_t at = r * want[1] + c;
      if (strings) out->mutable_strings()[static_cast<size_t>(at)] = values.strings()[static_cast<size_t>(v)];
      else std::memcpy(dst + static_cast<size_t>(at) * e, static_cast<const char*>(values.raw_data()) + static_cast<size_t>(v) * e, e);
    }
    return Status::OK();
  }

 private:
  bool value_rowids_;
};

// StringNGrams: per row (data_splits), for each width n in ngram_widths, every run of n
// tokens joined by `separator`, after padding the row with pad_width copies of left_pad and
// right_pad (-1: n - 1 copies). A row too short for any n-gram yields one n-gram of the whole
// padded row when preserve_short_sequences is set.
class NGramsKernel final : public Kernel {
 public:
  NGramsKernel(std::string sep, std::vector<int64_t> widths, std::string left, std::string right, int64_t pad, bool keep)
      : sep_(std::move(sep)), widths_(std::move(widths)), left_(std::move(left)), right_(std::move(right)),
        pad_(pad), keep_short_(keep) {}

  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "StringNGrams";
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, kOp, 2));
    const Tensor& data = ctx.inputs[0];
    if (data.dtype() != DType::kString || data.shape().rank() != 1) return ctx.error(kOp, "data must be 1-D strings");
    TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> splits, read_int_values(ctx, kOp, ctx.inputs[1], "data_splits"));
    if (splits.empty() || splits[0] != 0 || splits.back() != data.shape().dim(0)) {
      return ctx.error(kOp, "data_splits do not cover the data");
    }
    std::vector<std::string> grams;
    std::vector<int64_t> out_splits{0};
    for (size_t r = 0; r + 1 < splits.size(); ++r) {
      if (splits[r + 1] < splits[r]) return ctx.error(kOp, "data_splits decrease");
      const int64_t len = splits[r + 1] - splits[r];
      const size_t before = grams.size();
      for (int64_t n : widths_) {
        const int64_t pad = pad_ < 0 ? n - 1 : std::min(pad_, n - 1);
        const int64_t total = len + 2 * pad;
        for (int64_t start = 0; start + n <= total; ++start) grams.push_back(join(data, splits[r], len, pad, start, n));
      }
      if (grams.size() == before && keep_short_ && len > 0) {
        const int64_t n = widths_.empty() ? len : widths_[0];
        const int64_t pad = pad_ < 0 ? n - 1 : std::min(pad_, n - 1);
        grams.push_back(join(data, splits[r], len, pad, 0, len + 2 * pad));
      }
      if (grams.size() > (size_t{1} << 26)) return ctx.error(kOp, "too many n-grams");
      out_splits.push_back(static_cast<int64_t>(grams.size()));
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * g, add_output(ctx, kOp, DType::kString, Shape{static_cast<int64_t>(grams.size())}));
    g->mutable_strings() = std::move(grams);
    const DType st = ctx.inputs[1].dtype();
    TFPORT_ASSIGN_OR_RETURN(Tensor * sp, add_output(ctx, kOp, st, Shape{static_cast<int64_t>(out_splits.size())}));
    for (size_t i = 0; i < out_splits.size(); ++i) {
      if (st == DType::kInt64) sp->mutable_data<int64_t>()[i] = out_splits[i];
      else sp->mutable_data<int32_t>()[i] = static_cast<int32_t>(out_splits[i]);
    }
    return Status::OK();
  }

 private:
  // Tokens [start, start + n) of the row padded with `pad` on both sides.
  std::string join(const Tensor& data, int64_t first, int64_t len, int64_t pad, int64_t start, int64_t n) const {
    std::string out;
    for (int64_t k = start; k < start + n; ++k) {
      if (k > start) out += sep_;
      if (k < pad) out += left_;
      else if (k >= pad + len) out += right_;
      else out += data.strings()[static_cast<size_t>(first + k - pad)];
    }
    return out;
  }

  std::string sep_;
  std::vector<int64_t> widths_;
  std::string left_, right_;
  int64_t pad_;
  bool keep_short_;
};

StatusOr<std::unique_ptr<Kernel>> make_ngrams(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string sep, attrs.get_string_or("separator", " "));
  TFPORT_ASSIGN_OR_RETURN(std::vector<int64_t> widths, attrs.get_int_list("ngram_widths"));
  TFPORT_ASSIGN_OR_RETURN(std::string left, attrs.get_string_or("left_pad", ""));
  TFPORT_ASSIGN_OR_RETURN(std::string right, attrs.get_string_or("right_pad", ""));
  TFPORT_ASSIGN_OR_RETURN(int64_t pad, attrs.get_int_or("pad_width", 0));
  TFPORT_ASSIGN_OR_RETURN(bool keep, attrs.get_bool_or("preserve_short_sequences", false));
  for (int64_t n : widths) {
    if (n <= 0) return attrs.error("ngram widths must be positive");
  }
  return std::unique_ptr<Kernel>(std::make_unique<NGramsKernel>(std::move(sep), std::move(widths), std::move(left),
                                                                std::move(right), pad, keep));
}

StatusOr<std::unique_ptr<Kernel>> make_split(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(int64_t maxsplit, attrs.get_int_or("maxsplit", -1));
  return std::unique_ptr<Kernel>(std::make_unique<StringSplitKernel>(maxsplit));
}

StatusOr<std::unique_ptr<Kernel>> make_ragged_to_tensor(const Attrs& attrs) {
  const tensorflow::AttrValue* types = attrs.find("row_partition_types");
  if (types == nullptr || !types->has_list()) return attrs.error("missing row_partition_types");
  std::vector<std::string> kinds(types->list().s().begin(), types->list().s().end());
  if (kinds == std::vector<std::string>{"ROW_SPLITS"}) {
    return std::unique_ptr<Kernel>(std::make_unique<RaggedToTensorKernel>(false));
  }
  if (kinds == std::vector<std::string>{"FIRST_DIM_SIZE", "VALUE_ROWIDS"}) {
    return std::unique_ptr<Kernel>(std::make_unique<RaggedToTensorKernel>(true));
  }
  return Status(StatusCode::kUnimplemented, attrs.error("only one ragged dimension (ROW_SPLITS, or FIRST_DIM_SIZE + "
                                                         "VALUE_ROWIDS) is supported").message());
}

}  // namespace

TFPORT_REGISTER_OP({"StringSplitV2", &make_split});
TFPORT_REGISTER_OP({"RaggedTensorToTensor", &make_ragged_to_tensor});
TFPORT_REGISTER_OP({"StringNGrams", &make_ngrams});

}  // namespace tfport::runtime::ops
