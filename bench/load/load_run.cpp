#include "bench/load/load_run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/load/editing_client.hpp"
#include "bench/load/process_sample.hpp"

#ifndef OTTER_TRACES_DIR
#define OTTER_TRACES_DIR "bench/traces"
#endif

namespace otter::bench {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::chrono::milliseconds kPollInterval{5};
constexpr std::chrono::seconds kCloseTimeout{10};
constexpr std::size_t kTraceWindow = 64;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double rounded(double value, double unit) { return std::round(value / unit) * unit; }

class LoadRun {
 public:
  explicit LoadRun(const LoadOptions& options)
      : options_(options), run_(io_), timer_(io_), run_id_(make_run_id()) {
    asio::ip::tcp::resolver resolver(io_);
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port));
    if (endpoints.empty()) throw std::runtime_error("cannot resolve " + options.host);
    run_.server = endpoints.begin()->endpoint();
    run_.host_header = options.host + ":" + std::to_string(options.port);
    run_.protocol = options.protocol;
    run_.on_ready = [this](EditingClient& client) { on_joined(client, true); };
    run_.on_failed = [this](EditingClient& client) { on_joined(client, false); };
    make_clients();
  }

  json::object run() {
    before_ = sample_server();
    for (const auto& client : clients_) {
      (client->identity().creator ? creators_waiting_ : others_waiting_).push_back(client.get());
    }
    joining_left_ = creators_waiting_.size();
    setup_deadline_ = Clock::now() + options_.setup_timeout;
    connect_more();
    watch_setup();
    io_.run();
    if (!setup_error_.empty()) throw std::runtime_error(setup_error_);
    return report();
  }

 private:
  static std::string make_run_id() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return "b" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 100'000'000) +
           "x" + std::to_string(getpid() % 10'000);
  }

  std::size_t window() const {
    if (options_.window != 0) return options_.window;
    // ShareDB refuses an op based on a version it has not reached yet (one op in flight,
    // as its own client does); Otter and the relay take a lone client's edits pipelined.
    const bool pipelines = options_.protocol != Protocol::sharedb;
    return options_.workload == Workload::trace && pipelines ? kTraceWindow : 1;
  }

  void add_client(const std::string& doc, bool creator, std::unique_ptr<EditSource> source) {
    const std::size_t index = clients_.size();
    run_.sent.emplace_back();
    ClientIdentity identity{.index = index, .client_id = run_id_ + "-" + std::to_string(index), .doc = doc,
                            .creator = creator};
    clients_.push_back(std::make_unique<EditingClient>(run_, std::move(identity), std::move(source),
                                                       ClientFlow{.window = window(), .rate = options_.rate}));
  }

  std::string doc_name(std::size_t number) const { return run_id_ + "-doc" + std::to_string(number); }

  void make_clients() {
    // A client's position in clients_ is its index; run_.sent must not reallocate once
    // clients point into it, so reserve first.
    const std::size_t docs = std::max<std::size_t>(options_.docs, 1);
    switch (options_.workload) {
      case Workload::hot:
      case Workload::docs: {
        const std::size_t doc_count = options_.workload == Workload::hot ? 1 : docs;
        run_.sent.reserve(doc_count * options_.clients);
        for (std::size_t doc = 0; doc < doc_count; ++doc) {
          for (std::size_t c = 0; c < options_.clients; ++c) {
            add_client(doc_name(doc), c == 0, std::make_unique<RandomTyping>(options_.seed + clients_.size()));
          }
        }
        break;
      }
      case Workload::trace: {
        const std::string dir = options_.traces_dir.empty() ? OTTER_TRACES_DIR : options_.traces_dir;
        run_.sent.reserve(options_.traces.size());
        for (const std::string& name : options_.traces) {
          traces_.push_back(std::make_unique<Trace>(load_trace(dir + "/" + name + ".json.gz")));
          add_client(doc_name(clients_.size()), true, std::make_unique<TraceReplay>(*traces_.back()));
        }
        break;
      }
      case Workload::idle:
        run_.sent.reserve(options_.clients);
        for (std::size_t c = 0; c < options_.clients; ++c) {
          add_client(doc_name(c % docs), c < docs, std::make_unique<RandomTyping>(options_.seed + c));
        }
        break;
    }
  }

  std::optional<ProcessSample> sample_server() const {
    return options_.server_pid ? sample_process(*options_.server_pid) : std::nullopt;
  }

  // ---- setup: creators first, then everyone else, at most max_connecting at a time
  void connect_more() {
    std::deque<EditingClient*>& waiting = creators_done_ ? others_waiting_ : creators_waiting_;
    while (!waiting.empty() && connecting_ < options_.max_connecting) {
      EditingClient* client = waiting.front();
      waiting.pop_front();
      ++connecting_;
      client->connect();
    }
  }

  // Which client does not matter: the run waits for all of them.
  void on_joined(EditingClient& /*client*/, bool ok) {
    --connecting_;
    if (!ok) ++failed_;
    if (setup_over_) return;
    if (--joining_left_ > 0) return connect_more();
    if (!creators_done_) {
      creators_done_ = true;
      joining_left_ = others_waiting_.size();
      if (joining_left_ > 0) return connect_more();
    }
    setup_over_ = true;
    if (failed_ > 0) {
      return abort_setup(std::to_string(failed_) + " of " + std::to_string(clients_.size()) +
                         " clients could not join: " + run_.first_error);
    }
    start();
  }

  void watch_setup() {
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || setup_over_) return;
      if (Clock::now() > setup_deadline_) {
        setup_over_ = true;
        return abort_setup("only " + std::to_string(run_.open_connections) + " of " +
                           std::to_string(clients_.size()) + " clients joined within " +
                           std::to_string(options_.setup_timeout.count()) + " s" +
                           (run_.first_error.empty() ? "" : " (" + run_.first_error + ")"));
      }
      watch_setup();
    });
  }

  void abort_setup(std::string why) {
    setup_error_ = std::move(why);
    finish();
  }

  // ---- measuring
  void start() {
    timer_.cancel();
    start_sample_ = sample_server();
    own_cpu_start_ = own_cpu_seconds();
    started_ = Clock::now();
    editing_deadline_ = started_ + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(options_.seconds));
    if (options_.workload != Workload::idle) {
      for (const auto& client : clients_) client->start_editing();
    }
    poll_editing();
  }

  bool all_traces_finished() const {
    return options_.workload == Workload::trace &&
           std::all_of(clients_.begin(), clients_.end(), [](const auto& client) { return client->finished(); });
  }

  void poll_editing() {
    timer_.expires_after(kPollInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      if (Clock::now() < editing_deadline_ && !all_traces_finished()) return poll_editing();
      for (const auto& client : clients_) client->stop_editing();
      drain_deadline_ = Clock::now() + options_.drain_timeout;
      poll_drain();
    });
  }

  void poll_drain() {
    const bool drained =
        std::all_of(clients_.begin(), clients_.end(), [](const auto& client) { return client->in_flight() == 0; });
    if (drained || Clock::now() > drain_deadline_) {
      end_sample_ = sample_server();
      own_cpu_end_ = own_cpu_seconds();
      ended_ = Clock::now();
      return finish();
    }
    timer_.expires_after(kPollInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) poll_drain();
    });
  }

  void finish() {
    for (const auto& client : clients_) client->disconnect();
    close_deadline_ = Clock::now() + kCloseTimeout;
    poll_closed();
  }

  void poll_closed() {
    if (run_.open_connections == 0 || Clock::now() > close_deadline_) return io_.stop();
    timer_.expires_after(kPollInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) poll_closed();
    });
  }

  // ---- the figures
  json::object report() const {
    json::object out;
    out["workload"] = to_string(options_.workload);
    out["protocol"] = to_string(options_.protocol);
    out["server"] = "ws://" + run_.host_header;
    out["clients"] = clients_.size();
    out["docs"] = options_.workload == Workload::hot ? 1 : options_.workload == Workload::trace ? clients_.size()
                                                                                               : options_.docs;
    out["seconds"] = options_.seconds;
    out["rate_per_client"] = options_.rate;
    out["window"] = window();
    out["errors"] = run_.errors;
    if (!run_.first_error.empty()) out["first_error"] = run_.first_error.substr(0, 500);

    Clock::time_point last_ack = started_;
    for (const auto& client : clients_) last_ack = std::max(last_ack, client->last_ack());
    const double elapsed = seconds_between(started_, std::max(last_ack, started_ + std::chrono::milliseconds(1)));
    if (options_.workload != Workload::idle) {
      out["ops_submitted"] = run_.submitted;
      out["ops_acked"] = run_.acked;
      out["elapsed_seconds"] = rounded(elapsed, 1e-4);
      out["ops_per_second"] = rounded(static_cast<double>(run_.acked) / elapsed, 0.1);
      out["ack_latency"] = run_.ack_latency.to_json();
      out["seen_latency"] = run_.seen_latency.to_json();
      out["load_generator_cpu_seconds"] = rounded(own_cpu_end_ - own_cpu_start_, 1e-3);
    }
    if (options_.workload == Workload::trace) out["traces"] = trace_report();

    json::object server;
    if (options_.server_pid) server["pid"] = *options_.server_pid;
    if (start_sample_ && end_sample_) {
      const double cpu = end_sample_->cpu_seconds - start_sample_->cpu_seconds;
      server["cpu_seconds"] = rounded(cpu, 1e-3);
      if (options_.workload != Workload::idle) {
        server["ops_per_cpu_second"] = cpu > 0 ? rounded(static_cast<double>(run_.acked) / cpu, 0.1) : 0.0;
        server["cpu_utilisation"] = rounded(cpu / seconds_between(started_, ended_), 1e-3);
      }
    }
    if (before_) server["rss_before_bytes"] = before_->rss_bytes;
    if (end_sample_) server["rss_after_bytes"] = end_sample_->rss_bytes;
    if (options_.workload == Workload::idle && before_ && end_sample_) {
      const double grown = static_cast<double>(end_sample_->rss_bytes) - static_cast<double>(before_->rss_bytes);
      server["rss_per_session_bytes"] = rounded(grown / static_cast<double>(std::max<std::size_t>(clients_.size(), 1)), 1);
    }
    out["server_process"] = std::move(server);
    return out;
  }

  json::array trace_report() const {
    json::array traces;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      const EditingClient& client = *clients_[i];
      const double seconds =
          seconds_between(started_, std::max(client.last_ack(), started_ + std::chrono::milliseconds(1)));
      json::object trace;
      trace["name"] = traces_[i]->name;
      trace["patches"] = traces_[i]->patches.size();
      trace["acked"] = client.acked();
      trace["finished"] = client.acked() == traces_[i]->patches.size();
      trace["seconds"] = rounded(seconds, 1e-4);
      trace["ops_per_second"] = rounded(static_cast<double>(client.acked()) / seconds, 0.1);
      traces.push_back(std::move(trace));
    }
    return traces;
  }

  const LoadOptions& options_;
  asio::io_context io_{1};
  RunShared run_;
  asio::steady_timer timer_;
  std::string run_id_;
  std::vector<std::unique_ptr<Trace>> traces_;
  std::vector<std::unique_ptr<EditingClient>> clients_;

  std::deque<EditingClient*> creators_waiting_;
  std::deque<EditingClient*> others_waiting_;
  std::size_t connecting_ = 0;
  std::size_t joining_left_ = 0;
  std::size_t failed_ = 0;
  bool creators_done_ = false;
  bool setup_over_ = false;
  std::string setup_error_;

  std::optional<ProcessSample> before_;
  std::optional<ProcessSample> start_sample_;
  std::optional<ProcessSample> end_sample_;
  double own_cpu_start_ = 0;
  double own_cpu_end_ = 0;
  Clock::time_point setup_deadline_{};
  Clock::time_point started_{};
  Clock::time_point editing_deadline_{};
  Clock::time_point drain_deadline_{};
  Clock::time_point ended_{};
  Clock::time_point close_deadline_{};
};

}  // namespace

std::optional<Workload> parse_workload(std::string_view name) {
  if (name == "hot") return Workload::hot;
  if (name == "docs") return Workload::docs;
  if (name == "trace") return Workload::trace;
  if (name == "idle") return Workload::idle;
  return std::nullopt;
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  if (name == "otter") return Protocol::otter;
  if (name == "sharedb") return Protocol::sharedb;
  if (name == "relay") return Protocol::relay;
  return std::nullopt;
}

std::string_view to_string(Workload workload) {
  switch (workload) {
    case Workload::hot:
      return "hot";
    case Workload::docs:
      return "docs";
    case Workload::trace:
      return "trace";
    case Workload::idle:
      return "idle";
  }
  return "?";
}

std::string_view to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::otter:
      return "otter";
    case Protocol::sharedb:
      return "sharedb";
    case Protocol::relay:
      return "relay";
  }
  return "?";
}

json::object run_load(const LoadOptions& options) { return LoadRun(options).run(); }

}  // namespace otter::bench
