// Einsum against a brute-force reference that loops over every assignment of the labels.
#include <gtest/gtest.h>

#include <map>

#include "op_test_util.h"

namespace tfport::runtime::testing {
namespace {

// Labels are letters; '.' stands for nothing here (the tests spell ellipses out as letters for
// the reference). Dims of size 1 broadcast against the label's size.
Tensor reference(const std::string& eq, const std::vector<Tensor>& in) {
  const size_t arrow = eq.find("->");
  std::vector<std::string> terms;
  std::string lhs = eq.substr(0, arrow), out = eq.substr(arrow + 2);
  for (size_t s = 0;;) {
    const size_t c = lhs.find(',', s);
    terms.push_back(lhs.substr(s, c - s));
    if (c == std::string::npos) break;
    s = c + 1;
  }
  std::map<char, int64_t> size;
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t d = 0; d < terms[i].size(); ++d) size[terms[i][d]] = std::max(size[terms[i][d]], in[i].shape().dim(static_cast<int>(d)));
  std::vector<char> labels;
  for (const auto& [l, n] : size) labels.push_back(l);
  std::vector<int64_t> out_dims;
  for (char l : out) out_dims.push_back(size[l]);
  std::vector<double> acc(static_cast<size_t>(Shape(out_dims).num_elements()), 0.0);
  std::map<char, int64_t> at;
  for (char l : labels) at[l] = 0;
  while (true) {
    double p = 1;
    for (size_t i = 0; i < terms.size(); ++i) {
      int64_t off = 0;
      for (size_t d = 0; d < terms[i].size(); ++d) {
        const int64_t n = in[i].shape().dim(static_cast<int>(d));
        off = off * n + (n == 1 ? 0 : at[terms[i][d]]);
      }
      p *= in[i].data<float>()[off];
    }
    int64_t o = 0;
    for (char l : out) o = o * size[l] + at[l];
    acc[static_cast<size_t>(o)] += p;
    // The next assignment, the last label fastest; done when every label wrapped around.
    bool wrapped = true;
    for (size_t k = labels.size(); k-- > 0;) {
      if (++at[labels[k]] < size[labels[k]]) {
        wrapped = false;
        break;
      }
      at[labels[k]] = 0;
    }
    if (wrapped) break;
  }
  std::vector<float> v(acc.begin(), acc.end());
  return floats(Shape(out_dims), v);
}

StatusOr<Tensor> einsum(const std::string& eq, const std::vector<Tensor>& in) {
  OpTest t("Einsum");
  t.attr("equation", string_attr(eq)).attr("T", type_attr(DType::kFloat)).attr("N", int_attr(static_cast<int64_t>(in.size())));
  return t.run1(in);
}

struct Case {
  std::string eq, ref_eq;  // ref_eq: the same with ellipses spelled out ("" = eq)
  std::vector<Shape> shapes;
};

TEST(Einsum, MatchesTheReference) {
  const std::vector<Case> cases = {
      {"abc,cde->abde", "", {Shape{2, 3, 4}, Shape{4, 2, 5}}},         // EinsumDense (query projection)
      {"aecd,abcd->acbe", "", {Shape{2, 5, 3, 4}, Shape{2, 6, 3, 4}}},  // attention scores
      {"acbe,aecd->abcd", "", {Shape{2, 3, 6, 5}, Shape{2, 5, 3, 4}}},  // attention combine
      {"abcd,cde->abe", "", {Shape{2, 6, 3, 4}, Shape{3, 4, 7}}},       // output projection
      {"ij,j->i", "", {Shape{3, 4}, Shape{4}}},
      {"i,i->", "", {Shape{5}, Shape{5}}},
      {"abc,cd->ad", "", {Shape{2, 3, 4}, Shape{4, 5}}},  // b summed out of the first operand alone
      {"ij->ji", "", {Shape{3, 4}}},
      {"ijk->ki", "", {Shape{2, 3, 4}}},
      {"bij,bjk", "bij,bjk->ik", {Shape{2, 3, 4}, Shape{2, 4, 5}}},  // implicit: labels used once
      {"...ij,jk->...ik", "xyij,jk->xyik", {Shape{2, 3, 4, 5}, Shape{5, 6}}},
      {"...ij,...jk->...ik", "xyij,yjk->xyik", {Shape{2, 1, 3, 4}, Shape{5, 4, 2}}},  // batch dims broadcast
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.eq);
    std::vector<Tensor> in;
    for (const Shape& s : c.shapes) in.push_back(random_float(s));
    auto got = einsum(c.eq, in);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(all_close(*got, reference(c.ref_eq.empty() ? c.eq : c.ref_eq, in), 1e-4, 1e-5));
  }
}

TEST(Einsum, RefusesWhatItCannotDo) {
  auto diag = einsum("ii->i", {random_float(Shape{3, 3})});
  ASSERT_FALSE(diag.ok());
  EXPECT_EQ(diag.status().code(), StatusCode::kUnimplemented);
  auto unknown = einsum("ab,bc->ad", {random_float(Shape{2, 3}), random_float(Shape{3, 4})});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("output label 'd' is in no operand"), std::string::npos) << unknown.status();
  auto sizes = einsum("ab,bc->ac", {random_float(Shape{2, 3}), random_float(Shape{4, 5})});
  ASSERT_FALSE(sizes.ok());
  EXPECT_NE(sizes.status().message().find("dimension sizes differ for one label: 3 and 4"), std::string::npos)
      << sizes.status();
  auto rank = einsum("abc,cd->abd", {random_float(Shape{2, 3}), random_float(Shape{3, 4})});
  ASSERT_FALSE(rank.ok());
  EXPECT_NE(rank.status().message().find("does not fit its term"), std::string::npos) << rank.status();
}

}  // namespace
}  // namespace tfport::runtime::testing
