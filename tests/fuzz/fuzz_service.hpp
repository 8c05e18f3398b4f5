// FuzzService: the real document service the REST and session fuzz targets drive — a
// Runtime, document processes and a SQLite file in a fresh temporary directory, made once
// per fuzzer process. Commits skip the fsync (durability normal): the fuzzer looks for
// wrong answers, not lost power. The destructor stops the service and removes the
// directory; whoever holds routes or sessions on it stops them first.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include <stdlib.h>

#include "core/runtime.hpp"
#include "server/service.hpp"

namespace otter::fuzzing {

class FuzzService {
 public:
  // `adjust` may change the options (limits, intensity) before the service starts.
  template <class Adjust>
  FuzzService(const char* fuzzer, Adjust adjust) {
    std::string pattern = (std::filesystem::temp_directory_path() / (std::string(fuzzer) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    directory_ = pattern;
    server::ServiceOptions options;
    options.storage.path = (directory_ / "otter.db").string();
    options.storage.sqlite.durability = storage::Durability::normal;
    adjust(options);
    auto started = server::Service::start(runtime_, options);
    if (!started) {
      std::fprintf(stderr, "%s: the service did not start: %s\n", fuzzer, started.error().message.c_str());
      std::abort();
    }
    service_ = std::move(*started);
  }
  ~FuzzService() {
    service_->stop();
    runtime_.shutdown();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  FuzzService(const FuzzService&) = delete;
  FuzzService& operator=(const FuzzService&) = delete;

  [[nodiscard]] core::Runtime& runtime() noexcept { return runtime_; }
  [[nodiscard]] server::Service& service() noexcept { return *service_; }

 private:
  std::filesystem::path directory_;
  core::Runtime runtime_{core::RuntimeOptions{.threads = 2}};
  std::unique_ptr<server::Service> service_;
};

}  // namespace otter::fuzzing
