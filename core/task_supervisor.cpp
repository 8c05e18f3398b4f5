// TaskSupervisor and the processes tasks run in.
//
// A task is a process plus a job on the blocking pool. The process is the part the rest
// of the runtime sees: it links to / watches the owner, answers awaits, and carries the
// exit reason. The job runs the function, stores the value in the shared TaskState and
// tells the process, which then exits normally. Every way a task ends goes through the
// process's exit hook, which settles the state (mark_exited keeps a value that came
// first) and answers the awaits it holds: an awaiter always finds the outcome stored.
#include "core/task_supervisor.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/process.hpp"

namespace otter::core {
namespace detail {

// The supervisor's bookkeeping, shared with its task processes: which tasks are alive
// (for shutdown) and the pool their jobs go to. Once closed it refuses new tasks and jobs.
class TaskTracker {
 public:
  explicit TaskTracker(unsigned threads)
      : pool_(std::make_unique<boost::asio::thread_pool>(threads)) {}

  bool add(Pid pid, std::shared_ptr<TaskStateBase> state) {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    live_.emplace(pid, std::move(state));
    return true;
  }

  void remove(Pid pid) {
    std::lock_guard lock(mutex_);
    live_.erase(pid);
    if (live_.empty()) emptied_.notify_all();
  }

  bool post(std::function<void()> job) {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    boost::asio::post(*pool_, std::move(job));
    return true;
  }

  // Refuses new tasks and jobs from now on; returns the tasks alive.
  std::vector<std::pair<Pid, std::shared_ptr<TaskStateBase>>> close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    return {live_.begin(), live_.end()};
  }

  bool wait_until_empty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return emptied_.wait_until(lock, deadline, [this] { return live_.empty(); });
  }

  [[nodiscard]] std::vector<Pid> live_pids() const {
    std::lock_guard lock(mutex_);
    std::vector<Pid> pids;
    pids.reserve(live_.size());
    for (const auto& entry : live_) pids.push_back(entry.first);
    return pids;
  }

  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return live_.size();
  }

  // After close(): waits for the jobs still running (queued ones see their stop request
  // and return at once) and stops the threads. Called by the supervisor's own thread, so
  // the pool is never destroyed on one of its threads.
  void join_pool() {
    std::unique_ptr<boost::asio::thread_pool> pool;
    {
      std::lock_guard lock(mutex_);
      pool = std::move(pool_);
    }
    if (pool) pool->join();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  bool closed_ = false;
  std::unordered_map<Pid, std::shared_ptr<TaskStateBase>> live_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
};

namespace {

// From a function task's job to its process.
struct TaskFinished {};
struct TaskFailed {
  ExitReason reason;
};
// From a stream's jobs and timers to the stream's process.
struct StreamItemDone {
  std::size_t index;
  StreamItemResult result;
};
struct StreamItemTimedOut {
  std::size_t index;
};

// What every task process does: belong to its owner, answer awaits, settle the state.
class TaskProcess : public Process {
 public:
  [[nodiscard]] std::string describe() const override {
    return "task of " + (owner_ ? owner_.to_string() : std::string{"nobody"});
  }

 protected:
  TaskProcess(Pid owner, bool link, std::shared_ptr<TaskStateBase> state,
              std::shared_ptr<TaskTracker> tracker)
      : state_(std::move(state)), tracker_(std::move(tracker)), owner_(owner), link_(link) {}

  // Starts the work (own context, inside start()).
  virtual void begin() = 0;
  // Messages other than the ones every task understands.
  virtual void on_message(Message& message) = 0;
  // Extra cleanup when the task's process ends (in its exit hook).
  virtual void on_end() {}

  bool post(std::function<void()> job) { return tracker_->post(std::move(job)); }

  std::shared_ptr<TaskStateBase> state_;

 private:
  StartOutcome start() final {
    if (!tracker_->add(self(), state_)) return {ExitReason::shutdown(), false};
    on_exit([this](Pid, const ExitReason& reason) { ended(reason); });
    if (owner_) {
      // The task links from its own side: that works for any owner (a ScopedProcess
      // can't be the spawn parent) and the link exists before the function runs.
      if (link_) link(owner_);
      owner_monitor_ = monitor(owner_);
    }
    begin();
    return {};
  }

  void handle(Envelope& envelope) final {
    switch (envelope.kind) {
      case EnvelopeKind::call:
        if (match<TaskAwait>(envelope.payload)) {
          const From from{envelope.from, envelope.ref};
          if (state_->has_outcome()) {
            answer(from);
          } else {
            awaiting_.push_back(from);
          }
        }
        return;
      case EnvelopeKind::down:
        if (const Down* down = match<Down>(envelope.payload); down && down->ref == owner_monitor_) {
          owner_monitor_ = {};
          stop(ExitReason::shutdown());  // nobody left to use the result
        }
        return;
      case EnvelopeKind::send:
        if (match<TaskShutdown>(envelope.payload)) {
          // Unlink first: a shutdown asked for by the owner must not take the owner down.
          if (link_ && owner_) unlink(owner_);
          stop(ExitReason::shutdown());
          return;
        }
        on_message(envelope.payload);
        return;
      default:
        return;
    }
  }

  void answer(const From& from) {
    deliver(from.caller, {EnvelopeKind::reply, {}, from.ref, TaskReady{}});
  }

  void ended(const ExitReason& reason) {
    state_->mark_exited(reason);
    for (const From& from : awaiting_) answer(from);
    awaiting_.clear();
    on_end();
    tracker_->remove(self());
  }

  std::shared_ptr<TaskTracker> tracker_;
  Pid owner_;
  bool link_;
  MonitorRef owner_monitor_;
  std::vector<From> awaiting_;
};

class FunctionTaskProcess final : public TaskProcess {
 public:
  FunctionTaskProcess(Pid owner, bool link, std::shared_ptr<TaskStateBase> state,
                      std::shared_ptr<TaskTracker> tracker, TaskBody body)
      : TaskProcess(owner, link, std::move(state), std::move(tracker)), body_(std::move(body)) {}

 private:
  void begin() override {
    auto job = [runtime = &runtime(), pid = self(), state = state_, body = std::move(body_)] {
      const std::stop_token token = state->stop_token();
      if (token.stop_requested()) return;  // shut down (or ended) before it started
      std::optional<ExitReason> failure = body(token);
      if (failure) {
        runtime->send(pid, TaskFailed{std::move(*failure)});
      } else {
        runtime->send(pid, TaskFinished{});
      }
    };
    if (!post(std::move(job))) stop(ExitReason::shutdown());
  }

  void on_message(Message& message) override {
    if (match<TaskFinished>(message)) {
      // No outcome: the value was refused because a shutdown is on its way.
      if (state_->has_outcome()) stop(ExitReason::normal());
      return;
    }
    if (TaskFailed* failed = match<TaskFailed>(message)) {
      // Being shut down: the owner asked for a shutdown, not for this crash.
      if (!state_->shutdown_requested()) stop(failed->reason);
    }
  }

  TaskBody body_;
};

class StreamTaskProcess final : public TaskProcess {
 public:
  StreamTaskProcess(Pid owner, std::shared_ptr<TaskStateBase> state,
                    std::shared_ptr<TaskTracker> tracker, std::size_t items,
                    std::size_t max_concurrency, Duration timeout, StreamItemBody body,
                    StreamFinish finish)
      : TaskProcess(owner, false, std::move(state), std::move(tracker)),
        max_concurrency_(std::max<std::size_t>(1, max_concurrency)),
        timeout_(timeout),
        body_(std::make_shared<const StreamItemBody>(std::move(body))),
        finish_(std::move(finish)),
        items_(items),
        outcomes_(items) {}

 private:
  struct Item {
    bool done = false;
    std::stop_source stop{std::nostopstate};
    TimerRef timer;
  };

  void begin() override {
    if (items_.empty()) {
      complete();
      return;
    }
    fill();
  }

  void fill() {
    while (in_flight_ < max_concurrency_ && next_ < items_.size()) start_item(next_++);
  }

  void start_item(std::size_t index) {
    Item& item = items_[index];
    item.stop = std::stop_source{};
    ++in_flight_;
    item.timer = runtime().send_after(self(), timeout_, StreamItemTimedOut{index});
    auto job = [runtime = &runtime(), pid = self(), body = body_, index,
                token = item.stop.get_token()] {
      if (token.stop_requested()) return;
      StreamItemResult result = (*body)(index, token);
      runtime->send(pid, StreamItemDone{index, std::move(result)});
    };
    if (!post(std::move(job))) stop(ExitReason::shutdown());
  }

  void on_message(Message& message) override {
    if (StreamItemDone* done = match<StreamItemDone>(message)) {
      StreamItemOutcome outcome;
      if (done->result.failure) {
        outcome.failure = CallFailure{CallError::callee_exited, std::move(*done->result.failure)};
      } else {
        outcome.value = std::move(done->result.value);
      }
      settle(done->index, std::move(outcome));
      return;
    }
    if (const StreamItemTimedOut* timed_out = match<StreamItemTimedOut>(message)) {
      const std::size_t index = timed_out->index;
      // Its thread may stay busy until the function notices; its slot goes to the next item.
      if (settle(index, StreamItemOutcome{{}, CallFailure{CallError::timeout, {}}})) {
        items_[index].stop.request_stop();
      }
    }
  }

  // Records the first outcome of item `index`; returns false if it had one already.
  bool settle(std::size_t index, StreamItemOutcome outcome) {
    Item& item = items_[index];
    if (item.done) return false;
    item.done = true;
    Runtime::cancel_timer(item.timer);
    outcomes_[index] = std::move(outcome);
    --in_flight_;
    if (++settled_ == items_.size()) {
      complete();
    } else {
      fill();
    }
    return true;
  }

  void complete() {
    finish_(std::move(outcomes_));
    stop(ExitReason::normal());
  }

  void on_end() override {
    for (Item& item : items_) {
      if (!item.done) item.stop.request_stop();  // no-op for items never started
    }
  }

  std::size_t max_concurrency_;
  Duration timeout_;
  std::shared_ptr<const StreamItemBody> body_;  // shared by the jobs, not copied per item
  StreamFinish finish_;
  std::vector<Item> items_;
  std::vector<StreamItemOutcome> outcomes_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t settled_ = 0;
};

// A task that never got a process ends with the reason its start failed.
Pid started_or_settled(const StartResult& started, TaskStateBase& state) {
  if (started.ok()) return started.pid();
  state.mark_exited(started.error() ? *started.error() : ExitReason::shutdown());
  return {};
}

}  // namespace
}  // namespace detail

TaskSupervisor::TaskSupervisor(Runtime& runtime, TaskSupervisorOptions options)
    : runtime_(runtime),
      threads_(std::max(1u, options.threads)),
      shutdown_grace_(options.shutdown_grace),
      tracker_(std::make_shared<detail::TaskTracker>(threads_)) {}

TaskSupervisor::~TaskSupervisor() { shutdown(); }

Pid TaskSupervisor::spawn_function(Pid owner, bool link,
                                   std::shared_ptr<detail::TaskStateBase> state,
                                   detail::TaskBody body) {
  const StartResult started = runtime_.spawn<detail::FunctionTaskProcess>(
      {}, owner, link, state, tracker_, std::move(body));
  return detail::started_or_settled(started, *state);
}

Pid TaskSupervisor::spawn_stream(Pid owner, std::shared_ptr<detail::TaskStateBase> state,
                                 std::size_t items, StreamOptions options,
                                 detail::StreamItemBody body, detail::StreamFinish finish) {
  const std::size_t max_concurrency =
      options.max_concurrency != 0 ? options.max_concurrency : threads_;
  const StartResult started = runtime_.spawn<detail::StreamTaskProcess>(
      {}, owner, state, tracker_, items, max_concurrency, options.timeout, std::move(body),
      std::move(finish));
  return detail::started_or_settled(started, *state);
}

void TaskSupervisor::shutdown() {
  detail::require_outside_process("TaskSupervisor::shutdown");
  for (const auto& [pid, state] : tracker_->close()) {
    if (state->request_shutdown()) runtime_.send(pid, detail::TaskShutdown{});
  }
  if (!tracker_->wait_until_empty(std::chrono::steady_clock::now() + shutdown_grace_)) {
    for (const Pid pid : tracker_->live_pids()) runtime_.exit(pid, ExitReason::kill());
    tracker_->wait_until_empty(std::chrono::steady_clock::now() + shutdown_grace_);
  }
  tracker_->join_pool();
}

std::size_t TaskSupervisor::task_count() const { return tracker_->size(); }

}  // namespace otter::core
