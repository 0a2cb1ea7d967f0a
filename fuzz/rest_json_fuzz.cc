// libFuzzer target for the REST predict fast path (serving/json_fast.h, json_scan.h): whatever
// body it accepts, the exact RapidJSON path must accept with the same tensor, bit for bit.
// The first byte picks the input's dtype, the instruction set of the scanner and whether the
// rest is the body itself or a recipe for one: a recipe builds a rectangular array of numbers
// of the forms clients send, with varied separators and one optional corruption, so the
// vector kernels see long runs of valid numbers rather than random bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "serving/json_codec.h"
#include "serving/json_fast.h"
#include "serving/json_scan.h"

namespace {

using tfport::DType;

class Recipe {
 public:
  Recipe(const uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  unsigned next() { return p_ < end_ ? *p_++ : 0; }

  std::string digits(unsigned n, bool nonzero_first) {
    std::string s;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned d = next() % 10;
      s.push_back(static_cast<char>('0' + (i == 0 && nonzero_first && d == 0 ? 1 : d)));
    }
    return s;
  }

  std::string number() {
    const unsigned form = next();
    std::string s = (form & 0x80) != 0 ? "-" : "";
    const unsigned int_digits = (form >> 4) & 7;  // 0: "0"
    s += int_digits == 0 ? "0" : digits(int_digits, true);
    switch (form & 7) {
      case 0: return s;
      case 1: return s + "." + digits(1 + next() % 20, false);
      case 2: return s + (next() % 2 ? "e" : "E-") + std::to_string(next() % 330);
      case 3: return s + "." + digits(1 + next() % 4, false) + "e+" + std::to_string(next() % 40);
      default: return s + "." + digits(1 + (form >> 3) % 7, false);  // the usual "0.417"
    }
  }

  std::string separator(const char* core) {
    switch (style_) {
      case 0: return core;
      case 1: return std::string(core) + " ";
      default: {
        const char* ws[] = {"", " ", "\n  ", "\t", "\r\n"};
        std::string s = ws[next() % 5];
        for (const char* c = core; *c != '\0'; ++c) s.append(1, *c).append(ws[next() % 5]);
        return s;
      }
    }
  }

  std::string body() {
    style_ = next() % 3;
    const unsigned rank = 1 + next() % 4;
    unsigned dims[4];
    for (unsigned i = 0; i < rank; ++i) dims[i] = 1 + next() % (i + 1 == rank ? 40 : 6);
    std::string s = "{\"instances\": ";
    append(dims, rank, 0, &s);
    s += "}";
    if (next() % 4 == 0) {  // one corruption
      const std::size_t at = 14 + next() * 256 % (s.size() - 14);
      const char* junk[] = {",", "]", "[", "-", ".", "e", " ", "0", "x", "],[", ",,", "1."};
      if (next() % 2 == 0) {
        s.insert(at, junk[next() % 12]);
      } else {
        s.erase(at, 1 + next() % 3);
      }
    }
    return s;
  }

 private:
  void append(const unsigned* dims, unsigned rank, unsigned level, std::string* s) {
    *s += "[";
    for (unsigned i = 0; i < dims[level]; ++i) {
      if (i > 0) *s += separator(",");
      if (level + 1 == rank) {
        *s += number();
      } else {
        append(dims, rank, level + 1, s);
      }
    }
    *s += "]";
  }

  const uint8_t* p_;
  const uint8_t* end_;
  unsigned style_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const DType dtypes[] = {DType::kFloat, DType::kDouble, DType::kInt32, DType::kInt64};
  const DType dtype = dtypes[data[0] & 3];
  namespace jf = tfport::serving::json_fast;
  const jf::ScanIsa isas[] = {jf::ScanIsa::kAvx512, jf::ScanIsa::kAvx2, jf::ScanIsa::kPortable, jf::ScanIsa::kAvx512};
  jf::set_scan_isa(isas[(data[0] >> 2) & 3]);
  std::string built;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 0x10) != 0) {
    Recipe recipe(data + 1, size - 1);
    built = recipe.body();
    body = built;
  }

  tfport::Signature sig;
  sig.key = "serving_default";
  tfport::TensorSpec spec;
  spec.key = "x";
  spec.dtype = dtype;
  sig.inputs.push_back(spec);
  tfport::serving::FastPredictRequest fast;
  // A buffer of exactly the body's size, so that ASan sees any read past it.
  std::unique_ptr<char[]> exact_size(new char[body.size()]);
  std::memcpy(exact_size.get(), body.data(), body.size());
  const std::string_view view(exact_size.get(), body.size());
  if (!fast.parse(view, [&](const std::string& name) { return name.empty() ? &sig : nullptr; }, 1 << 24)) return 0;

  rapidjson::Document doc;
  if (!tfport::serving::parse_json_body(body, &doc).ok()) __builtin_trap();
  tfport::serving::JsonFormat format;
  auto exact = tfport::serving::json_predict_inputs(doc, sig.inputs, 1 << 24, &format);
  if (!exact.ok() || format != fast.format()) __builtin_trap();
  const tfport::Tensor& a = fast.inputs().at("x");
  const tfport::Tensor& b = exact->at("x");
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) __builtin_trap();
  if (std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) != 0) __builtin_trap();
  return 0;
}
