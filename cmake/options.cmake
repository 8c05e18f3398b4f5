# -Wnull-dereference is left out: GCC 12 reports it falsely at -O2 through std::variant
# and std::optional accessors (seen in ot/basic_expected.hpp and core/scoped_process.hpp).
#
# Warnings and sanitizers as INTERFACE targets, linked PRIVATE by every target of ours,
# so they never leak into a consumer's flags.
add_library(otter_warnings INTERFACE)
add_library(otter::warnings ALIAS otter_warnings)
target_compile_options(otter_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${OTTER_WERROR}>:-Werror>)

add_library(otter_sanitizers INTERFACE)
add_library(otter::sanitizers ALIAS otter_sanitizers)
if(OTTER_SANITIZER STREQUAL "asan")
  target_compile_options(otter_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(otter_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(OTTER_SANITIZER STREQUAL "tsan")
  target_compile_options(otter_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(otter_sanitizers INTERFACE -fsanitize=thread)
  # Known false positives in uninstrumented Debian libraries, built into each executable.
  target_sources(otter_sanitizers INTERFACE
    $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:${CMAKE_CURRENT_LIST_DIR}/tsan_suppressions.cpp>)
elseif(NOT OTTER_SANITIZER STREQUAL "")
  message(FATAL_ERROR "OTTER_SANITIZER must be '', 'asan' or 'tsan', not '${OTTER_SANITIZER}'")
endif()
# Fuzz builds (clang): every library gets libFuzzer's coverage hooks and ASan + UBSan, so
# the fuzzer is guided by, and catches bugs in, the code under test rather than only the
# fuzz target's own file. The targets add -fsanitize=fuzzer at link (tests/fuzz/).
if(OTTER_BUILD_FUZZ)
  if(NOT OTTER_SANITIZER STREQUAL "")
    message(FATAL_ERROR "OTTER_BUILD_FUZZ brings its own sanitizers: leave OTTER_SANITIZER empty")
  endif()
  target_compile_options(otter_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(otter_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Every target of ours links this one: warnings + the chosen sanitizer.
add_library(otter_build_flags INTERFACE)
target_link_libraries(otter_build_flags INTERFACE otter_warnings otter_sanitizers)
