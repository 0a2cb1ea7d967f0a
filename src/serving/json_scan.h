// The REST predict fast path's inner loop: the numbers of one nested JSON array of numbers,
// read from a byte range straight into an output range. Two stages per 1 KiB of text: a
// classifier (AVX-512, AVX2 or portable, picked at run time) marks the bytes that can belong
// to a number, so every number's first byte is known without reading the one before; then
// each number is converted on its own (eight digits per multiplication for the usual
// "0.417"-like forms, the exact serial scanner for anything longer or with an exponent) and
// the gap after it is checked against the next number's start. Converting a number therefore
// never waits for the previous one, which is what made the serial scanner slow.
//
// Nested arrays are read flat: the numbers in order, and at each gap between two numbers how
// many arrays close there (and as many must reopen). For a rectangular array of rank n the
// gaps after multiples of the innermost row's length close arrays and no others do, so the
// gaps that close arrays come in runs of equal period: those runs prove the array rectangular
// and give its shape, and they cost a few bytes per row of the outer dimensions instead of a
// record per inner row. A range can end at a comma between two numbers, so a large array can
// be scanned as two halves (on two threads) whose runs are joined afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace tfport::serving::json_fast {

// The gaps after `first`, `first + step`, ... (`count` of them) numbers of a range each close
// and reopen `closed` arrays (step is 0 while count is 1).
struct BreakRun {
  uint64_t first = 0;
  uint64_t step = 0;
  uint64_t count = 0;
  int closed = 0;
};
using BreakRuns = std::vector<BreakRun>;

struct RangeScan {
  std::size_t count = 0;  // numbers written
  BreakRuns breaks;       // numbered from the range's first number
  bool ok = false;        // reached `stop` or the end of the outermost array, all well formed
  bool ended = false;     // the outermost array closed; `after` is the byte after its last ']'
  const char* after = nullptr;
};

// Reads the numbers of a rank-`rank` array of arrays of numbers from `from` (the first byte of
// a number, right after '[' or ',' and whitespace) into out[0, capacity), until the outermost
// array closes or, when `stop` is given, until the comma at `stop`, which must separate two
// numbers of one innermost array. Bytes up to `buffer_end` may be read (never past it). T is
// float, double, int32_t or int64_t; floats are the closest double narrowed, as RapidJSON
// gives them; numbers an integer tensor cannot hold exactly make the scan fail.
template <typename T>
RangeScan scan_range(const char* from, const char* stop, const char* buffer_end, int rank, T* out,
                     std::size_t capacity);

// Appends `tail`'s runs to `to`, renumbered for a range that follows `offset` numbers.
void append_breaks(BreakRuns* to, const BreakRuns& tail, uint64_t offset);

// The shape of a rank-`rank` array of `total` numbers whose gaps are `breaks`, or nullopt when
// they do not describe a rectangular array.
std::optional<std::vector<int64_t>> shape_of(uint64_t total, int rank, const BreakRuns& breaks);

// The instruction set the scanner uses: kAvx512 (AVX-512 F, BW, DQ, CD, VL, VBMI and VBMI2:
// Ice Lake, Zen 4 and later) classifies bytes, lists where numbers start with a byte compress
// and converts eight numbers at a time; kAvx2 classifies with
// AVX2 and converts one number at a time, as kPortable does after a table lookup per byte. The
// best the CPU has is picked at start; tests force the others to cover them (a request for one
// the CPU lacks falls back to the next best).
enum class ScanIsa { kPortable, kAvx2, kAvx512 };
ScanIsa best_scan_isa();
void set_scan_isa(ScanIsa isa);
ScanIsa scan_isa();

// Stage one: for each of `blocks` 64-byte blocks at `p` (all readable), a mask of the bytes
// that may be part of a number ('+', '-', '.', '/', digits, 'e', 'E'; bit i is byte i).
void classify_number_bytes(const char* p, std::size_t blocks, uint64_t* masks);

}  // namespace tfport::serving::json_fast
