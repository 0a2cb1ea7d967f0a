// Time per op type across plan runs, for `tfport bench --profile` (or TFPORT_PROFILE=1 in the
// environment of any program using the runtime). Off by default: a disabled profile costs
// one atomic load per step.
//
//   OpProfile::enable();
//   ... run plans ...
//   std::cout << OpProfile::global().report();
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace tfport::runtime {

class OpProfile {
 public:
  static OpProfile& global();
  static void enable();
  // The global profile when enabled (by enable() or TFPORT_PROFILE=1), else null.
  static OpProfile* active();

  void add(std::string_view op, double ms);
  void reset();
  // One line per op type, most expensive first: op, calls, total ms, share of the total.
  std::string report() const;

 private:
  struct Entry {
    int64_t calls = 0;
    double ms = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace tfport::runtime
