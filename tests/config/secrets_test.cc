#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proxy/config/dump.h"
#include "proxy/config/loader.h"
#include "tests/config/fake_secret_source.h"

namespace resplit::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kBackends =
    "master: m:6379\n"
    "replicas: {addresses: [\"r:6379\"]}\n";

LoadResult load_auth(std::string_view auth, const FakeSecretSource& secrets) {
  return load_string(std::string(kBackends) + "auth:\n" + std::string(auth), "s.yaml", secrets);
}

TEST(Secrets, ResolvedFromEnvAndFile) {
  FakeSecretSource secrets;
  secrets.envs["CLIENT_PW"] = "c-value";
  secrets.files["/run/pw"] = "f-value";
  LoadResult r = load_auth(
      "  clients: [{password: {env: CLIENT_PW}}]\n"
      "  backend: {password: {file: /run/pw}}\n",
      secrets);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  EXPECT_EQ(r.config->auth.clients[0].password, (SecretRef{"CLIENT_PW", "", "c-value"}));
  EXPECT_EQ(r.config->auth.backend.password, (SecretRef{"", "/run/pw", "f-value"}));
}

TEST(Secrets, SentinelAuth) {
  FakeSecretSource secrets;
  secrets.envs["S_PW"] = "s-value";
  LoadResult r = load_string(
      "sentinel: {addresses: [\"s:26379\"], master_name: mymaster, auth: {username: sentinel-user, "
      "password: {env: S_PW}}}\nreplicas: {discovery: sentinel}\n",
      "s.yaml", secrets);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(error_lines(r));
  EXPECT_EQ(r.config->sentinel->auth.username, "sentinel-user");
  EXPECT_EQ(r.config->sentinel->auth.password.value, "s-value");
}

TEST(Secrets, InlinePasswordIsRefusedAndNeverEchoed) {
  FakeSecretSource secrets;
  LoadResult r = load_auth("  backend: {username: u, password: hunter2}\n", secrets);
  ASSERT_THAT(error_lines(r),
              ElementsAre("s.yaml:4:36: auth.backend.password: secrets must come from env or "
                          "file: write {env: NAME} or {file: PATH}"));
  EXPECT_THAT(r.errors[0].to_string(), Not(HasSubstr("hunter2")));
}

TEST(Secrets, ExactlyOneSource) {
  FakeSecretSource secrets;
  secrets.envs["PW"] = "x";
  secrets.files["/pw"] = "y";
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {env: PW, file: /pw}}\n", secrets)),
              ElementsAre("s.yaml:4:13: auth.backend.password: set exactly one of env and file"));
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {}}\n", secrets)),
              ElementsAre("s.yaml:4:13: auth.backend.password: set exactly one of env and file"));
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {vault: x}}\n", secrets)),
              ElementsAre("s.yaml:4:24: auth.backend.password.vault: unknown key; expected one "
                          "of env, file"));
  EXPECT_THAT(error_lines(load_auth("  backend: {password: [PW]}\n", secrets)),
              ElementsAre("s.yaml:4:13: auth.backend.password: expected {env: NAME} or {file: "
                          "PATH}, got a list"));
}

TEST(Secrets, MissingSourcesAreErrorsAtTheirKey) {
  FakeSecretSource secrets;
  secrets.envs["EMPTY"] = "";
  secrets.files["/empty"] = "";
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {env: NOPE}}\n", secrets)),
              ElementsAre("s.yaml:4:29: auth.backend.password.env: environment variable NOPE "
                          "is not set"));
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {env: EMPTY}}\n", secrets)),
              ElementsAre("s.yaml:4:29: auth.backend.password.env: environment variable EMPTY "
                          "is empty"));
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {file: /nope}}\n", secrets)),
              ElementsAre("s.yaml:4:30: auth.backend.password.file: cannot read secret file "
                          "/nope"));
  EXPECT_THAT(error_lines(load_auth("  backend: {password: {file: /empty}}\n", secrets)),
              ElementsAre("s.yaml:4:30: auth.backend.password.file: secret file /empty is "
                          "empty"));
}

TEST(Secrets, ValuesNeverAppearInErrorsOrDump) {
  FakeSecretSource secrets;
  secrets.envs["PW"] = "very-secret-value";
  LoadResult r = load_auth(
      "  clients: [{username: app, password: {env: PW}}, {username: app, "
      "password: {env: PW}}]\n",
      secrets);
  ASSERT_FALSE(r.ok());
  for (const std::string& line : error_lines(r)) {
    EXPECT_THAT(line, Not(HasSubstr("very-secret-value")));
  }
  LoadResult good = load_auth("  backend: {password: {env: PW}}\n", secrets);
  ASSERT_TRUE(good.ok());
  EXPECT_THAT(dump(*good.config), Not(HasSubstr("very-secret-value")));
  EXPECT_THAT(dump(*good.config), HasSubstr("password: {env: \"PW\"}"));
}

TEST(DefaultSecretSource, ReadsEnvironment) {
  SecretSource source;
  ASSERT_EQ(setenv("RESPLIT_CONFIG_TEST_SECRET", "from-env", 1), 0);
  EXPECT_EQ(source.env("RESPLIT_CONFIG_TEST_SECRET"), "from-env");
  ASSERT_EQ(unsetenv("RESPLIT_CONFIG_TEST_SECRET"), 0);
  EXPECT_EQ(source.env("RESPLIT_CONFIG_TEST_SECRET"), std::nullopt);
}

TEST(DefaultSecretSource, ReadsFileWithoutTrailingNewline) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::filesystem::path dir = tmp != nullptr ? tmp : std::filesystem::temp_directory_path();
  SecretSource source;
  const std::pair<const char*, const char*> cases[] = {
      {"pw", "pw"}, {"pw\n", "pw"}, {"pw\r\n", "pw"}, {"two\nlines\n", "two\nlines"}};
  for (const auto& [content, expected] : cases) {
    const std::filesystem::path path = dir / "secret";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    EXPECT_EQ(source.file(path.string()), expected);
  }
  EXPECT_EQ(source.file((dir / "does-not-exist").string()), std::nullopt);
}

}  // namespace
}  // namespace resplit::config
