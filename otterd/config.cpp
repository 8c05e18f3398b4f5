#include "otterd/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/durability.hpp"

namespace otter::otterd {

namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::uint64_t kGiB = 1024 * kMiB;
constexpr std::uint64_t kMillion = 1'000'000;
constexpr std::uint64_t kHourMs = 3'600'000;

constexpr std::array<std::string_view, 7> kLogLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

// An error about one key's value; the loader adds the file and the line.
[[noreturn]] void fail(std::string_view key, std::string_view must, const YAML::Node& value) {
  std::string given;
  if (value.IsScalar()) {
    given = "\"" + value.Scalar() + "\"";
  } else if (value.IsMap()) {
    given = "a map";
  } else if (value.IsSequence()) {
    given = "a list";
  } else {
    given = "nothing";
  }
  throw ConfigError(std::string(key) + " must be " + std::string(must) + ", not " + given);
}

std::string range_text(std::uint64_t minimum, std::uint64_t maximum, std::string_view note) {
  std::string text = "an integer from " + std::to_string(minimum) + " to " + std::to_string(maximum);
  if (!note.empty()) text.append(" (").append(note).append(")");
  return text;
}

std::uint64_t read_integer(std::string_view key, const YAML::Node& value, std::uint64_t minimum,
                           std::uint64_t maximum, std::string_view note) {
  const std::string must = range_text(minimum, maximum, note);
  if (!value.IsScalar()) fail(key, must, value);
  const std::string& text = value.Scalar();
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || number < minimum ||
      number > maximum) {
    fail(key, must, value);
  }
  return number;
}

std::string read_string(std::string_view key, const YAML::Node& value, bool allow_empty) {
  if (!value.IsScalar() && !(allow_empty && value.IsNull())) fail(key, allow_empty ? "a string" : "a non-empty string", value);
  std::string text = value.IsNull() ? std::string() : value.Scalar();
  if (!allow_empty && text.empty()) fail(key, "a non-empty string", value);
  return text;
}

bool read_bool(std::string_view key, const YAML::Node& value) {
  if (value.IsScalar()) {
    if (value.Scalar() == "true") return true;
    if (value.Scalar() == "false") return false;
  }
  fail(key, "true or false", value);
}

std::string yaml_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// The type an accessor gives, without reference.
template <class Access>
using Field = std::remove_cvref_t<decltype(std::declval<Access>()(std::declval<Config&>()))>;

// A key whose value is an integer field (any unsigned type).
template <class Access>
ConfigKey integer_key(std::string name, std::string meaning, std::uint64_t minimum, std::uint64_t maximum, Access access,
                      std::string note = "") {
  std::string range = range_text(minimum, maximum, note);
  return ConfigKey{
      name, std::move(meaning), range,
      [=](Config& config, const YAML::Node& value) {
        access(config) = static_cast<Field<Access>>(read_integer(name, value, minimum, maximum, note));
      },
      [=](const Config& config) { return std::to_string(access(config)); }};
}

// A key whose value is a duration field in milliseconds (or microseconds: `Unit`).
template <class Access>
ConfigKey duration_key(std::string name, std::string meaning, std::uint64_t minimum, std::uint64_t maximum,
                       Access access, std::string note = "") {
  using Duration = Field<Access>;
  std::string range = range_text(minimum, maximum, note);
  return ConfigKey{
      name, std::move(meaning), range,
      [=](Config& config, const YAML::Node& value) {
        access(config) = Duration(static_cast<typename Duration::rep>(read_integer(name, value, minimum, maximum, note)));
      },
      [=](const Config& config) { return std::to_string(access(config).count()); }};
}

// A count where 0 means "no limit" (an optional field).
template <class Access>
ConfigKey limit_key(std::string name, std::string meaning, std::uint64_t maximum, Access access) {
  const std::string note = "0: no limit";
  return ConfigKey{
      name, std::move(meaning), range_text(0, maximum, note),
      [=](Config& config, const YAML::Node& value) {
        const std::uint64_t n = read_integer(name, value, 0, maximum, note);
        if (n == 0) {
          access(config).reset();
        } else {
          access(config) = static_cast<std::size_t>(n);
        }
      },
      [=](const Config& config) { return std::to_string(access(config).value_or(0)); }};
}

std::vector<ConfigKey> make_keys() {
  std::vector<ConfigKey> keys;
  // --- server
  keys.push_back(ConfigKey{
      "server.listen", "The address HTTP and WebSocket clients connect to (port 0: any free port, logged).",
      "HOST:PORT, port 0 to 65535",
      [](Config& config, const YAML::Node& value) {
        const std::string text = read_string("server.listen", value, false);
        auto parsed = parse_listen_address(text);
        if (auto* error = std::get_if<std::string>(&parsed)) {
          throw ConfigError("server.listen must be HOST:PORT with a port from 0 to 65535, not \"" + text + "\" (" +
                            *error + ")");
        }
        config.listen = std::get<ListenAddress>(parsed);
      },
      [](const Config& config) { return yaml_quoted(to_string(config.listen)); }});
  keys.push_back(integer_key("server.io_threads", "Threads running HTTP and WebSocket I/O.", 0, 64,
                             [](auto& c) -> auto& { return c.io_threads; },
                             "0: the runtime's threads (runtime.threads) run I/O too"));
  keys.push_back(ConfigKey{
      "server.static_dir",
      "The frontend's built files, served at / (relative to the working directory; \"\" serves none). If the "
      "directory does not exist, / says the frontend is not built.",
      "a path, or \"\"",
      [](Config& config, const YAML::Node& value) {
        config.static_dir = read_string("server.static_dir", value, true);
      },
      [](const Config& config) { return yaml_quoted(config.static_dir.string()); }});
  keys.push_back(ConfigKey{
      "server.admin_api", "Enables the admin/test hooks under /api/admin/ (crashing a document's process).",
      "true or false",
      [](Config& config, const YAML::Node& value) { config.admin_enabled = read_bool("server.admin_api", value); },
      [](const Config& config) { return std::string(config.admin_enabled ? "true" : "false"); }});
  keys.push_back(ConfigKey{
      "server.admin_token",
      "A WebSocket connection whose hello.token equals this may crash documents from the dashboard, as every "
      "connection may with server.admin_api (\"\": no token is an admin's).",
      "a string, or \"\"",
      [](Config& config, const YAML::Node& value) {
        config.service.sessions.admin_token = read_string("server.admin_token", value, true);
      },
      [](const Config& config) { return yaml_quoted(config.service.sessions.admin_token); }});
  keys.push_back(ConfigKey{
      "server.log_level", "The least severe log level written.", "trace, debug, info, warn, error, critical or off",
      [](Config& config, const YAML::Node& value) {
        const std::string level = read_string("server.log_level", value, false);
        if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
          fail("server.log_level", "one of trace, debug, info, warn, error, critical, off", value);
        }
        config.log_level = level;
      },
      [](const Config& config) { return config.log_level; }});

  // --- runtime
  keys.push_back(integer_key("runtime.threads", "Threads running processes (documents, sessions).", 0, 256,
                             [](auto& c) -> auto& { return c.runtime.threads; }, "0: one per CPU core"));
  keys.push_back(duration_key("runtime.shutdown_grace_ms",
                              "At shutdown, how long a process may take to stop before it is killed.", 0, 600'000,
                              [](auto& c) -> auto& { return c.runtime.shutdown_grace; }));

  // --- storage
  keys.push_back(ConfigKey{
      "storage.data_dir", "The directory holding the database (created if missing).", "a non-empty path",
      [](Config& config, const YAML::Node& value) {
        config.data_dir = read_string("storage.data_dir", value, false);
      },
      [](const Config& config) { return yaml_quoted(config.data_dir.string()); }});
  keys.push_back(ConfigKey{
      "storage.file", "The SQLite database file, relative to storage.data_dir.", "a non-empty file name",
      [](Config& config, const YAML::Node& value) {
        config.database_file = read_string("storage.file", value, false);
      },
      [](const Config& config) { return yaml_quoted(config.database_file); }});
  keys.push_back(ConfigKey{
      "storage.durability",
      "full: an acked op survives power loss (fsync per commit); normal: it survives a crash of otterd, not of the "
      "machine.",
      "full or normal",
      [](Config& config, const YAML::Node& value) {
        const std::string name = read_string("storage.durability", value, false);
        const std::optional<storage::Durability> durability = storage::parse_durability(name);
        if (!durability) fail("storage.durability", "full or normal", value);
        config.service.storage.sqlite.durability = *durability;
      },
      [](const Config& config) { return std::string(storage::to_string(config.service.storage.sqlite.durability)); }});
  keys.push_back(duration_key("storage.busy_timeout_ms",
                              "How long a database call waits for another connection's write lock.", 0, 600'000,
                              [](auto& c) -> auto& { return c.service.storage.sqlite.busy_timeout; }));
  keys.push_back(integer_key("storage.snapshots_kept", "Snapshots kept per document (older ones are dropped).", 0,
                             kMillion, [](auto& c) -> auto& { return c.service.storage.sqlite.snapshots_kept; },
                             "0: keep all"));
  keys.push_back(integer_key("storage.max_queued_requests",
                             "Write requests waiting for the storage writer, at most (beyond: storage_unavailable).",
                             1, 10 * kMillion,
                             [](auto& c) -> auto& { return c.service.storage.writer.max_queued_requests; }));
  keys.push_back(integer_key("storage.max_batch_ops", "Ops committed in one transaction, at most.", 1, 10 * kMillion,
                             [](auto& c) -> auto& { return c.service.storage.writer.max_batch_ops; }));
  keys.push_back(duration_key("storage.batch_wait_us",
                              "How long the writer holds a batch open for more ops (fewer fsyncs, more latency).", 0,
                              kMillion, [](auto& c) -> auto& { return c.service.storage.writer.max_wait; }));
  keys.push_back(integer_key("storage.read_threads", "Threads for loading documents and other reads.", 1, 256,
                             [](auto& c) -> auto& { return c.service.storage.blocking_threads; }));

  // --- http
  keys.push_back(integer_key("http.max_header_bytes", "A request's header block, at most (beyond: 431).", kKiB, kMiB,
                             [](auto& c) -> auto& { return c.http.max_header_bytes; }));
  keys.push_back(integer_key("http.max_body_bytes", "A request's body, at most (beyond: 413).", kKiB, kGiB,
                             [](auto& c) -> auto& { return c.http.max_body_bytes; }));
  keys.push_back(duration_key("http.idle_timeout_ms",
                              "A connection that sends no complete request for this long is closed.", 100, kHourMs,
                              [](auto& c) -> auto& { return c.http.http_idle_timeout; }));
  keys.push_back(duration_key("http.handler_timeout_ms",
                              "A request not answered within this is answered 503 timeout.", 100, kHourMs,
                              [](auto& c) -> auto& { return c.http.handler_timeout; }));

  // --- websocket
  keys.push_back(integer_key("websocket.max_frame_bytes",
                             "A WebSocket message, at most (beyond: close 1009 frame_too_large).", kKiB, 256 * kMiB,
                             [](auto& c) -> auto& { return c.http.max_frame_bytes; }));
  keys.push_back(integer_key("websocket.max_queued_bytes",
                             "Backstop: unsent bytes of one connection beyond which net/ closes it (1008).", 64 * kKiB,
                             4 * kGiB, [](auto& c) -> auto& { return c.http.max_outbound_bytes; }));
  keys.push_back(duration_key("websocket.handshake_timeout_ms",
                              "The opening handshake must finish within this.", 100, 600'000,
                              [](auto& c) -> auto& { return c.http.websocket_handshake_timeout; }));
  keys.push_back(duration_key("websocket.heartbeat_ms",
                              "Every this long, a ping to each connection silent since the last time; one still "
                              "silent the next time is dropped, and so is a closing handshake unfinished two "
                              "times on.",
                              100,
                              kHourMs, [](auto& c) -> auto& { return c.http.heartbeat_interval; }));

  // --- sessions
  keys.push_back(limit_key("sessions.max_sessions", "WebSocket sessions at once (beyond: refused with 1013).",
                           10 * kMillion, [](auto& c) -> auto& { return c.service.max_sessions; }));
  keys.push_back(integer_key("sessions.max_open_docs", "Documents open on one connection (beyond: too_many_docs).", 1,
                             100'000, [](auto& c) -> auto& { return c.service.sessions.max_open_docs; }));
  keys.push_back(integer_key("sessions.ops_per_second",
                             "Ops per second one session may send, sustained and as a burst (beyond: rate_limited).",
                             0, kMillion, [](auto& c) -> auto& { return c.service.sessions.ops_per_second; },
                             "0: no limit"));
  keys.push_back(integer_key("sessions.max_op_bytes",
                             "One op's JSON, at most, over WebSocket and REST (beyond: op_too_large).", 64, 256 * kMiB,
                             [](auto& c) -> auto& { return c.service.sessions.max_op_bytes; }));
  keys.push_back(integer_key("sessions.max_outbound_bytes",
                             "Bytes queued for a slow client beyond which it is closed with slow_consumer.", 64 * kKiB,
                             4 * kGiB, [](auto& c) -> auto& { return c.service.sessions.max_outbound_bytes; }));
  keys.push_back(duration_key("sessions.open_timeout_ms",
                              "How long opening a document may take before internal_error.", 100, 600'000,
                              [](auto& c) -> auto& { return c.service.sessions.open_timeout; }));
  keys.push_back(integer_key("sessions.flush_hold_bytes",
                             "Unwritten bytes on a client's socket from which its session holds frames (a slow reader "
                             "gets bigger frames, not more); below it, frames go out at once.",
                             1, 4 * kGiB, [](auto& c) -> auto& { return c.service.sessions.flush_hold_bytes; }));
  keys.push_back(duration_key("sessions.flush_retry_ms",
                              "While a session holds frames (sessions.flush_hold_bytes), how often it looks again.", 1,
                              1000, [](auto& c) -> auto& { return c.service.sessions.flush_retry; }));

  // --- documents
  keys.push_back(limit_key("documents.max_open", "Document processes at once.", 10 * kMillion,
                           [](auto& c) -> auto& { return c.service.max_documents; }));
  keys.push_back(integer_key("documents.max_code_points",
                             "A document's size in code points, at most (beyond: doc_too_large).", 1, kGiB,
                             [](auto& c) -> auto& { return c.service.documents.max_code_points; }));
  keys.push_back(integer_key("documents.max_history",
                             "Ops kept in memory per document; an op based further back gets resync_required.", 1,
                             10 * kMillion, [](auto& c) -> auto& { return c.service.documents.max_history; }));
  keys.push_back(integer_key("documents.snapshot_every_ops", "A snapshot is written every this many ops.", 0,
                             10 * kMillion, [](auto& c) -> auto& { return c.service.documents.snapshot_every_ops; },
                             "0: never"));
  keys.push_back(integer_key("documents.history_on_load", "Newest ops read back into memory when a document loads.",
                             0, 10 * kMillion,
                             [](auto& c) -> auto& { return c.service.documents.history_on_load; }));
  keys.push_back(integer_key("documents.max_pending_ops",
                             "Ops applied but not yet durable, at most (beyond: storage_unavailable).", 1,
                             10 * kMillion, [](auto& c) -> auto& { return c.service.documents.max_pending_ops; }));
  keys.push_back(duration_key("documents.idle_timeout_ms",
                              "A document nobody has open stops after this long without a request.", 100,
                              24 * kHourMs, [](auto& c) -> auto& { return c.service.documents.idle_timeout; }));

  // --- rest
  keys.push_back(integer_key("rest.threads", "Threads running REST requests (they wait on documents and storage).",
                             1, 256, [](auto& c) -> auto& { return c.rest.threads; }));
  keys.push_back(integer_key("rest.max_in_flight", "REST requests queued or running at once (beyond: 503 overloaded).",
                             1, kMillion, [](auto& c) -> auto& { return c.rest.max_in_flight; }));
  keys.push_back(duration_key("rest.call_timeout_ms", "How long a REST request waits for a document's answer.", 100,
                              600'000, [](auto& c) -> auto& { return c.rest.call_timeout; }));
  keys.push_back(integer_key("rest.max_history_page", "The largest `limit` of GET /api/docs/{id}/ops.", 1, kMillion,
                             [](auto& c) -> auto& { return c.rest.max_history_page; }));
  return keys;
}

std::string_view section_of(std::string_view key) { return key.substr(0, key.find('.')); }

std::string keys_of_section(std::string_view section) {
  std::string names;
  for (const ConfigKey& key : config_keys()) {
    if (section_of(key.name) != section) continue;
    if (!names.empty()) names += ", ";
    names += key.name.substr(section.size() + 1);
  }
  return names;
}

std::string sections() {
  std::string names;
  std::string_view last;
  for (const ConfigKey& key : config_keys()) {
    const std::string_view section = section_of(key.name);
    if (section == last) continue;
    if (!names.empty()) names += ", ";
    names += section;
    last = section;
  }
  return names;
}

std::string where(std::string_view origin, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return std::string(origin);
  return std::string(origin) + ":" + std::to_string(mark.line + 1);
}

}  // namespace

std::variant<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::string("no \":PORT\"");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return std::string("no host");
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return "the port \"" + std::string(port_text) + "\" is not a number from 0 to 65535";
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string to_string(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

std::span<const ConfigKey> config_keys() {
  static const std::vector<ConfigKey> keys = make_keys();
  return keys;
}

Config load_config(std::string_view yaml, std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& error) {
    throw ConfigError(std::string(origin) + ":" + std::to_string(error.mark.line + 1) + ":" +
                      std::to_string(error.mark.column + 1) + ": invalid YAML: " + error.msg);
  }
  Config config;
  if (root.IsNull()) return config;  // empty, or only comments
  if (!root.IsMap()) {
    throw ConfigError(where(origin, root) + ": the config must be a map of sections (" + sections() + ")");
  }
  for (const auto& section_entry : root) {
    const std::string section = section_entry.first.as<std::string>();
    const YAML::Node& body = section_entry.second;
    const std::string known = keys_of_section(section);
    if (known.empty()) {
      throw ConfigError(where(origin, section_entry.first) + ": unknown section \"" + section + "\" (sections: " +
                        sections() + ")");
    }
    if (body.IsNull()) continue;  // "server:" with nothing under it
    if (!body.IsMap()) {
      throw ConfigError(where(origin, body) + ": section \"" + section + "\" must be a map of keys (" + known + ")");
    }
    for (const auto& entry : body) {
      const std::string name = section + "." + entry.first.as<std::string>();
      const auto keys = config_keys();
      const auto key = std::find_if(keys.begin(), keys.end(), [&](const ConfigKey& k) { return k.name == name; });
      if (key == keys.end()) {
        throw ConfigError(where(origin, entry.first) + ": unknown key \"" + name + "\" (the keys of \"" + section +
                          "\" are: " + known + ")");
      }
      try {
        key->apply(config, entry.second);
      } catch (const ConfigError& error) {
        throw ConfigError(where(origin, entry.second) + ": " + error.what());
      }
    }
  }
  try {
    validate(config);
  } catch (const ConfigError& error) {
    throw ConfigError(std::string(origin) + ": " + error.what());
  }
  return config;
}

Config load_config_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError("cannot read the config file \"" + file.string() + "\"");
  std::ostringstream text;
  text << in.rdbuf();
  return load_config(text.str(), file.string());
}

void validate(const Config& config) {
  const std::size_t max_op = config.service.sessions.max_op_bytes;
  if (max_op > config.http.max_frame_bytes) {
    throw ConfigError("sessions.max_op_bytes (" + std::to_string(max_op) +
                      ") must not exceed websocket.max_frame_bytes (" + std::to_string(config.http.max_frame_bytes) +
                      "): such an op could never arrive");
  }
  if (config.rest.call_timeout >= config.http.handler_timeout) {
    throw ConfigError("rest.call_timeout_ms (" + std::to_string(config.rest.call_timeout.count()) +
                      ") must be less than http.handler_timeout_ms (" +
                      std::to_string(config.http.handler_timeout.count()) +
                      "), or REST clients get 503 timeout before the document answers");
  }
}

std::string render_config(const Config& config) {
  std::string out = "# otterd configuration: every key with its value (docs/configuration.md)\n";
  std::string_view section;
  for (const ConfigKey& key : config_keys()) {
    if (section_of(key.name) != section) {
      section = section_of(key.name);
      out.append("\n").append(section).append(":\n");
    }
    out.append("  # ").append(key.meaning).append(" Range: ").append(key.range).append(".\n");
    out.append("  ").append(key.name.substr(section.size() + 1)).append(": ").append(key.show(config)).append("\n");
  }
  return out;
}

}  // namespace otter::otterd
