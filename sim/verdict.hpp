// Verdict and Transcript: where the parts of a simulation report what went wrong and,
// when asked, what happened.
//
// - Verdict keeps the first failure only: later ones are usually its consequences.
// - Transcript collects one line per thing that happened when enabled; when disabled,
//   callers skip building the line (check enabled() first), so the fast path of thousands
//   of schedules pays nothing for it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/schedule.hpp"

namespace otter::sim {

class Verdict {
 public:
  void fail(std::string check, std::string message) {
    if (!failure_) failure_ = Failure{std::move(check), std::move(message)};
  }
  [[nodiscard]] bool failed() const noexcept { return failure_.has_value(); }
  [[nodiscard]] const std::optional<Failure>& failure() const noexcept { return failure_; }

 private:
  std::optional<Failure> failure_;
};

class Transcript {
 public:
  explicit Transcript(bool enabled) noexcept : enabled_(enabled) {}
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  void add(std::string line) {
    if (enabled_) lines_.push_back(std::move(line));
  }
  [[nodiscard]] std::vector<std::string> take() noexcept { return std::move(lines_); }

 private:
  bool enabled_;
  std::vector<std::string> lines_;
};

}  // namespace otter::sim
