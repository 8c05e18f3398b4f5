// otterd's configuration: one Config struct holding every knob with its default, loaded
// from YAML (docs/configuration.md lists every key, its default, meaning and range).
//
//   Config config = load_config_file("otter.yaml");   // throws ConfigError
//   Config defaults;                                  // the embedded default: no file needed
//   std::string yaml = render_config(config);         // every key, as YAML (--print-config)
//
// Contract
// - A Config built by default is a working server: SQLite under ./data, HTTP + WebSocket on
//   127.0.0.1:8080, the limits of docs/protocol.md.
// - The file is a map of sections (`server:`, `storage:`, ...), each a map of keys. An
//   empty file (or one holding only comments) is the default config.
// - Every error is a ConfigError whose message names the file, the key (as
//   "section.key") and, with a line number, what was wrong:
//     invalid YAML                  -> where the parser stopped and why
//     a key or section we don't know -> its name and the known keys of that section
//     a value of the wrong type or out of range -> the allowed range and what was given
// - Keys are applied onto the struct in file order; keys not in the file keep their
//   default. Nothing is read from the environment.
// - kConfigKeys is the single table of keys: loading, render_config and the docs test all
//   use it, so a key cannot exist in one place and be missing in another.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "core/runtime.hpp"
#include "net/rest_api.hpp"
#include "net/server_config.hpp"
#include "server/service.hpp"

namespace YAML {
class Node;
}  // namespace YAML

namespace otter::otterd {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::string_view kDefaultListen = "127.0.0.1:8080";
inline constexpr std::string_view kDefaultDataDir = "data";
inline constexpr std::string_view kDefaultDatabaseFile = "otter.db";
inline constexpr std::string_view kDefaultStaticDir = "frontend/dist";
// 0: sockets are served by the runtime's threads. Measured against 2 threads of otterd's
// own (docs/benchmarks.md, "Sockets on the runtime's threads"): 8-35 % more ops per
// server-CPU-second in all 12 paired runs, since a frame reaches its session's mailbox
// without waking another thread.
inline constexpr unsigned kDefaultIoThreads = 0;

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
  [[nodiscard]] bool operator==(const ListenAddress&) const = default;
};

// "HOST:PORT" ("127.0.0.1:8080", "localhost:0", "[::1]:8080"). The error sentence says
// what is wrong.
[[nodiscard]] std::variant<ListenAddress, std::string> parse_listen_address(std::string_view text);
[[nodiscard]] std::string to_string(const ListenAddress& address);

struct Config {
  // server
  ListenAddress listen{"127.0.0.1", 8080};
  unsigned io_threads = kDefaultIoThreads;            // HTTP + WebSocket I/O threads (0: the runtime's)
  std::filesystem::path static_dir{kDefaultStaticDir};  // empty: serve no files
  bool admin_enabled = false;                         // the admin/test hooks (/api/admin/...)
  std::string log_level = "info";

  // storage
  std::filesystem::path data_dir{kDefaultDataDir};
  std::string database_file{kDefaultDatabaseFile};

  // The parts' own option structs, filled from their sections.
  core::RuntimeOptions runtime{};
  net::HttpServerConfig http{};
  server::ServiceOptions service{};
  net::RestOptions rest{};

  // The SQLite file: data_dir / database_file.
  [[nodiscard]] std::filesystem::path database_path() const { return data_dir / database_file; }
};

// One configuration key: "section.key", what it means, and how to read and show it.
struct ConfigKey {
  std::string name;     // "sessions.ops_per_second"
  std::string meaning;  // one sentence, for --print-config comments
  std::string range;    // "an integer from 0 to 1000000 (0: no limit)"
  // Reads the YAML scalar `value` into `config`; throws ConfigError naming the key.
  std::function<void(Config& config, const YAML::Node& value)> apply;
  // The current value as YAML text.
  std::function<std::string(const Config& config)> show;
};

// Every key otterd knows, in documentation order.
[[nodiscard]] std::span<const ConfigKey> config_keys();

// Parses YAML text (`origin` names it in messages: a file name or "<string>").
[[nodiscard]] Config load_config(std::string_view yaml, std::string_view origin = "<string>");
// Reads and parses a file; a file that cannot be read is a ConfigError too.
[[nodiscard]] Config load_config_file(const std::filesystem::path& file);

// Every key and its value as a YAML document, each preceded by a comment with its meaning.
[[nodiscard]] std::string render_config(const Config& config);

// Checks relations between keys (beyond each key's own range); throws ConfigError.
void validate(const Config& config);

}  // namespace otter::otterd
