#include "core/scoped_process.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>

namespace otter::core {

// The process behind a ScopedProcess. Its "scheduling" wakes the owning thread, which
// runs the mailbox itself inside receive()/call().
class ScopedProcess::Core final : public Process {
 public:
  // Owner-thread side.
  using Process::deliver;
  using Process::finish;
  using Process::has_exited;
  using Process::mailbox;
  using Process::make_ref;
  using Process::run_one;

  std::mutex mutex;
  std::condition_variable woken_cv;
  bool woken = false;

  std::deque<Message> inbox;     // info messages not yet received
  std::uint64_t awaited_ref = 0;  // the call being waited for, 0 if none
  std::optional<Answer> answer;

  [[nodiscard]] std::string describe() const override { return "scoped process"; }

 protected:
  void schedule() override {
    std::lock_guard lock(mutex);
    woken = true;
    woken_cv.notify_one();
  }

  void handle(detail::Envelope& envelope) override {
    using K = detail::EnvelopeKind;
    switch (envelope.kind) {
      case K::reply:
        if (envelope.ref == awaited_ref && !answer) answer = Answer{std::move(envelope.payload), {}};
        return;  // anything else is a late reply: dropped
      case K::call_failed:
        if (envelope.ref == awaited_ref && !answer) {
          answer = Answer{{}, detail::to_failure(*match<ExitReason>(envelope.payload))};
        }
        return;
      case K::call:
        spdlog::warn("{}: a scoped process cannot answer calls; call from {} dropped",
                     self().to_string(), envelope.from.to_string());
        return;
      default:
        inbox.push_back(std::move(envelope.payload));
        return;
    }
  }
};

ScopedProcess::ScopedProcess(Runtime& runtime) : core_(new Core) {
  const StartResult started = runtime.start_process(core_, {});
  if (!started.ok()) throw std::runtime_error("scoped process could not start");
}

ScopedProcess::~ScopedProcess() {
  if (!core_->has_exited()) core_->finish(ExitReason::normal());
}

Pid ScopedProcess::self() const noexcept { return core_->self(); }
Process& ScopedProcess::process() noexcept { return *core_; }
std::size_t ScopedProcess::queued() const noexcept { return core_->inbox.size(); }

void ScopedProcess::send(Pid to, Message message) { core_->send(to, std::move(message)); }
void ScopedProcess::cast(Pid to, Message message) { core_->cast(to, std::move(message)); }
void ScopedProcess::exit(Pid to, ExitReason reason) { core_->exit(to, std::move(reason)); }
void ScopedProcess::link(Pid other) { core_->link(other); }
void ScopedProcess::unlink(Pid other) { core_->unlink(other); }
MonitorRef ScopedProcess::monitor(Pid target) { return core_->monitor(target); }
void ScopedProcess::demonitor(MonitorRef ref) { core_->demonitor(ref); }
void ScopedProcess::trap_exit(bool on) { core_->trap_exit(on); }

template <class Done>
bool ScopedProcess::pump_until(Done done, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (done()) return true;
    if (core_->has_exited()) return false;
    if (core_->run_one()) continue;
    if (!core_->mailbox().try_block()) continue;
    std::unique_lock lock(core_->mutex);
    if (!core_->woken_cv.wait_until(lock, deadline, [this] { return core_->woken; })) {
      return done();
    }
    core_->woken = false;
  }
}

ScopedProcess::Answer ScopedProcess::call_raw(Pid to, Message request, Duration timeout) {
  const std::uint64_t ref = core_->make_ref();
  core_->awaited_ref = ref;
  core_->answer.reset();
  core_->deliver(to, {detail::EnvelopeKind::call, {}, ref, std::move(request)});
  const bool answered = pump_until([this] { return core_->answer.has_value(); },
                                   std::chrono::steady_clock::now() + timeout);
  core_->awaited_ref = 0;
  if (!answered) return Answer{{}, CallFailure{CallError::timeout, {}}};
  Answer answer = std::move(*core_->answer);
  core_->answer.reset();
  return answer;
}

std::optional<Message> ScopedProcess::receive(Duration timeout) {
  return receive_matching([](const Message&) { return true; }, timeout);
}

std::optional<Message> ScopedProcess::receive_matching(bool (*matches)(const Message&),
                                                       Duration timeout) {
  std::optional<Message> found;
  auto take = [&] {
    for (auto it = core_->inbox.begin(); it != core_->inbox.end(); ++it) {
      if (matches(*it)) {
        found = std::move(*it);
        core_->inbox.erase(it);
        return true;
      }
    }
    return false;
  };
  pump_until(take, std::chrono::steady_clock::now() + timeout);
  return found;
}

}  // namespace otter::core
