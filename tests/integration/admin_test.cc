// The admin endpoint of the real binary: liveness that never depends on Redis, readiness that
// follows the master, the topology document, bad requests, shutdown and reload over HTTP.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <memory>
#include <thread>
#include <vector>

#include "tests/integration/admin_client.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

class AdminTest : public ProxyFixture {
 protected:
  // Until GET `path` answers `status` (true), or `timeout` passes (false).
  bool wait_status(const std::string& path, int status, std::chrono::milliseconds timeout = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (http(proxy().admin_port(), "GET", path).status == status) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  uint16_t admin() { return proxy().admin_port(); }
};

TEST_F(AdminTest, ReadyFollowsTheMasterAndHealthNeverDependsOnRedis) {
  EXPECT_TRUE(wait_status("/readyz", 200));
  EXPECT_EQ(http(admin(), "GET", "/healthz").status, 200);

  master().stop();
  EXPECT_TRUE(wait_status("/readyz", 503)) << http(admin(), "GET", "/readyz").body;
  EXPECT_EQ(http(admin(), "GET", "/readyz").body, "master unreachable\n");
  EXPECT_EQ(http(admin(), "GET", "/healthz").status, 200);

  master().restart();
  EXPECT_TRUE(wait_status("/readyz", 200, 30s)) << http(admin(), "GET", "/readyz").body;

  topology().stop();  // every Redis down
  EXPECT_TRUE(wait_status("/readyz", 503));
  const auto health = http(admin(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(scrape(admin()).value("resplit_backend_up", "role=\"master\",backend=\"" +
                                                           master().address() + "\""),
            0);
}

TEST_F(AdminTest, TopologyListsEveryBackend) {
  ASSERT_TRUE(wait_status("/readyz", 200));
  const auto answer = http(admin(), "GET", "/topology");
  ASSERT_EQ(answer.status, 200);
  EXPECT_NE(answer.headers.find("Content-Type: application/json"), std::string::npos);
  const boost::json::value doc = boost::json::parse(answer.body);
  EXPECT_EQ(doc.at("master").as_string(), master().address());
  const auto& backends = doc.at("backends").as_array();
  ASSERT_EQ(backends.size(), 3u);
  size_t replicas = 0;
  for (const auto& b : backends) {
    const auto& o = b.as_object();
    const std::string address(o.at("address").as_string());
    const std::string role(o.at("role").as_string());
    EXPECT_EQ(o.at("state").as_string(), "up") << address;
    EXPECT_TRUE(o.contains("routable")) << address;
    EXPECT_TRUE(o.contains("not_routable_because")) << address;
    EXPECT_TRUE(o.contains("connections")) << address;
    if (address == master().address()) {
      EXPECT_EQ(role, "master");
    } else {
      ++replicas;
      EXPECT_EQ(role, "replica") << address;
      EXPECT_TRUE(o.at("lag_bytes").is_number()) << address;
      EXPECT_TRUE(o.at("lag_seconds").is_number()) << address;
    }
  }
  EXPECT_EQ(replicas, 2u);
}

TEST_F(AdminTest, BadRequestsGet4xxAndRedisIsStillServed) {
  EXPECT_EQ(http(admin(), "GET", "/nope").status, 404);
  EXPECT_EQ(http(admin(), "POST", "/metrics").status, 405);
  EXPECT_EQ(http(admin(), "GET", "/quitquitquit").status, 405);
  EXPECT_EQ(http(admin(), "GET", "/reload").status, 405);
  EXPECT_EQ(http_raw(admin(), "GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(http_raw(admin(), "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') +
                                  "\r\n\r\n")
                .status,
            400);
  EXPECT_EQ(http_raw(admin(), "POST /reload HTTP/1.1\r\nContent-Length: 100000000\r\n\r\nabc")
                .status,
            400);
  // A request that never finishes is cut at the read deadline (5 s).
  {
    RawClient slow(admin());
    ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\n"));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(slow.read_for(15s).closed);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 14s);
  }
  // Idle admin connections beyond the cap are refused at once, the data path never notices.
  {
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 16; ++i) idle.push_back(std::make_unique<RawClient>(admin()));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(http(admin(), "GET", "/healthz", 3s).status, 503);
    EXPECT_EQ(client().command({"PING"}), Reply::status("PONG"));
  }
  EXPECT_TRUE(wait_status("/healthz", 200));
  EXPECT_EQ(client().command({"PING"}), Reply::status("PONG"));
  EXPECT_EQ(client().command({"SET", "still", "here"}), Reply::status("OK"));
}

TEST_F(AdminTest, QuitquitquitDrainsAndExitsZero) {
  ASSERT_TRUE(wait_status("/readyz", 200));
  const auto answer = http(admin(), "POST", "/quitquitquit");
  EXPECT_EQ(answer.status, 200);
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!proxy().child().exited() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(proxy().child().exited());
  const int status = proxy().child().reap();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(AdminTest, ReloadAppliesAChangedConfigAndReportsErrors) {
  ASSERT_TRUE(wait_status("/readyz", 200));
  proxy().write_config(config_for(topology(), "routing: {read_policy: master}\n"));
  const auto ok = http(admin(), "POST", "/reload");
  EXPECT_EQ(ok.status, 200) << ok.body;
  const double before = scrape(admin()).value("resplit_routing_decisions_total",
                                              "route=\"master\",reason=\"read\"");
  auto c = client();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.command({"GET", "nothing"}), Reply::nil());
  const Scrape after_ok = scrape(admin());
  EXPECT_EQ(after_ok.value("resplit_routing_decisions_total", "route=\"master\",reason=\"read\"") -
                before,
            5);
  EXPECT_GE(after_ok.value("resplit_config_reloads_total", "result=\"success\""), 1);
  EXPECT_EQ(after_ok.value("resplit_config_last_reload_successful"), 1);

  proxy().write_config(config_for(topology(), "routing: {read_policy: sometimes}\n"));
  const auto bad = http(admin(), "POST", "/reload");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("resplit.yaml:"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("read_policy"), std::string::npos) << bad.body;
  const Scrape after_bad = scrape(admin());
  EXPECT_GE(after_bad.value("resplit_config_reloads_total", "result=\"failure\""), 1);
  EXPECT_EQ(after_bad.value("resplit_config_last_reload_successful"), 0);
  EXPECT_EQ(client().command({"PING"}), Reply::status("PONG"));  // the old config still serves
}

}  // namespace
}  // namespace resplit::testkit
