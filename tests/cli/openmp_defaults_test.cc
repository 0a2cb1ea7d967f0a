// Only the commands that run models pay for the re-exec that sets libgomp's spin.
#include "cli/openmp_defaults.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tfport::cli {
namespace {

bool runs(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return runs_models(static_cast<int>(args.size()), argv.data());
}

TEST(OpenMpDefaultsTest, OnlyModelRunningCommandsReExec) {
  EXPECT_TRUE(runs({"tfport", "run", "--dir", "m"}));
  EXPECT_TRUE(runs({"tfport", "bench", "--model", "m"}));
  EXPECT_TRUE(runs({"tfport", "serve", "--model_base_path", "m"}));
  EXPECT_FALSE(runs({"tfport", "show", "--dir", "m"}));
  EXPECT_FALSE(runs({"tfport", "convert", "--dir", "m", "--output", "o"}));
  EXPECT_FALSE(runs({"tfport", "--help"}));
  EXPECT_FALSE(runs({"tfport"}));
}

}  // namespace
}  // namespace tfport::cli
