// OtterdLauncher: the otterd that `otter sim --mode server` runs, in a temporary directory,
// and kills with SIGKILL and restarts on the same data directory and port.
//
//   OtterdLauncher otterd("/path/to/otterd");   // started and listening, or throws
//   otterd.port();                              // the port it chose (127.0.0.1)
//   otterd.kill9(); otterd.restart();           // same data, same port: clients reconnect
//
// Contract
// - The child runs `otterd --dev --listen 127.0.0.1:<port> --port-file <dir>/port
//   --data-dir <dir>/data` with <dir> (a fresh mkdtemp directory) as its working
//   directory; its output goes to <dir>/otterd.log. The first start asks for port 0; every
//   restart asks for the port the first start got, so clients find it again.
// - Starting waits, without sleeping, for otterd to rename its port file into place
//   (inotify) or to exit (pidfd), at most `timeout`; it throws std::runtime_error with the
//   end of the log if otterd exits first or the time runs out.
// - The destructor stops a running child (SIGTERM, SIGKILL after 10 s) and removes the
//   directory unless $OTTER_KEEP_SIM_DIRS is set.
// - Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace otter::sim {

class OtterdLauncher {
 public:
  explicit OtterdLauncher(std::filesystem::path binary,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds{60'000});
  ~OtterdLauncher();
  OtterdLauncher(const OtterdLauncher&) = delete;
  OtterdLauncher& operator=(const OtterdLauncher&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

  void kill9();
  void restart();
  // SIGTERM and wait (SIGKILL after 10 s); the exit status, 128 + signal if killed.
  int stop();
  // The last `bytes` of otterd's log, for failure messages.
  [[nodiscard]] std::string log_tail(std::size_t bytes = 4000) const;

 private:
  void start();
  [[nodiscard]] bool wait_exit(std::chrono::milliseconds timeout);

  std::filesystem::path binary_;
  std::chrono::milliseconds timeout_;
  std::filesystem::path directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int last_status_ = -1;
};

}  // namespace otter::sim
