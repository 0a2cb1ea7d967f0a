#include "tfport/npy.h"

#include <gtest/gtest.h>

#include <complex>
#include <cstring>
#include <filesystem>

#include "formats/npy/npy_header.h"
#include "support/test_support.h"

namespace tfport {
namespace {

using ::tfport::testing::fixture;
using ::tfport::testing::fixtures_dir;
using ::tfport::testing::read_all;
using ::tfport::testing::TempDir;

// An .npy file around a hand-written header dict, padded like numpy pads (data at a multiple
// of 64), in format version `major`.
std::string make_npy(const std::string& dict, const std::string& data, int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string text = dict;
  while ((prefix + text.size() + 1) % 64 != 0) text += ' ';
  text += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>((text.size() >> (8 * i)) & 0xff);
  return out + text + data;
}

template <typename T>
std::string bytes_of(std::initializer_list<T> values) {
  std::string out(values.size() * sizeof(T), '\0');
  size_t i = 0;
  for (const T& v : values) std::memcpy(out.data() + sizeof(T) * i++, &v, sizeof(T));
  return out;
}

std::string big_endian(std::string little, size_t lane) {
  for (size_t i = 0; i + lane <= little.size(); i += lane) std::reverse(little.begin() + i, little.begin() + i + lane);
  return little;
}

std::string dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
         ", }";
}

// ----------------------------------------------------------------------------------------------
// The fixtures' expected inputs and outputs were written by np.save.

std::vector<std::string> fixture_npy_files() {
  std::vector<std::string> files;
  for (auto& e : std::filesystem::recursive_directory_iterator(fixtures_dir() + "/realworld")) {
    if (e.is_regular_file() && e.path().extension() == ".npy" &&
        e.path().string().find("/expected/") != std::string::npos) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(NpyFixtures, EveryFixtureParsesAndRoundTripsByteForByte) {
  const std::vector<std::string> files = fixture_npy_files();
  ASSERT_GE(files.size(), 40u);
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    const std::string bytes = read_all(path);
    auto header = parse_npy_header(bytes, path);
    ASSERT_TRUE(header.ok()) << header.status();
    EXPECT_EQ(header->data_offset % 64, 0u);
    EXPECT_EQ(header->data_offset + header->data_size, bytes.size());
    auto tensor = read_npy(path);
    ASSERT_TRUE(tensor.ok()) << tensor.status();
    EXPECT_EQ(tensor->shape().dims(), header->shape);
    EXPECT_EQ(tensor->dtype(), header->dtype);
    // The fixtures' byte strings are all as long as their type, so numpy's writer would give
    // '|S<n>' again: every file must come back identical.
    auto again = serialize_npy(*tensor);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(*again == bytes) << "re-serialized bytes differ";
  }
}

TEST(NpyFixtures, KnownValues) {
  const std::string dir = fixture("realworld/heart-failure-featcols/expected/inputs/");
  auto sex = read_npy(dir + "Sex.npy");
  ASSERT_TRUE(sex.ok()) << sex.status();
  EXPECT_EQ(sex->dtype(), DType::kString);
  EXPECT_EQ(sex->shape(), (Shape{2}));
  EXPECT_EQ(sex->strings(), (std::vector<std::string>{"M", "F"}));
  auto ecg = read_npy(dir + "RestingECG.npy");  // '|S6' with a NUL-padded "ST"
  ASSERT_TRUE(ecg.ok());
  EXPECT_EQ(ecg->strings(), (std::vector<std::string>{"ST", "Normal"}));
  EXPECT_EQ(read_npy(dir + "ChestPainType.npy")->strings(), (std::vector<std::string>{"ASY", "ATA"}));
  auto age = read_npy(dir + "Age.npy");
  ASSERT_TRUE(age.ok());
  EXPECT_EQ(age->dtype(), DType::kInt64);
  EXPECT_EQ(age->values<int64_t>()[0], 63);
  EXPECT_EQ(age->values<int64_t>()[1], 41);
  auto oldpeak = read_npy(dir + "Oldpeak.npy");
  ASSERT_TRUE(oldpeak.ok());
  EXPECT_EQ(oldpeak->dtype(), DType::kDouble);
  EXPECT_EQ(oldpeak->values<double>()[0], 2.5);
  EXPECT_EQ(oldpeak->values<double>()[1], 0.0);

  auto flag = read_npy(fixture("realworld/houseprices-tf1-ckpt/expected/inputs/Placeholder.npy"));
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->dtype(), DType::kBool);
  EXPECT_EQ(flag->shape().rank(), 0);
  EXPECT_FALSE(flag->values<bool>()[0]);
  auto squeeze = read_npy(fixture("realworld/houseprices-tf1-ckpt/expected/outputs/Squeeze.npy"));
  ASSERT_TRUE(squeeze.ok());
  EXPECT_FLOAT_EQ(squeeze->values<float>()[0], -0.60912544f);
  EXPECT_FLOAT_EQ(squeeze->values<float>()[1], -0.70404625f);
  auto image = read_npy(fixture("realworld/mnist-cnn/expected/inputs/conv2d_input.npy"));
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->shape(), (Shape{2, 28, 28, 1}));
}

TEST(NpyFixtures, EveryTruncationFailsCleanly) {
  const std::string bytes = read_all(fixture("realworld/heart-failure-featcols/expected/inputs/RestingECG.npy"));
  for (size_t keep = 0; keep < bytes.size(); ++keep) {
    auto t = parse_npy(std::string_view(bytes).substr(0, keep), "cut.npy");
    ASSERT_FALSE(t.ok()) << "accepted " << keep << " bytes";
    EXPECT_EQ(t.status().code(), StatusCode::kDataLoss) << t.status();
    EXPECT_EQ(t.status().message().rfind("cut.npy: ", 0), 0u) << t.status();
  }
}

TEST(NpyFixtures, BitFlipsInTheHeaderNeverCrash) {
  const std::string original = read_all(fixture("realworld/auto-mpg-dnn/expected/inputs/normalization_input.npy"));
  int rejected = 0;
  for (size_t byte = 0; byte < 128; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = original;
      bytes[byte] = static_cast<char>(bytes[byte] ^ (1 << bit));
      auto t = parse_npy(bytes, "flipped.npy");
      if (!t.ok()) ++rejected;
    }
  }
  // Flips in padding spaces may still parse; flips in the magic, length or dict must not.
  EXPECT_GT(rejected, 300);
}

// ----------------------------------------------------------------------------------------------
// Hand-made files for what the fixtures lack.

TEST(NpyRead, BigEndianNumbers) {
  auto f = parse_npy(make_npy(dict(">f4", "(2,)"), big_endian(bytes_of<float>({1.5f, -2.0f}), 4)), "be.npy");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->dtype(), DType::kFloat);
  EXPECT_EQ(f->values<float>()[0], 1.5f);
  EXPECT_EQ(f->values<float>()[1], -2.0f);

  auto i = parse_npy(make_npy(dict(">i8", "(1, 2)"), big_endian(bytes_of<int64_t>({-3, 1LL << 40}), 8)), "be.npy");
  ASSERT_TRUE(i.ok()) << i.status();
  EXPECT_EQ(i->values<int64_t>()[0], -3);
  EXPECT_EQ(i->values<int64_t>()[1], 1LL << 40);

  auto u = parse_npy(make_npy(dict(">u2", "(2,)"), big_endian(bytes_of<uint16_t>({0x1234, 65535}), 2)), "be.npy");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->dtype(), DType::kUInt16);
  EXPECT_EQ(u->values<uint16_t>()[0], 0x1234);

  // complex64: each of the two floats is swapped on its own.
  auto c = parse_npy(make_npy(dict(">c8", "(1,)"), big_endian(bytes_of<float>({1.0f, -4.25f}), 4)), "be.npy");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dtype(), DType::kComplex64);
  EXPECT_EQ(c->values<std::complex<float>>()[0], std::complex<float>(1.0f, -4.25f));
}

TEST(NpyRead, ComplexHalfAndUnsigned) {
  auto c = parse_npy(make_npy(dict("<c16", "(2,)"), bytes_of<double>({1, 2, -3, 0.5})), "c.npy");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dtype(), DType::kComplex128);
  EXPECT_EQ(c->values<std::complex<double>>()[1], std::complex<double>(-3, 0.5));
  auto h = parse_npy(make_npy(dict("<f2", "(2,)"), bytes_of<uint16_t>({0x3C00, 0xC000})), "h.npy");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->dtype(), DType::kHalf);
  EXPECT_EQ(h->values<uint16_t>()[0], 0x3C00);  // 1.0
  EXPECT_EQ(h->values<uint16_t>()[1], 0xC000);  // -2.0
  auto u8 = parse_npy(make_npy(dict("|u1", "(3,)"), "\x01\xff\x80"), "u.npy");
  ASSERT_TRUE(u8.ok());
  EXPECT_EQ(u8->values<uint8_t>()[1], 255);
  auto i1 = parse_npy(make_npy(dict("|i1", "(1,)"), "\xff"), "i.npy");
  ASSERT_TRUE(i1.ok());
  EXPECT_EQ(i1->values<int8_t>()[0], -1);
  auto u64 = parse_npy(make_npy(dict("<u8", "(1,)"), bytes_of<uint64_t>({UINT64_MAX})), "u.npy");
  ASSERT_TRUE(u64.ok());
  EXPECT_EQ(u64->dtype(), DType::kUInt64);
  EXPECT_EQ(u64->values<uint64_t>()[0], UINT64_MAX);
}

TEST(NpyRead, BoolNormalizesNonzeroBytes) {
  auto b = parse_npy(make_npy(dict("|b1", "(3,)"), std::string("\x00\x01\x02", 3)), "b.npy");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->dtype(), DType::kBool);
  EXPECT_EQ(b->data<uint8_t>()[0], 0);
  EXPECT_EQ(b->data<uint8_t>()[1], 1);
  EXPECT_EQ(b->data<uint8_t>()[2], 1);
}

TEST(NpyRead, FortranOrderBecomesCOrder) {
  // np.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores 1 4 2 5 3 6.
  auto t = parse_npy(make_npy(dict("<i4", "(2, 3)", true), bytes_of<int32_t>({1, 4, 2, 5, 3, 6})), "f.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), (Shape{2, 3}));
  std::vector<int32_t> got(t->values<int32_t>().begin(), t->values<int32_t>().end());
  EXPECT_EQ(got, (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));

  // Rank 3: element (i, j, k) sits at i + 2*j + 6*k in the file.
  std::string data(24 * 2, '\0');
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) {
        auto v = static_cast<int16_t>(100 * i + 10 * j + k);
        std::memcpy(data.data() + 2 * (i + 2 * j + 6 * k), &v, 2);
      }
  auto t3 = parse_npy(make_npy(dict("<i2", "(2, 3, 4)", true), data), "f3.npy");
  ASSERT_TRUE(t3.ok()) << t3.status();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) EXPECT_EQ(t3->values<int16_t>()[i * 12 + j * 4 + k], 100 * i + 10 * j + k);

  // Fortran-ordered big-endian, and strings.
  auto be = parse_npy(make_npy(dict(">f8", "(2, 2)", true), big_endian(bytes_of<double>({1, 3, 2, 4}), 8)), "fb.npy");
  ASSERT_TRUE(be.ok());
  EXPECT_EQ(be->values<double>()[1], 2.0);
  EXPECT_EQ(be->values<double>()[2], 3.0);
  auto s = parse_npy(make_npy(dict("|S1", "(2, 2)", true), "acbd"), "fs.npy");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->strings(), (std::vector<std::string>{"a", "b", "c", "d"}));
  // Fortran order of a 1-d array is the same as C order.
  auto one = parse_npy(make_npy(dict("<i4", "(3,)", true), bytes_of<int32_t>({7, 8, 9})), "f1.npy");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->values<int32_t>()[2], 9);
}

TEST(NpyRead, HeaderVersions2And3) {
  auto v2 = parse_npy(make_npy(dict("<f4", "(1,)"), bytes_of<float>({7.5f}), 2), "v2.npy");
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->values<float>()[0], 7.5f);
  auto h = parse_npy_header(make_npy(dict("<f4", "(1,)"), bytes_of<float>({7.5f}), 3), "v3.npy");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->major_version, 3);
  EXPECT_EQ(h->data_offset, 128u);
  auto v4 = parse_npy(make_npy(dict("<f4", "(1,)"), bytes_of<float>({7.5f}), 4), "v4.npy");
  EXPECT_EQ(v4.status().code(), StatusCode::kUnimplemented);
}

TEST(NpyRead, UnicodeStrings) {
  // '<U3': "é", "日本", "" and a value with an interior NUL.
  std::u32string data = std::u32string(U"\u00e9\0\0", 3) + std::u32string(U"\u65e5\u672c\0", 3) +
                        std::u32string(3, U'\0') + std::u32string(U"a\0b", 3);
  std::string raw(reinterpret_cast<const char*>(data.data()), data.size() * 4);
  auto t = parse_npy(make_npy(dict("<U3", "(4,)"), raw), "u.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dtype(), DType::kString);
  EXPECT_EQ(t->strings(), (std::vector<std::string>{"\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "", std::string("a\0b", 3)}));

  auto be = parse_npy(make_npy(dict(">U2", "(1,)"), big_endian(raw.substr(12, 8), 4)), "ube.npy");
  ASSERT_TRUE(be.ok()) << be.status();
  EXPECT_EQ(be->strings()[0], "\xe6\x97\xa5\xe6\x9c\xac");

  std::u32string bad = U"a";
  bad += static_cast<char32_t>(0xD800);  // a lone surrogate
  std::string bad_raw(reinterpret_cast<const char*>(bad.data()), 8);
  auto b = parse_npy(make_npy(dict("<U2", "(1,)"), bad_raw), "bad.npy");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(b.status().message().find("U+D800"), std::string::npos) << b.status();
}

TEST(NpyRead, ByteStrings) {
  auto t = parse_npy(make_npy(dict("|S4", "(3,)"), std::string("ab\0\0a\0b\0wxyz", 12)), "s.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->strings(), (std::vector<std::string>{"ab", std::string("a\0b", 3), "wxyz"}));
  EXPECT_EQ(parse_npy(make_npy(dict("|S0", "(3,)"), ""), "s0.npy").status().code(), StatusCode::kDataLoss);
}

TEST(NpyRead, ScalarsAndEmptyArrays) {
  auto scalar = parse_npy(make_npy(dict("<f8", "()"), bytes_of<double>({3.25})), "0d.npy");
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_EQ(scalar->shape().rank(), 0);
  EXPECT_EQ(scalar->values<double>()[0], 3.25);
  auto empty = parse_npy(make_npy(dict("<f4", "(0,)"), ""), "e.npy");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->num_elements(), 0);
  auto empty2 = parse_npy(make_npy(dict("<i8", "(3, 0, 5)"), ""), "e.npy");
  ASSERT_TRUE(empty2.ok());
  EXPECT_EQ(empty2->shape(), (Shape{3, 0, 5}));
  auto empty_strings = parse_npy(make_npy(dict("<U7", "(0,)"), ""), "e.npy");
  ASSERT_TRUE(empty_strings.ok());
  EXPECT_EQ(empty_strings->strings().size(), 0u);
  // Zero elements with an astronomically large other dimension allocate nothing.
  EXPECT_TRUE(parse_npy(make_npy(dict("<f4", "(0, 4611686018427387904)"), ""), "e.npy").ok());
}

TEST(NpyRead, HeaderSpellings) {
  // Key order, double quotes, no trailing comma, Python 2 longs, '=' and '?' all occur in the wild.
  auto t = parse_npy(make_npy("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"=i4\"}",
                              bytes_of<int32_t>({5, 6})), "py2.npy");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<int32_t>()[1], 6);
  auto b = parse_npy(make_npy(dict("?", "(1,)"), "\x01"), "q.npy");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->dtype(), DType::kBool);
}

// ----------------------------------------------------------------------------------------------
// Malformed files.

struct BadCase {
  std::string name;
  std::string bytes;
  StatusCode code;
  std::string message_part;
};

TEST(NpyRead, MalformedFilesGiveCleanErrors) {
  const std::string f2 = bytes_of<float>({1, 2});
  std::string huge_len = make_npy(dict("<f4", "(2,)"), f2);
  huge_len[8] = '\xff';
  huge_len[9] = '\x7f';
  std::vector<BadCase> cases = {
      {"empty", "", StatusCode::kDataLoss, "empty"},
      {"bad magic", "\x93NUMPZ\x01\x00", StatusCode::kDataLoss, "magic"},
      {"text", "hello world, not numpy", StatusCode::kDataLoss, "magic"},
      {"zip", std::string("PK\x03\x04rest", 8), StatusCode::kInvalidArgument, ".npz"},
      {"magic only", "\x93NUMPY", StatusCode::kDataLoss, "truncated"},
      {"no length", std::string("\x93NUMPY\x01\x00\x10", 9), StatusCode::kDataLoss, "truncated"},
      {"length past end", huge_len, StatusCode::kDataLoss, "runs past the end"},
      {"version 1.1", std::string("\x93NUMPY\x01\x01\x00\x00", 10), StatusCode::kUnimplemented, "1.1"},
      {"too little data", make_npy(dict("<f4", "(3,)"), f2), StatusCode::kDataLoss, "truncated"},
      {"too much data", make_npy(dict("<f4", "(1,)"), f2), StatusCode::kDataLoss, "holds 8 bytes"},
      {"element overflow", make_npy(dict("<f4", "(4294967296, 4294967296)"), f2), StatusCode::kDataLoss,
       "64 bits"},
      {"byte overflow", make_npy(dict("<c16", "(4611686018427387904,)"), f2), StatusCode::kDataLoss, "64 bits"},
      {"int too big", make_npy(dict("<f4", "(99999999999999999999999,)"), f2), StatusCode::kDataLoss,
       "64 bits"},
      {"negative dim", make_npy(dict("<f4", "(-2,)"), f2), StatusCode::kDataLoss, "non-negative"},
      {"shape is an int", make_npy(dict("<f4", "(2)"), f2), StatusCode::kDataLoss, "'shape'"},
      {"shape is a list", make_npy(dict("<f4", "[2]"), f2), StatusCode::kDataLoss, "'shape'"},
      {"shape of strings", make_npy(dict("<f4", "('2',)"), f2), StatusCode::kDataLoss, "'shape'"},
      {"fortran not bool", make_npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", f2),
       StatusCode::kDataLoss, "fortran_order"},
      {"missing key", make_npy("{'descr': '<f4', 'shape': (2,), }", f2), StatusCode::kDataLoss, "fortran_order"},
      {"extra key", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", f2),
       StatusCode::kDataLoss, "'x'"},
      {"repeated key", make_npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", f2),
       StatusCode::kDataLoss, "repeats"},
      {"not a dict", make_npy("('<f4', False, (2,))", f2), StatusCode::kDataLoss, "expected a dict"},
      {"nested garbage", make_npy("{'descr': " + std::string(500, '[') + "}", f2), StatusCode::kDataLoss,
       "nested too deeply"},
      {"unterminated", make_npy("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", f2),
       StatusCode::kDataLoss, "dict literal"},
      {"code injection", make_npy("{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,)}", f2),
       StatusCode::kDataLoss, "dict literal"},
      {"object array", make_npy(dict("|O", "(2,)"), f2 + f2), StatusCode::kUnimplemented, "pickle"},
      {"structured", make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", f2),
       StatusCode::kUnimplemented, "structured"},
      {"long double", make_npy(dict("<f16", "(1,)"), f2 + f2), StatusCode::kUnimplemented, "'<f16'"},
      {"datetime", make_npy(dict("<M8[ns]", "(1,)"), f2), StatusCode::kUnimplemented, "datetime"},
      {"unknown kind", make_npy(dict("<x4", "(2,)"), f2), StatusCode::kDataLoss, "unknown type kind"},
      {"descr not a string", make_npy("{'descr': 4, 'fortran_order': False, 'shape': (2,), }", f2), StatusCode::kDataLoss,
       "'descr'"},
      {"bool of size 2", make_npy(dict("|b2", "(1,)"), "\x01\x00"), StatusCode::kUnimplemented, "'|b2'"},
  };
  for (const BadCase& c : cases) {
    auto t = parse_npy(c.bytes, "bad.npy");
    ASSERT_FALSE(t.ok()) << c.name;
    EXPECT_EQ(t.status().code(), c.code) << c.name << ": " << t.status();
    EXPECT_NE(t.status().message().find(c.message_part), std::string::npos) << c.name << ": " << t.status();
    EXPECT_EQ(t.status().message().rfind("bad.npy: ", 0), 0u) << c.name << ": " << t.status();
  }
}

TEST(NpyRead, FileErrors) {
  TempDir dir;
  EXPECT_EQ(read_npy(dir.file("missing.npy")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read_npy(dir.path()).status().code(), StatusCode::kInvalidArgument);
}

// ----------------------------------------------------------------------------------------------
// Writing.

TEST(NpyWrite, MatchesNumpyHeaderLayout) {
  Tensor t = Tensor::from_vector<float>(DType::kFloat, Shape{2}, {1.0f, 2.0f});
  auto bytes = serialize_npy(t);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  std::string dict_text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  dict_text += std::string(20, ' ');  // room to grow the first axis, as numpy leaves
  std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
  expected += dict_text;
  expected += std::string(118 - dict_text.size() - 1, ' ');
  expected += '\n';
  expected += bytes_of<float>({1.0f, 2.0f});
  EXPECT_EQ(*bytes, expected);

  // A scalar gets no growth padding; the data still starts at 128.
  auto scalar = serialize_npy(Tensor::from_vector<double>(DType::kDouble, Shape{}, {1.0}));
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->size(), 128u + 8u);
  EXPECT_NE(scalar->find("'shape': (), }"), std::string::npos);
  // A long shape pushes the data to the next multiple of 64.
  std::vector<int64_t> dims(20, 1);
  auto tall = serialize_npy(Tensor::from_vector<int8_t>(DType::kInt8, Shape(dims), {5}));
  ASSERT_TRUE(tall.ok());
  EXPECT_EQ((tall->size() - 1) % 64, 0u);
  EXPECT_EQ(tall->back(), 5);
}

TEST(NpyWrite, LargeHeaderSwitchesToVersion2) {
  std::string header = format_npy_header(std::string(70000, 'x'), false, {1});
  EXPECT_EQ(header[6], 2);
  EXPECT_EQ(header.size() % 64, 0u);
  EXPECT_EQ(header.back(), '\n');
  uint32_t length = 0;
  std::memcpy(&length, header.data() + 8, 4);
  EXPECT_EQ(length + 12, header.size());
}

TEST(NpyWrite, EveryNumericTypeRoundTrips) {
  struct Case {
    DType dtype;
    std::string descr;
    std::string data;
  };
  std::vector<Case> cases = {
      {DType::kBool, "|b1", std::string("\x01\x00\x01\x01", 4)},
      {DType::kInt8, "|i1", std::string("\x80\x7f\x00\x01", 4)},
      {DType::kUInt8, "|u1", std::string("\xff\x00\x10\x20", 4)},
      {DType::kInt16, "<i2", bytes_of<int16_t>({-1, 2, 3, -32768})},
      {DType::kUInt16, "<u2", bytes_of<uint16_t>({1, 2, 3, 65535})},
      {DType::kInt32, "<i4", bytes_of<int32_t>({-7, 0, 1 << 30, 4})},
      {DType::kUInt32, "<u4", bytes_of<uint32_t>({7, 0, 1u << 31, 4})},
      {DType::kInt64, "<i8", bytes_of<int64_t>({-7, 0, 1LL << 62, 4})},
      {DType::kUInt64, "<u8", bytes_of<uint64_t>({7, 0, 1ULL << 63, 4})},
      {DType::kHalf, "<f2", bytes_of<uint16_t>({0x3C00, 0, 0x7C00, 0xFC00})},
      {DType::kFloat, "<f4", bytes_of<float>({1.5f, -0.0f, 3e38f, 1e-40f})},
      {DType::kDouble, "<f8", bytes_of<double>({1.5, -0.0, 1e300, 5e-324})},
      {DType::kComplex64, "<c8", bytes_of<float>({1, 2, 3, 4, 5, 6, 7, 8})},
      {DType::kComplex128, "<c16", bytes_of<double>({1, 2, 3, 4, 5, 6, 7, 8})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.descr);
    Tensor t = Tensor::wrap(c.dtype, Shape{2, 2}, c.data.data(), nullptr);
    auto bytes = serialize_npy(t);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(*bytes, make_npy(dict(c.descr, "(2, 2)") + std::string(20, ' '), c.data));
    auto back = parse_npy(*bytes, "rt.npy");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(back->equals(t));
  }
}

TEST(NpyWrite, TypesNumpyLacksAreUnimplemented) {
  std::string two(4, '\0');
  for (DType d : {DType::kBFloat16, DType::kQInt8, DType::kQUInt8, DType::kQInt32, DType::kFloat8E5M2}) {
    auto bytes = serialize_npy(Tensor::wrap(d, Shape{2}, two.data(), nullptr));
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().code(), StatusCode::kUnimplemented);
    EXPECT_NE(bytes.status().message().find(std::string(dtype_name(d))), std::string::npos) << bytes.status();
  }
  EXPECT_EQ(serialize_npy(Tensor()).status().code(), StatusCode::kInvalidArgument);
}

TEST(NpyWrite, StringsAsBytesAndUnicode) {
  auto t = Tensor::from_strings(Shape{3}, {"a", "bcd", ""});
  ASSERT_TRUE(t.ok());
  auto bytes = serialize_npy(*t);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, make_npy(dict("|S3", "(3,)") + std::string(20, ' '), std::string("a\0\0bcd\0\0\0", 9)));
  auto back = parse_npy(*bytes, "s.npy");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->equals(*t));

  auto blanks = Tensor::from_strings(Shape{2}, {"", ""});
  EXPECT_NE(serialize_npy(*blanks)->find("'|S1'"), std::string::npos);  // numpy's minimum width

  NpyWriteOptions unicode;
  unicode.strings = NpyStringFormat::kUnicode;
  auto words = Tensor::from_strings(Shape{2}, {"\xc3\xa9t\xc3\xa9", "\xf0\x9f\x99\x82"});  // "été", an emoji
  auto u = serialize_npy(*words, unicode);
  ASSERT_TRUE(u.ok()) << u.status();
  std::u32string data = std::u32string(U"\u00e9t\u00e9") + std::u32string(U"\U0001F642\0\0", 3);
  EXPECT_EQ(*u, make_npy(dict("<U3", "(2,)") + std::string(20, ' '),
                         std::string(reinterpret_cast<const char*>(data.data()), data.size() * 4)));
  auto u_back = parse_npy(*u, "u.npy");
  ASSERT_TRUE(u_back.ok());
  EXPECT_TRUE(u_back->equals(*words));

  auto invalid = Tensor::from_strings(Shape{2}, {"ok", "\xff\xfe"});
  auto refused = serialize_npy(*invalid, unicode);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("element 1"), std::string::npos);
  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe6\x97", "\x80"}) {
    auto one = Tensor::from_strings(Shape{1}, {bad});
    EXPECT_FALSE(serialize_npy(*one, unicode).ok()) << "accepted invalid UTF-8";
  }
}

TEST(NpyWrite, WriteNpyIsAtomicAndReadable) {
  TempDir dir;
  Tensor t = Tensor::from_vector<int32_t>(DType::kInt32, Shape{3}, {1, 2, 3});
  ASSERT_TRUE(write_npy(dir.file("x.npy"), t).ok());
  auto back = read_npy(dir.file("x.npy"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->equals(t));
  Status s = write_npy(dir.file("missing/x.npy"), t);
  EXPECT_FALSE(s.ok());
  Status bf = write_npy(dir.file("bf.npy"), Tensor::wrap(DType::kBFloat16, Shape{1}, "\0\0", nullptr));
  EXPECT_EQ(bf.code(), StatusCode::kUnimplemented);
  EXPECT_NE(bf.message().find("bf.npy"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("bf.npy")));
}

}  // namespace
}  // namespace tfport
