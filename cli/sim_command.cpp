// otter sim: placeholder until the sim lands (issue 6); the command table lists it already
// so the simulator and the load benchmark can each be built in their own file.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {

const std::string_view kSimHelp = R"(usage: otter sim

Not built yet.
)";

int run_sim(const GlobalOptions& /*options*/, CommandArgs& /*args*/) {
  throw CliError(kExitUsage, "otter sim is not built yet");
}

}  // namespace otter::cli
