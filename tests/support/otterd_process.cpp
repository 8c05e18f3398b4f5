#include "tests/support/otterd_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

extern char** environ;  // NOLINT: POSIX

#ifndef OTTERD_BINARY
#error "OTTERD_BINARY must name the otterd binary (tests/support/CMakeLists.txt sets it)"
#endif

namespace otter::testing {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kListeningLine = "listening on http://";
constexpr auto kStopTimeout = 10s;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "otterd-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  return pattern;
}

void remove_dir(const fs::path& directory) {
  if (directory.empty() || std::getenv("OTTER_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ignored;
  fs::remove_all(directory, ignored);
}

void write_file(const fs::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

struct Spawned {
  pid_t pid = -1;
  int pidfd = -1;
  int output = -1;  // read end of the child's stdout + stderr
};

// posix_spawn, not fork: the test process has threads, and only exec is safe after fork.
Spawned spawn_process(const std::vector<std::string>& args, const fs::path& working_directory) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  ::posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());
  // The test's own sockets and files must not leak into the server.
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  const std::string binary = OtterdProcess::binary().string();
  std::vector<std::string> storage{binary};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  Spawned spawned;
  const int error = ::posix_spawn(&spawned.pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (error != 0) {
    ::close(pipe_fds[0]);
    throw std::system_error(error, std::generic_category(), "posix_spawn " + binary);
  }
  spawned.output = pipe_fds[0];
  // The syscall itself: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
  spawned.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, spawned.pid, 0));
  if (spawned.pidfd < 0) {
    ::kill(spawned.pid, SIGKILL);
    ::waitpid(spawned.pid, nullptr, 0);
    ::close(spawned.output);
    throw_errno("pidfd_open");
  }
  return spawned;
}

// Waits up to `timeout` for `pidfd` to become readable (the process exited), then reaps it.
std::optional<int> reap(pid_t pid, int pidfd, std::chrono::milliseconds timeout) {
  pollfd watch{pidfd, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&watch, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) throw_errno("poll pidfd");
  if (ready == 0) return std::nullopt;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid");
  }
  return decode_status(status);
}

}  // namespace

fs::path OtterdProcess::binary() {
  if (const char* path = std::getenv("OTTERD_BINARY"); path != nullptr && *path != '\0') return path;
  return OTTERD_BINARY;
}

OtterdProcess::OtterdProcess(OtterdOptions options) : options_(std::move(options)), directory_(make_temp_dir()) {
  try {
    if (options_.config_yaml) write_file(directory_ / "otter.yaml", *options_.config_yaml);
    spawn();
  } catch (...) {
    if (pid_ > 0) kill9();
    join_reader();
    remove_dir(directory_);
    throw;
  }
}

OtterdProcess::~OtterdProcess() {
  try {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      const std::optional<int> status = wait_for_exit(kStopTimeout);
      // A test cannot fail from here, but a server that did not stop cleanly (a crash or a
      // sanitizer report at exit) must not go unnoticed.
      if (status && *status != 0) {
        std::fprintf(stderr, "otterd exited with status %d after SIGTERM at the end of the test; its output:\n%s\n",
                     *status, output().c_str());
      }
    }
  } catch (const std::exception&) {
    // A destructor must not throw; the child is killed below either way.
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    static_cast<void>(wait_for_exit(kStopTimeout));
  }
  join_reader();
  remove_dir(directory_);
}

void OtterdProcess::spawn() {
  const fs::path port_file = directory_ / "port";
  std::error_code ignored;
  fs::remove(port_file, ignored);

  std::vector<std::string> args{"--listen", "127.0.0.1:0", "--port-file", port_file.string(),
                                "--data-dir", data_dir().string()};
  if (options_.dev) args.emplace_back("--dev");
  if (options_.config_yaml) {
    args.emplace_back("--config");
    args.push_back((directory_ / "otter.yaml").string());
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());

  const Spawned spawned = spawn_process(args, directory_);
  pid_ = spawned.pid;
  pidfd_ = spawned.pidfd;
  {
    const std::lock_guard lock(mutex_);
    run_start_ = output_.size();
    output_closed_ = false;
  }
  reader_ = std::thread([this, fd = spawned.output] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      {
        const std::lock_guard lock(mutex_);
        output_.append(buffer, static_cast<std::size_t>(n));
      }
      output_changed_.notify_all();
    }
    ::close(fd);
    {
      const std::lock_guard lock(mutex_);
      output_closed_ = true;
    }
    output_changed_.notify_all();
  });

  bool listening = false;
  {
    std::unique_lock lock(mutex_);
    output_changed_.wait_for(lock, options_.start_timeout, [&] {
      listening = output_.find(kListeningLine, run_start_) != std::string::npos;
      return listening || output_closed_;
    });
  }
  if (!listening) {
    const bool exited = [&] {
      const std::lock_guard lock(mutex_);
      return output_closed_;
    }();
    std::string why;
    if (exited) {
      const std::optional<int> status = wait_for_exit(kStopTimeout);
      why = "otterd exited (status " + (status ? std::to_string(*status) : std::string("unknown")) +
            ") before it was listening";
    } else {
      kill9();
      why = "otterd was not listening after " + std::to_string(options_.start_timeout.count()) + " ms";
    }
    join_reader();
    throw std::runtime_error(why + "; its output:\n" + output());
  }

  std::ifstream in(port_file);
  unsigned port = 0;
  if (!(in >> port) || port == 0 || port > 65535) {
    throw std::runtime_error("otterd logged that it listens but its port file " + port_file.string() +
                             " holds no port; its output:\n" + output());
  }
  port_ = static_cast<std::uint16_t>(port);
}

std::uint16_t OtterdProcess::port() const { return port_; }

std::string OtterdProcess::url() const { return "http://" + host() + ":" + std::to_string(port_); }

bool OtterdProcess::running() const { return pid_ > 0; }

std::string OtterdProcess::output() const {
  const std::lock_guard lock(mutex_);
  return output_;
}

void OtterdProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  if (!wait_for_exit(kStopTimeout)) throw std::runtime_error("otterd survived SIGKILL for 10 s");
  join_reader();
}

int OtterdProcess::terminate(std::chrono::milliseconds timeout, int signal) {
  if (pid_ <= 0) throw std::logic_error("terminate(): otterd is not running");
  ::kill(pid_, signal);
  std::optional<int> status = wait_for_exit(timeout);
  if (!status) {
    kill9();
    throw std::runtime_error("otterd did not exit within " + std::to_string(timeout.count()) +
                             " ms of signal " + std::to_string(signal) + " (killed); its output:\n" + output());
  }
  join_reader();
  return *status;
}

void OtterdProcess::restart() {
  if (pid_ > 0) throw std::logic_error("restart(): otterd is still running; kill9() or terminate() it first");
  join_reader();
  {
    const std::lock_guard lock(mutex_);
    output_ += "\n--- otterd restarted by the test ---\n";
  }
  spawn();
}

std::optional<int> OtterdProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  std::optional<int> status = reap(pid_, pidfd_, timeout);
  if (status) {
    ::close(pidfd_);
    pidfd_ = -1;
    pid_ = -1;
  }
  return status;
}

void OtterdProcess::join_reader() {
  if (reader_.joinable()) reader_.join();
}

OtterdExit run_otterd(const std::vector<std::string>& args, const std::optional<std::string>& config_yaml,
                      std::chrono::milliseconds timeout) {
  const fs::path directory = make_temp_dir();
  struct Cleanup {
    const fs::path& directory;
    ~Cleanup() { remove_dir(directory); }
  } cleanup{directory};
  if (config_yaml) write_file(directory / "otter.yaml", *config_yaml);

  const Spawned spawned = spawn_process(args, directory);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  OtterdExit result;
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd watch{spawned.output, POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&watch, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;  // timeout (or a poll error: treated alike)
    const ssize_t n = ::read(spawned.output, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child closed its output (it is exiting)
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(spawned.output);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  std::optional<int> status = reap(spawned.pid, spawned.pidfd, std::max(left, std::chrono::milliseconds{0}));
  if (!status) {
    ::kill(spawned.pid, SIGKILL);
    static_cast<void>(reap(spawned.pid, spawned.pidfd, kStopTimeout));
    ::close(spawned.pidfd);
    throw std::runtime_error("otterd did not exit within " + std::to_string(timeout.count()) + " ms; its output:\n" +
                             result.output);
  }
  ::close(spawned.pidfd);
  result.status = *status;
  return result;
}

}  // namespace otter::testing
