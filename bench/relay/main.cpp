// otter_relay: the bare WebSocket relay of the load benchmark (relay_server.hpp).
//
//   otter_relay [--listen HOST:PORT] [--port-file FILE] [--threads N]
//
// Stops on SIGINT/SIGTERM.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "bench/relay/relay_server.hpp"

namespace {

constexpr std::string_view kUsage = R"(usage: otter_relay [--listen HOST:PORT] [--port-file FILE] [--threads N]

The bare WebSocket relay of `otter bench --protocol relay`: no parsing, no OT, no storage.
Each text frame is acked to its sender with {"ack":1} and copied to every other connection
on the same URL path, one frame per op per receiver.

  --listen HOST:PORT  where to listen (default 127.0.0.1:0, any free port)
  --port-file FILE    write the bound port to FILE once listening
  --threads N         I/O threads (default 2)
)";

int usage_error(const std::string& message) {
  std::cerr << "otter_relay: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  otter::bench::RelayOptions options;
  std::string port_file;
  int threads = 2;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= args.size()) return usage_error(arg == "--listen" || arg == "--port-file" || arg == "--threads"
                                                     ? arg + " needs a value"
                                                     : "unknown argument \"" + arg + "\"");
    const std::string& value = args[++i];
    if (arg == "--listen") {
      const std::size_t colon = value.rfind(':');
      if (colon == std::string::npos) return usage_error("--listen must be HOST:PORT");
      options.host = value.substr(0, colon);
      options.port = static_cast<std::uint16_t>(std::strtoul(value.c_str() + colon + 1, nullptr, 10));
    } else if (arg == "--port-file") {
      port_file = value;
    } else if (arg == "--threads") {
      threads = std::atoi(value.c_str());
      if (threads < 1 || threads > 64) return usage_error("--threads must be from 1 to 64");
    } else {
      return usage_error("unknown argument \"" + arg + "\"");
    }
  }
  try {
    otter::bench::RelayServer server(options);
    if (!port_file.empty()) std::ofstream(port_file) << server.port() << "\n";
    std::cout << "otter_relay listening on ws://" << options.host << ":" << server.port() << std::endl;
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait([&server](const boost::system::error_code&, int) { server.stop(); });
    std::thread signal_thread([&signals_io] { signals_io.run(); });
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t) workers.emplace_back([&server] { server.run(); });
    server.run();
    for (std::thread& worker : workers) worker.join();
    signals_io.stop();
    signal_thread.join();
  } catch (const std::exception& error) {
    std::cerr << "otter_relay: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
