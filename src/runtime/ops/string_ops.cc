// String tensor ops: Equal/NotEqual on strings (with broadcasting), StringJoin, and the text
// preprocessing ops Keras TextVectorization / StringLookup export: StringLower, StringUpper,
// StaticRegexReplace / RegexReplace, StaticRegexFullMatch / RegexFullMatch, StringStrip,
// StringLength. Every op refuses strings longer than kMaxStringBytes so an oversized input
// fails clearly instead of exhausting memory in a regex.
#include <regex>

#include "runtime/ops/broadcast.h"
#include "runtime/ops/op_util.h"
#include "runtime/ops/string_compare.h"

namespace tfport::runtime::ops {
namespace {

constexpr size_t kMaxStringBytes = size_t{64} << 20;

Status check_strings(const KernelContext& ctx, std::string_view op, const Tensor& t) {
  if (t.dtype() != DType::kString) return ctx.error(op, "expects a string tensor, got " + t.description());
  for (const std::string& s : t.strings()) {
    if (s.size() > kMaxStringBytes) {
      return ctx.error(op, "a string of " + std::to_string(s.size()) + " bytes exceeds the limit of " +
                               std::to_string(kMaxStringBytes));
    }
  }
  return Status::OK();
}

class StringEqualityKernel final : public Kernel {
 public:
  StringEqualityKernel(std::string op, bool equal) : op_(std::move(op)), equal_(equal) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
    const Tensor& a = ctx.inputs[0];
    const Tensor& b = ctx.inputs[1];
    TFPORT_RETURN_IF_ERROR(check_strings(ctx, op_, a));
    TFPORT_RETURN_IF_ERROR(check_strings(ctx, op_, b));
    auto shape = broadcast_shapes(a.shape(), b.shape());
    if (!shape) return ctx.error(op_, "incompatible shapes " + a.shape().to_string() + " and " + b.shape().to_string());
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, DType::kBool, *shape));
    BroadcastWalk<2> walk(*shape, {&a.shape(), &b.shape()});
    bool* o = out->mutable_data<bool>();
    const int64_t sa = walk.inner_stride(0), sb = walk.inner_stride(1);
    walk.for_each_run(0, out->num_elements(), [&](int64_t at, const std::array<int64_t, 2>& off, int64_t len) {
      for (int64_t i = 0; i < len; ++i) {
        const std::string& x = a.strings()[static_cast<size_t>(off[0] + (sa != 0 ? i : 0))];
        const std::string& y = b.strings()[static_cast<size_t>(off[1] + (sb != 0 ? i : 0))];
        o[at + i] = (x == y) == equal_;
      }
    });
    return Status::OK();
  }

 private:
  std::string op_;
  bool equal_;
};

// Elementwise string -> string maps.
class StringMapKernel final : public Kernel {
 public:
  using Fn = std::string (*)(const std::string&);
  StringMapKernel(std::string op, Fn fn) : op_(std::move(op)), fn_(fn) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, op_, 1));
    TFPORT_RETURN_IF_ERROR(check_strings(ctx, op_, ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, DType::kString, ctx.inputs[0].shape()));
    for (size_t i = 0; i < ctx.inputs[0].strings().size(); ++i) out->mutable_strings()[i] = fn_(ctx.inputs[0].strings()[i]);
    return Status::OK();
  }

 private:
  std::string op_;
  Fn fn_;
};

// ASCII case mapping, which is what StringLower does without an encoding attribute.
std::string lower(const std::string& s) {
  std::string r = s;
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}
std::string upper(const std::string& s) {
  std::string r = s;
  for (char& c : r) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return r;
}
std::string strip(const std::string& s) {
  size_t b = 0, e = s.size();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// RE2 syntax is mostly ECMAScript-compatible for the patterns Keras emits (character classes,
// escapes, alternation); RE2's \\1-less rewrite strings use \\0..\\9, translated to $n.
std::string rewrite_to_ecma(const std::string& rewrite) {
  std::string out;
  for (size_t i = 0; i < rewrite.size(); ++i) {
    if (rewrite[i] == '\\' && i + 1 < rewrite.size() && std::isdigit(static_cast<unsigned char>(rewrite[i + 1]))) {
      out += rewrite[i + 1] == '0' ? std::string("$&") : std::string("$") + rewrite[i + 1];
      ++i;
    } else if (rewrite[i] == '\\' && i + 1 < rewrite.size()) {
      out += rewrite[++i];
    } else if (rewrite[i] == '$') {
      out += "$$";
    } else {
      out += rewrite[i];
    }
  }
  return out;
}

StatusOr<std::regex> compile(const Attrs* attrs, const KernelContext* ctx, std::string_view op, const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    std::string msg = "cannot compile the pattern '" + pattern + "': " + e.what();
    if (attrs) return attrs->error(msg);
    return ctx->error(op, msg);
  }
}

class RegexReplaceKernel final : public Kernel {
 public:
  RegexReplaceKernel(std::string op, std::optional<std::regex> re, std::string rewrite, bool global)
      : op_(std::move(op)), re_(std::move(re)), rewrite_(std::move(rewrite)), global_(global) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, op_, 1));
    const Tensor& in = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(check_strings(ctx, op_, in));
    std::optional<std::regex> dynamic;
    std::string rewrite = rewrite_;
    if (!re_) {  // RegexReplace: pattern and rewrite are inputs
      TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 3));
      if (ctx.inputs[1].dtype() != DType::kString || ctx.inputs[1].num_elements() != 1 ||
          ctx.inputs[2].dtype() != DType::kString || ctx.inputs[2].num_elements() != 1) {
        return ctx.error(op_, "pattern and rewrite must be string scalars");
      }
      TFPORT_ASSIGN_OR_RETURN(dynamic, compile(nullptr, &ctx, op_, ctx.inputs[1].strings()[0]));
      rewrite = rewrite_to_ecma(ctx.inputs[2].strings()[0]);
    }
    const std::regex& re = re_ ? *re_ : *dynamic;
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, DType::kString, in.shape()));
    const auto flags = global_ ? std::regex_constants::format_default : std::regex_constants::format_first_only;
    try {
      for (size_t i = 0; i < in.strings().size(); ++i) out->mutable_strings()[i] = std::regex_replace(in.strings()[i], re, rewrite, flags);
    } catch (const std::regex_error& e) {
      return ctx.error(op_, std::string("regex failed: ") + e.what());
    }
    return Status::OK();
  }

 private:
  std::string op_;
  std::optional<std::regex> re_;
  std::string rewrite_;
  bool global_;
};

class RegexFullMatchKernel final : public Kernel {
 public:
  RegexFullMatchKernel(std::string op, std::optional<std::regex> re) : op_(std::move(op)), re_(std::move(re)) {}
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, op_, 1));
    const Tensor& in = ctx.inputs[0];
    TFPORT_RETURN_IF_ERROR(check_strings(ctx, op_, in));
    std::optional<std::regex> dynamic;
    if (!re_) {
      TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, op_, 2));
      if (ctx.inputs[1].dtype() != DType::kString || ctx.inputs[1].num_elements() != 1) {
        return ctx.error(op_, "pattern must be a string scalar");
      }
      TFPORT_ASSIGN_OR_RETURN(dynamic, compile(nullptr, &ctx, op_, ctx.inputs[1].strings()[0]));
    }
    const std::regex& re = re_ ? *re_ : *dynamic;
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, op_, DType::kBool, in.shape()));
    try {
      for (size_t i = 0; i < in.strings().size(); ++i) out->mutable_data<bool>()[i] = std::regex_match(in.strings()[i], re);
    } catch (const std::regex_error& e) {
      return ctx.error(op_, std::string("regex failed: ") + e.what());
    }
    return Status::OK();
  }

 private:
  std::string op_;
  std::optional<std::regex> re_;
};

class StringLengthKernel final : public Kernel {
 public:
  Status compute(KernelContext& ctx) const override {
    TFPORT_RETURN_IF_ERROR(expect_inputs(ctx, "StringLength", 1));
    TFPORT_RETURN_IF_ERROR(check_strings(ctx, "StringLength", ctx.inputs[0]));
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, "StringLength", DType::kInt32, ctx.inputs[0].shape()));
    for (size_t i = 0; i < ctx.inputs[0].strings().size(); ++i) {
      out->mutable_data<int32_t>()[i] = static_cast<int32_t>(ctx.inputs[0].strings()[i].size());
    }
    return Status::OK();
  }
};

// StringJoin: elementwise concatenation of N string tensors (scalars broadcast) with a separator.
class StringJoinKernel final : public Kernel {
 public:
  explicit StringJoinKernel(std::string sep) : sep_(std::move(sep)) {}
  Status compute(KernelContext& ctx) const override {
    static constexpr std::string_view kOp = "StringJoin";
    TFPORT_RETURN_IF_ERROR(expect_min_inputs(ctx, kOp, 1));
    Shape shape;
    for (const Tensor& t : ctx.inputs) {
      TFPORT_RETURN_IF_ERROR(check_strings(ctx, kOp, t));
      if (t.shape().rank() == 0) continue;
      if (shape.rank() != 0 && t.shape() != shape) {
        return ctx.error(kOp, "inputs must be scalars or of one shape, got " + shape.to_string() + " and " + t.shape().to_string());
      }
      shape = t.shape();
    }
    TFPORT_ASSIGN_OR_RETURN(Tensor * out, add_output(ctx, kOp, DType::kString, shape));
    for (size_t i = 0; i < out->strings().size(); ++i) {
      std::string joined;
      for (size_t k = 0; k < ctx.inputs.size(); ++k) {
        const Tensor& t = ctx.inputs[k];
        if (k > 0) joined += sep_;
        joined += t.strings()[t.shape().rank() == 0 ? 0 : i];
        if (joined.size() > kMaxStringBytes) return ctx.error(kOp, "the joined string exceeds the size limit");
      }
      out->mutable_strings()[i] = std::move(joined);
    }
    return Status::OK();
  }

 private:
  std::string sep_;
};

StatusOr<std::unique_ptr<Kernel>> make_join(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string sep, attrs.get_string_or("separator", ""));
  return std::unique_ptr<Kernel>(std::make_unique<StringJoinKernel>(std::move(sep)));
}

StatusOr<std::unique_ptr<Kernel>> make_lower(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string enc, attrs.get_string_or("encoding", ""));
  if (!enc.empty() && enc != "utf-8") return attrs.error("unsupported encoding '" + enc + "'");
  return std::unique_ptr<Kernel>(std::make_unique<StringMapKernel>(std::string(attrs.op()),
                                                                   attrs.op() == "StringUpper" ? &upper : &lower));
}
StatusOr<std::unique_ptr<Kernel>> make_strip(const Attrs& attrs) {
  return std::unique_ptr<Kernel>(std::make_unique<StringMapKernel>(std::string(attrs.op()), &strip));
}
StatusOr<std::unique_ptr<Kernel>> make_regex_replace(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(bool global, attrs.get_bool_or("replace_global", true));
  if (attrs.op() == "RegexReplace") {
    return std::unique_ptr<Kernel>(std::make_unique<RegexReplaceKernel>(std::string(attrs.op()), std::nullopt, "", global));
  }
  TFPORT_ASSIGN_OR_RETURN(std::string pattern, attrs.get_string("pattern"));
  TFPORT_ASSIGN_OR_RETURN(std::string rewrite, attrs.get_string("rewrite"));
  TFPORT_ASSIGN_OR_RETURN(std::regex re, compile(&attrs, nullptr, attrs.op(), pattern));
  return std::unique_ptr<Kernel>(
      std::make_unique<RegexReplaceKernel>(std::string(attrs.op()), std::move(re), rewrite_to_ecma(rewrite), global));
}
StatusOr<std::unique_ptr<Kernel>> make_full_match(const Attrs& attrs) {
  if (attrs.op() == "RegexFullMatch") {
    return std::unique_ptr<Kernel>(std::make_unique<RegexFullMatchKernel>(std::string(attrs.op()), std::nullopt));
  }
  TFPORT_ASSIGN_OR_RETURN(std::string pattern, attrs.get_string("pattern"));
  TFPORT_ASSIGN_OR_RETURN(std::regex re, compile(&attrs, nullptr, attrs.op(), pattern));
  return std::unique_ptr<Kernel>(std::make_unique<RegexFullMatchKernel>(std::string(attrs.op()), std::move(re)));
}
StatusOr<std::unique_ptr<Kernel>> make_length(const Attrs& attrs) {
  TFPORT_ASSIGN_OR_RETURN(std::string unit, attrs.get_string_or("unit", "BYTE"));
  if (unit != "BYTE") return attrs.error("only unit BYTE is supported");
  return std::unique_ptr<Kernel>(std::make_unique<StringLengthKernel>());
}

}  // namespace

StatusOr<std::unique_ptr<Kernel>> make_string_equality(const Attrs& attrs, bool equal) {
  return std::unique_ptr<Kernel>(std::make_unique<StringEqualityKernel>(std::string(attrs.op()), equal));
}

TFPORT_REGISTER_OP({"StringLower", &make_lower});
TFPORT_REGISTER_OP({"StringUpper", &make_lower});
TFPORT_REGISTER_OP({"StringStrip", &make_strip});
TFPORT_REGISTER_OP({"StaticRegexReplace", &make_regex_replace});
TFPORT_REGISTER_OP({"RegexReplace", &make_regex_replace});
TFPORT_REGISTER_OP({"StaticRegexFullMatch", &make_full_match});
TFPORT_REGISTER_OP({"RegexFullMatch", &make_full_match});
TFPORT_REGISTER_OP({"StringLength", &make_length});
TFPORT_REGISTER_OP({"StringJoin", &make_join});

}  // namespace tfport::runtime::ops
