#include "tests/e2e/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace otter::testing {
namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  return Pipe{fds[0], fds[1]};
}

pid_t spawn(const std::filesystem::path& binary, const std::vector<std::string>& args, int in, int out, int err) {
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
  std::vector<std::string> storage{binary.string()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::system_error(error, std::generic_category(), "posix_spawn " + binary.string());
  return pid;
}

// Reaps `pid` if it exited; its status.
std::optional<int> try_reap(pid_t pid, bool block) {
  int status = 0;
  pid_t reaped = 0;
  do {
    reaped = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped <= 0) return std::nullopt;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Reads what is available from `fd` into `into`; false at end of file.
bool drain(int fd, std::string& into) {
  char buffer[16 * 1024];
  const ssize_t received = ::read(fd, buffer, sizeof buffer);
  if (received < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (received <= 0) return false;
  into.append(buffer, static_cast<std::size_t>(received));
  return true;
}

int millis_until(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

}  // namespace

ProgramResult run_program(const std::filesystem::path& binary, const std::vector<std::string>& args,
                          const std::string& input, std::chrono::milliseconds timeout) {
  const Pipe in = make_pipe();
  const Pipe out = make_pipe();
  const Pipe err = make_pipe();
  const pid_t pid = spawn(binary, args, in.read, out.write, err.write);
  ::close(in.read);
  ::close(out.write);
  ::close(err.write);
  ::fcntl(in.write, F_SETFL, O_NONBLOCK);
  ProgramResult result;
  std::size_t written = 0;
  int in_fd = in.write;
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  int out_fd = out.read;
  int err_fd = err.read;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_fd >= 0 || err_fd >= 0) {
    std::vector<pollfd> fds;
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    if (out_fd >= 0) fds.push_back({out_fd, POLLIN, 0});
    if (err_fd >= 0) fds.push_back({err_fd, POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), millis_until(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ::kill(pid, SIGKILL);
      (void)try_reap(pid, true);
      for (const int fd : {in_fd, out_fd, err_fd}) {
        if (fd >= 0) ::close(fd);
      }
      throw std::runtime_error(binary.string() + " did not finish within " + std::to_string(timeout.count()) +
                               " ms; its output so far: " + result.out + result.err);
    }
    for (const pollfd& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == in_fd) {
        const ssize_t sent = ::write(in_fd, input.data() + written, input.size() - written);
        if (sent > 0) written += static_cast<std::size_t>(sent);
        if (sent < 0 && errno != EAGAIN && errno != EINTR) written = input.size();  // it closed its input
        if (written == input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
      } else if (fd.fd == out_fd && !drain(out_fd, result.out)) {
        ::close(out_fd);
        out_fd = -1;
      } else if (fd.fd == err_fd && !drain(err_fd, result.err)) {
        ::close(err_fd);
        err_fd = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  result.status = *try_reap(pid, true);
  return result;
}

RunningProgram::RunningProgram(const std::filesystem::path& binary, const std::vector<std::string>& args) {
  const Pipe out = make_pipe();
  const Pipe err = make_pipe();
  const int null_input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_ = spawn(binary, args, null_input, out.write, err.write);
  ::close(null_input);
  ::close(out.write);
  ::close(err.write);
  out_fd_ = out.read;
  err_fd_ = err.read;
}

RunningProgram::~RunningProgram() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    (void)try_reap(pid_, true);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void RunningProgram::pump(std::chrono::steady_clock::time_point deadline) {
  std::vector<pollfd> fds;
  if (out_fd_ >= 0) fds.push_back({out_fd_, POLLIN, 0});
  if (err_fd_ >= 0) fds.push_back({err_fd_, POLLIN, 0});
  if (fds.empty()) return;
  int ready = 0;
  do {
    ready = ::poll(fds.data(), fds.size(), millis_until(deadline));
  } while (ready < 0 && errno == EINTR);
  for (const pollfd& fd : fds) {
    if (fd.revents == 0) continue;
    if (fd.fd == out_fd_ && !drain(out_fd_, out_)) {
      ::close(out_fd_);
      out_fd_ = -1;
    } else if (fd.fd == err_fd_ && !drain(err_fd_, err_)) {
      ::close(err_fd_);
      err_fd_ = -1;
    }
  }
}

std::optional<std::string> RunningProgram::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (const std::size_t newline = out_.find('\n'); newline != std::string::npos) {
      std::string line = out_.substr(0, newline);
      out_.erase(0, newline + 1);
      return line;
    }
    if (out_fd_ < 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    pump(deadline);
  }
}

void RunningProgram::signal(int signal_number) const { ::kill(pid_, signal_number); }

std::optional<int> RunningProgram::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Its output ends when it exits (unless it handed the pipes on, which otter doesn't).
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    pump(deadline);
  }
  if (!status_) status_ = try_reap(pid_, true);
  return status_;
}

}  // namespace otter::testing
