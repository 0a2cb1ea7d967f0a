#include "tfport/status.h"

#include <gtest/gtest.h>

namespace tfport {
namespace {

StatusOr<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument_error("value " + std::to_string(v) + " is not positive");
  return v;
}

Status doubled(int v, int* out) {
  TFPORT_ASSIGN_OR_RETURN(int x, parse_positive(v));
  *out = 2 * x;
  return Status::OK();
}

TEST(Status, CarriesCodeAndContext) {
  Status s = data_loss_error("block trailer crc mismatch").with_context("variables.index");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "variables.index: block trailer crc mismatch");
  EXPECT_EQ(s.to_string(), "DATA_LOSS: variables.index: block trailer crc mismatch");
  EXPECT_TRUE(Status::OK().with_context("x").ok());
}

TEST(StatusOr, PropagatesThroughMacros) {
  int out = 0;
  EXPECT_TRUE(doubled(4, &out).ok());
  EXPECT_EQ(out, 8);
  Status s = doubled(-1, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "value -1 is not positive");
}

}  // namespace
}  // namespace tfport
