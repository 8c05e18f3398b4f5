// otter edit DOC --insert POS TEXT | --delete POS LEN
#include "cli/commands.hpp"
#include "cli/connection.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {

const std::string_view kEditHelp = R"(usage: otter edit DOC --insert POS TEXT
       otter edit DOC --delete POS LEN

Edit document DOC and wait until the server has made the edit durable.

  --insert POS TEXT   insert TEXT (UTF-8) before the code point at POS (0 = the start;
                      the document's length = the end)
  --delete POS LEN    delete LEN code points starting at POS
  --create            create DOC if it does not exist (otherwise: exit 4)

Positions and lengths count Unicode code points, not bytes: "é" and "🦦" are 1 each.
Exits 5 if POS (or POS + LEN) is past the end of the document.
)";

int run_edit(const GlobalOptions& options, CommandArgs& args) {
  const bool create = args.take_flag("--create");
  const std::optional<std::vector<std::string>> insert = args.take_option_values("--insert", 2);
  const std::optional<std::vector<std::string>> erase = args.take_option_values("--delete", 2);
  const std::string doc = args.positionals({"DOC"}).at(0);
  if (insert.has_value() == erase.has_value()) {
    throw CliError(kExitUsage, "edit: give exactly one of --insert POS TEXT and --delete POS LEN (see otter edit --help)");
  }
  const std::size_t position = parse_count(insert ? insert->at(0) : erase->at(0), "POS");
  const std::size_t count = erase ? parse_count(erase->at(1), "LEN") : 0;

  std::unique_ptr<net::OtterClient> client = connect_client(options, "edit");
  (void)open_document(*client, options, doc, create);
  const net::Expected<net::Done> edited =
      insert ? client->insert(doc, position, insert->at(1)) : client->erase(doc, position, count);
  if (!edited) throw CliError(exit_code_for(edited.error().code), edited.error().message);
  wait_acknowledged(*client, options, doc);
  client->disconnect();
  return kExitOk;
}

}  // namespace otter::cli
