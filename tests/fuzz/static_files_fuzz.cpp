// libFuzzer target for StaticFiles::serve (net/static_files.hpp): the request path comes
// straight from the network, and nothing outside the frontend's directory may ever be
// served. The input is the path. A crash, a sanitizer report or a broken promise (printed,
// then __builtin_trap) is a find: add it as a case to tests/net/static_files_test.cpp.
//
// The tree, made once in a temporary directory: www/ is the root (a few files, a symlink
// inside it, symlinks out of it); beside it a secret file and a sibling directory whose
// name shares the root's prefix. Promises checked for every path:
// - the answer is 200, 400 or 404;
// - a 200 body is one of the root's own files, byte for byte;
// - no body ever holds the secret (unless the path itself spelled it, for an error to quote).
//
// Run:
//   cmake --preset fuzz && cmake --build build/fuzz --target static_files_fuzz
//   mkdir -p /tmp/static_corpus && build/fuzz/tests/fuzz/static_files_fuzz -max_total_time=60 /tmp/static_corpus
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include <stdlib.h>

#include "net/static_files.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecret = "OTTER-SECRET-OUTSIDE-THE-ROOT";
constexpr std::string_view kInsideFiles[][2] = {
    {"index.html", "<html>app</html>"},
    {"app.js", "console.log(1)"},
    {"assets/font.woff2", "woff2"},
    {"d/7", "a file where an SPA route would be"},
};

fs::path tree;  // the temporary directory; removed at exit
std::optional<otter::net::StaticFiles> files;

void write(const fs::path& relative, std::string_view content) {
  fs::create_directories((tree / relative).parent_path());
  std::ofstream(tree / relative, std::ios::binary) << content;
}

void make_tree() {
  std::string pattern = (fs::temp_directory_path() / "otter-static-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  tree = pattern;
  std::atexit([] {
    std::error_code ignored;
    fs::remove_all(tree, ignored);
  });
  for (const auto& [name, content] : kInsideFiles) write(fs::path("www") / name, content);
  write("secret.txt", kSecret);
  write("www-sibling/secret.txt", kSecret);
  fs::create_symlink("../secret.txt", tree / "www/link_out");
  fs::create_symlink("app.js", tree / "www/link_in");
  fs::create_symlink(tree, tree / "www/dirlink");
  fs::create_symlink("../www-sibling/secret.txt", tree / "www/sibling_link");
  files.emplace(tree / "www");
}

[[noreturn]] void broken(const char* what, std::string_view path) {
  std::fprintf(stderr, "static_files_fuzz: %s for the path \"%.*s\"\n", what, static_cast<int>(path.size()),
               path.data());
  __builtin_trap();
}

bool is_inside_file(std::string_view body) {
  for (const auto& file : kInsideFiles) {
    if (body == file[1]) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  make_tree();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view path(reinterpret_cast<const char*>(data), size);
  const otter::net::Response response = files->serve(path);
  // An error body may quote the path; only a secret the path did not bring is a leak.
  if (response.body.find(kSecret) != std::string::npos && path.find(kSecret) == std::string_view::npos) {
    broken("served the secret", path);
  }
  switch (response.status) {
    case 200:
      if (!is_inside_file(response.body)) broken("a 200 whose body is none of the root's files", path);
      break;
    case 400:
    case 404: break;
    default: broken("an unexpected status", path);
  }
  return 0;
}
