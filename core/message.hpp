#pragma once
// What travels between processes.
//
// A user payload is a `Message` (a std::any: any copyable value, matched by type in the
// receiver, the way an Erlang process pattern-matches terms). It always travels inside a
// private `Envelope` that says what kind of delivery it is (cast, call, reply, a system
// signal...). Callers never build envelopes; Process and GenServer do.
//
// The notices the runtime itself delivers as info messages are plain structs below:
// `Down` (a monitored process ended), `ExitSignal` (a linked process ended, seen only by
// processes that trap exits) and `TimeoutMessage` (a GenServer's idle timeout).
#include <any>
#include <cstdint>
#include <utility>

#include "core/exit_reason.hpp"
#include "core/pid.hpp"

namespace otter::core {

using Message = std::any;

// A pointer to the payload if it holds a T, else nullptr: `if (auto* m = match<Ping>(msg))`.
template <class T>
[[nodiscard]] T* match(Message& message) noexcept {
  return std::any_cast<T>(&message);
}
template <class T>
[[nodiscard]] const T* match(const Message& message) noexcept {
  return std::any_cast<T>(&message);
}

// Identifies a monitor (and, internally, a call) on the process that made it.
struct MonitorRef {
  std::uint64_t id = 0;
  [[nodiscard]] explicit operator bool() const noexcept { return id != 0; }
  friend bool operator==(const MonitorRef&, const MonitorRef&) noexcept = default;
};

// Delivered to a monitoring process once, when the monitored process ends (or at once,
// with reason noproc, if it was already gone).
struct Down {
  MonitorRef ref;
  Pid pid;
  ExitReason reason;
};

// Delivered to a process that traps exits instead of the exit signal killing it.
struct ExitSignal {
  Pid from;
  ExitReason reason;
};

// The address of a call's caller: where (and under which ref) to send the reply.
struct From {
  Pid caller;
  std::uint64_t ref = 0;
};

namespace detail {

enum class EnvelopeKind : std::uint8_t {
  send,         // a plain message (Erlang's `!`): GenServer::handle_info
  cast,         // GenServer::handle_cast
  call,         // GenServer::handle_call; ref names the call, from the caller
  reply,        // the answer to a call: ref names the call
  call_failed,  // a call could not be delivered / the callee died first: payload ExitReason
  exit_signal,  // payload ExitReason; from = the exiting process (or the sender of exit/2)
  link,         // from asks to be linked
  unlink,       // from drops the link
  monitor,      // from starts monitoring; ref = monitor id
  demonitor,    // from stops monitoring; ref = monitor id
  down,         // payload Down
};

struct Envelope {
  EnvelopeKind kind = EnvelopeKind::send;
  Pid from;
  std::uint64_t ref = 0;
  Message payload;
};

}  // namespace detail
}  // namespace otter::core
