#include "sim/otterd_launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

extern char** environ;  // NOLINT: POSIX

namespace otter::sim {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kStopTimeout{10'000};

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// Closes a file descriptor when it goes out of scope.
class OwnedFd {
 public:
  explicit OwnedFd(int fd) noexcept : fd_(fd) {}
  ~OwnedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::uint16_t read_port(const fs::path& file) {
  std::ifstream in(file);
  unsigned port = 0;
  if (!(in >> port) || port == 0 || port > 65535) return 0;
  return static_cast<std::uint16_t>(port);
}

}  // namespace

OtterdLauncher::OtterdLauncher(fs::path binary, std::chrono::milliseconds timeout)
    : binary_(std::move(binary)), timeout_(timeout) {
  std::string pattern = (fs::temp_directory_path() / "otter-sim-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  directory_ = pattern;
  try {
    start();
  } catch (...) {
    if (std::getenv("OTTER_KEEP_SIM_DIRS") == nullptr) {
      std::error_code ignored;
      fs::remove_all(directory_, ignored);
    }
    throw;
  }
}

OtterdLauncher::~OtterdLauncher() {
  try {
    if (pid_ > 0) static_cast<void>(stop());
  } catch (const std::exception&) {
    // A destructor must not throw; the directory goes either way.
  }
  if (std::getenv("OTTER_KEEP_SIM_DIRS") == nullptr) {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
}

void OtterdLauncher::start() {
  const fs::path port_file = directory_ / "port";
  std::error_code ignored;
  fs::remove(port_file, ignored);
  const OwnedFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (watch.get() < 0) throw_errno("inotify_init1");
  if (::inotify_add_watch(watch.get(), directory_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    throw_errno("inotify_add_watch " + directory_.string());
  }

  std::vector<std::string> args{binary_.string(), "--dev", "--listen", "127.0.0.1:" + std::to_string(port_),
                                "--port-file", port_file.string(), "--data-dir", (directory_ / "data").string()};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log = (directory_ / "otterd.log").string();
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  ::posix_spawn_file_actions_addchdir_np(&actions, directory_.c_str());
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);  // our sockets stay ours
  const int error = ::posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    pid_ = -1;
    throw std::system_error(error, std::generic_category(), "cannot start " + binary_.string());
  }
  // The syscall itself: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd_ < 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw_errno("pidfd_open");
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (true) {
    if (const std::uint16_t port = read_port(port_file); port != 0) {
      port_ = port;
      return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      static_cast<void>(stop());
      throw std::runtime_error("otterd did not start listening within " + std::to_string(timeout_.count()) +
                               " ms; its log ends:\n" + log_tail());
    }
    std::array<pollfd, 2> fds{pollfd{watch.get(), POLLIN, 0}, pollfd{pidfd_, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) throw_errno("poll");
    if ((fds[1].revents & POLLIN) != 0) {
      static_cast<void>(wait_exit(std::chrono::milliseconds{0}));
      throw std::runtime_error("otterd exited before listening; its log ends:\n" + log_tail());
    }
    std::array<char, 4096> events{};
    while (::read(watch.get(), events.data(), events.size()) > 0) {
      // Drained; the port file is checked at the top of the loop.
    }
  }
}

bool OtterdLauncher::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return true;
  pollfd exited{pidfd_, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&exited, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(pidfd_);
  pidfd_ = -1;
  pid_ = -1;
  last_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  return true;
}

void OtterdLauncher::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  static_cast<void>(wait_exit(kStopTimeout));
}

void OtterdLauncher::restart() {
  if (pid_ > 0) throw std::logic_error("OtterdLauncher::restart: otterd is still running");
  start();
}

int OtterdLauncher::stop() {
  if (pid_ <= 0) return last_status_;
  ::kill(pid_, SIGTERM);
  if (!wait_exit(kStopTimeout)) {
    ::kill(pid_, SIGKILL);
    static_cast<void>(wait_exit(kStopTimeout));
  }
  return last_status_;
}

std::string OtterdLauncher::log_tail(std::size_t bytes) const {
  std::ifstream in(directory_ / "otterd.log", std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

}  // namespace otter::sim
