// otter put DOC < FILE: replace the document's text with standard input, as one op.
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "cli/connection.hpp"
#include "cli/exit_codes.hpp"
#include "ot/utf8.hpp"

namespace otter::cli {

const std::string_view kPutHelp = R"(usage: otter put DOC < FILE

Replace the text of document DOC with standard input, as one edit (delete everything,
insert the input), and wait until the server has made it durable. Creates DOC if it does
not exist. The input must be UTF-8; it is stored exactly (a trailing newline is kept).

Exits 5 if the input is not UTF-8 or larger than the server accepts in one edit.
)";

int run_put(const GlobalOptions& options, CommandArgs& args) {
  const std::string doc = args.positionals({"DOC"}).at(0);
  std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (std::cin.bad()) throw CliError(kExitFailed, "cannot read standard input");
  if (!ot::is_valid_utf8(text)) throw CliError(kExitBadInput, "standard input is not valid UTF-8");
  std::unique_ptr<net::OtterClient> client = connect_client(options, "put");
  (void)open_document(*client, options, doc, true);
  if (net::Expected<net::Done> replaced = client->replace(doc, text); !replaced) {
    throw CliError(exit_code_for(replaced.error().code), replaced.error().message);
  }
  wait_acknowledged(*client, options, doc);
  client->disconnect();
  return kExitOk;
}

}  // namespace otter::cli
