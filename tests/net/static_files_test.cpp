// StaticFiles without sockets: content types, index.html, the SPA fallback, and every
// way out of the root we know of.
#include "net/static_files.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "tests/support/temp_dir.hpp"

namespace otter::net {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  StaticFilesTest() {
    dir_.write("www/index.html", "<html>app</html>");
    dir_.write("www/app.js", "console.log(1)");
    dir_.write("www/style.CSS", "body{}");
    dir_.write("www/assets/font.woff2", "woff2");
    dir_.write("www/data.bin", "\x01\x02");
    dir_.write("secret.txt", "top secret");
    dir_.write("www-evil/x.txt", "sibling with a common prefix");
    fs::create_symlink("../secret.txt", dir_.path() / "www/link_out");
    fs::create_symlink("app.js", dir_.path() / "www/link_in");
    fs::create_symlink(dir_.path(), dir_.path() / "www/dirlink");
    fs::create_symlink("../www-evil/x.txt", dir_.path() / "www/evil_link");
    files_.emplace(dir_.path() / "www");
  }

  [[nodiscard]] Response serve(std::string_view path) const { return files_->serve(path); }

  otter::testing::TempDir dir_;
  std::optional<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesIndexHtmlForTheRoot) {
  const Response response = serve("/");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(response.body, "<html>app</html>");
}

TEST_F(StaticFilesTest, ServesFilesWithTheirContentTypes) {
  EXPECT_EQ(serve("/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(serve("/app.js").body, "console.log(1)");
  EXPECT_EQ(serve("/style.CSS").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(serve("/assets/font.woff2").content_type, "font/woff2");
  EXPECT_EQ(serve("/data.bin").content_type, "application/octet-stream");
  EXPECT_EQ(serve("/data.bin").body, "\x01\x02");
  EXPECT_EQ(serve("/index.html").status, 200);
}

TEST_F(StaticFilesTest, KnowsTheCommonWebContentTypes) {
  EXPECT_EQ(StaticFiles::content_type_for("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticFiles::content_type_for("a.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::content_type_for("a.map"), "application/json");
  EXPECT_EQ(StaticFiles::content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::content_type_for("a.PNG"), "image/png");
  EXPECT_EQ(StaticFiles::content_type_for("a.wasm"), "application/wasm");
  EXPECT_EQ(StaticFiles::content_type_for("noextension"), "application/octet-stream");
}

TEST_F(StaticFilesTest, FallsBackToIndexHtmlForDocumentPaths) {
  const Response response = serve("/d/my-notes");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "<html>app</html>");
  EXPECT_EQ(serve("/d/a%20b").body, "<html>app</html>");
  EXPECT_EQ(serve("/d/").status, 404);
}

TEST_F(StaticFilesTest, AnswersNotFoundForMissingFilesAndDirectories) {
  const Response missing = serve("/missing.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/json");
  EXPECT_EQ(missing.body, R"({"code":"not_found","message":"no file at /missing.js"})");
  EXPECT_EQ(serve("/assets").status, 404);
  EXPECT_EQ(serve("/assets/").status, 404);
}

TEST_F(StaticFilesTest, RejectsDotDotSegmentsRawOrEncoded) {
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt", "/%2e%2e%2f%2e%2e%2fsecret.txt",
                           "/d/../../secret.txt", "/./app.js", "/assets/%2e/font.woff2"}) {
    const Response response = serve(path);
    EXPECT_EQ(response.status, 400) << path;
    EXPECT_EQ(response.body.find("top secret"), std::string::npos) << path;
  }
}

TEST_F(StaticFilesTest, DecodesOnlyOnceSoDoubleEncodingIsAFileName) {
  EXPECT_EQ(serve("/%252e%252e/secret.txt").status, 404);
}

TEST_F(StaticFilesTest, RejectsNulBytesBackslashesAndMalformedEscapes) {
  EXPECT_EQ(serve("/app.js%00.html").status, 400);
  EXPECT_EQ(serve("/..\\secret.txt").status, 400);
  EXPECT_EQ(serve("/%5c..%5csecret.txt").status, 400);
  EXPECT_EQ(serve("/%").status, 400);
  EXPECT_EQ(serve("/app%2").status, 400);
  EXPECT_EQ(serve("app.js").status, 400);
}

TEST_F(StaticFilesTest, TreatsDoubleSlashesAsRelativeNotAbsolute) {
  EXPECT_EQ(serve("//etc/passwd").status, 404);
  EXPECT_EQ(serve("//app.js").status, 200);
  EXPECT_EQ(serve("/%2Fetc%2Fpasswd").status, 404);
}

TEST_F(StaticFilesTest, RefusesSymlinksThatLeaveTheRoot) {
  EXPECT_EQ(serve("/link_out").status, 404);
  EXPECT_EQ(serve("/dirlink/secret.txt").status, 404);
  EXPECT_EQ(serve("/evil_link").status, 404);  // ../www-evil shares the root's name as a prefix
}

TEST_F(StaticFilesTest, FollowsSymlinksThatStayInsideTheRoot) {
  const Response response = serve("/link_in");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "console.log(1)");
  // Out through a symlink and back in: what counts is where the file itself is.
  EXPECT_EQ(serve("/dirlink/www/app.js").status, 200);
}

TEST(StaticFiles, RefusesARootThatIsNotADirectory) {
  otter::testing::TempDir dir;
  dir.write("file.txt", "x");
  EXPECT_THROW(StaticFiles(dir.path() / "file.txt"), std::invalid_argument);
  EXPECT_THROW(StaticFiles(dir.path() / "missing"), std::invalid_argument);
}

TEST(StaticFiles, RefusesFilesOverTheSizeLimit) {
  otter::testing::TempDir dir;
  dir.write("big.txt", std::string(100, 'x'));
  dir.write("small.txt", std::string(10, 'x'));
  const StaticFiles files(dir.path(), {}, 50);
  EXPECT_EQ(files.serve("/big.txt").status, 404);
  EXPECT_EQ(files.serve("/small.txt").status, 200);
}

}  // namespace
}  // namespace otter::net
