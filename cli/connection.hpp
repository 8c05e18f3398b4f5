// What every `otter` command does first: connect to otterd and open one document, turning
// failures into CliErrors with the documented exit codes (exit_codes.hpp).
#pragma once

#include <memory>
#include <string>

#include "cli/command_line.hpp"
#include "net/otter_client.hpp"

namespace otter::cli {

// Connected, or CliError(kExitUnreachable) saying which server could not be reached. A
// connection lost later is re-established (the edit in flight is resent once).
[[nodiscard]] std::unique_ptr<net::OtterClient> connect_client(const GlobalOptions& options,
                                                               const std::string& command);

// The document, open. CliError: kExitNotFound (doc_not_found), kExitBadInput
// (invalid_doc_id), kExitUnreachable (no answer in time), kExitFailed (anything else).
net::DocumentView open_document(net::OtterClient& client, const GlobalOptions& options, const std::string& doc,
                                bool create);

// Waits until the server acknowledged every edit; CliError if it didn't in time, or if it
// refused one (the client then dropped it).
void wait_acknowledged(net::OtterClient& client, const GlobalOptions& options, const std::string& doc);

// The exit code for a protocol error code.
[[nodiscard]] int exit_code_for(net::ErrorCode code) noexcept;

}  // namespace otter::cli
