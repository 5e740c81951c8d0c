#include "proxy/admin/endpoints.h"

#include <gtest/gtest.h>

namespace resplit::admin {
namespace {

namespace http = boost::beast::http;

class EndpointsTest : public ::testing::Test {
 protected:
  EndpointsTest() {
    e_.metrics = [] { return std::string("resplit_up 1\n"); };
    e_.readiness = [this] { return ready_; };
    e_.topology = [] { return std::string("{}\n"); };
    e_.quit = [this] { ++quits_; };
    e_.reload = [this] { return reload_; };
  }

  Handled call(http::verb method, const std::string& target) {
    Request r{method, target, 11};
    return handle(e_, r);
  }

  Endpoints e_;
  Readiness ready_{true, "ready"};
  ReloadOutcome reload_{true, "reloaded"};
  int quits_ = 0;
};

TEST_F(EndpointsTest, MetricsUseThePrometheusTextContentType) {
  const auto h = call(http::verb::get, "/metrics");
  EXPECT_EQ(h.response.result(), http::status::ok);
  EXPECT_EQ(h.response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(h.response.body(), "resplit_up 1\n");
  EXPECT_EQ(call(http::verb::get, "/metrics?name=x").response.result(), http::status::ok);
}

TEST_F(EndpointsTest, ReadinessAnswers503WithTheReason) {
  EXPECT_EQ(call(http::verb::get, "/readyz").response.result(), http::status::ok);
  ready_ = {false, "draining"};
  const auto h = call(http::verb::get, "/readyz");
  EXPECT_EQ(h.response.result(), http::status::service_unavailable);
  EXPECT_EQ(h.response.body(), "draining\n");
  EXPECT_EQ(call(http::verb::get, "/healthz").response.result(), http::status::ok);
}

TEST_F(EndpointsTest, QuitIsCalledOnlyAfterTheAnswer) {
  const auto h = call(http::verb::post, "/quitquitquit");
  EXPECT_EQ(h.response.result(), http::status::ok);
  EXPECT_TRUE(h.quit_after);
  EXPECT_FALSE(h.response.keep_alive());
  EXPECT_EQ(quits_, 0);  // the server calls it once the response is written
}

TEST_F(EndpointsTest, ReloadFailureIs400WithTheErrors) {
  reload_ = {false, "resplit.yaml:3:16: routing.read_policy: unknown value"};
  const auto h = call(http::verb::post, "/reload");
  EXPECT_EQ(h.response.result(), http::status::bad_request);
  EXPECT_EQ(h.response.body(), "resplit.yaml:3:16: routing.read_policy: unknown value\n");
}

TEST_F(EndpointsTest, UnknownPathsAndWrongMethods) {
  EXPECT_EQ(call(http::verb::get, "/").response.result(), http::status::not_found);
  EXPECT_EQ(call(http::verb::get, "/metrics/").response.result(), http::status::not_found);
  EXPECT_EQ(call(http::verb::get, "").response.result(), http::status::not_found);
  const auto h = call(http::verb::delete_, "/metrics");
  EXPECT_EQ(h.response.result(), http::status::method_not_allowed);
  EXPECT_EQ(h.response[http::field::allow], "GET");
  EXPECT_EQ(call(http::verb::get, "/quitquitquit").response.result(),
            http::status::method_not_allowed);
  EXPECT_EQ(call(http::verb::post, "/healthz").response.result(), http::status::method_not_allowed);
  EXPECT_EQ(quits_, 0);
}

}  // namespace
}  // namespace resplit::admin
