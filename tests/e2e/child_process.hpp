// Running the `otter` binary from a test: once to completion (run_program), or in the
// background reading its output line by line (RunningProgram, for `otter watch`).
// posix_spawn, pipes and poll: every wait has a timeout, nothing sleeps.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace otter::testing {

struct ProgramResult {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};

// Runs `binary args...` with `input` on its standard input until it exits. Throws
// std::runtime_error if it runs longer than `timeout` (after killing it).
[[nodiscard]] ProgramResult run_program(const std::filesystem::path& binary, const std::vector<std::string>& args,
                                        const std::string& input = {},
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds{60'000});

class RunningProgram {
 public:
  RunningProgram(const std::filesystem::path& binary, const std::vector<std::string>& args);
  ~RunningProgram();  // kills it if still running
  RunningProgram(const RunningProgram&) = delete;
  RunningProgram& operator=(const RunningProgram&) = delete;

  // The next line of its standard output (without the newline); nullopt if none came in
  // time or the output ended.
  [[nodiscard]] std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void signal(int signal_number) const;
  // Waits for it to exit: its status (128 + signal if a signal ended it); nullopt on timeout.
  [[nodiscard]] std::optional<int> wait(std::chrono::milliseconds timeout);
  // What it wrote to standard error so far.
  [[nodiscard]] const std::string& err() const noexcept { return err_; }

 private:
  void pump(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::optional<int> status_;
};

}  // namespace otter::testing
