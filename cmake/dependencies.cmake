# Every dependency comes from Debian's packages (scripts/setup.sh installs them).
# Nothing is vendored and nothing is downloaded by the build.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json CONFIG)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)

# Boost.Asio is header-only; keep one definition set for every target using it.
add_library(otter_asio INTERFACE)
target_link_libraries(otter_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(otter_asio INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_BOOST_COROUTINE)
