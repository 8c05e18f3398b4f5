#include "cli/connection.hpp"

#include <variant>

#include "cli/exit_codes.hpp"

namespace otter::cli {

int exit_code_for(net::ErrorCode code) noexcept {
  switch (code) {
    case net::ErrorCode::doc_not_found: return kExitNotFound;
    case net::ErrorCode::invalid_doc_id:
    case net::ErrorCode::invalid_op:
    case net::ErrorCode::invalid_utf8:
    case net::ErrorCode::op_too_large:
    case net::ErrorCode::doc_too_large:
    case net::ErrorCode::frame_too_large: return kExitBadInput;
    default: return kExitFailed;
  }
}

std::unique_ptr<net::OtterClient> connect_client(const GlobalOptions& options, const std::string& command) {
  net::OtterClientOptions client_options;
  client_options.host = options.server.host;
  client_options.port = options.server.port;
  client_options.name = options.name.value_or("otter " + command);
  client_options.timeout = options.timeout;
  auto client = std::make_unique<net::OtterClient>(std::move(client_options));
  try {
    (void)client->connect();
  } catch (const net::ServerError& error) {
    throw CliError(kExitFailed, "the server at " + options.server_url + " refused the connection: " + error.what());
  } catch (const net::ClientError& error) {
    throw CliError(kExitUnreachable, "cannot reach otterd at " + options.server_url + ": " + error.what());
  }
  return client;
}

net::DocumentView open_document(net::OtterClient& client, const GlobalOptions& options, const std::string& doc,
                                bool create) {
  net::Expected<net::DocumentView> opened = [&] {
    try {
      return client.open(doc, net::OpenOptions{.create = create, .timeout = options.timeout});
    } catch (const net::ClientError& error) {
      throw CliError(kExitUnreachable, error.what());
    }
  }();
  if (!opened) {
    const net::ErrorMessage& error = opened.error();
    if (error.code == net::ErrorCode::doc_not_found) {
      throw CliError(kExitNotFound, "document \"" + doc + "\" not found");
    }
    throw CliError(exit_code_for(error.code), std::string(net::to_string(error.code)) + ": " + error.message);
  }
  return std::move(opened).value();
}

void wait_acknowledged(net::OtterClient& client, const GlobalOptions& options, const std::string& doc) {
  if (!client.wait_synced(doc, options.timeout)) {
    throw CliError(kExitUnreachable, "the server did not acknowledge the edit within " +
                                         std::to_string(options.timeout.count() / 1000) + " s");
  }
  // A refused edit is dropped by the client (it reloads the server's text): find out.
  std::optional<net::ErrorMessage> last_error;
  while (std::optional<net::ClientEvent> event = client.next_event(std::chrono::milliseconds(0))) {
    if (const auto* error = std::get_if<net::ErrorEvent>(&*event); error && error->error.doc == doc) {
      last_error = error->error;
    }
    const auto* opened = std::get_if<net::DocumentOpenedEvent>(&*event);
    if (opened != nullptr && opened->doc == doc && opened->local_edits_dropped) {
      if (last_error) {
        throw CliError(exit_code_for(last_error->code),
                       "the server refused the edit: " + std::string(net::to_string(last_error->code)) + ": " +
                           last_error->message);
      }
      throw CliError(kExitFailed, "the edit was lost: the server reloaded document \"" + doc + "\"");
    }
  }
}

}  // namespace otter::cli
