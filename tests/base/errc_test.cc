#include "proxy/base/errc.h"

#include <gtest/gtest.h>

#include "proxy/base/error_text.h"

namespace resplit {
namespace {

TEST(ErrcTest, ConvertsToErrorCodeInResplitCategory) {
  boost::system::error_code ec = errc::kBackendTimeout;
  EXPECT_EQ(&ec.category(), &resplit_category());
  EXPECT_STREQ(ec.category().name(), "resplit");
  EXPECT_EQ(ec.message(), "backend command timed out");
  EXPECT_TRUE(ec == errc::kBackendTimeout);
  EXPECT_FALSE(ec == errc::kBackendClosed);
}

TEST(ErrcTest, EveryCodeHasItsOwnMessage) {
  for (int i = static_cast<int>(errc::kProtocolError); i <= static_cast<int>(errc::kConfigInvalid);
       ++i) {
    EXPECT_NE(resplit_category().message(i), "unknown resplit error") << i;
  }
}

TEST(ErrorTextTest, EveryTextIsOneCompleteRespErrorLine) {
  for (std::string_view t :
       {text::kInvalidMultibulkLength, text::kInvalidBulkLength, text::kUnbalancedQuotes,
        text::kTooBigInlineRequest, text::kMaxClients, text::kNoAuth, text::kWrongPass,
        text::kNoProto, text::kNoRoutableReplica, text::kNoMaster, text::kBackendTimeout,
        text::kBackendClosed, text::kBackendProtocolError, text::kBackendUnavailable}) {
    ASSERT_GE(t.size(), 3u);
    EXPECT_EQ(t.front(), '-') << t;
    EXPECT_EQ(t.substr(t.size() - 2), "\r\n") << t;
    EXPECT_EQ(t.find('\r'), t.size() - 2) << t;
    EXPECT_EQ(t.find('\n'), t.size() - 1) << t;
  }
}

TEST(ErrorTextTest, OwnErrorsCarryTheStablePrefix) {
  for (std::string_view t : {text::kNoRoutableReplica, text::kNoMaster, text::kBackendTimeout,
                             text::kBackendClosed, text::kBackendUnavailable}) {
    EXPECT_EQ(t.rfind("-ERR resplit: ", 0), 0u) << t;
  }
}

}  // namespace
}  // namespace resplit
