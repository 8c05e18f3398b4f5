// Regression cases for the OT fuzz target (tests/fuzz/ot_fuzz.cpp): the seed corpus and
// every input a fuzzer ever found, replayed through the same law checks
// (tests/fuzz/ot_fuzz_checks.hpp). A new find goes into kFinds with a line saying what it
// broke and which commit fixed it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ot_fuzz_checks.hpp"

namespace otter::ot {
namespace {

using namespace std::string_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

TEST(FuzzRegressions, EverySeedCorpusInputKeepsTheLaws) {
  const std::filesystem::path corpus = OTTER_SOURCE_DIR "/tests/fuzz/corpus";
  std::size_t inputs = 0;
  for (const std::filesystem::directory_entry& entry : std::filesystem::directory_iterator(corpus)) {
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_EQ(fuzz::check_ot_fuzz_input(read_file(entry.path())), std::nullopt);
    ++inputs;
  }
  EXPECT_GE(inputs, 5U);
}

// Past finds (none has broken a law yet: 60 s runs found no crash) and inputs chosen by
// hand at the edges of the decoder: numbers at and past every limit, escapes, nesting,
// documents of multi-byte text.
TEST(FuzzRegressions, EdgeInputsKeepTheLaws) {
  const std::vector<std::string> inputs = {
      "[-9223372036854775808]",
      "[9223372036854775807]",
      "[18446744073709551615]",
      "[18446744073709551616]",
      "[-0]",
      "[1e400]",
      "[-1e-400]",
      "[9007199254740991]",
      "[9007199254740991, \"x\"]",
      "[4503599627370496, 4503599627370495, \"x\"]",
      "[\"\\ud800\"]",
      "[\"\\udc00\\ud800\"]",
      "[\"\\u0000\"]",
      "[\"\\ud83d\\ude00\", -1, \"\\u00e9\", -1]",
      std::string(100, '[') + std::string(100, ']'),
      "[" + std::string(5000, '1') + "]",
      "[-1, \"a\", -1, \"b\", -1, \"c\"]",
      "[1, 1, 1, -1, -1, \"a\", \"b\", 1]",
      "\xF0\x9F\x98\x80\0[-1, \"\xE4\xB8\xAD\"]"s,
      "e\xCC\x81\0[1, \"\xCC\x82\", -1]"s,
      "\xFF\0[1]"s,  // invalid document: skipped
      "abc\0[\"\xC3\"]"s,
      "abc\0[3]"s,
      "abc\0[4]"s,
      "\0[]"s,
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input.substr(0, 80));
    EXPECT_EQ(fuzz::check_ot_fuzz_input(input), std::nullopt);
  }
}

TEST(FuzzRegressions, TheCheckerReportsABrokenLaw) {
  // Guard against a checker that can never fail: a broken law is reported, not swallowed.
  EXPECT_THROW(fuzz::check(false, "always broken"), fuzz::BrokenLaw);
}

}  // namespace
}  // namespace otter::ot
