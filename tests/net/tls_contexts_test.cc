#include "proxy/net/tls_contexts.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/tls_kit.h"

namespace resplit::net {
namespace {

class TlsContextsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { files_ = std::make_unique<testkit::TlsFiles>(); }
  static void TearDownTestSuite() { files_.reset(); }
  const testkit::TlsFiles& files() const { return *files_; }

  config::Config both() const {
    config::Config c;
    c.source = "resplit.yaml";
    c.client_tls = {true, files().server_cert(), files().server_key(), files().ca(), true};
    c.server_tls.enabled = true;
    c.server_tls.ca_file = files().ca();
    c.server_tls.cert_file = files().client_cert();
    c.server_tls.key_file = files().client_key();
    return c;
  }

  // The single error of `build`, as "path: message".
  static std::string only_error(const TlsBuild& build) {
    if (build.errors.size() != 1) return "errors: " + std::to_string(build.errors.size());
    return build.errors[0].path + ": " + build.errors[0].message;
  }

  static std::unique_ptr<testkit::TlsFiles> files_;
};

std::unique_ptr<testkit::TlsFiles> TlsContextsTest::files_;

TEST_F(TlsContextsTest, NothingIsBuiltWhenTlsIsOff) {
  const TlsBuild build = build_tls(config::Config{});
  EXPECT_TRUE(build.errors.empty());
  EXPECT_EQ(build.contexts.server, nullptr);
  EXPECT_EQ(build.contexts.client, nullptr);
}

TEST_F(TlsContextsTest, BuildsBothSidesAndKeepsUnchangedOnesOnRebuild) {
  const config::Config c = both();
  const TlsBuild first = build_tls(c);
  ASSERT_TRUE(first.errors.empty()) << only_error(first);
  ASSERT_NE(first.contexts.server, nullptr);
  ASSERT_NE(first.contexts.client, nullptr);

  const TlsBuild same = build_tls(c, &first.contexts);
  EXPECT_EQ(same.contexts.server, first.contexts.server);
  EXPECT_EQ(same.contexts.client, first.contexts.client);

  config::Config changed = c;
  changed.client_tls.verify_client = false;
  changed.server_tls.sni = "redis.internal";
  const TlsBuild rebuilt = build_tls(changed, &first.contexts);
  ASSERT_TRUE(rebuilt.errors.empty()) << only_error(rebuilt);
  EXPECT_NE(rebuilt.contexts.server, first.contexts.server);
  EXPECT_NE(rebuilt.contexts.client, first.contexts.client);
  EXPECT_EQ(rebuilt.contexts.client->sni, "redis.internal");
}

TEST_F(TlsContextsTest, AMissingFileIsAnErrorNamingIt) {
  config::Config c = both();
  c.client_tls.cert_file = files().file("missing.crt");
  const TlsBuild build = build_tls(c);
  EXPECT_EQ(only_error(build), "client_tls.cert_file: cannot read '" + c.client_tls.cert_file +
                                   "': No such file or directory");
  EXPECT_EQ(build.errors[0].file, "resplit.yaml");
  EXPECT_EQ(build.contexts.server, nullptr);
  EXPECT_EQ(build.contexts.client, nullptr);  // all or nothing
}

TEST_F(TlsContextsTest, AFileWithoutPemDataIsAnError) {
  const std::string garbage = files().file("garbage.pem");
  std::ofstream(garbage) << "not a certificate\n";
  config::Config c = both();
  c.server_tls.ca_file = garbage;
  EXPECT_EQ(only_error(build_tls(c)).rfind("server_tls.ca_file: no PEM CA certificate in '" +
                                               garbage + "'", 0),
            0u)
      << only_error(build_tls(c));
}

TEST_F(TlsContextsTest, AKeyOfAnotherCertificateIsAnError) {
  config::Config c = both();
  c.client_tls.key_file = files().client_key();
  EXPECT_EQ(only_error(build_tls(c)), "client_tls.key_file: '" + files().client_key() +
                                          "' is not the key of the certificate in '" +
                                          files().server_cert() + "'");
}

}  // namespace
}  // namespace resplit::net
