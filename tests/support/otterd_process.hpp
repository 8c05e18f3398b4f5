// OtterdProcess: a real otterd binary, started for a test in a fresh temporary directory.
//
//   otter::testing::OtterdProcess server({.dev = true});   // started and listening, or throws
//   net::HttpClient http({.port = server.port()});
//   server.kill9();        // SIGKILL, reaped
//   server.restart();      // same data dir, a new port (port() tells which)
//   int status = server.terminate();   // SIGTERM, waits for the exit status (0: graceful)
//
// Contract
// - The child runs `otterd --listen 127.0.0.1:0 --port-file <dir>/port --data-dir <dir>/data`
//   (plus --dev, --config <dir>/otter.yaml and the extra args asked for) with <dir> as its
//   working directory, so the default static_dir (frontend/dist) does not exist there.
//   The binary is the one CMake built (OTTERD_BINARY), or $OTTERD_BINARY if set.
// - Starting waits, without sleeping, for the child's "listening on http://" log line (its
//   stdout and stderr go through a pipe a reader thread drains), then reads the port file;
//   it is bounded by start_timeout. If the child exits first or the time runs out, the
//   constructor (or restart()) throws std::runtime_error carrying the child's output.
// - output() is everything the child wrote so far, across restarts (for failure messages).
// - kill9() and terminate() reap the child; terminate() (SIGTERM, or the signal given) returns its exit status (128 + the
//   signal's number if a signal ended it) and throws if it did not exit within the timeout
//   (after killing it). restart() starts a new child on the same directory; the old one must
//   be gone (kill9/terminate first).
// - The destructor always stops a running child (SIGTERM, then SIGKILL after 10 s), then
//   removes the directory unless OTTER_KEEP_TEST_DIRS is set.
// Member functions may be called from any one thread at a time; kill9() may be called from
// another thread while clients use the server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace otter::testing {

struct OtterdOptions {
  std::vector<std::string> args{};         // extra command-line arguments
  std::optional<std::string> config_yaml{};  // written to <dir>/otter.yaml, passed with --config
  bool dev = false;                        // --dev: the admin hooks (POST /api/admin/docs/{id}/crash)
  std::chrono::milliseconds start_timeout{60'000};
};

struct OtterdExit {
  int status = -1;     // exit status, or 128 + signal
  std::string output;  // stdout and stderr, interleaved as written
};

class OtterdProcess {
 public:
  explicit OtterdProcess(OtterdOptions options = {});
  ~OtterdProcess();
  OtterdProcess(const OtterdProcess&) = delete;
  OtterdProcess& operator=(const OtterdProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string host() const { return "127.0.0.1"; }
  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT"
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }
  [[nodiscard]] std::filesystem::path data_dir() const { return directory_ / "data"; }
  [[nodiscard]] bool running() const;
  [[nodiscard]] std::string output() const;

  void kill9();
  // `signal` is SIGTERM unless a test wants SIGINT.
  int terminate(std::chrono::milliseconds timeout = std::chrono::milliseconds{30'000}, int signal = SIGTERM);
  void restart();

  // The otterd binary the tests run.
  [[nodiscard]] static std::filesystem::path binary();

 private:
  void spawn();
  // Waits up to `timeout` for the child to exit and reaps it; the exit status, or nullopt.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  void join_reader();

  OtterdOptions options_;
  std::filesystem::path directory_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::uint16_t port_ = 0;
  std::thread reader_;

  mutable std::mutex mutex_;
  std::condition_variable output_changed_;
  std::string output_;       // guarded by mutex_
  std::size_t run_start_ = 0;  // where this run's output begins in output_
  bool output_closed_ = true;  // guarded by mutex_: the reader saw EOF
};

// Runs otterd with `args` (in a fresh temporary directory, its working directory) until it
// exits; for --help, bad flags and bad configs. `config_yaml`, if set, is written to
// otter.yaml there (pass "--config", "otter.yaml" in args to use it). Throws
// std::runtime_error if it does not exit within `timeout`.
[[nodiscard]] OtterdExit run_otterd(const std::vector<std::string>& args,
                                    const std::optional<std::string>& config_yaml = std::nullopt,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds{30'000});

}  // namespace otter::testing
