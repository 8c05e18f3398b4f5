// StaticFiles: serves the frontend's build output from one directory, safely.
//
// Contract of serve(path) (path = the request target's path, still percent-encoded)
// - "/" serves index.html; a path of an SPA route that names no file also serves
//   index.html, so the web app's client-side routes load. A prefix ending in "/" ("/d/")
//   matches the paths under it ("/d/<id>"); any other ("/dashboard") matches itself and
//   the paths under it ("/dashboard", "/dashboard/...").  Default: the editor's "/d/" and
//   the live dashboard's "/dashboard".
// - Other paths serve the regular file they name, with a Content-Type from its extension
//   (unknown: application/octet-stream); a directory or a missing file is 404 not_found.
// - Never serves anything outside the root: a malformed percent-escape, a NUL, a
//   backslash, or a "." / ".." segment (raw or percent-encoded) is 400 bad_request; a
//   symlink that resolves outside the root is 404, like a missing file. Absolute-form
//   targets ("http://host/...") never reach here (http_session answers 400).
// - Files larger than max_file_bytes are 404 too (they are not the frontend's).
// - Reads the file on every request (the frontend is small and the OS caches it).
// Thread-safe: const after construction.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.hpp"

namespace otter::net {

inline constexpr std::size_t kDefaultMaxStaticFileBytes = 64 * 1024 * 1024;

class StaticFiles {
 public:
  // Throws std::invalid_argument if `root` is not an existing directory.
  explicit StaticFiles(const std::filesystem::path& root, std::vector<std::string> spa_prefixes = {"/d/", "/dashboard"},
                       std::size_t max_file_bytes = kDefaultMaxStaticFileBytes);

  [[nodiscard]] Response serve(std::string_view path) const;
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  // "text/html; charset=utf-8" for ".html", ...; application/octet-stream if unknown.
  [[nodiscard]] static std::string_view content_type_for(const std::filesystem::path& file);

 private:
  [[nodiscard]] Response serve_file(const std::filesystem::path& relative) const;

  std::filesystem::path root_;  // canonical
  std::vector<std::string> spa_prefixes_;
  std::size_t max_file_bytes_;
};

}  // namespace otter::net
