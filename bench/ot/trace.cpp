#include "trace.hpp"

#include <zlib.h>

#include <array>
#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace otter::bench {
namespace {

struct GzCloser {
  void operator()(gzFile file) const noexcept { gzclose(file); }
};

[[nodiscard]] std::string gunzip_file(const std::string& path) {
  const std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw std::runtime_error("cannot open trace " + path);
  std::string out;
  std::array<char, 1 << 16> buffer{};
  for (;;) {
    const int n = gzread(file.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) throw std::runtime_error("cannot decompress trace " + path);
    if (n == 0) break;
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return out;
}

[[nodiscard]] std::size_t count_code_points(std::string_view utf8) noexcept {
  std::size_t count = 0;
  for (const char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return count;
}

[[nodiscard]] Patch to_patch(const boost::json::value& value) {
  const boost::json::array& fields = value.as_array();
  if (fields.size() != 3) throw std::runtime_error("a patch is not [position, deleteCount, insertText]");
  Patch patch;
  patch.position = boost::json::value_to<std::size_t>(fields[0]);
  patch.erase_count = boost::json::value_to<std::size_t>(fields[1]);
  patch.insert_text = std::string(fields[2].as_string());
  patch.insert_code_points = count_code_points(patch.insert_text);
  return patch;
}

}  // namespace

Trace load_trace(const std::string& path) {
  const std::string text = gunzip_file(path);
  Trace trace;
  trace.name = std::filesystem::path(path).filename().string();
  trace.name = trace.name.substr(0, trace.name.find('.'));
  try {
    const boost::json::object root = boost::json::parse(text).as_object();
    if (!root.at("startContent").as_string().empty()) {
      throw std::runtime_error("startContent is not empty");
    }
    trace.end_content = std::string(root.at("endContent").as_string());
    for (const boost::json::value& txn : root.at("txns").as_array()) {
      ++trace.transactions;
      for (const boost::json::value& patch : txn.at("patches").as_array()) {
        trace.patches.push_back(to_patch(patch));
      }
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("trace " + path + " is malformed: " + e.what());
  }
  return trace;
}

}  // namespace otter::bench
