#pragma once
// ExitReason: why a process ended, with OTP's meaning.
//
//   normal    - the process finished its work; linked processes are not affected.
//   shutdown  - asked to stop by its supervisor (or the runtime); not an error either.
//   killed    - stopped by an untrappable `kill` exit signal.
//   noproc    - the process named did not exist (monitor/link/call on a dead Pid).
//   error     - anything else: a handler threw, returned stop with a custom reason, ...
//               `detail` says what happened (the exception's what(), the stop text).
//
// Only `error` and `killed` are abnormal: they propagate along links to processes that
// don't trap exits, and supervisors restart `transient` children only for them.
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace otter::core {

class ExitReason {
 public:
  enum class Kind : unsigned char { normal, shutdown, killed, noproc, error, kill };

  ExitReason() = default;  // normal
  [[nodiscard]] static ExitReason normal() { return ExitReason{Kind::normal}; }
  [[nodiscard]] static ExitReason shutdown() { return ExitReason{Kind::shutdown}; }
  // The untrappable signal. A process that receives it exits with reason killed.
  [[nodiscard]] static ExitReason kill() { return ExitReason{Kind::kill}; }
  [[nodiscard]] static ExitReason killed() { return ExitReason{Kind::killed}; }
  [[nodiscard]] static ExitReason noproc() { return ExitReason{Kind::noproc}; }
  [[nodiscard]] static ExitReason error(std::string detail) {
    ExitReason r{Kind::error};
    r.detail_ = std::make_shared<const std::string>(std::move(detail));
    return r;
  }

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] bool is_normal() const noexcept { return kind_ == Kind::normal; }
  // normal and shutdown are how processes are meant to end: no crash report, no
  // propagation along links, no restart of transient children.
  [[nodiscard]] bool is_abnormal() const noexcept {
    return kind_ != Kind::normal && kind_ != Kind::shutdown;
  }
  [[nodiscard]] std::string_view detail() const noexcept {
    return detail_ ? std::string_view{*detail_} : std::string_view{};
  }
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const ExitReason& a, const ExitReason& b) noexcept {
    return a.kind_ == b.kind_ && a.detail() == b.detail();
  }
  friend std::ostream& operator<<(std::ostream& os, const ExitReason& r) {
    return os << r.to_string();
  }

 private:
  explicit ExitReason(Kind kind) : kind_(kind) {}
  Kind kind_ = Kind::normal;
  std::shared_ptr<const std::string> detail_;  // shared: reasons are copied to every link
};

inline std::string ExitReason::to_string() const {
  switch (kind_) {
    case Kind::normal: return "normal";
    case Kind::shutdown: return "shutdown";
    case Kind::killed: return "killed";
    case Kind::kill: return "kill";
    case Kind::noproc: return "noproc";
    case Kind::error: return "error: " + std::string{detail()};
  }
  return "unknown";
}

}  // namespace otter::core
