// libFuzzer target for the OT engine's edge: decode an op from untrusted JSON, then run
// it through everything a server would, checking the laws on the way (ot_fuzz_checks.hpp).
// A crash, a sanitizer report or a broken law (printed, then __builtin_trap) is a find:
// add it to tests/ot/fuzz_regressions_test.cpp.
//
// Run (see docs/ot.md): new entries go to the first corpus directory, a scratch one; the
// tracked tests/fuzz/corpus after it is only read.
//   cmake --preset fuzz && cmake --build build/fuzz --target ot_fuzz
//   mkdir -p /tmp/ot-corpus
//   build/fuzz/tests/fuzz/ot_fuzz -max_total_time=60 /tmp/ot-corpus tests/fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "ot_fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const std::optional<std::string> broken = otter::ot::fuzz::check_ot_fuzz_input(input)) {
    std::fprintf(stderr, "ot_fuzz: law broken: %s\n", broken->c_str());
    __builtin_trap();
  }
  return 0;
}
