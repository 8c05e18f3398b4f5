// otter get DOC: print the document's text.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/connection.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {

const std::string_view kGetHelp = R"(usage: otter get DOC [--revision]

Print the text of document DOC to standard output, exactly (no newline is added).

  --revision   print the document's revision on standard error as well

Exits 4 if DOC does not exist (get never creates a document).
)";

int run_get(const GlobalOptions& options, CommandArgs& args) {
  const bool show_revision = args.take_flag("--revision");
  const std::string doc = args.positionals({"DOC"}).at(0);
  std::unique_ptr<net::OtterClient> client = connect_client(options, "get");
  const net::DocumentView view = open_document(*client, options, doc, false);
  std::cout << view.text << std::flush;
  if (show_revision) std::cerr << "revision " << view.revision << "\n";
  client->disconnect();
  return std::cout ? kExitOk : kExitFailed;
}

}  // namespace otter::cli
