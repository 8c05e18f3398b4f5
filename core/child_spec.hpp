#pragma once
// ChildSpec: how a supervisor starts, restarts and stops one child, as OTP's child_spec().
//
//   id        names the child inside its Supervisor (unique there; a DynamicSupervisor
//             ignores it except in which_children).
//   start     spawns the child. Runs inside the supervisor's process, so it must spawn
//             with SpawnOptions{.link = true}: the link is how the supervisor hears of
//             the child's exit. It may run many times (every restart), so it must not
//             consume what it captured.
//   restart   permanent  - always restarted;
//             transient  - restarted only after an abnormal exit (not normal/shutdown);
//             temporary  - never restarted, and forgotten once it exits.
//   shutdown  how the supervisor stops it: exit(child, shutdown) and wait up to a timeout,
//             then kill (Shutdown::after); kill at once (brutal_kill); or wait as long as
//             it takes (infinity, meant for supervisors, which stop their own children
//             first). Unset means OTP's default for the type: 5000 ms for a worker,
//             infinity for a supervisor.
//   type      worker | supervisor (reported by which_children/count_children; picks the
//             default shutdown).
//
// Builders cover the common case, a GenServer (or Supervisor) built from arguments:
//
//   ChildSpec::worker<Counter>("counter", 0)                 // spawn<Counter>(link, 0)
//   ChildSpec::supervisor<Supervisor>("pool", flags, specs)  // a nested supervisor
//   ChildSpec::worker<Session>("s", cfg).with_restart(Restart::transient)
//                                       .with_shutdown(Shutdown::brutal_kill())
//
// The arguments are copied into the spec (every restart builds the child from the same
// copies), so they must be copyable. A hand-written spec works too:
//   ChildSpec{.id = "x", .start = [](Runtime& rt) { return rt.spawn<X>({.link = true}); }}
//
// validate() checks specs before anything starts and says precisely what is wrong; a
// Supervisor validates its whole list in init and refuses to start on the first error.
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>

#include "core/runtime.hpp"

namespace otter::core {

enum class Restart : unsigned char { permanent, transient, temporary };
enum class ChildType : unsigned char { worker, supervisor };

[[nodiscard]] const char* to_string(Restart restart) noexcept;
[[nodiscard]] const char* to_string(ChildType type) noexcept;

// How a child is stopped: see the contract above.
class Shutdown {
 public:
  enum class Kind : unsigned char { timeout, brutal_kill, infinity };

  [[nodiscard]] static constexpr Shutdown after(std::chrono::milliseconds timeout) noexcept {
    return Shutdown{Kind::timeout, timeout};
  }
  [[nodiscard]] static constexpr Shutdown brutal_kill() noexcept {
    return Shutdown{Kind::brutal_kill, {}};
  }
  [[nodiscard]] static constexpr Shutdown infinity() noexcept { return Shutdown{Kind::infinity, {}}; }

  [[nodiscard]] constexpr Kind kind() const noexcept { return kind_; }
  // Only meaningful for Kind::timeout.
  [[nodiscard]] constexpr std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  [[nodiscard]] std::string to_string() const;

  friend constexpr bool operator==(const Shutdown&, const Shutdown&) noexcept = default;

 private:
  constexpr Shutdown(Kind kind, std::chrono::milliseconds timeout) noexcept
      : kind_(kind), timeout_(timeout) {}
  Kind kind_;
  std::chrono::milliseconds timeout_;
};

// OTP's defaults.
inline constexpr std::chrono::milliseconds kDefaultWorkerShutdown{5000};

// Spawns the child, linked to the calling supervisor; called inside the supervisor.
using ChildStart = std::function<StartResult(Runtime& runtime)>;

struct ChildSpec {
  // Every member has an initializer, so designated initialization may name any subset.
  std::string id{};
  ChildStart start{};
  Restart restart = Restart::permanent;
  std::optional<Shutdown> shutdown{};  // unset: the default for `type`
  ChildType type = ChildType::worker;

  // The shutdown in force: `shutdown`, or OTP's default for `type`.
  [[nodiscard]] Shutdown effective_shutdown() const noexcept {
    if (shutdown) return *shutdown;
    return type == ChildType::supervisor ? Shutdown::infinity()
                                         : Shutdown::after(kDefaultWorkerShutdown);
  }

  // A worker process of type T, constructed from copies of `args` at every (re)start.
  template <class T, class... Args>
  [[nodiscard]] static ChildSpec worker(std::string id, Args&&... args) {
    return spawning<T>(std::move(id), ChildType::worker, std::forward<Args>(args)...);
  }
  // A supervisor (Supervisor, DynamicSupervisor, or any process that supervises).
  template <class T, class... Args>
  [[nodiscard]] static ChildSpec supervisor(std::string id, Args&&... args) {
    return spawning<T>(std::move(id), ChildType::supervisor, std::forward<Args>(args)...);
  }

  [[nodiscard]] ChildSpec with_restart(Restart value) && {
    restart = value;
    return std::move(*this);
  }
  [[nodiscard]] ChildSpec with_shutdown(Shutdown value) && {
    shutdown = value;
    return std::move(*this);
  }

 private:
  template <class T, class... Args>
  static ChildSpec spawning(std::string id, ChildType type, Args&&... args) {
    ChildSpec spec;
    spec.id = std::move(id);
    spec.type = type;
    spec.start = [... captured = std::forward<Args>(args)](Runtime& runtime) {
      return runtime.spawn<T>(SpawnOptions{.link = true}, captured...);
    };
    return spec;
  }
};

// What is wrong with a child spec, with a stable code and a sentence naming the spec.
struct ChildSpecError {
  enum class Code : unsigned char { empty_id, duplicate_id, missing_start, negative_shutdown };
  Code code;
  std::string message;
};

// Checks one spec. `require_id` is false for a DynamicSupervisor, which ignores ids.
[[nodiscard]] std::optional<ChildSpecError> validate(const ChildSpec& spec, bool require_id = true);
// Checks a Supervisor's child list: every spec, and that ids are unique.
[[nodiscard]] std::optional<ChildSpecError> validate(std::span<const ChildSpec> specs);

// Runs spec.start for a supervisor. A start function that throws has failed to start, with
// the exception's message as the reason: the supervisor running it does not crash.
[[nodiscard]] StartResult run_start_function(const ChildSpec& spec, Runtime& runtime);

}  // namespace otter::core
