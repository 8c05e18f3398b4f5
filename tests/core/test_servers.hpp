#pragma once
// Small GenServers shared by the core tests.
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "core/gen_server.hpp"
#include "core/scoped_process.hpp"

namespace otter::core::testing {

using namespace std::chrono_literals;

// Generous: only ever reached when a test is about to fail.
inline constexpr Duration kWait = 5s;

struct Get {};
struct Add {
  int amount;
};
struct Crash {
  std::string why;
};
struct HoldNextCall {};   // cast: the next Get is answered only on Release
struct Release {};        // cast: answer the held call

// A counter. Answers Get with its value, adds on Add casts, throws on Crash casts.
class Counter : public GenServer {
 public:
  explicit Counter(int start = 0) : value_(start) {}

 protected:
  CallResult handle_call(Message& request, const From& from) override {
    if (match<Get>(request)) {
      if (hold_next_) {
        hold_next_ = false;
        held_ = from;
        return CallResult::noreply();
      }
      return CallResult::reply(value_);
    }
    return GenServer::handle_call(request, from);
  }
  Result handle_cast(Message& message) override {
    if (const auto* add = match<Add>(message)) value_ += add->amount;
    if (const auto* crash = match<Crash>(message)) throw std::runtime_error(crash->why);
    if (match<HoldNextCall>(message)) hold_next_ = true;
    if (match<Release>(message) && held_) {
      reply(*held_, value_);
      held_.reset();
    }
    return Result::noreply();
  }

 private:
  int value_;
  bool hold_next_ = false;
  std::optional<From> held_;
};

}  // namespace otter::core::testing
