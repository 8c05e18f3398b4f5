// EditingClient: one simulated editor of the load generator — a WebSocket connection, the
// document it joined, and what it knows of the document's version and length — with a
// flow like a real OT client's: at most `window` edits in flight (1 for a person typing:
// the next edit goes when the last one is acked), optionally no faster than `rate` edits
// per second.
//
// Lifecycle: connect() → (joins; RunShared::on_ready once the server says it joined) →
// start_editing() → stop_editing() (no new edits; those in flight still get acked) →
// disconnect(). A connection that fails or closes early calls RunShared::on_failed.
//
// Contract
// - Everything runs on the run's one io_context thread.
// - Versions: applied events are applied in version order (buffered if early, dropped if
//   already seen), so a remote op the server sends twice counts once; an edit's base is
//   the last version heard plus the edits still in flight (exact for window 1, and for a
//   client alone on its document, which is how the trace workload pipelines).
// - Latency: submit→ack when the ack is applied; submit→seen when another client applies
//   the op. A remote op's seq, when the protocol doesn't carry it (Otter), is counted per
//   sender: every client joins before anyone edits, so it sees each sender's ops from 1.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/load/edit_source.hpp"
#include "bench/load/latency_histogram.hpp"
#include "bench/load/wire_protocol.hpp"
#include "bench/load/ws_connection.hpp"

namespace otter::bench {

using Clock = std::chrono::steady_clock;

class EditingClient;

// When each client sent each of its edits: sent[client].at[seq - first_seq].
struct SentLog {
  std::uint64_t first_seq = 1;
  std::vector<Clock::time_point> at;
};

// What every client of one run shares (single-threaded).
struct RunShared {
  explicit RunShared(boost::asio::io_context& context) : io(context) {}
  boost::asio::io_context& io;
  boost::asio::ip::tcp::endpoint server;
  std::string host_header;
  Protocol protocol = Protocol::otter;
  LatencyHistogram ack_latency;
  LatencyHistogram seen_latency;
  std::vector<SentLog> sent;  // one per client
  std::size_t open_connections = 0;  // joined and not yet closed
  std::uint64_t submitted = 0;
  std::uint64_t acked = 0;
  std::uint64_t errors = 0;
  std::string first_error;
  std::function<void(EditingClient&)> on_ready;
  std::function<void(EditingClient&)> on_failed;
};

struct ClientFlow {
  std::size_t window = 1;  // edits in flight at most
  double rate = 0;         // edits per second at most; 0: as fast as acks allow
};

class EditingClient {
 public:
  EditingClient(RunShared& run, ClientIdentity identity, std::unique_ptr<EditSource> source, ClientFlow flow);
  EditingClient(const EditingClient&) = delete;
  EditingClient& operator=(const EditingClient&) = delete;

  void connect();
  void start_editing();
  void stop_editing();
  void disconnect();

  [[nodiscard]] const ClientIdentity& identity() const noexcept { return identity_; }
  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_.size(); }
  // The source has nothing more and every edit was acked (a finished trace).
  [[nodiscard]] bool finished() const noexcept { return exhausted_ && in_flight_.empty(); }
  [[nodiscard]] std::uint64_t acked() const noexcept { return acked_; }
  [[nodiscard]] Clock::time_point last_ack() const noexcept { return last_ack_; }
  [[nodiscard]] EditSource& source() noexcept { return *source_; }

 private:
  void on_message(std::string_view frame);
  void on_closed(const std::string& why);
  void become_ready(std::uint64_t version, std::int64_t length);
  void apply(const WireEvent& event);
  void apply_in_order(const WireEvent& event);
  void record_error(const std::string& message);
  void send_edits();

  RunShared& run_;
  ClientIdentity identity_;
  std::unique_ptr<ClientWire> wire_;
  std::unique_ptr<EditSource> source_;
  ClientFlow flow_;
  std::shared_ptr<WsConnection> connection_;
  boost::asio::steady_timer pace_timer_;
  Decoded decoded_;

  bool ready_ = false;
  bool failed_ = false;
  bool editing_ = false;
  bool exhausted_ = false;
  bool pace_armed_ = false;
  bool closing_ = false;
  std::uint64_t version_ = 0;      // last version applied
  std::int64_t length_ = 0;        // the server's length at version_
  std::int64_t local_length_ = 0;  // with our edits in flight
  std::map<std::uint64_t, WireEvent> early_;  // applied events ahead of version_ + 1
  std::deque<std::int64_t> in_flight_;        // length delta of each edit in flight, oldest first
  std::uint64_t next_seq_ = 1;
  std::uint64_t acked_ = 0;
  Clock::time_point next_send_{};
  Clock::time_point last_ack_{};
  std::vector<std::uint64_t> seen_from_;  // per sender: ops applied (Otter: their seq)
};

}  // namespace otter::bench
