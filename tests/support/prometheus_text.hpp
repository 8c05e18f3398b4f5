// Reading one sample out of otterd's /metrics (Prometheus text format), for the tests that
// check a counter or gauge moved.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace otter::testing {

// The value of an unlabelled sample ("name value" line) in `text`, or nullopt.
inline std::optional<double> metric_value(const std::string& text, std::string_view name) {
  const std::string prefix = "\n" + std::string(name) + " ";
  const std::size_t at = ("\n" + text).find(prefix);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t start = at + prefix.size() - 1;  // in `text` (one shorter than "\n" + text)
  return std::strtod(text.c_str() + start, nullptr);
}

}  // namespace otter::testing
