// TLS through resplit against real redis-server: clients to resplit (client_tls, verify_client,
// redis-cli --tls, certificate reload) and resplit to a master and replicas that speak TLS only on
// the ports resplit is given (server_tls: monitor, routing, a wrong CA).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/integration/admin_client.h"
#include "tests/testing/raw_client.h"
#include "tests/testing/redis_topology_fixture.h"
#include "tests/testing/reply.h"
#include "tests/testing/resplit_process.h"
#include "tests/testing/tls_kit.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

const std::string kRedisCli = "/usr/bin/redis-cli";

// Waits until `check` holds, polling every 50 ms; false after `timeout`.
template <typename Check>
bool eventually(Check check, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return check();
}

long long calls(RedisProcess& node, const std::string& command) {
  auto info = node.client().info("commandstats");
  auto it = info.find("cmdstat_" + command);
  if (it == info.end()) return 0;
  const auto start = it->second.find("calls=");
  return start == std::string::npos ? 0 : std::stoll(it->second.substr(start + 6));
}

double rejected_tls(ResplitProcess& proxy) {
  const HttpResult r = http(proxy.admin_port(), "GET", "/metrics");
  return Scrape(r.body).value("resplit_client_connections_rejected_total", "reason=\"tls\"");
}

class TlsTest : public RedisTopologyFixture {
 protected:
  static void SetUpTestSuite() { files_ = std::make_unique<TlsFiles>(); }
  static void TearDownTestSuite() { files_.reset(); }
  static const TlsFiles& files() { return *files_; }

  void TearDown() override {
    if (proxy_) {
      if (HasFailure()) std::cerr << "--- resplit log ---\n" << proxy_->log_tail() << "\n";
      proxy_->stop();
      proxy_.reset();
    }
    RedisTopologyFixture::TearDown();
  }

  // resplit in front of the topology with `extra` YAML (and `listen_extra` in its listen
  // section); `client_tls`: its clients must use TLS.
  void start_proxy(const std::string& extra, bool client_tls, const std::string& listen_extra = "") {
    ASSERT_TRUE(topology().wait_for_sync());
    ResplitOptions options;
    options.config = config_for(topology(), extra);
    options.listen_extra = listen_extra;
    if (client_tls) {
      options.answers = [](uint16_t port) {
        TlsTestClient c(port, files().ca(), files().client_cert(), files().client_key(), 500ms);
        return c.command({"PING"}) == "+PONG\r\n";
      };
    }
    proxy_ = std::make_unique<ResplitProcess>(options);
  }

  ToolRun redis_cli(const std::vector<std::string>& command, const std::string& cert,
                    const std::string& key) {
    std::vector<std::string> argv = {kRedisCli, "--tls", "--cacert", files().ca(),
                                     "--cert", cert, "--key", key, "-h", "127.0.0.1",
                                     "-p", std::to_string(proxy_->port())};
    argv.insert(argv.end(), command.begin(), command.end());
    return run_tool(argv);
  }

  std::string client_tls_yaml(const std::string& cert, const std::string& key) const {
    return "client_tls: {enabled: true, cert_file: \"" + cert + "\", key_file: \"" + key +
           "\", ca_file: \"" + files().ca() + "\", verify_client: true}\n";
  }

  static std::unique_ptr<TlsFiles> files_;
  std::unique_ptr<ResplitProcess> proxy_;
};

std::unique_ptr<TlsFiles> TlsTest::files_;

TEST_F(TlsTest, RedisCliWithTlsWorksThroughResplit) {
  start_proxy(client_tls_yaml(files().server_cert(), files().server_key()), true);
  auto ping = redis_cli({"PING"}, files().client_cert(), files().client_key());
  EXPECT_EQ(ping.exit_code, 0) << ping.output;
  EXPECT_EQ(ping.output, "PONG\n");
  auto set = redis_cli({"SET", "tls:key", "hello"}, files().client_cert(), files().client_key());
  EXPECT_EQ(set.output, "OK\n");
  ASSERT_TRUE(topology().wait_for_sync());  // a new connection's read may go to a replica
  auto get = redis_cli({"GET", "tls:key"}, files().client_cert(), files().client_key());
  EXPECT_EQ(get.output, "hello\n");
  EXPECT_EQ(master().client().command({"GET", "tls:key"}), Reply::bulk("hello"));
}

TEST_F(TlsTest, ClientWithCertificateFromAnotherCaIsRefused) {
  start_proxy(client_tls_yaml(files().server_cert(), files().server_key()), true);
  const double rejected_before = rejected_tls(*proxy_);
  const long long sets_before = calls(master(), "set");

  TlsTestClient stranger(proxy_->port(), files().ca(), files().stranger_cert(),
                         files().stranger_key());
  EXPECT_EQ(stranger.command({"SET", "tls:stranger", "1"}), "") << "a stranger was answered";
  TlsTestClient anonymous(proxy_->port(), files().ca());
  EXPECT_EQ(anonymous.command({"SET", "tls:anonymous", "1"}), "");
  RedisClient plain = proxy_->client(1s);
  EXPECT_FALSE(plain.connected() && plain.command({"SET", "tls:plain", "1"}) == Reply::status("OK"));
  auto cli = redis_cli({"SET", "tls:cli", "1"}, files().stranger_cert(), files().stranger_key());
  EXPECT_EQ(cli.output.find("OK"), std::string::npos) << cli.output;

  EXPECT_TRUE(eventually([&] { return rejected_tls(*proxy_) >= rejected_before + 4; }))
      << rejected_tls(*proxy_);
  EXPECT_EQ(calls(master(), "set"), sets_before) << "a refused client's command reached Redis";
  EXPECT_EQ(master().client().command({"EXISTS", "tls:stranger", "tls:anonymous", "tls:plain",
                                       "tls:cli"}),
            Reply::number(0));
  TlsTestClient member(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  EXPECT_EQ(member.command({"PING"}), "+PONG\r\n") << member.error();
}

TEST_F(TlsTest, BeyondMaxClientsATlsClientIsClosedWithoutPlainBytes) {
  start_proxy(client_tls_yaml(files().server_cert(), files().server_key()), true,
              "max_clients: 2");
  TlsTestClient first(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  TlsTestClient second(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  ASSERT_EQ(first.command({"PING"}), "+PONG\r\n") << first.error();
  ASSERT_EQ(second.command({"PING"}), "+PONG\r\n") << second.error();

  TlsTestClient third(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  EXPECT_EQ(third.command({"PING"}), "");
  // Plain text before the handshake would reach a TLS client as a broken record: none is sent.
  RawClient raw(proxy_->port());
  ASSERT_TRUE(raw.connected()) << raw.error();
  const RawClient::Received got = raw.read_for(2s);
  EXPECT_TRUE(got.closed);
  EXPECT_EQ(got.bytes, "");

  EXPECT_EQ(first.command({"PING"}), "+PONG\r\n") << first.error();
  EXPECT_EQ(second.command({"PING"}), "+PONG\r\n") << second.error();
}

TEST_F(TlsTest, ReloadServesTheNewCertificateToNewClientsOnly) {
  // The served files are copies, so the test can replace them as a Secret volume update would.
  const std::string cert = files().file("served.crt");
  const std::string key = files().file("served.key");
  std::filesystem::copy_file(files().server_cert(), cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(files().server_key(), key,
                             std::filesystem::copy_options::overwrite_existing);
  const std::string yaml = client_tls_yaml(cert, key);
  start_proxy(yaml, true);

  TlsTestClient before(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  ASSERT_EQ(before.command({"PING"}), "+PONG\r\n") << before.error();
  EXPECT_EQ(before.server_name(), "localhost");

  files().issue_server("renewed", "renewed.localhost");
  std::filesystem::copy_file(files().file("renewed.crt"), cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(files().file("renewed.key"), key,
                             std::filesystem::copy_options::overwrite_existing);
  proxy_->signal(SIGHUP);
  std::string served;
  EXPECT_TRUE(eventually([&] {
    TlsTestClient after(proxy_->port(), files().ca(), files().client_cert(), files().client_key(),
                        1s);
    served = after.server_name();
    return served == "renewed.localhost" && after.command({"PING"}) == "+PONG\r\n";
  })) << served;
  EXPECT_EQ(before.command({"SET", "tls:kept", "1"}), "+OK\r\n") << before.error();
  EXPECT_EQ(before.command({"GET", "tls:kept"}), "$1\r\n1\r\n");

  // A key that is not the certificate's is a reload error naming the file; the old pair stays.
  std::filesystem::copy_file(files().client_key(), key,
                             std::filesystem::copy_options::overwrite_existing);
  const HttpResult reload = http(proxy_->admin_port(), "POST", "/reload");
  EXPECT_NE(reload.status, 200);
  EXPECT_NE(reload.body.find("client_tls.key_file"), std::string::npos) << reload.body;
  TlsTestClient still(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  EXPECT_EQ(still.server_name(), "renewed.localhost");
  EXPECT_EQ(still.command({"PING"}), "+PONG\r\n") << still.error();
}

TEST_F(TlsTest, RenewedSecretVolumesTakeEffectWithoutASignal) {
  // As Kubernetes updates a Secret volume: the names at its top link into `..data`, a link to a
  // timestamped directory that is swapped, in one rename, for a new one. Here the files sit in a
  // `client/` folder of the Secret, so the folder itself is replaced at every renewal.
  namespace fs = std::filesystem;
  TempDir volume("tls-secret");
  const fs::path root = volume.path();
  auto publish = [&](const std::string& name, const std::string& cert, const std::string& key) {
    fs::create_directories(root / name / "client");
    fs::copy_file(cert, root / name / "client" / "tls.crt");
    fs::copy_file(key, root / name / "client" / "tls.key");
    std::error_code ec;
    const fs::path previous = fs::read_symlink(root / "..data", ec);
    fs::create_directory_symlink(name, root / "..data_tmp");
    fs::rename(root / "..data_tmp", root / "..data");
    if (!ec) fs::remove_all(root / previous);  // as the kubelet does
  };
  // Renewals issued up front: nothing but the Secret volume changes while resplit runs.
  const std::vector<std::string> renewals = {"second", "third"};
  for (const auto& renewal : renewals) files().issue_server(renewal, renewal + ".localhost");
  publish("..2026_12_07_first", files().server_cert(), files().server_key());
  fs::create_directory_symlink("..data/client", root / "client");
  const fs::path dir = root / "client";
  start_proxy(client_tls_yaml((dir / "tls.crt").string(), (dir / "tls.key").string()), true);
  TlsTestClient before(proxy_->port(), files().ca(), files().client_cert(), files().client_key());
  ASSERT_EQ(before.command({"PING"}), "+PONG\r\n") << before.error();
  EXPECT_EQ(before.server_name(), "localhost");

  for (const auto& renewal : renewals) {
    publish("..2026_12_07_" + renewal, files().file(renewal + ".crt"),
            files().file(renewal + ".key"));
    std::string served;
    EXPECT_TRUE(eventually([&] {
      TlsTestClient after(proxy_->port(), files().ca(), files().client_cert(),
                          files().client_key(), 1s);
      served = after.server_name();
      return served == renewal + ".localhost" && after.command({"PING"}) == "+PONG\r\n";
    })) << served << "\n" << proxy_->log_tail();
  }
  EXPECT_EQ(before.command({"PING"}), "+PONG\r\n") << before.error();
}

TEST_F(TlsTest, CheckConfigNamesAnUnreadableCertificate) {
  TempDir dir("tls-check");
  const std::string path = dir.file("resplit.yaml");
  {
    std::ofstream out(path);
    out << "master: \"127.0.0.1:6379\"\nreplicas: {discovery: master}\n"
        << "client_tls: {enabled: true, cert_file: \"" << dir.file("missing.crt")
        << "\", key_file: \"" << files().server_key() << "\"}\n";
  }
  const ToolRun run = run_tool({resplit_binary(), "--check-config", "-c", path});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("client_tls.cert_file"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("missing.crt"), std::string::npos) << run.output;
}

// A master and two replicas reachable only by TLS on the ports resplit knows; replication is TLS
// too, and the servers require client certificates.
class TlsBackendTest : public TlsTest {
 protected:
  TopologyOptions topology_options() const override {
    TopologyOptions o;
    o.tls = true;
    std::vector<std::string> tls = {"--tls-cert-file", files().server_cert(), "--tls-key-file",
                                    files().server_key(), "--tls-ca-cert-file", files().ca(),
                                    "--tls-auth-clients", "yes"};
    o.master_args = tls;
    o.replica_args = tls;
    o.replica_args.insert(o.replica_args.end(), {"--tls-replication", "yes"});
    return o;
  }

  std::string server_tls_yaml(const std::string& ca) const {
    return "server_tls: {enabled: true, ca_file: \"" + ca + "\", cert_file: \"" +
           files().client_cert() + "\", key_file: \"" + files().client_key() + "\"}\n";
  }
};

TEST_F(TlsBackendTest, WritesGoToTheMasterAndReadsToReplicasOverTls) {
  start_proxy(server_tls_yaml(files().ca()) + "readiness: {require_replica: true}\n", false);
  ASSERT_TRUE(eventually([&] { return http(proxy_->admin_port(), "GET", "/readyz").status == 200; }))
      << http(proxy_->admin_port(), "GET", "/topology").body;
  RedisClient c = proxy_->client();
  ASSERT_EQ(c.command({"SET", "tls:routed", "v"}), Reply::status("OK"));
  ASSERT_TRUE(topology().wait_for_sync());
  const long long master_gets = calls(master(), "get");
  RedisClient reader = proxy_->client();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(reader.command({"GET", "tls:routed"}), Reply::bulk("v"));
  EXPECT_EQ(calls(master(), "get"), master_gets);
  EXPECT_EQ(calls(replica(0), "get") + calls(replica(1), "get"), 20);
  EXPECT_GE(calls(master(), "set"), 1);
}

TEST_F(TlsBackendTest, WrongCaLeavesTheBackendsUnreachable) {
  start_proxy(server_tls_yaml(files().other_ca()) + "timeouts: {failover_wait: 0s}\n", false);
  std::this_thread::sleep_for(1s);  // several failed polls
  EXPECT_EQ(http(proxy_->admin_port(), "GET", "/readyz").status, 503);
  EXPECT_TRUE(eventually([&] {
    return proxy_->log_tail(200).find("certificate verify failed") != std::string::npos;
  })) << proxy_->log_tail();
  RedisClient c = proxy_->client();
  const Reply reply = c.command({"SET", "tls:unreached", "1"});
  EXPECT_TRUE(reply.is_error()) << reply.str;
  EXPECT_EQ(calls(master(), "set"), 0);
}

}  // namespace
}  // namespace resplit::testkit
