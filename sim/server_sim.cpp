#include "sim/server_sim.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "launch/otterd_process.hpp"
#include "net/http_client.hpp"
#include "net/otter_client.hpp"
#include "ot/apply.hpp"
#include "ot/json_codec.hpp"
#include "sim/describe.hpp"
#include "sim/edit_generator.hpp"
#include "sim/random.hpp"
#include "sim/verdict.hpp"

namespace otter::sim {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::size_t kHistoryPage = 1000;

// One simulated editor: an OtterClient and the acks it reported.
struct Editor {
  std::string id;
  std::unique_ptr<net::OtterClient> client;
  std::mutex mutex;
  std::vector<net::AckEvent> acks;  // guarded by mutex
  std::uint64_t reconnects = 0;     // guarded by mutex
};

struct StoredEntry {
  std::uint64_t revision = 0;
  ot::Operation op;
  std::string client_id;
  std::optional<std::uint64_t> seq;
};

struct ServerDocumentState {
  std::uint64_t revision = 0;
  std::string text;
  std::vector<StoredEntry> history;
};

json::object parse_object(const net::HttpResponse& response, const std::string& what) {
  if (response.status != 200) {
    throw std::runtime_error(what + " answered HTTP " + std::to_string(response.status) + ": " + response.body);
  }
  boost::system::error_code error;
  json::value value = json::parse(response.body, error);
  if (error || !value.is_object()) throw std::runtime_error(what + " answered with something not a JSON object");
  return std::move(value.as_object());
}

// The server's durable text and its whole stored history, over the REST API.
ServerDocumentState read_document(net::HttpClient& http, const std::string& doc) {
  ServerDocumentState state;
  const json::object head = parse_object(http.get("/api/docs/" + doc), "GET /api/docs/" + doc);
  state.revision = json::value_to<std::uint64_t>(head.at("revision"));
  state.text = json::value_to<std::string>(head.at("text"));
  for (std::uint64_t since = 0; since < state.revision;) {
    const std::string target =
        "/api/docs/" + doc + "/ops?since=" + std::to_string(since) + "&limit=" + std::to_string(kHistoryPage);
    const json::object page = parse_object(http.get(target), "GET " + target);
    const json::array& ops = page.at("ops").as_array();
    if (ops.empty()) break;
    for (const json::value& item : ops) {
      const json::object& entry = item.as_object();
      StoredEntry stored;
      stored.revision = json::value_to<std::uint64_t>(entry.at("rev"));
      ot::Expected<ot::Operation> op = ot::from_json(entry.at("op"));
      if (!op) throw std::runtime_error("the history of " + doc + " holds an op the codec refuses");
      stored.op = std::move(*op);
      if (const json::value* id = entry.if_contains("client_id")) stored.client_id = json::value_to<std::string>(*id);
      if (const json::value* seq = entry.if_contains("seq")) stored.seq = json::value_to<std::uint64_t>(*seq);
      since = stored.revision;
      state.history.push_back(std::move(stored));
    }
  }
  return state;
}

bool inside(const ot::Selection& selection, std::size_t length) {
  return selection.anchor <= length && selection.head <= length;
}

class ServerSchedule {
 public:
  ServerSchedule(const SimOptions& options, std::uint64_t seed, const ServerSimSettings& settings,
                 launch::OtterdProcess& otterd)
      : options_(options), seed_(seed), settings_(settings), otterd_(otterd), random_(seed) {
    for (std::size_t d = 0; d < options.docs; ++d) docs_.push_back("sim-" + std::to_string(seed) + "-d" + std::to_string(d));
  }

  void run() {
    connect();
    if (!verdict_.failed()) act();
    if (!verdict_.failed()) settle_and_check();
    for (const auto& editor : editors_) editor->client->disconnect();
    for (const auto& editor : editors_) {
      const std::lock_guard lock(editor->mutex);
      stats_.reconnects += editor->reconnects;
    }
  }

  [[nodiscard]] const std::optional<Failure>& failure() const noexcept { return verdict_.failure(); }
  [[nodiscard]] const ScheduleStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::vector<std::string> actions() && { return std::move(actions_); }

 private:
  void note(std::string line) { actions_.push_back(std::to_string(actions_.size() + 1) + ". " + std::move(line)); }

  void connect() {
    for (std::size_t c = 0; c < options_.clients; ++c) {
      auto editor = std::make_unique<Editor>();
      editor->id = "sim-" + std::to_string(seed_) + "-c" + std::to_string(c);
      net::OtterClientOptions client_options;
      client_options.port = otterd_.port();
      client_options.client_id = editor->id;
      client_options.name = editor->id;
      client_options.timeout = settings_.timeout;
      client_options.reconnect_delay = 20ms;
      client_options.max_reconnect_delay = 250ms;
      Editor* raw = editor.get();
      client_options.on_event = [raw](const net::ClientEvent& event) {
        const std::lock_guard lock(raw->mutex);
        if (const auto* ack = std::get_if<net::AckEvent>(&event)) raw->acks.push_back(*ack);
        if (const auto* connected = std::get_if<net::ConnectedEvent>(&event); connected && connected->reconnect) {
          ++raw->reconnects;
        }
      };
      editor->client = std::make_unique<net::OtterClient>(std::move(client_options));
      static_cast<void>(editor->client->connect());
      for (const std::string& doc : docs_) {
        if (net::Expected<net::DocumentView> view = editor->client->open(doc); !view) {
          verdict_.fail("protocol", editor->id + " cannot open " + doc + ": " + view.error().message);
          return;
        }
      }
      editors_.push_back(std::move(editor));
    }
  }

  // Seeded actions until `steps` edits were made; the planned faults at seeded moments.
  void act() {
    std::multiset<std::size_t> kills;
    std::multiset<std::size_t> crashes;
    for (std::size_t i = 0; i < settings_.kills_per_schedule; ++i) kills.insert(random_.below(options_.steps));
    for (std::size_t i = 0; i < settings_.crashes_per_schedule; ++i) crashes.insert(random_.below(options_.steps));
    for (std::size_t edits = 0; edits < options_.steps && !verdict_.failed();) {
      for (; kills.count(edits) > 0; kills.erase(kills.find(edits))) kill_server();
      for (; crashes.count(edits) > 0; crashes.erase(crashes.find(edits))) crash_document(random_.below(docs_.size()));
      Editor& editor = *editors_[random_.below(editors_.size())];
      const std::string& doc = docs_[random_.below(docs_.size())];
      const std::uint64_t action = random_.below(1000);
      const std::uint64_t entropy = random_.next();
      ++stats_.events;
      if (action < 700) {
        edit(editor, doc, entropy);
        ++edits;
      } else if (action < 780) {
        select(editor, doc, entropy);
      } else if (action < 830) {
        note(editor.id + " drops its connection");
        editor.client->drop_connection();
      } else if (action < 980) {
        const auto pause = std::chrono::microseconds(entropy % 3000);
        std::this_thread::sleep_for(pause);  // a random delay: the clients' threads run meanwhile
      } else if (action < 995) {
        crash_document(entropy % docs_.size());
      } else {
        kill_server();
      }
    }
  }

  void edit(Editor& editor, const std::string& doc, std::uint64_t entropy) {
    ++stats_.edits;
    // The local text may change between reading it and editing it (a remote op arrives):
    // then the op no longer spans it and the edit is refused; read again.
    for (int attempt = 0; attempt < 3; ++attempt) {
      const std::optional<net::DocumentView> view = editor.client->document(doc);
      if (!view) return;
      const ot::Operation op = random_edit(entropy + static_cast<std::uint64_t>(attempt), view->length);
      const net::Expected<net::Done> done = editor.client->edit(doc, op);
      if (done) {
        note(editor.id + " edits " + doc + " " + wire(op));
        return;
      }
      if (done.error().code != net::ErrorCode::invalid_op) {
        note(editor.id + " cannot edit " + doc + " now (" + std::string(net::to_string(done.error().code)) + ")");
        return;
      }
    }
  }

  void select(Editor& editor, const std::string& doc, std::uint64_t entropy) {
    const std::optional<net::DocumentView> view = editor.client->document(doc);
    if (!view) return;
    const ot::Selection selection = random_selection(entropy, view->length);
    static_cast<void>(editor.client->set_selection(doc, selection));
    note(editor.id + " moves its cursor in " + doc + " to (" + std::to_string(selection.anchor) + ", " +
         std::to_string(selection.head) + ")");
  }

  void crash_document(std::uint64_t doc_index) {
    const std::string& doc = docs_[doc_index];
    note(doc + "'s process crashes");
    ++stats_.document_crashes;
    net::HttpClient http({.port = otterd_.port(), .timeout = settings_.timeout});
    const net::HttpResponse response = http.post("/api/admin/docs/" + doc + "/crash", "");
    if (response.status != 202) {
      verdict_.fail("protocol", "POST /api/admin/docs/" + doc + "/crash answered HTTP " +
                                    std::to_string(response.status) + ": " + response.body);
    }
  }

  void kill_server() {
    note("kill -9 otterd, restart on the same data directory");
    ++stats_.server_kills;
    otterd_.kill9();
    otterd_.restart();
  }

  void settle_and_check() {
    for (const auto& editor : editors_) {
      if (!editor->client->wait_synced(settings_.timeout)) {
        return verdict_.fail("quiescence", editor->id + " still has edits not acknowledged after " +
                                               std::to_string(settings_.timeout.count()) + " ms");
      }
    }
    net::HttpClient http({.port = otterd_.port(), .timeout = settings_.timeout});
    for (const std::string& doc : docs_) {
      ServerDocumentState server;
      try {
        server = read_document(http, doc);
      } catch (const net::ClientError&) {
        throw;  // unreachable: run_server reports it
      } catch (const std::runtime_error& error) {  // a REST answer the API does not document
        return verdict_.fail("protocol", error.what());
      }
      stats_.revisions += server.revision;
      check_document(doc, server);
      if (verdict_.failed()) return;
    }
  }

  void check_document(const std::string& doc, const ServerDocumentState& server) {
    // Dense revisions, replay from empty.
    std::string replayed;
    std::map<std::pair<std::string, std::uint64_t>, std::uint64_t> stored_at;
    for (std::size_t i = 0; i < server.history.size(); ++i) {
      const StoredEntry& entry = server.history[i];
      if (entry.revision != i + 1) {
        return verdict_.fail("dense_revisions", doc + ": the history's entry " + std::to_string(i + 1) +
                                                    " is revision " + std::to_string(entry.revision));
      }
      ot::Expected<std::string> next = ot::apply(replayed, entry.op);
      if (!next) {
        return verdict_.fail("replay", doc + ": stored revision " + std::to_string(entry.revision) +
                                           " does not apply to the replayed text: " + next.error().message);
      }
      replayed = std::move(*next);
      if (!entry.seq) continue;
      const auto [it, fresh] = stored_at.emplace(std::pair{entry.client_id, *entry.seq}, entry.revision);
      if (!fresh) {
        return verdict_.fail("acked_ops", doc + ": " + entry.client_id + " seq " + std::to_string(*entry.seq) +
                                              " is stored twice, as revisions " + std::to_string(it->second) +
                                              " and " + std::to_string(entry.revision));
      }
    }
    if (server.history.size() != server.revision) {
      return verdict_.fail("dense_revisions", doc + ": the history holds " + std::to_string(server.history.size()) +
                                                  " ops for revision " + std::to_string(server.revision));
    }
    if (replayed != server.text) {
      return verdict_.fail("replay", doc + ": replaying the stored history does not give the stored text");
    }
    for (const auto& editor : editors_) {
      const std::string who = editor->id + " on " + doc;
      if (!editor->client->wait_revision(doc, server.revision, settings_.timeout)) {
        return verdict_.fail("convergence", who + " did not reach revision " + std::to_string(server.revision));
      }
      const std::optional<net::DocumentView> view = editor->client->document(doc);
      if (!view || view->text != server.text || view->revision != server.revision || !view->synchronized) {
        return verdict_.fail("convergence", who + " holds " + (view ? quoted_text(view->text) : "nothing") +
                                                " at revision " + (view ? std::to_string(view->revision) : "-") +
                                                ", the server " + quoted_text(server.text) + " at revision " +
                                                std::to_string(server.revision));
      }
      if (view->selection && !inside(*view->selection, view->length)) {
        return verdict_.fail("presence", who + ": its own cursor is outside the text");
      }
      for (const net::PeerPresence& peer : view->peers) {
        if (peer.selection && !inside(*peer.selection, view->length)) {
          return verdict_.fail("presence", who + " shows " + peer.client_id + "'s cursor outside the text");
        }
      }
      const std::lock_guard lock(editor->mutex);
      for (const net::AckEvent& ack : editor->acks) {
        if (ack.doc != doc) continue;
        const auto found = stored_at.find({editor->id, ack.seq});
        if (found == stored_at.end() || found->second != ack.revision) {
          return verdict_.fail("acked_ops", misplaced_ack(who, ack.seq, ack.revision,
                                                              found == stored_at.end()
                                                                  ? std::nullopt
                                                                  : std::optional<std::uint64_t>(found->second)));
        }
      }
    }
  }

  const SimOptions& options_;
  std::uint64_t seed_;
  const ServerSimSettings& settings_;
  launch::OtterdProcess& otterd_;
  SimRandom random_;
  std::vector<std::string> docs_;
  std::vector<std::unique_ptr<Editor>> editors_;
  Verdict verdict_;
  ScheduleStats stats_;
  std::vector<std::string> actions_;
};

}  // namespace

SimReport run_server(const SimOptions& options, const ServerSimSettings& settings) {
  SimReport report;
  report.mode = "server";
  report.options = options;
  const auto start = std::chrono::steady_clock::now();
  launch::OtterdProcess otterd(
      {.binary = settings.otterd, .dev = true, .start_timeout = settings.timeout, .directory_prefix = "otter-sim"});
  for (std::size_t i = 0; i < options.schedules; ++i) {
    const std::uint64_t seed = options.seed + i;
    ServerSchedule schedule(options, seed, settings, otterd);
    try {
      schedule.run();
    } catch (const net::ClientError& error) {
      // The server stopped answering: that is a finding, not a crash of the simulator.
      report.failure = SimFailure{};
      report.failure->failure = Failure{"server_unreachable", error.what()};
    }
    ++report.schedules_run;
    report.stats += schedule.stats();
    if (!report.failure && schedule.failure()) {
      report.failure = SimFailure{};
      report.failure->failure = *schedule.failure();
    }
    if (report.failure) {
      report.failure->seed = seed;
      report.failure->history = std::move(schedule).actions();
      report.failure->events = report.failure->history.size();
      report.failure->history.push_back("otterd's log ends:\n" + otterd.output_tail(2000));
    }
    report.elapsed = std::chrono::steady_clock::now() - start;
    if (options.on_progress) options.on_progress(SimProgress{report.schedules_run, options.schedules, report.elapsed});
    if (report.failure) break;
  }
  return report;
}

}  // namespace otter::sim
