// An editing trace from bench/traces/ (format in bench/traces/README.md), loaded into
// plain structs before anything is timed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace otter::bench {

// One splice: at `position` delete `erase_count` code points, then insert `insert_text`.
struct Patch {
  std::size_t position = 0;
  std::size_t erase_count = 0;
  std::string insert_text;  // UTF-8
  std::size_t insert_code_points = 0;
};

struct Trace {
  std::string name;            // file name without .json.gz
  std::vector<Patch> patches;  // every transaction's patches, in order
  std::size_t transactions = 0;
  std::string end_content;  // the text after every patch
};

// Reads and decompresses a gzip'd JSON trace. Throws std::runtime_error naming the file
// when it cannot be read or does not have the trace's shape.
[[nodiscard]] Trace load_trace(const std::string& path);

}  // namespace otter::bench
