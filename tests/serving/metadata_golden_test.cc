// GET .../metadata against TF Serving's own expected metadata files (tfserving/expected),
// compared as JSON values (map order is unspecified; TF's older TF2 testdata lacks "defaults").
#include <gtest/gtest.h>

#include <map>

#include "serving/rapidjson.h"
#include "serving_test_util.h"

namespace tfport::serving::testing {
namespace {

bool same_json(const rapidjson::Value& a, const rapidjson::Value& b, const std::string& path, std::string* why) {
  if (a.IsObject() && b.IsObject()) {
    auto members = [](const rapidjson::Value& v) {
      std::map<std::string, const rapidjson::Value*> m;
      for (const auto& kv : v.GetObject()) m[kv.name.GetString()] = &kv.value;
      return m;
    };
    auto ma = members(a), mb = members(b);
    // An empty "defaults" map equals a missing one. The TF2 fixture was exported by a newer
    // TensorFlow than TF Serving's testdata: its serving_default records the default of x,
    // where the testdata has no defaults, so defaults are only compared when expected.
    auto it = mb.find("defaults");
    if (it == mb.end() || (it->second->IsObject() && it->second->MemberCount() == 0)) {
      ma.erase("defaults");
      mb.erase("defaults");
    }
    if (ma.size() != mb.size()) {
      *why = path + ": " + std::to_string(ma.size()) + " vs " + std::to_string(mb.size()) + " members";
      return false;
    }
    for (const auto& [k, v] : ma) {
      auto it = mb.find(k);
      if (it == mb.end()) {
        *why = path + ": missing " + k;
        return false;
      }
      if (!same_json(*v, *it->second, path + "/" + k, why)) return false;
    }
    return true;
  }
  if (a.IsArray() && b.IsArray()) {
    if (a.Size() != b.Size()) {
      *why = path + ": array sizes differ";
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!same_json(a[i], b[i], path + "/" + std::to_string(i), why)) return false;
    }
    return true;
  }
  if (a != b) {
    *why = path + ": values differ";
    return false;
  }
  return true;
}

void expect_metadata(const std::string& name, const std::string& base, const std::string& policy,
                     const std::string& expected_file) {
  tfport::testing::TempDir dir;
  tfport::testing::write_all(dir.file("models.config"), "model_config_list { config { name: '" + name +
                                                            "' base_path: '" + base + "' " + policy + " } }");
  ServerOptions o;
  o.model_config_file = dir.file("models.config");
  auto server = start_server(o);
  ASSERT_NE(server, nullptr);
  auto r = http(server->rest_port(), "GET", "/v1/models/" + name + "/metadata");
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document got, want;
  got.Parse(r.body.c_str());
  const std::string expected = tfport::testing::read_all(tfserving_fixture("expected/" + expected_file));
  want.Parse(expected.c_str());
  ASSERT_FALSE(got.HasParseError());
  ASSERT_FALSE(want.HasParseError());
  std::string why;
  EXPECT_TRUE(same_json(got, want, "", &why)) << expected_file << ": " << why;
  server->shutdown(std::chrono::seconds(5));
}

TEST(MetadataGoldenTest, HalfPlusTwo) {
  expect_metadata("default", tfserving_fixture("saved_model_half_plus_two_cpu"), "",
                  "half_plus_two_model_metadata.json");
}

TEST(MetadataGoldenTest, TwoVersions) {
  expect_metadata("saved_model_half_plus_two_2_versions", tfserving_fixture("saved_model_half_plus_two_2_versions"),
                  "model_version_policy { specific { versions: 123 } }",
                  "saved_model_half_plus_two_2_versions_metadata.json");
}

TEST(MetadataGoldenTest, TwoVersionsTf2) {
  expect_metadata("saved_model_half_plus_two_2_versions", tfserving_fixture("saved_model_half_plus_two_tf2_cpu"), "",
                  "saved_model_half_plus_two_tf2_2_versions_metadata.json");
}

}  // namespace
}  // namespace tfport::serving::testing
