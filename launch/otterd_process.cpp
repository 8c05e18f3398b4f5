#include "launch/otterd_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <system_error>

extern char** environ;  // NOLINT: POSIX

namespace otter::launch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// otterd logs this once it accepts connections, after writing the port file.
constexpr std::string_view kListeningLine = "listening on http://";
constexpr std::chrono::milliseconds kStopTimeout = 10s;
// A start failure carries the end of the log: enough for the reason, bounded after a long run.
constexpr std::size_t kFailureOutputBytes = 16 * 1024;
constexpr const char* kLogName = "otterd.log";

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

fs::path make_temp_dir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  return pattern;
}

void remove_dir(const fs::path& directory) {
  if (directory.empty() || std::getenv("OTTER_KEEP_OTTERD_DIRS") != nullptr) return;
  std::error_code ignored;
  fs::remove_all(directory, ignored);
}

void write_file(const fs::path& file, const std::string& content, std::ios::openmode mode = std::ios::trunc) {
  std::ofstream out(file, std::ios::binary | mode);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

// The file's bytes from `offset` on; empty if it does not exist.
std::string read_from(const fs::path& file, std::uintmax_t offset) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uintmax_t size_of(const fs::path& file) {
  std::error_code missing;
  const std::uintmax_t size = fs::file_size(file, missing);
  return missing ? 0 : size;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

struct Child {
  pid_t pid = -1;
  int pidfd = -1;  // readable once the child has exited
};

// posix_spawn, not fork: the caller has threads, and only exec is safe after fork.
Child spawn(const fs::path& binary, const std::vector<std::string>& args, const fs::path& directory) {
  std::vector<std::string> storage{binary.string()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const std::string log = (directory / kLogName).string();
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  ::posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  // The caller's own sockets and files must not leak into the server.
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  Child child;
  const int error = ::posix_spawn(&child.pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::system_error(error, std::generic_category(), "cannot start " + binary.string());
  // The syscall itself: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
  child.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
  if (child.pidfd < 0) {
    const int saved = errno;
    ::kill(child.pid, SIGKILL);
    ::waitpid(child.pid, nullptr, 0);
    errno = saved;
    throw_errno("pidfd_open");
  }
  return child;
}

// Waits up to `timeout` for the child to exit, then reaps it; its status, or nullopt.
std::optional<int> reap(const Child& child, std::chrono::milliseconds timeout) {
  pollfd exited{child.pidfd, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&exited, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) throw_errno("poll pidfd");
  if (ready == 0) return std::nullopt;
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid");
  }
  return decode_status(status);
}

std::chrono::milliseconds until(std::chrono::steady_clock::time_point deadline) {
  return std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
}

}  // namespace

OtterdProcess::OtterdProcess(OtterdOptions options)
    : options_(std::move(options)), directory_(make_temp_dir(options_.directory_prefix)) {
  try {
    if (options_.config_yaml) write_file(directory_ / "otter.yaml", *options_.config_yaml);
    start();
  } catch (...) {
    kill_and_forget();
    remove_dir(directory_);
    throw;
  }
}

OtterdProcess::~OtterdProcess() {
  try {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      if (!wait_for_exit(kStopTimeout)) kill9();
    }
  } catch (const std::exception&) {
    // A destructor must not throw; the child and the directory go either way.
  }
  kill_and_forget();
  remove_dir(directory_);
}

void OtterdProcess::kill_and_forget() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
}

void OtterdProcess::start() {
  const fs::path port_file = directory_ / "port";
  const fs::path log = directory_ / kLogName;
  std::error_code ignored;
  fs::remove(port_file, ignored);
  const std::uintmax_t run_start = size_of(log);  // this run's output begins here
  // Watching before the child exists, so no write of its log can be missed.
  const OwnedFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (watch.get() < 0) throw_errno("inotify_init1");
  if (::inotify_add_watch(watch.get(), directory_.c_str(), IN_MODIFY) < 0) {
    throw_errno("inotify_add_watch " + directory_.string());
  }

  std::vector<std::string> args{"--listen",  "127.0.0.1:" + std::to_string(port_), "--port-file", port_file.string(),
                                "--data-dir", data_dir().string()};
  if (options_.dev) args.emplace_back("--dev");
  if (options_.config_yaml) {
    args.emplace_back("--config");
    args.push_back((directory_ / "otter.yaml").string());
  }
  const Child child = spawn(options_.binary, args, directory_);
  pid_ = child.pid;
  pidfd_ = child.pidfd;

  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (read_from(log, run_start).find(kListeningLine) == std::string::npos) {
    const std::chrono::milliseconds left = until(deadline);
    if (left == 0ms) {
      fail_start("otterd was not listening after " + std::to_string(options_.start_timeout.count()) + " ms");
    }
    std::array<pollfd, 2> fds{pollfd{watch.get(), POLLIN, 0}, pollfd{pidfd_, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if ((fds[1].revents & POLLIN) != 0) {
      const std::optional<int> status = wait_for_exit(kStopTimeout);
      fail_start("otterd exited (status " + (status ? std::to_string(*status) : std::string("unknown")) +
                 ") before it was listening");
    }
    std::array<char, 4096> events{};
    while (::read(watch.get(), events.data(), events.size()) > 0) {
      // Drained; the log is read again at the top of the loop.
    }
  }

  std::ifstream in(port_file);
  unsigned port = 0;
  if (!(in >> port) || port == 0 || port > 65535) {
    fail_start("otterd logged that it listens but its port file " + port_file.string() + " holds no port");
  }
  port_ = static_cast<std::uint16_t>(port);
}

void OtterdProcess::fail_start(const std::string& why) {
  kill9();
  throw std::runtime_error(why + "; its output ends:\n" + output_tail(kFailureOutputBytes));
}

std::string OtterdProcess::url() const { return "http://" + host() + ":" + std::to_string(port_); }

std::string OtterdProcess::output() const { return read_from(directory_ / kLogName, 0); }

std::string OtterdProcess::output_tail(std::size_t bytes) const {
  const fs::path log = directory_ / kLogName;
  const std::uintmax_t size = size_of(log);
  return read_from(log, size > bytes ? size - bytes : 0);
}

void OtterdProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  if (!wait_for_exit(kStopTimeout)) throw std::runtime_error("otterd survived SIGKILL for 10 s");
}

int OtterdProcess::terminate(std::chrono::milliseconds timeout, int signal) {
  if (pid_ <= 0) throw std::logic_error("terminate(): otterd is not running");
  ::kill(pid_, signal);
  const std::optional<int> status = wait_for_exit(timeout);
  if (!status) {
    kill9();
    throw std::runtime_error("otterd did not exit within " + std::to_string(timeout.count()) + " ms of signal " +
                             std::to_string(signal) + " (killed); its output ends:\n" +
                             output_tail(kFailureOutputBytes));
  }
  return *status;
}

void OtterdProcess::restart() {
  if (pid_ > 0) throw std::logic_error("restart(): otterd is still running; kill9() or terminate() it first");
  write_file(directory_ / kLogName, "\n--- otterd restarted ---\n", std::ios::app);
  start();
}

std::optional<int> OtterdProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  const std::optional<int> status = reap(Child{pid_, pidfd_}, timeout);
  if (status) {
    ::close(pidfd_);
    pidfd_ = -1;
    pid_ = -1;
  }
  return status;
}

OtterdExit run_otterd(const fs::path& binary, const std::vector<std::string>& args,
                      const std::optional<std::string>& config_yaml, std::chrono::milliseconds timeout) {
  const fs::path directory = make_temp_dir("otterd");
  struct Cleanup {
    const fs::path& directory;
    ~Cleanup() { remove_dir(directory); }
  } cleanup{directory};
  if (config_yaml) write_file(directory / "otter.yaml", *config_yaml);

  const Child child = spawn(binary, args, directory);
  const OwnedFd pidfd(child.pidfd);
  std::optional<int> status = reap(child, timeout);
  if (!status) {
    ::kill(child.pid, SIGKILL);
    static_cast<void>(reap(child, kStopTimeout));
    throw std::runtime_error("otterd did not exit within " + std::to_string(timeout.count()) + " ms; its output:\n" +
                             read_from(directory / kLogName, 0));
  }
  return {*status, read_from(directory / kLogName, 0)};
}

}  // namespace otter::launch
