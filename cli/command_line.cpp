#include "cli/command_line.hpp"

#include <algorithm>
#include <charconv>

#include "cli/exit_codes.hpp"

namespace otter::cli {
namespace {

[[noreturn]] void usage_error(const std::string& message) { throw CliError(kExitUsage, message); }

ServerAddress server_address(const std::string& url) {
  std::variant<ServerAddress, std::string> parsed = parse_server_url(url);
  if (const std::string* error = std::get_if<std::string>(&parsed)) usage_error(*error);
  return std::get<ServerAddress>(parsed);
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& argv, const std::optional<std::string>& env_server) {
  CommandLine line;
  line.options.server_url = env_server && !env_server->empty() ? *env_server : std::string(kDefaultServerUrl);
  const auto value_of = [&argv](std::size_t& i) -> const std::string& {
    if (i + 1 >= argv.size()) usage_error(argv[i] + " needs a value");
    return argv[++i];
  };
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--server") {
      line.options.server_url = value_of(i);
    } else if (arg.starts_with("--server=")) {
      line.options.server_url = arg.substr(9);
    } else if (arg == "--timeout") {
      const std::size_t seconds = parse_count(value_of(i), "--timeout");
      if (seconds == 0 || seconds > 86'400) usage_error("--timeout must be 1 to 86400 seconds");
      line.options.timeout = std::chrono::seconds(seconds);
    } else if (arg == "--name") {
      line.options.name = value_of(i);
    } else if (arg == "--help" || arg == "-h") {
      line.options.help = true;
    } else if (arg == "--version") {
      line.options.version = true;
    } else if (line.command.empty() && !arg.starts_with("-")) {
      line.command = arg;
    } else if (line.command.empty()) {
      usage_error("unknown option " + arg + " (see otter --help)");
    } else {
      line.args.push_back(arg);
    }
  }
  line.options.server = server_address(line.options.server_url);
  return line;
}

CommandArgs::CommandArgs(std::string command, std::vector<std::string> args)
    : command_(std::move(command)), args_(std::move(args)) {}

bool CommandArgs::take_flag(const std::string& flag) {
  const auto it = std::find(args_.begin(), args_.end(), flag);
  if (it == args_.end()) return false;
  args_.erase(it);
  return true;
}

std::optional<std::string> CommandArgs::take_option(const std::string& option) {
  std::optional<std::vector<std::string>> values = take_option_values(option, 1);
  if (!values) return std::nullopt;
  return std::move(values->front());
}

std::optional<std::vector<std::string>> CommandArgs::take_option_values(const std::string& option,
                                                                        std::size_t count) {
  const auto it = std::find(args_.begin(), args_.end(), option);
  if (it == args_.end()) return std::nullopt;
  const auto first = it + 1;
  if (static_cast<std::size_t>(args_.end() - first) < count) {
    usage_error(command_ + ": " + option + " needs " + std::to_string(count) + (count == 1 ? " value" : " values") +
                " (see otter " + command_ + " --help)");
  }
  std::vector<std::string> values(first, first + static_cast<std::ptrdiff_t>(count));
  args_.erase(it, first + static_cast<std::ptrdiff_t>(count));
  return values;
}

std::vector<std::string> CommandArgs::positionals(const std::vector<std::string>& names) {
  for (const std::string& arg : args_) {
    if (arg.starts_with("--")) usage_error(command_ + ": unknown option " + arg + " (see otter " + command_ + " --help)");
  }
  if (args_.size() < names.size()) {
    usage_error(command_ + ": missing " + names[args_.size()] + " (see otter " + command_ + " --help)");
  }
  if (args_.size() > names.size()) {
    usage_error(command_ + ": unexpected argument \"" + args_[names.size()] + "\" (see otter " + command_ +
                " --help)");
  }
  return args_;
}

std::size_t parse_count(const std::string& text, const std::string& what) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    usage_error(what + " must be a non-negative integer, not \"" + text + "\"");
  }
  return value;
}

}  // namespace otter::cli
