// docs/openapi.yaml and docs/api.md describe the routes the REST API really registers.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/runtime.hpp"
#include "net/rest_api.hpp"
#include "net/router.hpp"
#include "server/service.hpp"
#include "tests/support/temp_dir.hpp"

namespace otter::otterd {
namespace {

namespace fs = std::filesystem;

// A path of the spec with its {parameters} filled in ("/api/docs/{id}" -> "/api/docs/x").
std::string concrete(std::string path) {
  for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, "7");
  }
  return path;
}

class ApiDocsTest : public ::testing::Test {
 protected:
  ApiDocsTest() {
    server::ServiceOptions options;
    options.storage.path = directory_.file("otter.db");
    auto started = server::Service::start(runtime_, options);
    if (!started) throw std::runtime_error(started.error().message);
    service_ = std::move(*started);
    rest_ = std::make_unique<net::RestApi>(*service_, net::RestOptions{.admin = true});
    rest_->add_routes(router_);
  }
  ~ApiDocsTest() override {
    rest_->stop();
    service_->stop();
    runtime_.shutdown();
  }

  otter::testing::TempDir directory_;
  core::Runtime runtime_{core::RuntimeOptions{.threads = 2}};
  std::unique_ptr<server::Service> service_;
  std::unique_ptr<net::RestApi> rest_;
  net::Router router_;
};

TEST_F(ApiDocsTest, EveryOperationOfTheOpenApiFileIsARoute) {
  const YAML::Node spec = YAML::LoadFile((fs::path(OTTER_SOURCE_DIR) / "docs" / "openapi.yaml").string());
  std::size_t operations = 0;
  for (const auto& path : spec["paths"]) {
    for (const auto& operation : path.second) {
      std::string method = operation.first.as<std::string>();
      if (method == "parameters") continue;
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string target = concrete(path.first.as<std::string>());
      EXPECT_EQ(router_.route(method, target).outcome, net::Router::Outcome::found) << method << " " << target;
      ++operations;
    }
  }
  EXPECT_EQ(operations, 10U) << "docs/api.md's route table has 10 rows";
}

TEST_F(ApiDocsTest, EveryRouteOfApiMdIsARoute) {
  std::ifstream in(fs::path(OTTER_SOURCE_DIR) / "docs" / "api.md");
  std::stringstream text;
  text << in.rdbuf();
  std::istringstream lines(text.str());
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line);) {
    // "| `GET` | `/api/docs/{id}/ops?since=R&limit=N` | ..." in the first table.
    if (!line.starts_with("| `")) continue;
    const std::size_t method_end = line.find('`', 3);
    const std::size_t path_start = line.find('`', method_end + 1) + 1;
    const std::size_t path_end = line.find('`', path_start);
    const std::string method = line.substr(3, method_end - 3);
    if (method != "GET" && method != "POST" && method != "DELETE") continue;
    std::string path = line.substr(path_start, path_end - path_start);
    path = path.substr(0, path.find('?'));
    EXPECT_EQ(router_.route(method, concrete(path)).outcome, net::Router::Outcome::found) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 10U);
}

}  // namespace
}  // namespace otter::otterd
