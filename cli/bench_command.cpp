// otter bench: placeholder until the bench lands (issue 6); the command table lists it already
// so the simulator and the load benchmark can each be built in their own file.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {

const std::string_view kBenchHelp = R"(usage: otter bench

Not built yet.
)";

int run_bench(const GlobalOptions& /*options*/, CommandArgs& /*args*/) {
  throw CliError(kExitUsage, "otter bench is not built yet");
}

}  // namespace otter::cli
