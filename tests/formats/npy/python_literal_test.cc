#include "formats/npy/python_literal.h"

#include <gtest/gtest.h>

namespace tfport {
namespace {

using Kind = PyLiteral::Kind;

TEST(PythonLiteral, NumpyHeaderDict) {
  auto v = parse_python_literal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), }            \n");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->kind, Kind::kDict);
  ASSERT_EQ(v->keys.size(), 3u);
  ASSERT_EQ(v->items.size(), 3u);
  EXPECT_EQ(v->keys[0].text, "descr");
  EXPECT_EQ(v->items[0].text, "<f4");
  EXPECT_EQ(v->keys[2].text, "shape");
  EXPECT_EQ(v->items[1].kind, Kind::kBool);
  EXPECT_FALSE(v->items[1].boolean);
  const PyLiteral& shape = v->items[2];
  ASSERT_EQ(shape.kind, Kind::kTuple);
  ASSERT_EQ(shape.items.size(), 2u);
  EXPECT_EQ(shape.items[0].integer, 2);
  EXPECT_EQ(shape.items[1].integer, 8);
}

TEST(PythonLiteral, Tuples) {
  EXPECT_EQ(parse_python_literal("()")->items.size(), 0u);
  EXPECT_EQ(parse_python_literal("()")->kind, Kind::kTuple);
  auto one = parse_python_literal("(3,)");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->kind, Kind::kTuple);
  EXPECT_EQ(one->items.at(0).integer, 3);
  // "(3)" is an int in Python, not a tuple.
  auto paren = parse_python_literal("(3)");
  ASSERT_TRUE(paren.ok());
  EXPECT_EQ(paren->kind, Kind::kInt);
  EXPECT_EQ(parse_python_literal("( 1 , 2 , )")->items.size(), 2u);
  EXPECT_EQ(parse_python_literal("(1L, 2L)")->items.at(1).integer, 2);  // Python 2 longs
  EXPECT_EQ(parse_python_literal("(9223372036854775807,)")->items.at(0).integer, INT64_MAX);
  EXPECT_EQ(parse_python_literal("-9223372036854775808")->integer, INT64_MIN);
  EXPECT_EQ(parse_python_literal("[1, [2, 3]]")->items.at(1).items.at(1).integer, 3);
  EXPECT_EQ(parse_python_literal("{'a': (1,)}")->to_string(), "{'a': (1,)}");
}

TEST(PythonLiteral, StringsAndWords) {
  EXPECT_EQ(parse_python_literal("\"<U5\"")->text, "<U5");
  EXPECT_EQ(parse_python_literal("u'descr'")->text, "descr");
  EXPECT_TRUE(parse_python_literal("True")->boolean);
  EXPECT_EQ(parse_python_literal("None")->kind, Kind::kNone);
}

TEST(PythonLiteral, RejectsGarbage) {
  for (const char* bad : {"", "{", "}", "{'a' 1}", "{'a': }", "(1 2)", "(,)", "'abc", "'a\\'b'", "Truex",
                          "true", "1.5", "0x10", "{'a': 1} x", "99999999999999999999", "--1", "{'a': 1,,}",
                          "[1, 2", "(", "{'descr': '<f4', 'shape': (1,), 'fortran_order': Fals}", "eval('1')"}) {
    auto v = parse_python_literal(bad);
    EXPECT_FALSE(v.ok()) << "accepted: " << bad;
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(PythonLiteral, DeepNestingIsRefusedNotRecursed) {
  std::string deep(100000, '[');
  auto v = parse_python_literal(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nested too deeply"), std::string::npos);
  std::string ok_depth = std::string(kMaxPyLiteralDepth - 1, '(') + "1," + std::string(kMaxPyLiteralDepth - 1, ')');
  EXPECT_TRUE(parse_python_literal(ok_depth).ok()) << parse_python_literal(ok_depth).status();
}

TEST(PythonLiteral, ErrorsGiveOffsets) {
  auto v = parse_python_literal("{'descr' '<f4'}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("offset 9"), std::string::npos) << v.status();
  EXPECT_NE(v.status().message().find("':'"), std::string::npos) << v.status();
}

}  // namespace
}  // namespace tfport
