// supervision_tree: a small supervision tree to poke at — crash a worker and watch its
// supervisor start a new one. docs/core.md walks through this program.
//
//   app (Supervisor, one_for_one, at most 3 restarts in 5 s)
//    ├─ greeter   (worker)            answers "hello, <name>"
//    ├─ counter   (worker)            counts; crashes on command
//    └─ sessions  (DynamicSupervisor) one temporary worker per `open <name>`
//
// Usage: supervision_tree [--demo] [--help]. Without --demo it reads commands from stdin.
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic_supervisor.hpp"
#include "core/gen_server.hpp"
#include "core/runtime.hpp"
#include "core/scoped_process.hpp"
#include "core/supervisor.hpp"

namespace {

using namespace otter::core;
using namespace std::chrono_literals;

constexpr Duration kCallTimeout = 2s;

constexpr std::string_view kUsage = R"(usage: supervision_tree [--demo] [--help]

Starts a small supervision tree and reads commands from stdin:
  count         add one to the counter and print its value
  crash         make the counter throw; its supervisor restarts it (the count starts over)
  greet NAME    ask the greeter to greet NAME
  open NAME     start a session worker NAME under the dynamic supervisor
  tree          print the supervision tree with every child's Pid
  help          print this text
  quit          stop the tree (children in reverse start order) and exit

  --demo        run a scripted session instead: count, crash the counter, show that a
                new counter runs under a new Pid, open a session; exit 0 if all went well
  --help        print this text
)";

// --- the workers ------------------------------------------------------------------------

struct Increment {};      // call -> int, the new count
struct CrashNow {};       // cast: throw
struct Greet {            // call -> std::string
  std::string name;
};

class Counter : public GenServer {
 public:
  [[nodiscard]] std::string describe() const override {
    return "counter at " + std::to_string(count_);
  }

 protected:
  InitResult init() override {
    spdlog::info("counter {} started, count 0", self().to_string());
    return InitResult::ok();
  }
  CallResult handle_call(Message& request, const From& from) override {
    if (match<Increment>(request)) return CallResult::reply(++count_);
    return GenServer::handle_call(request, from);
  }
  Result handle_cast(Message& message) override {
    if (match<CrashNow>(message)) throw std::runtime_error("crash requested");
    return Result::noreply();
  }
  void terminate(const ExitReason& reason) override {
    spdlog::info("counter {} stopping at count {} ({})", self().to_string(), count_,
                 reason.to_string());
  }

 private:
  int count_ = 0;
};

class Greeter : public GenServer {
 protected:
  CallResult handle_call(Message& request, const From& from) override {
    if (const auto* greet = match<Greet>(request)) {
      return CallResult::reply("hello, " + greet->name);
    }
    return GenServer::handle_call(request, from);
  }
};

class Session : public GenServer {
 public:
  explicit Session(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] std::string describe() const override { return "session " + name_; }

 protected:
  InitResult init() override {
    spdlog::info("session '{}' {} started", name_, self().to_string());
    return InitResult::ok();
  }
  void terminate(const ExitReason& reason) override {
    spdlog::info("session '{}' {} stopping ({})", name_, self().to_string(), reason.to_string());
  }

 private:
  std::string name_;
};

// --- talking to the tree from main --------------------------------------------------------

std::optional<Pid> child_pid(Runtime& runtime, Pid supervisor, std::string_view id) {
  CallOutcome<std::vector<ChildInfo>> children = which_children(runtime, supervisor, kCallTimeout);
  if (!children) return std::nullopt;
  for (const ChildInfo& child : *children) {
    if (child.id == id && child.state == ChildState::running) return child.pid;
  }
  return std::nullopt;
}

void print_tree(Runtime& runtime, Pid supervisor, const std::string& indent) {
  CallOutcome<std::vector<ChildInfo>> children = which_children(runtime, supervisor, kCallTimeout);
  if (!children) {
    std::cout << indent << "(no answer: " << children.failure().to_string() << ")\n";
    return;
  }
  for (const ChildInfo& child : *children) {
    std::cout << indent << child.id << "  " << to_string(child.type) << "  "
              << (child.state == ChildState::running ? child.pid.to_string() : to_string(child.state))
              << "\n";
    if (child.type == ChildType::supervisor && child.state == ChildState::running) {
      print_tree(runtime, child.pid, indent + "    ");
    }
  }
}

class App {
 public:
  App(Runtime& runtime, Pid root) : runtime_(runtime), root_(root), self_(runtime) {}

  void tree() {
    std::cout << "app  supervisor  " << root_ << "\n";
    print_tree(runtime_, root_, "    ");
  }

  std::optional<int> count() {
    const std::optional<Pid> counter = child_pid(runtime_, root_, "counter");
    if (!counter) {
      report_missing("counter");
      return std::nullopt;
    }
    CallOutcome<int> value = self_.call<int>(*counter, Increment{}, kCallTimeout);
    if (!value) {
      std::cout << "count failed: " << value.failure().to_string() << "\n";
      return std::nullopt;
    }
    std::cout << "count = " << *value << "\n";
    return *value;
  }

  // Crashes the counter and waits until it is gone; returns the new counter's Pid. Its
  // supervisor heard of the exit (through the link) before we get the Down, so asking it
  // afterwards shows the counter it started in its place.
  std::optional<Pid> crash() {
    const std::optional<Pid> counter = child_pid(runtime_, root_, "counter");
    if (!counter) {
      report_missing("counter");
      return std::nullopt;
    }
    self_.monitor(*counter);
    std::cout << "crashing counter " << *counter << "\n";
    self_.cast(*counter, CrashNow{});
    const std::optional<Down> down = self_.receive<Down>(kCallTimeout);
    if (!down) {
      std::cout << "the counter did not exit\n";
      return std::nullopt;
    }
    std::cout << "counter " << down->pid << " exited: " << down->reason << "\n";
    const std::optional<Pid> restarted = child_pid(runtime_, root_, "counter");
    if (!restarted || *restarted == *counter) {
      std::cout << "the counter was not restarted\n";
      return std::nullopt;
    }
    std::cout << "counter restarted as " << *restarted << "\n";
    return restarted;
  }

  void greet(const std::string& name) {
    const std::optional<Pid> greeter = child_pid(runtime_, root_, "greeter");
    if (!greeter) {
      report_missing("greeter");
      return;
    }
    CallOutcome<std::string> answer = self_.call<std::string>(*greeter, Greet{name}, kCallTimeout);
    std::cout << (answer ? *answer : "greet failed: " + answer.failure().to_string()) << "\n";
  }

  bool open(const std::string& name) {
    const std::optional<Pid> sessions = child_pid(runtime_, root_, "sessions");
    if (!sessions) {
      report_missing("sessions");
      return false;
    }
    StartResult started = DynamicSupervisor::start_child(
        runtime_, *sessions,
        ChildSpec::worker<Session>(name, name).with_restart(Restart::temporary), kCallTimeout);
    if (!started.ok()) {
      std::cout << "open failed: "
                << (started.error() ? started.error()->to_string() : "ignored") << "\n";
      return false;
    }
    std::cout << "session '" << name << "' runs as " << started.pid() << "\n";
    return true;
  }

 private:
  static void report_missing(std::string_view id) {
    std::cout << id << " is not running right now\n";
  }

  Runtime& runtime_;
  Pid root_;
  ScopedProcess self_;
};

int run_demo(App& app) {
  app.tree();
  for (int i = 0; i < 3; ++i) {
    if (!app.count()) return 1;
  }
  std::cout << "-- crash the counter --\n";
  if (!app.crash()) return 1;
  const std::optional<int> after_restart = app.count();  // a fresh counter: starts over
  app.greet("demo");
  if (!app.open("alice")) return 1;
  app.tree();
  if (after_restart != 1) {
    std::cout << "expected the restarted counter to count from 1\n";
    return 1;
  }
  std::cout << "demo ok\n";
  return 0;
}

int run_commands(App& app) {
  std::cout << "commands: count, crash, greet NAME, open NAME, tree, help, quit\n";
  std::string line;
  while (std::cout << "> " << std::flush, std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    std::string argument;
    words >> command >> argument;
    if (command.empty()) continue;
    if (command == "quit" || command == "exit") break;
    if (command == "count") {
      (void)app.count();
    } else if (command == "crash") {
      (void)app.crash();
    } else if (command == "tree") {
      app.tree();
    } else if (command == "greet" || command == "open") {
      if (argument.empty()) {
        std::cout << command << " needs a name\n";
      } else if (command == "greet") {
        app.greet(argument);
      } else {
        (void)app.open(argument);
      }
    } else if (command == "help") {
      std::cout << kUsage;
    } else {
      std::cout << "unknown command '" << command << "' (try help)\n";
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool demo = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--demo") {
      demo = true;
    } else {
      std::cerr << "unknown option '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  spdlog::set_pattern("[%H:%M:%S.%e] %^%l%$ %v");

  Runtime runtime({.threads = 2});
  std::vector<ChildSpec> children{
      ChildSpec::worker<Greeter>("greeter"),
      ChildSpec::worker<Counter>("counter"),
      ChildSpec::supervisor<DynamicSupervisor>("sessions", DynamicSupervisorOptions{}),
  };
  const StartResult root = runtime.spawn<Supervisor>(
      SpawnOptions{},
      SupervisorFlags{.strategy = Strategy::one_for_one, .max_restarts = 3,
                      .max_seconds = std::chrono::seconds(5)},
      children);
  if (!root.ok()) {
    std::cerr << "the tree did not start: " << root.error()->to_string() << "\n";
    return 1;
  }

  int status = 0;
  {
    App app(runtime, root.pid());  // its ScopedProcess must go before the runtime stops
    status = demo ? run_demo(app) : run_commands(app);
  }
  std::cout << "stopping the tree\n";
  runtime.shutdown();  // app gets `shutdown`: sessions, counter, greeter stop in that order
  return status;
}
