// The vectorized range scanner behind the REST predict fast path, differentially against the
// exact (RapidJSON) path on generated bodies, with each classifier and number kernel forced
// in turn: what the fast path accepts must be bit-identical to the exact path's tensor, valid
// plain bodies must be accepted, and broken ones refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "serving/json_codec.h"
#include "serving/json_fast.h"
#include "serving/json_scan.h"
#include "one_input.h"

namespace tfport::serving {
namespace {

using json_fast::ScanIsa;

constexpr ScanIsa kIsas[] = {ScanIsa::kPortable, ScanIsa::kAvx2, ScanIsa::kAvx512};

// Forces one instruction set for a scope (the CPU's own best afterwards).
class ForcedIsa {
 public:
  explicit ForcedIsa(ScanIsa isa) { json_fast::set_scan_isa(isa); }
  ~ForcedIsa() { json_fast::set_scan_isa(json_fast::best_scan_isa()); }
};

using testing::one_input;

// The body in a buffer of exactly its size, so that sanitizers see any read past it.
struct ExactBuffer {
  explicit ExactBuffer(const std::string& s) : bytes(new char[s.size()]), size(s.size()) {
    std::memcpy(bytes.get(), s.data(), s.size());
  }
  std::string_view view() const { return {bytes.get(), size}; }
  std::unique_ptr<char[]> bytes;
  std::size_t size;
};

enum class Outcome { kRefused, kSame };

// The text of the n-th number in a body whose keys hold no digits.
std::string nth_number(const std::string& body, std::size_t n) {
  auto number_byte = [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; };
  std::size_t seen = 0;
  for (std::size_t i = body.find('['); i < body.size(); ++i) {
    if (!number_byte(body[i]) || number_byte(body[i - 1])) continue;
    std::size_t j = i;
    while (j < body.size() && number_byte(body[j])) ++j;
    if (seen++ == n) return body.substr(i, j - i);
  }
  return "?";
}

// Runs both paths. Whatever the fast path accepts, the exact path must accept with the same
// format, shape and bytes (a failure here is a test failure); returns whether it accepted.
Outcome compare(const std::string& body, DType dtype) {
  SCOPED_TRACE(body.size() > 300 ? body.substr(0, 300) + "..." : body);
  const Signature sig = one_input(dtype);
  FastPredictRequest fast;
  const ExactBuffer buffer(body);
  const bool accepted = fast.parse(
      buffer.view(), [&](const std::string& name) { return name.empty() || name == "serving_default" ? &sig : nullptr; },
      1 << 26);
  if (!accepted) return Outcome::kRefused;
  rapidjson::Document doc;
  EXPECT_TRUE(parse_json_body(body, &doc).ok());
  JsonFormat format;
  auto exact = json_predict_inputs(doc, sig.inputs, 1 << 26, &format);
  EXPECT_TRUE(exact.ok()) << exact.status();
  if (!exact.ok()) return Outcome::kSame;
  EXPECT_EQ(fast.format(), format);
  const Tensor& a = fast.inputs().at("x");
  const Tensor& b = exact->at("x");
  EXPECT_EQ(a.dtype(), b.dtype());
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() == b.shape() && a.dtype() == b.dtype()) {
    const std::size_t width = a.byte_size() / static_cast<std::size_t>(std::max<int64_t>(1, a.shape().num_elements()));
    const auto* x = static_cast<const unsigned char*>(a.raw_data());
    const auto* y = static_cast<const unsigned char*>(b.raw_data());
    for (std::size_t i = 0; i < a.byte_size(); i += width) {
      if (std::memcmp(x + i, y + i, width) != 0) {
        ADD_FAILURE() << "element " << i / width << " (" << nth_number(body, i / width) << ") differs from the exact path's";
        break;
      }
    }
  }
  return Outcome::kSame;
}

class BodyGenerator {
 public:
  explicit BodyGenerator(uint32_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(0, 99) < percent; }

  std::string digits(int n, bool nonzero_first) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + uniform(i == 0 && nonzero_first ? 1 : 0, 9)));
    return s;
  }

  // A JSON number of the kinds clients send to float tensors.
  std::string float_text() {
    std::string s = chance(30) ? "-" : "";
    char buf[64];
    switch (uniform(0, 9)) {
      case 0:
      case 1: {  // the bench's "%.3f"
        std::snprintf(buf, sizeof(buf), "%.3f", std::uniform_real_distribution<double>(0, 1)(rng_));
        return s + buf;
      }
      case 2: {  // "%.17f" and other long fractions, past the fast forms
        std::snprintf(buf, sizeof(buf), "%.*f", uniform(8, 20), std::uniform_real_distribution<double>(0, 1)(rng_));
        return s + buf;
      }
      case 3: {  // exponents
        const char* exp[] = {"e", "E", "e-", "E+", "e+", "e-0"};
        // (At most 1e33: larger ones overflow a float, which the exact path decides alone.)
        s += digits(uniform(1, 3), true) + (chance(50) ? "." + digits(uniform(1, 6), false) : "");
        return s + exp[uniform(0, 5)] + std::to_string(uniform(0, 30));
      }
      case 4: return s + int_part();  // integers, "-0" among them
      case 5: return s + "0." + std::string(static_cast<std::size_t>(uniform(1, 9)), '0');
      default: return s + int_part() + "." + digits(uniform(1, 9), false);  // up to 16 digits
    }
  }

  std::string int_part() {
    if (chance(40)) return "0";
    return digits(uniform(1, chance(10) ? 20 : 7), true);
  }

  std::string int_text(DType dtype) {
    if (chance(5)) return "0";
    const int max_digits = dtype == DType::kInt32 ? 9 : 18;
    return (chance(40) ? "-" : "") + digits(uniform(1, max_digits), true);
  }

  std::string number(DType dtype) {
    return dtype == DType::kFloat || dtype == DType::kDouble ? float_text() : int_text(dtype);
  }

  std::string whitespace() {
    const char* ws[] = {"", "", "", " ", "  ", "\n", "\n    ", "\t", "\r\n "};
    return ws[uniform(0, 8)];
  }

  // Separators for one body: Python's, compact, or anything per gap.
  void pick_style() { style_ = uniform(0, 3); }
  void set_style(int style) { style_ = style; }
  std::string comma() {
    switch (style_) {
      case 0: return ", ";
      case 1: return ",";
      case 2: return ",\n" + std::string(static_cast<std::size_t>(uniform(0, 6)), ' ');
      default: return whitespace() + "," + whitespace();
    }
  }
  std::string inner(const std::string& bracket) { return style_ == 3 ? whitespace() + bracket + whitespace() : bracket; }

  // The nested arrays of a tensor of the given shape; `ragged` drops or adds one number.
  std::string tensor(const std::vector<int>& dims, DType dtype, bool ragged = false) {
    std::string s;
    int ragged_row = ragged ? uniform(0, rows(dims) - 1) : -1;
    int row = 0;
    append(dims, 0, dtype, &s, &row, ragged_row);
    return s;
  }

  std::vector<int> shape(int max_numbers) {
    std::vector<int> dims(static_cast<std::size_t>(uniform(1, 4)));
    int total = 1;
    for (int& d : dims) {
      d = uniform(1, std::max(1, std::min(9, max_numbers / total)));
      total *= d;
    }
    if (chance(30)) dims.back() = std::max(1, max_numbers / std::max(1, total / dims.back()));  // long rows
    return dims;
  }

  std::string body(const std::string& tensor_text) {
    std::string s = "{" + whitespace();
    const bool named_first = chance(30);
    if (named_first) {  // a key of random length moves the tensor across block boundaries
      s += "\"signature_name\":" + std::string(static_cast<std::size_t>(uniform(0, 70)), ' ') + "\"serving_default\",";
    }
    s += chance(70) ? "\"instances\"" : "\"inputs\"";
    s += ":" + whitespace() + tensor_text + whitespace();
    if (!named_first && chance(20)) s += ", \"signature_name\": \"serving_default\"";
    return s + "}";
  }

  std::mt19937& rng() { return rng_; }

 private:
  static int rows(const std::vector<int>& dims) {
    int r = 1;
    for (std::size_t i = 0; i + 1 < dims.size(); ++i) r *= dims[i];
    return r;
  }

  void append(const std::vector<int>& dims, std::size_t level, DType dtype, std::string* s, int* row, int ragged_row) {
    *s += inner("[");
    int n = dims[level];
    if (level + 1 == dims.size()) {
      if (*row == ragged_row) n += n > 1 && chance(50) ? -1 : 1;
      ++*row;
      for (int i = 0; i < n; ++i) {
        if (i > 0) *s += comma();
        *s += number(dtype);
      }
    } else {
      for (int i = 0; i < n; ++i) {
        if (i > 0) *s += comma();
        append(dims, level + 1, dtype, s, row, ragged_row);
      }
    }
    *s += inner("]");
  }

  std::mt19937 rng_;
  int style_ = 0;
};

constexpr DType kDtypes[] = {DType::kFloat, DType::kDouble, DType::kInt32, DType::kInt64};

TEST(JsonScanTest, GeneratedBodiesMatchTheExactPathWithEveryInstructionSet) {
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    SCOPED_TRACE(static_cast<int>(json_fast::scan_isa()));
    BodyGenerator gen(7 + static_cast<uint32_t>(isa));
    int accepted = 0;
    for (int i = 0; i < 250; ++i) {
      const DType dtype = kDtypes[gen.uniform(0, 3)];
      gen.pick_style();
      const std::string body = gen.body(gen.tensor(gen.shape(gen.chance(10) ? 2000 : 60), dtype));
      const Outcome outcome = compare(body, dtype);
      // Every generated number is one the fast path must take (1e40 fits a float tensor as
      // inf only via the exact path's own rules, which the fast path shares).
      EXPECT_EQ(outcome, Outcome::kSame) << body.substr(0, 300);
      accepted += outcome == Outcome::kSame;
    }
    EXPECT_EQ(accepted, 250);
  }
}

TEST(JsonScanTest, RaggedAndBrokenBodiesAreRefusedOrMatch) {
  const std::string breakers[] = {",", "]", "[", "-", ".", "e", "E", "+", " ", "0", "5", "x", "\"", "}", ",,", "][",
                                  "1.", ".5", "01", "--", "],", ",[", "\x80", "/", "\n"};
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    BodyGenerator gen(100 + static_cast<uint32_t>(isa));
    for (int i = 0; i < 200; ++i) {
      const DType dtype = kDtypes[gen.uniform(0, 3)];
      gen.pick_style();
      std::vector<int> dims = gen.shape(300);
      if (i % 3 == 0) {
        // Ragged: one innermost row one longer or shorter. Only rank 1 has no rows to differ.
        if (dims.size() == 1) dims.insert(dims.begin(), 2);
        if (dims[0] < 2) dims[0] = 2;
        const std::string body = gen.body(gen.tensor(dims, dtype, /*ragged=*/true));
        EXPECT_EQ(compare(body, dtype), Outcome::kRefused) << body.substr(0, 300);
        continue;
      }
      std::string body = gen.body(gen.tensor(dims, dtype));
      const std::size_t open = body.find('['), close = body.rfind(']');
      const std::size_t at = open + static_cast<std::size_t>(gen.uniform(0, static_cast<int>(close - open)));
      switch (gen.uniform(0, 2)) {
        case 0: body.erase(at, static_cast<std::size_t>(gen.uniform(1, 3))); break;
        case 1: body.insert(at, breakers[gen.uniform(0, static_cast<int>(std::size(breakers)) - 1)]); break;
        default: body[at] = breakers[gen.uniform(0, static_cast<int>(std::size(breakers)) - 1)][0]; break;
      }
      compare(body, dtype);  // accepted only if the exact path agrees exactly
    }
  }
}

TEST(JsonScanTest, NumbersStraddlingBlocksChunksAndTheBufferEnd) {
  // One long row of numbers of every length at every alignment; the body ends right after
  // the array so the last numbers sit within the kernels' read windows of the buffer's end.
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    for (int shift = 0; shift < 64; shift += 7) {
      std::string row;
      for (int i = 0; i < 700; ++i) {
        if (i > 0) row += i % 5 == 0 ? ", " : ",";
        const std::string n = std::to_string((i * 7919) % 100000);
        const std::size_t point = static_cast<std::size_t>(i) % (n.size() + 1);
        if (i % 3 == 0) row += '-';
        if (point > 0 && point < n.size()) {
          row.append(n, 0, point).append(".").append(n, point);
        } else {
          row += n;
        }
      }
      const std::string body = "{\"inputs\":" + std::string(static_cast<std::size_t>(shift), ' ') + "[[" + row + "]]}";
      EXPECT_EQ(compare(body, DType::kFloat), Outcome::kSame);
      EXPECT_EQ(compare(body, DType::kDouble), Outcome::kSame);
    }
  }
}

// Rectangular bodies whose innermost rows hold 1 to 10 numbers (an image's channels are 3): the
// gaps between rows fall on every pattern of bits of the vector kernel's groups of eight, and
// each body must be accepted with its exact shape, whatever the instruction set.
TEST(JsonScanTest, RowsOfEveryShortLengthAreAcceptedWithTheirShape) {
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    for (int width = 1; width <= 10; ++width) {
      for (const char* gap : {",", ", "}) {
        std::string body = "{\"instances\": [";
        for (int r = 0; r < 400; ++r) {
          body += r > 0 ? std::string(gap) + "[" : "[";
          for (int c = 0; c < width; ++c) {
            if (c > 0) body += gap;
            body += std::to_string((r * width + c) % 997) + "." + std::to_string(c);
          }
          body += "]";
        }
        body += "]}";
        SCOPED_TRACE("width " + std::to_string(width));
        EXPECT_EQ(compare(body, DType::kFloat), Outcome::kSame);
      }
    }
  }
}

// Up to 32 numbers start in one 64-byte block ("1,2,3,..."): every slot of the vector kernel's
// list of starts is used, and blocks with more than 16 starts take its second half.
TEST(JsonScanTest, DenseShortNumbersFillEveryStartSlot) {
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    for (int shift = 0; shift < 64; shift += 5) {
      for (int sparse : {0, 7, 3}) {  // a ", " instead of "," every `sparse` numbers
        std::string row;
        for (int i = 0; i < 2000; ++i) {
          if (i > 0) row += sparse > 0 && i % sparse == 0 ? ", " : ",";
          row += std::to_string(i % 10);
        }
        const std::string body = "{\"inputs\":" + std::string(static_cast<std::size_t>(shift), ' ') + "[" + row + "]}";
        EXPECT_EQ(compare(body, DType::kFloat), Outcome::kSame);
        EXPECT_EQ(compare(body, DType::kInt32), Outcome::kSame);
      }
    }
  }
}

// Each gap of two rows of numbers replaced by something that is not a gap between two numbers
// of one row, at every position of the vector kernel's groups of eight.
TEST(JsonScanTest, BrokenGapsInsideLongRowsAreRefused) {
  const char* broken[] = {",]", ",[", "[,", "],", ",,", " ", "", ",x", "-,", ",.", ",+", "]]", "],[[", "]],[",
                          ",\"", ",}", ", ,", ",  [", "] ,", "\n", ",\x01", "],[", "] , [ ["};
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    for (const char* separator : {",", ", "}) {
      for (int at = 0; at < 23; ++at) {
        for (const char* gap : broken) {
          std::string row, intact;
          for (int i = 0; i < 24; ++i) {
            if (i > 0) row += i == at + 1 ? gap : separator;
            if (i > 0) intact += separator;
            row += i % 2 ? "-0.125" : "7.5";
            intact += i % 2 ? "-0.125" : "7.5";
          }
          const std::string body = "{\"instances\": [[" + row + "], [" + intact + "]]}";
          EXPECT_EQ(compare(body, DType::kFloat), Outcome::kRefused) << body;
        }
      }
    }
  }
}

TEST(JsonScanTest, NegativeZeroAndIntegerZeroAsTheExactPath) {
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    std::string row;
    const char* zeros[] = {"-0", "0", "-0.0", "0.0", "-0.000", "-0e0", "-0.0e1", "-1", "-0.5"};
    for (int i = 0; i < 64; ++i) row += std::string(i ? "," : "") + zeros[i % std::size(zeros)];
    const std::string body = "{\"instances\": [" + row + "]}";
    ASSERT_EQ(compare(body, DType::kFloat), Outcome::kSame);
    const Signature sig = one_input(DType::kFloat);
    FastPredictRequest fast;
    ASSERT_TRUE(fast.parse(body, [&](const std::string&) { return &sig; }, 1 << 20));
    const float* v = fast.inputs().at("x").data<float>();
    EXPECT_FALSE(std::signbit(v[0]));  // integer -0 is +0 as RapidJSON reads it
    EXPECT_FALSE(std::signbit(v[1]));
    EXPECT_TRUE(std::signbit(v[2]));
    EXPECT_TRUE(std::signbit(v[4]));
    EXPECT_TRUE(std::signbit(v[5]));
    EXPECT_EQ(v[7], -1.0f);
  }
}

TEST(JsonScanTest, LargeBodiesSplitInHalvesMatchTheExactPath) {
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    BodyGenerator gen(300 + static_cast<uint32_t>(isa));
    for (int i = 0; i < 2; ++i) {
      gen.pick_style();
      const DType dtype = i == 1 ? DType::kInt64 : DType::kFloat;
      const std::string body = gen.body(gen.tensor({1, 60 + i, 200, 3}, dtype));
      ASSERT_GT(body.size(), 256u * 1024);
      EXPECT_EQ(compare(body, dtype), Outcome::kSame);
    }
    // Ragged in the second half only.
    gen.set_style(1);
    std::string ragged = gen.body(gen.tensor({1, 70, 200, 3}, DType::kFloat));
    const std::size_t cut = ragged.rfind("],");
    ragged.insert(cut, ",1");
    EXPECT_EQ(compare(ragged, DType::kFloat), Outcome::kRefused);
  }
}

// The range scanner itself, cut at every kind of leaf comma: the halves joined must give the
// whole's numbers and shape.
TEST(JsonScanTest, RangesCutAtAnyLeafCommaJoinToTheWhole) {
  BodyGenerator gen(42);
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    for (int i = 0; i < 25; ++i) {
      gen.pick_style();
      const std::vector<int> dims = {gen.uniform(1, 3), gen.uniform(2, 40), gen.uniform(2, 30)};
      const ExactBuffer text(gen.tensor(dims, DType::kFloat));
      const char* begin = text.bytes.get();
      const char* end = begin + text.size;
      const char* first = begin;
      while (*first == '[' || *first == ' ' || *first == '\n' || *first == '\t' || *first == '\r') ++first;
      std::vector<float> whole(text.size);
      const json_fast::RangeScan all = json_fast::scan_range(first, nullptr, end, 3, whole.data(), whole.size());
      ASSERT_TRUE(all.ok && all.ended);
      auto shape = json_fast::shape_of(all.count, 3, all.breaks);
      ASSERT_TRUE(shape.has_value());
      EXPECT_EQ(*shape, (std::vector<int64_t>{dims[0], dims[1], dims[2]}));
      // Commas between two numbers of a row (some fifteen of them).
      const int every = std::max(1, static_cast<int>(all.count) / 15);
      int commas = 0;
      for (const char* p = first; p < end; ++p) {
        if (*p != ',' || commas++ % every != 0) continue;
        const char* before = p - 1;
        while (*before == ' ' || *before == '\n' || *before == '\t' || *before == '\r') --before;
        const char* after = p + 1;
        while (*after == ' ' || *after == '\n' || *after == '\t' || *after == '\r') ++after;
        if (*before == ']' || *after == '[') continue;
        std::vector<float> out(text.size);
        const json_fast::RangeScan head = json_fast::scan_range(first, p, end, 3, out.data(), out.size());
        ASSERT_TRUE(head.ok);
        ASSERT_FALSE(head.ended);
        const json_fast::RangeScan tail =
            json_fast::scan_range(after, nullptr, end, 3, out.data() + head.count, out.size() - head.count);
        ASSERT_TRUE(tail.ok && tail.ended);
        ASSERT_EQ(head.count + tail.count, all.count);
        EXPECT_EQ(tail.after, all.after);
        EXPECT_EQ(std::memcmp(out.data(), whole.data(), all.count * sizeof(float)), 0);
        json_fast::BreakRuns joined = head.breaks;
        json_fast::append_breaks(&joined, tail.breaks, head.count);
        EXPECT_EQ(json_fast::shape_of(all.count, 3, joined), shape);
      }
    }
  }
}

TEST(JsonScanTest, ClassifiersAgreeOnEveryByte) {
  std::mt19937 rng(5);
  std::vector<char> bytes(64 * 40);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i < 256 ? i : rng());
  std::vector<uint64_t> expected(40);
  for (std::size_t b = 0; b < 40; ++b) {
    for (int i = 0; i < 64; ++i) {
      const unsigned char c = static_cast<unsigned char>(bytes[64 * b + static_cast<std::size_t>(i)]);
      const bool number = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == '/' || c == 'e' || c == 'E';
      expected[b] |= uint64_t{number} << i;
    }
  }
  for (ScanIsa isa : kIsas) {
    ForcedIsa forced(isa);
    std::vector<uint64_t> masks(40);
    json_fast::classify_number_bytes(bytes.data(), 40, masks.data());
    EXPECT_EQ(masks, expected) << static_cast<int>(json_fast::scan_isa());
  }
}

TEST(JsonScanTest, ShapeOfRuns) {
  using json_fast::BreakRun;
  // [2, 3, 2]: gaps after 2 and 4 close one array, after 6 two, after 8 and 10 one.
  const json_fast::BreakRuns good = {BreakRun{2, 2, 2, 1}, BreakRun{6, 0, 1, 2}, BreakRun{8, 2, 2, 1}};
  EXPECT_EQ(json_fast::shape_of(12, 3, good), (std::vector<int64_t>{2, 3, 2}));
  // The same gaps in runs cut anywhere.
  const json_fast::BreakRuns cut = {BreakRun{2, 0, 1, 1}, BreakRun{4, 0, 1, 1}, BreakRun{6, 0, 1, 2},
                                    BreakRun{8, 0, 1, 1}, BreakRun{10, 0, 1, 1}};
  EXPECT_EQ(json_fast::shape_of(12, 3, cut), (std::vector<int64_t>{2, 3, 2}));
  // A missing gap, one closing too few or too many arrays, runs out of order or past the end.
  EXPECT_FALSE(json_fast::shape_of(12, 3, {BreakRun{2, 2, 2, 1}, BreakRun{6, 0, 1, 2}, BreakRun{8, 0, 1, 1}}));
  EXPECT_FALSE(json_fast::shape_of(12, 3, {BreakRun{2, 2, 4, 1}}));
  EXPECT_EQ(json_fast::shape_of(12, 3, {BreakRun{2, 2, 5, 1}}), (std::vector<int64_t>{1, 6, 2}));
  EXPECT_FALSE(json_fast::shape_of(12, 3, {BreakRun{2, 2, 2, 1}, BreakRun{6, 0, 1, 2}, BreakRun{8, 2, 2, 2}}));
  EXPECT_FALSE(json_fast::shape_of(12, 3, {BreakRun{8, 2, 2, 1}, BreakRun{6, 0, 1, 2}, BreakRun{2, 2, 2, 1}}));
  EXPECT_FALSE(json_fast::shape_of(12, 3, {BreakRun{2, 2, 2, 1}, BreakRun{6, 0, 1, 2}, BreakRun{8, 2, 3, 1}}));
  EXPECT_FALSE(json_fast::shape_of(12, 3, {BreakRun{2, 3, 4, 1}}));
  // Rank 1 has no gaps that close arrays; 1x1 nesting closes two at once.
  EXPECT_EQ(json_fast::shape_of(5, 1, {}), (std::vector<int64_t>{5}));
  EXPECT_FALSE(json_fast::shape_of(5, 1, {BreakRun{2, 0, 1, 1}}));
  EXPECT_EQ(json_fast::shape_of(3, 3, {BreakRun{1, 1, 2, 2}}), (std::vector<int64_t>{3, 1, 1}));
}

}  // namespace
}  // namespace tfport::serving
