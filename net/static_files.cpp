#include "net/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace otter::net {
namespace {

namespace fs = std::filesystem;

Response not_found(std::string_view path) {
  return json_error(404, "not_found", "no file at " + std::string(path.substr(0, 200)));
}

Response bad_request(std::string_view why) { return json_error(400, "bad_request", why); }

// True if `inside` is `root` or below it, comparing whole path components (so /srv/www-2
// is not inside /srv/www).
bool is_within(const fs::path& root, const fs::path& inside) {
  auto r = root.begin();
  auto i = inside.begin();
  for (; r != root.end(); ++r, ++i) {
    if (i == inside.end() || *r != *i) return false;
  }
  return true;
}

// "/d/" routes "/d/<anything>"; "/dashboard" routes itself and "/dashboard/<anything>".
bool is_spa_route(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  if (prefix.ends_with('/')) return path.size() > prefix.size();
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

StaticFiles::StaticFiles(const fs::path& root, std::vector<std::string> spa_prefixes, std::size_t max_file_bytes)
    : spa_prefixes_(std::move(spa_prefixes)), max_file_bytes_(max_file_bytes) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec || !fs::is_directory(root_)) {
    throw std::invalid_argument("static file root " + root.string() + " is not a directory");
  }
}

std::string_view StaticFiles::content_type_for(const fs::path& file) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".otf", "font/otf"},
      {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"},
      {".xml", "application/xml"},
  }};
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

Response StaticFiles::serve(std::string_view path) const {
  const std::optional<std::string> decoded = percent_decode(path);
  if (!decoded) return bad_request("the path has a malformed percent-escape");
  if (decoded->empty() || decoded->front() != '/') return bad_request("the path must start with '/'");
  if (decoded->find('\0') != std::string::npos) return bad_request("the path contains a NUL byte");
  if (decoded->find('\\') != std::string::npos) return bad_request("the path contains a backslash");

  // Build the relative path segment by segment; empty segments ("//") collapse.
  fs::path relative;
  std::string_view rest(*decoded);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty()) continue;
    if (segment == "." || segment == "..") return bad_request("the path contains a \".\" or \"..\" segment");
    relative /= fs::path(std::string(segment));
  }
  if (relative.empty()) return serve_file("index.html");

  Response response = serve_file(relative);
  if (response.status == 404) {
    for (const std::string& prefix : spa_prefixes_) {
      if (is_spa_route(*decoded, prefix)) return serve_file("index.html");
    }
    return not_found(path);
  }
  return response;
}

Response StaticFiles::serve_file(const fs::path& relative) const {
  std::error_code ec;
  // canonical() follows every symlink: what it returns is the file that would be read.
  const fs::path file = fs::canonical(root_ / relative, ec);
  if (ec || !is_within(root_, file)) return not_found(relative.generic_string());
  const fs::file_status status = fs::status(file, ec);
  if (ec || !fs::is_regular_file(status)) return not_found(relative.generic_string());
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec || size > max_file_bytes_) return not_found(relative.generic_string());

  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found(relative.generic_string());
  std::string body;
  body.resize(static_cast<std::size_t>(size));
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  body.resize(static_cast<std::size_t>(in.gcount()));

  Response response{200, std::string(content_type_for(file)), std::move(body), {}};
  // The app shell changes with every deploy; hashed assets could be cached, but we don't
  // know which are hashed, so every response revalidates.
  response.headers.push_back(Header{"Cache-Control", "no-cache"});
  return response;
}

}  // namespace otter::net
