#pragma once
// Children for the supervisor tests: each reports its starts and stops, in order, to a
// ScopedProcess, so a test sees exactly which children (re)started and in what order.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/child_spec.hpp"
#include "core/gen_server.hpp"
#include "core/scoped_process.hpp"
#include "test_servers.hpp"

namespace otter::core::testing {

// What a Recorded child reports.
struct Event {
  enum class Kind { started, stopped, asked_to_stop };
  std::string id;
  Kind kind;
  Pid pid;
  ExitReason reason;

  // "started a", "stopped b (error: boom)", "asked_to_stop c"
  [[nodiscard]] std::string to_string() const {
    switch (kind) {
      case Kind::started: return "started " + id;
      case Kind::stopped: return "stopped " + id + " (" + reason.to_string() + ")";
      case Kind::asked_to_stop: return "asked_to_stop " + id;
    }
    return "?";
  }
};

struct StopWith {  // cast: return stop(reason)
  ExitReason reason;
};
struct Ping {};    // call: answered with Ping{}

// A worker that sends an Event when it starts and when it terminates. A stubborn one traps
// exits and ignores its supervisor's shutdown (reporting asked_to_stop) until it gets
// Release, as a child that hangs in its shutdown would.
class Recorded : public GenServer {
 public:
  Recorded(std::string id, Pid recorder, bool stubborn = false)
      : id_(std::move(id)), recorder_(recorder), stubborn_(stubborn) {}

  [[nodiscard]] std::string describe() const override { return "recorded child " + id_; }

 protected:
  InitResult init() override {
    trap_exit(stubborn_);
    send(recorder_, Event{id_, Event::Kind::started, self(), {}});
    return InitResult::ok();
  }
  CallResult handle_call(Message& request, const From& from) override {
    if (match<Ping>(request)) return CallResult::reply(Ping{});
    return GenServer::handle_call(request, from);
  }
  Result handle_cast(Message& message) override {
    if (const auto* crash = match<Crash>(message)) throw std::runtime_error(crash->why);
    if (const auto* stop_with = match<StopWith>(message)) return Result::stop(stop_with->reason);
    if (match<Release>(message)) return Result::stop(ExitReason::shutdown());
    return Result::noreply();
  }
  Result handle_info(Message& message) override {
    if (match<ExitSignal>(message)) {
      send(recorder_, Event{id_, Event::Kind::asked_to_stop, self(), {}});
    }
    return Result::noreply();
  }
  void terminate(const ExitReason& reason) override {
    send(recorder_, Event{id_, Event::Kind::stopped, self(), reason});
  }

 private:
  std::string id_;
  Pid recorder_;
  bool stubborn_;
};

inline ChildSpec recorded(const std::string& id, Pid recorder) {
  return ChildSpec::worker<Recorded>(id, id, recorder);
}
inline ChildSpec stubborn(const std::string& id, Pid recorder, Shutdown shutdown) {
  return ChildSpec::worker<Recorded>(id, id, recorder, true).with_shutdown(shutdown);
}

// A child whose init refuses to start.
class FailsToStart : public GenServer {
 public:
  explicit FailsToStart(std::string why) : why_(std::move(why)) {}

 protected:
  InitResult init() override { return InitResult::stop(ExitReason::error(why_)); }

 private:
  std::string why_;
};

// Makes one call from inside a process (GenServer::call, asynchronous) and sends the
// CallOutcome<Reply> to report_to: the way a document service talks to its supervisor.
template <class Reply>
class Caller : public GenServer {
 public:
  Caller(Pid target, Message request, Pid report_to)
      : target_(target), request_(std::move(request)), report_to_(report_to) {}

 protected:
  InitResult init() override {
    call<Reply>(target_, request_, kWait, [this](CallOutcome<Reply> outcome) {
      send(report_to_, std::move(outcome));
      stop(ExitReason::normal());
    });
    return InitResult::ok();
  }

 private:
  Pid target_;
  Message request_;
  Pid report_to_;
};

// The next `count` events as text, "<timeout>" for each that did not come.
inline std::vector<std::string> next_events(ScopedProcess& self, std::size_t count) {
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < count; ++i) {
    std::optional<Event> event = self.receive<Event>(kWait);
    texts.push_back(event ? event->to_string() : "<timeout>");
  }
  return texts;
}

// The next event, which must be `text`; returns it (for its Pid).
inline Event expect_event(ScopedProcess& self, const std::string& text) {
  std::optional<Event> event = self.receive<Event>(kWait);
  EXPECT_TRUE(event) << "no event, expected " << text;
  if (!event) return Event{"", Event::Kind::stopped, {}, {}};
  EXPECT_EQ(event->to_string(), text);
  return *event;
}

}  // namespace otter::core::testing
