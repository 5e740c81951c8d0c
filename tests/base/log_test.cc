#include "proxy/base/log.h"

#include <gtest/gtest.h>

namespace resplit::log {
namespace {

TEST(LogTest, JsonEventIsOneObjectBodyWithEscapedFields) {
  std::string body = format_event(Format::kJson, "backend_down",
                                  {{"backend", "127.0.0.1:6379"},
                                   {"attempts", 3},
                                   {"why", "said \"no\"\nthen left"},
                                   {"routable", false}});
  EXPECT_EQ(body,
            R"("msg":"backend_down","backend":"127.0.0.1:6379","attempts":3,)"
            R"("why":"said \"no\"\nthen left","routable":false)");
}

TEST(LogTest, TextEventQuotesOnlyWhenNeeded) {
  std::string body = format_event(Format::kText, "config_loaded",
                                  {{"path", "/etc/resplit.yaml"}, {"note", "two words"}});
  EXPECT_EQ(body, R"(config_loaded path=/etc/resplit.yaml note="two words")");
}

TEST(LogTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(parse_level("debug"), Level::kDebug);
  EXPECT_EQ(parse_level("warning"), Level::kWarn);
  EXPECT_FALSE(parse_level("loud").has_value());
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_FALSE(parse_format("xml").has_value());
  EXPECT_EQ(level_name(Level::kError), "error");
}

TEST(LogTest, LevelGatesEvents) {
  init(Level::kWarn, Format::kText);
  EXPECT_FALSE(enabled(Level::kInfo));
  EXPECT_TRUE(enabled(Level::kError));
  set_level(Level::kDebug);
  EXPECT_TRUE(enabled(Level::kDebug));
}

}  // namespace
}  // namespace resplit::log
