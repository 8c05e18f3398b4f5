#include "sim/simulation.hpp"

#include <array>
#include <utility>
#include <vector>

#include "sim/checks.hpp"
#include "sim/describe.hpp"
#include "sim/random.hpp"
#include "sim/sim_client.hpp"
#include "sim/sim_server.hpp"
#include "sim/verdict.hpp"

namespace otter::sim {
namespace {

// How often the scheduler picks each kind of event, among those that can happen now.
// Faults are rare enough that most ops go through, frequent enough that a 100-edit
// schedule sees a few of each.
constexpr std::array<std::pair<EventKind, unsigned>, 9> kWeights{{
    {EventKind::edit, 250},
    {EventKind::select, 40},
    {EventKind::deliver_to_server, 220},
    {EventKind::deliver_to_client, 300},
    {EventKind::commit, 120},
    {EventKind::disconnect, 20},
    {EventKind::reconnect, 40},
    {EventKind::crash_document, 8},
    {EventKind::kill_server, 3},
}};
constexpr std::size_t kMaxEventsPerStep = 50;
constexpr std::size_t kMaxDrainRounds = 100'000;

class Fingerprint {
 public:
  void add(std::uint64_t value) noexcept {
    for (int i = 0; i < 8; ++i) {
      hash_ = (hash_ ^ ((value >> (8 * i)) & 0xffU)) * 0x100000001b3ULL;
    }
  }
  void add(std::string_view text) noexcept {
    add(text.size());
    for (const char c : text) hash_ = (hash_ ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  [[nodiscard]] std::uint64_t value() const noexcept { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

std::string describe(const ToServer& message) {
  const std::string doc = " doc" + std::to_string(message.doc);
  switch (message.kind) {
    case ToServer::Kind::open:
      return "open" + doc + " from revision " + std::to_string(message.revision);
    case ToServer::Kind::op:
      return "op" + doc + " seq " + std::to_string(message.submission.seq) + " at revision " +
             std::to_string(message.submission.base_revision) + " " + wire(message.submission.op);
    case ToServer::Kind::presence:
      return "cursor" + doc + " (" + std::to_string(message.selection.anchor) + ", " +
             std::to_string(message.selection.head) + ") at revision " + std::to_string(message.revision);
  }
  return {};
}

std::string describe(const ToClient& message) {
  const std::string doc = " doc" + std::to_string(message.doc);
  const std::string revision = " revision " + std::to_string(message.revision);
  const std::string author = " c" + std::to_string(message.author);
  switch (message.kind) {
    case ToClient::Kind::opened:
      return "opened" + doc + " at" + revision;
    case ToClient::Kind::entry:
      return "entry" + doc + revision + " by" + author + " seq " + std::to_string(message.seq) + " " +
             wire(message.op);
    case ToClient::Kind::duplicate_ack:
      return "duplicate ack" + doc + " seq " + std::to_string(message.seq) + " at" + revision;
    case ToClient::Kind::error:
      return "internal_error" + doc + " seq " + std::to_string(message.seq);
    case ToClient::Kind::presence:
      return "cursor of" + author + doc + " (" + std::to_string(message.selection.anchor) + ", " +
             std::to_string(message.selection.head) + ") at" + revision;
    case ToClient::Kind::presence_left:
      return author + " left" + doc;
  }
  return {};
}

class Simulation {
 public:
  Simulation(const ScheduleConfig& config, bool keep_transcript)
      : config_(config),
        transcript_(keep_transcript),
        network_(config.clients),
        server_(network_, client_ids(config.clients), config.docs, config.faults, verdict_, transcript_) {
    clients_.reserve(config.clients);
    for (std::uint32_t c = 0; c < config.clients; ++c) {
      clients_.emplace_back(c, "c" + std::to_string(c), config.docs, network_[c], verdict_, transcript_);
    }
  }

  [[nodiscard]] bool failed() const noexcept { return verdict_.failed(); }
  [[nodiscard]] std::uint64_t edits() const noexcept { return stats_.edits; }

  // The scheduler: a kind of event among those that can happen now, then its target.
  [[nodiscard]] Event draw(SimRandom& random) const {
    std::array<std::vector<std::uint32_t>, kWeights.size()> targets;
    unsigned total = 0;
    for (std::size_t k = 0; k < kWeights.size(); ++k) {
      targets[k] = candidates(kWeights[k].first);
      if (!targets[k].empty()) total += kWeights[k].second;
    }
    std::uint64_t pick = random.below(total);
    std::size_t chosen = 0;
    for (std::size_t k = 0; k < kWeights.size(); ++k) {
      if (targets[k].empty()) continue;
      if (pick < kWeights[k].second) {
        chosen = k;
        break;
      }
      pick -= kWeights[k].second;
    }
    const EventKind kind = kWeights[chosen].first;
    const std::uint32_t target = targets[chosen][random.below(targets[chosen].size())];
    Event event{.kind = kind};
    if (kind == EventKind::commit || kind == EventKind::crash_document) {
      event.doc = target;
    } else {
      event.client = target;
      if (kind == EventKind::edit || kind == EventKind::select) {
        event.doc = static_cast<std::uint32_t>(random.below(config_.docs));
      }
    }
    event.entropy = random.next();
    return event;
  }

  void execute(const Event& event) {
    if (event.client >= config_.clients || event.doc >= config_.docs) return;
    events_.push_back(event);
    fingerprint_.add(static_cast<std::uint64_t>(event.kind));
    fingerprint_.add(event.client);
    fingerprint_.add(event.doc);
    fingerprint_.add(event.entropy);
    ++stats_.events;
    Connection& connection = network_[event.client];
    SimClient& client = clients_[event.client];
    const std::string who = "c" + std::to_string(event.client);
    const std::string doc = "doc" + std::to_string(event.doc);
    const auto note = [&](const std::string& line) {
      if (transcript_.enabled()) transcript_.add(std::to_string(events_.size()) + ". " + line);
    };
    switch (event.kind) {
      case EventKind::edit:
        note(who + " edits " + doc);
        ++stats_.edits;
        client.edit(event.doc, event.entropy);
        break;
      case EventKind::select:
        note(who + " moves its cursor in " + doc);
        client.select(event.doc, event.entropy);
        break;
      case EventKind::deliver_to_server:
        if (connection.uplink.empty()) break;
        note(who + " → server: " + describe(connection.uplink.front()));
        deliver_to_server(event.client);
        break;
      case EventKind::deliver_to_client:
        if (connection.downlink.empty()) break;
        note("server → " + who + ": " + describe(connection.downlink.front()));
        deliver_to_client(event.client);
        break;
      case EventKind::commit:
        note("storage commits " + doc);
        server_.commit(event.doc);
        break;
      case EventKind::disconnect:
        if (!connection.up) break;
        note(who + " loses its connection");
        disconnect(event.client, event.entropy);
        break;
      case EventKind::reconnect:
        if (connection.up) break;
        note(who + " reconnects and resumes");
        reconnect(event.client);
        break;
      case EventKind::crash_document:
        note(doc + "'s process crashes");
        ++stats_.document_crashes;
        server_.crash_document(event.doc, event.entropy);
        break;
      case EventKind::kill_server:
        note("kill -9 otterd, restart");
        ++stats_.server_kills;
        kill_server();
        break;
    }
    check_cursors_inside(server_, clients_, verdict_);
  }

  void finish() {
    if (!verdict_.failed()) drain();
    if (!verdict_.failed()) check_schedule_end(server_, clients_, verdict_);
    for (std::uint32_t d = 0; d < config_.docs; ++d) {
      fingerprint_.add(server_.durable_text(d));
      stats_.revisions += server_.history(d).size();
    }
    stats_.duplicates = server_.duplicates();
    stats_.lost_pending_ops = server_.lost_pending_ops();
  }

  [[nodiscard]] ScheduleOutcome outcome() && {
    ScheduleOutcome outcome;
    outcome.failure = verdict_.failure();
    outcome.events = std::move(events_);
    outcome.fingerprint = fingerprint_.value();
    outcome.stats = stats_;
    outcome.transcript = transcript_.take();
    if (outcome.failure && !outcome.transcript.empty()) {
      outcome.transcript.push_back("FAILED " + outcome.failure->check + ": " + outcome.failure->message);
    }
    return outcome;
  }

 private:
  static std::vector<std::string> client_ids(std::size_t count) {
    std::vector<std::string> ids;
    for (std::size_t c = 0; c < count; ++c) ids.push_back("c" + std::to_string(c));
    return ids;
  }

  [[nodiscard]] std::vector<std::uint32_t> candidates(EventKind kind) const {
    std::vector<std::uint32_t> out;
    const auto all = [&out](std::size_t count) {
      for (std::uint32_t i = 0; i < count; ++i) out.push_back(i);
    };
    switch (kind) {
      case EventKind::edit:
      case EventKind::select:
        all(config_.clients);
        break;
      case EventKind::deliver_to_server:
      case EventKind::deliver_to_client:
      case EventKind::disconnect:
      case EventKind::reconnect:
        for (std::uint32_t c = 0; c < config_.clients; ++c) {
          const Connection& connection = network_[c];
          const bool ready = kind == EventKind::deliver_to_server   ? !connection.uplink.empty()
                             : kind == EventKind::deliver_to_client ? !connection.downlink.empty()
                             : kind == EventKind::disconnect        ? connection.up
                                                                    : !connection.up;
          if (ready) out.push_back(c);
        }
        break;
      case EventKind::commit:
        for (std::uint32_t d = 0; d < config_.docs; ++d) {
          if (server_.pending_ops(d) > 0) out.push_back(d);
        }
        break;
      case EventKind::crash_document:
        all(config_.docs);
        break;
      case EventKind::kill_server:
        out.push_back(0);
        break;
    }
    return out;
  }

  void deliver_to_server(std::uint32_t client) {
    Connection& connection = network_[client];
    const ToServer message = std::move(connection.uplink.front());
    connection.uplink.pop_front();
    server_.receive(client, message);
  }

  void deliver_to_client(std::uint32_t client) {
    Connection& connection = network_[client];
    const ToClient message = std::move(connection.downlink.front());
    connection.downlink.pop_front();
    clients_[client].receive(message);
  }

  // The messages on their way to the server that made it before the drop are a prefix
  // (TCP); everything on its way to the client is lost.
  void disconnect(std::uint32_t client, std::uint64_t entropy) {
    Connection& connection = network_[client];
    SimRandom random(entropy);
    const std::size_t arrived = random.below(connection.uplink.size() + 1);
    for (std::size_t i = 0; i < arrived && !verdict_.failed(); ++i) deliver_to_server(client);
    connection.uplink.clear();
    connection.downlink.clear();
    connection.up = false;
    server_.disconnect(client);
    clients_[client].connection_lost();
  }

  void reconnect(std::uint32_t client) {
    network_[client].up = true;
    ++stats_.reconnects;
    clients_[client].reconnect();
  }

  void kill_server() {
    server_.kill();
    for (std::uint32_t c = 0; c < config_.clients; ++c) {
      Connection& connection = network_[c];
      if (!connection.up) continue;
      connection.uplink.clear();
      connection.downlink.clear();
      connection.up = false;
      clients_[c].connection_lost();
    }
  }

  void drain() {
    if (transcript_.enabled()) transcript_.add("drain: everyone reconnects, storage commits, every queue empties");
    for (std::uint32_t c = 0; c < config_.clients; ++c) {
      if (!network_[c].up) reconnect(c);
    }
    for (std::size_t round = 0; round < kMaxDrainRounds; ++round) {
      bool moved = false;
      for (std::uint32_t d = 0; d < config_.docs; ++d) {
        if (server_.pending_ops(d) == 0) continue;
        server_.commit(d);
        moved = true;
      }
      for (std::uint32_t c = 0; c < config_.clients; ++c) {
        for (; !network_[c].uplink.empty() && !verdict_.failed(); moved = true) deliver_to_server(c);
        for (; !network_[c].downlink.empty() && !verdict_.failed(); moved = true) deliver_to_client(c);
      }
      if (verdict_.failed()) return;
      check_cursors_inside(server_, clients_, verdict_);
      if (!moved) return;
    }
    verdict_.fail("quiescence", "messages still moving after " + std::to_string(kMaxDrainRounds) + " drain rounds");
  }


  ScheduleConfig config_;
  Verdict verdict_;
  Transcript transcript_;
  Network network_;
  SimServer server_;
  std::vector<SimClient> clients_;
  std::vector<Event> events_;
  Fingerprint fingerprint_;
  ScheduleStats stats_;
};

}  // namespace

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::edit: return "edit";
    case EventKind::select: return "select";
    case EventKind::deliver_to_server: return "deliver_to_server";
    case EventKind::deliver_to_client: return "deliver_to_client";
    case EventKind::commit: return "commit";
    case EventKind::disconnect: return "disconnect";
    case EventKind::reconnect: return "reconnect";
    case EventKind::crash_document: return "crash_document";
    case EventKind::kill_server: return "kill_server";
  }
  return "unknown";
}

ScheduleStats& ScheduleStats::operator+=(const ScheduleStats& other) noexcept {
  events += other.events;
  edits += other.edits;
  revisions += other.revisions;
  duplicates += other.duplicates;
  reconnects += other.reconnects;
  document_crashes += other.document_crashes;
  server_kills += other.server_kills;
  lost_pending_ops += other.lost_pending_ops;
  return *this;
}

ScheduleOutcome run_schedule(const ScheduleConfig& config, bool keep_transcript) {
  Simulation simulation(config, keep_transcript);
  SimRandom random(config.seed);
  const std::size_t max_events = config.steps * kMaxEventsPerStep + 100;
  for (std::size_t i = 0; i < max_events && simulation.edits() < config.steps && !simulation.failed(); ++i) {
    simulation.execute(simulation.draw(random));
  }
  simulation.finish();
  return std::move(simulation).outcome();
}

ScheduleOutcome replay_schedule(const ScheduleConfig& config, std::span<const Event> events, bool keep_transcript) {
  Simulation simulation(config, keep_transcript);
  for (const Event& event : events) {
    if (simulation.failed()) break;
    simulation.execute(event);
  }
  simulation.finish();
  return std::move(simulation).outcome();
}

}  // namespace otter::sim
