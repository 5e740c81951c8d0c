// The ROLE checks of a new backend connection, on replies as Redis 7 writes them.
#include "proxy/backend/handshake.h"

#include <gtest/gtest.h>

namespace resplit::backend {
namespace {

std::string replica_role(std::string_view state, int64_t offset = 4242) {
  return "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6379\r\n$" + std::to_string(state.size()) +
         "\r\n" + std::string(state) + "\r\n:" + std::to_string(offset) + "\r\n";
}

constexpr std::string_view kMasterRole =
    "*3\r\n$6\r\nmaster\r\n:3129659\r\n"
    "*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n9001\r\n$7\r\n3129242\r\n";

TEST(HandshakeTest, OnlyAReplicaLinkedToItsMasterIsSynced) {
  EXPECT_TRUE(role_reply_is_synced_replica(replica_role("connected")));
  // Restarted and not yet through its sync: connecting, handshaking, receiving or loading.
  for (const char* state : {"connect", "connecting", "handshake", "sync", "none"}) {
    EXPECT_FALSE(role_reply_is_synced_replica(replica_role(state))) << state;
  }
  EXPECT_FALSE(role_reply_is_synced_replica(kMasterRole));
  EXPECT_FALSE(role_reply_is_synced_replica("-LOADING Redis is loading the dataset in memory\r\n"));
  EXPECT_FALSE(role_reply_is_synced_replica(""));
  EXPECT_FALSE(role_reply_is_synced_replica("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n"));
}

TEST(HandshakeTest, MasterAndOffsets) {
  EXPECT_TRUE(role_reply_is_master(kMasterRole));
  EXPECT_FALSE(role_reply_is_master(replica_role("connected")));
  EXPECT_EQ(role_reply_offset(kMasterRole), 3129659u);
  EXPECT_EQ(role_reply_offset(replica_role("connected", 77)), 77u);
  // A replica that has not synced yet reports -1.
  EXPECT_EQ(role_reply_offset(replica_role("connect", -1)), std::nullopt);
}

}  // namespace
}  // namespace resplit::backend
