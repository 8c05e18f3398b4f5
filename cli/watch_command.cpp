// otter watch DOC: print each change as it happens, until interrupted.
#include <csignal>
#include <iostream>
#include <map>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/change_format.hpp"
#include "cli/commands.hpp"
#include "cli/connection.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int /*signal*/) { g_interrupted = 1; }

// How often the loop looks at the interrupt flag while no event comes.
constexpr std::chrono::milliseconds kPollInterval{100};

std::string opened_line(const net::DocumentView& view, bool json) {
  if (!json) {
    return "watching " + quoted(view.doc) + " at revision " + std::to_string(view.revision) + " (" +
           std::to_string(view.length) + " code points)";
  }
  boost::json::object object;
  object["type"] = "opened";
  object["doc"] = view.doc;
  object["revision"] = view.revision;
  object["length"] = view.length;
  return boost::json::serialize(object);
}

}  // namespace

const std::string_view kWatchHelp = R"(usage: otter watch DOC [--json] [--count N]

Print each change to document DOC as it happens, one line per change, until interrupted
(Ctrl-C). The first line says the revision watching starts from. Creates DOC if it does
not exist. A lost connection is re-established and the changes missed meanwhile printed.

  --json      one JSON object per line: {"type":"opened",...}, then
              {"type":"change","rev":N,"client_id":...,"op":[...],"deleted":[...]}
  --count N   exit after N changes

A change reads: r12 c-7f3a (Ann): insert "abc" at 5, delete 2 at 9 ("xy")
(the revision, the author's client id and name if known, then each part with its
position in code points).
)";

int run_watch(const GlobalOptions& options, CommandArgs& args) {
  const bool json = args.take_flag("--json");
  const std::optional<std::string> count_text = args.take_option("--count");
  const std::string doc = args.positionals({"DOC"}).at(0);
  const std::optional<std::size_t> count =
      count_text ? std::optional<std::size_t>(parse_count(*count_text, "--count")) : std::nullopt;

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::unique_ptr<net::OtterClient> client = connect_client(options, "watch");
  const net::DocumentView view = open_document(*client, options, doc, true);
  std::cout << opened_line(view, json) << std::endl;

  std::map<std::string, std::string> names;  // client id -> name, from presence
  std::size_t printed = 0;
  while (!g_interrupted && (!count || printed < *count)) {
    std::optional<net::ClientEvent> event = client->next_event(kPollInterval);
    if (!event) continue;
    if (const auto* change = std::get_if<net::RemoteEditEvent>(&*event); change && change->doc == doc) {
      const auto name = names.find(change->client_id);
      const std::optional<std::string> author =
          name == names.end() ? std::nullopt : std::optional<std::string>(name->second);
      std::cout << (json ? change_json(*change, author) : describe_change(*change, author)) << std::endl;
      if (!std::cout) return kExitOk;  // the reader went away (e.g. `| head`)
      ++printed;
    } else if (const auto* presence = std::get_if<net::PresenceEvent>(&*event)) {
      if (!presence->left && presence->peer.name) names[presence->peer.client_id] = *presence->peer.name;
    } else if (const auto* lost = std::get_if<net::DisconnectedEvent>(&*event)) {
      std::cerr << "otter: connection lost (" << lost->reason.code << " " << lost->reason.reason << ")"
                << (lost->reconnecting ? "; reconnecting" : "") << std::endl;
      if (!lost->reconnecting) return kExitUnreachable;
    } else if (const auto* connected = std::get_if<net::ConnectedEvent>(&*event); connected && connected->reconnect) {
      std::cerr << "otter: reconnected" << std::endl;
    } else if (const auto* opened = std::get_if<net::DocumentOpenedEvent>(&*event);
               opened && opened->kind == net::DocumentOpenedEvent::Kind::reloaded) {
      std::cerr << "otter: changes were missed; reloaded " << quoted(doc) << " at revision " << opened->revision
                << std::endl;
    } else if (const auto* error = std::get_if<net::ErrorEvent>(&*event)) {
      std::cerr << "otter: server error " << net::to_string(error->error.code) << ": " << error->error.message
                << std::endl;
    }
  }
  client->disconnect();
  return kExitOk;
}

}  // namespace otter::cli
