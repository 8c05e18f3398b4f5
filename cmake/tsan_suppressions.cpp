// Compiled into every executable of a TSan build (cmake/options.cmake): ThreadSanitizer
// asks the program for built-in suppressions through this hook, so a test run needs no
// TSAN_OPTIONS to be right.
//
// Each entry is a false positive in a library Debian ships without TSan instrumentation;
// say why next to it. Never suppress our own code: fix the race.

// NOLINTNEXTLINE(readability-identifier-naming): the name is TSan's.
extern "C" const char* __tsan_default_suppressions() {
  return
      // spdlog's registry is a function-local static created inside libspdlog.so. Its
      // thread-safe initialisation (__cxa_guard in uninstrumented code) is invisible to
      // TSan, so the first two threads to log race on the registry's allocation in its
      // report. Seen in WebSocketTest.StopsWhileClientsAreSending on CI.
      "race:spdlog::details::registry::registry\n";
}
