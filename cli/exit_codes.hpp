// The `otter` CLI's exit codes (docs/cli.md lists them) and the error that carries one.
#pragma once

#include <stdexcept>
#include <string>

namespace otter::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the server refused the request (any other error)
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // the server can't be reached or didn't answer in time
inline constexpr int kExitNotFound = 4;     // the document does not exist
inline constexpr int kExitBadInput = 5;     // a position past the end, input that is not UTF-8, too large

// Thrown by commands; main() prints "otter: <message>" and exits with `code`.
class CliError : public std::runtime_error {
 public:
  CliError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  int code_;
};

}  // namespace otter::cli
