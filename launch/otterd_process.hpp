// OtterdProcess: a real otterd, started in a fresh temporary directory and listening on
// 127.0.0.1, that its owner can stop gracefully, kill -9 and restart on the same data. The
// one way C++ code starts otterd: `otter sim --mode server` and the integration tests
// (tests/support/otterd_process.hpp adds the binary CMake built).
//
//   launch::OtterdProcess otterd({.binary = "build/release/otterd/otterd", .dev = true});
//   net::HttpClient http({.port = otterd.port()});   // started and listening, or it threw
//   otterd.kill9(); otterd.restart();                // same data, same port: clients reconnect
//   int status = otterd.terminate();                 // SIGTERM, bounded; 0: a graceful stop
//
// Contract
// - The child runs `otterd --listen 127.0.0.1:<port> --port-file <dir>/port --data-dir
//   <dir>/data` (plus --dev, and --config <dir>/otter.yaml when config_yaml is set) with
//   <dir> (mkdtemp, <directory_prefix>-XXXXXX) as its working directory, so the default
//   static_dir (frontend/dist) does not exist there. Its stdin is /dev/null; its stdout and
//   stderr go to <dir>/otterd.log in the order written — a file, not a pipe, so a chatty
//   otterd never waits for a reader and the log outlives a kill -9.
// - Starting waits, without sleeping, until otterd logs "listening on http://" (inotify on
//   <dir>) or exits (pidfd), at most start_timeout; the port is then read from the port
//   file, which otterd writes (by rename) before it logs that line. If otterd exits first
//   or the time runs out, the constructor (or restart()) throws std::runtime_error carrying
//   its output.
// - The first start asks for port 0; restart() asks for the port the first start got, so
//   clients find the server again where it was. port() never changes after the constructor.
// - kill9() and terminate() reap the child. terminate() sends SIGTERM (or the signal given)
//   and returns the exit status (128 + the signal's number if a signal ended it); if otterd
//   is still there after `timeout` it is killed and terminate() throws. restart() needs the
//   old child gone (kill9() or terminate() first), else it throws std::logic_error.
// - output() is everything otterd wrote, across restarts (each marked in the log).
// - The destructor stops a running child (SIGTERM, SIGKILL after 10 s), then removes the
//   directory unless $OTTER_KEEP_OTTERD_DIRS is set.
// - One owner thread calls the members that start or stop otterd; any thread may read
//   port(), url(), directory() and output() meanwhile.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace otter::launch {

struct OtterdOptions {
  std::filesystem::path binary{};             // the otterd to run
  std::optional<std::string> config_yaml{};   // written to <dir>/otter.yaml, passed with --config
  bool dev = false;                           // --dev: the admin hooks (POST /api/admin/docs/{id}/crash)
  std::chrono::milliseconds start_timeout{60'000};
  std::string directory_prefix = "otterd";    // names the temporary directory, for whoever looks in /tmp
};

class OtterdProcess {
 public:
  explicit OtterdProcess(OtterdOptions options);
  ~OtterdProcess();
  OtterdProcess(const OtterdProcess&) = delete;
  OtterdProcess& operator=(const OtterdProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string host() const { return "127.0.0.1"; }
  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT"
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }
  [[nodiscard]] std::filesystem::path data_dir() const { return directory_ / "data"; }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }
  // What otterd wrote to stdout and stderr, for failure messages; the tail: its last `bytes`.
  [[nodiscard]] std::string output() const;
  [[nodiscard]] std::string output_tail(std::size_t bytes) const;

  void kill9();
  // `signal` is SIGTERM unless the caller wants SIGINT (Ctrl-C).
  int terminate(std::chrono::milliseconds timeout = std::chrono::milliseconds{30'000}, int signal = SIGTERM);
  void restart();

 private:
  void start();
  // Waits up to `timeout` for the child to exit and reaps it; its status, or nullopt.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  [[noreturn]] void fail_start(const std::string& why);
  // SIGKILL and a blocking reap, for when a bounded wait already failed or cannot be afforded.
  void kill_and_forget() noexcept;

  OtterdOptions options_;
  std::filesystem::path directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int pidfd_ = -1;
};

struct OtterdExit {
  int status = -1;     // exit status, or 128 + signal
  std::string output;  // stdout and stderr, in the order written
};

// Runs `binary args...` in a fresh temporary directory (its working directory) until it
// exits; for --help, bad flags and bad configs. `config_yaml`, if set, is written to
// otter.yaml there (pass "--config", "otter.yaml" in args to use it). Throws
// std::runtime_error if it does not exit within `timeout` (after killing it).
[[nodiscard]] OtterdExit run_otterd(const std::filesystem::path& binary, const std::vector<std::string>& args,
                                    const std::optional<std::string>& config_yaml = std::nullopt,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds{30'000});

}  // namespace otter::launch
