// One client connection: reads commands, routes each (routing::route), forwards it to a backend or
// answers it, and writes replies back in request order through its ReplyQueue. Keeps the state Redis
// keeps per connection (database, name, MULTI, WATCH, subscriptions, CLIENT REPLY mode) and lends
// itself a pinned backend connection while that state needs one.
//
// Lives on its worker's thread. Owned by its own read and write coroutines; the worker's session
// table only refers to it by index and generation.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proxy/backend/connection.h"
#include "proxy/backend/reply_sink.h"
#include "proxy/net/stream.h"
#include "proxy/net/tls_contexts.h"
#include "proxy/resp/request_parser.h"
#include "proxy/routing/router.h"
#include "proxy/server/kept_commands.h"
#include "proxy/server/local_commands.h"
#include "proxy/server/reply_queue.h"
#include "proxy/server/session_table.h"
#include "proxy/server/subscription_tracker.h"

namespace resplit::server {

class Worker;

// Bits of a backend tag's `aux` for a session's commands.
inline constexpr uint32_t kAuxExec = 1;         // EXEC: a SELECT inside MULTI takes effect
inline constexpr uint32_t kAuxWrite = 2;        // read-your-writes: may have written on the master
inline constexpr uint32_t kAuxResendable = 4;   // a master-bound write kept for a refusal
inline constexpr uint32_t kAuxRereadable = 8;   // a replica-bound read kept for a failed replica
inline constexpr uint32_t kAuxMasterRead = 16;  // a master-bound read kept for a failed master
inline constexpr uint32_t kAuxResent = 32;      // already held once: a second failure is final

// What a backend tag's `kind` means for a session.
enum class TagKind : uint32_t {
  kReply,        // a client command: its reply fills the slot
  kSwallow,      // resplit's own command (SELECT on a shared connection, fan-out copies)
  kScriptRead,   // EVALSHA_RO / EVAL_RO / FCALL_RO on a replica: NOSCRIPT goes to the master
  kPinnedEnd,    // the last reply of a pinned state (EXEC, DISCARD, UNWATCH, a blocking command)
  kProbedRead,   // a read on a replica behind a probe: stale answers are replaced by the master's
};

class ClientSession : public std::enable_shared_from_this<ClientSession>, private ReplyObserver {
 public:
  ClientSession(Worker& worker, boost::asio::ip::tcp::socket socket);
  ~ClientSession();

  // Starts reading and writing; with `tls` (client_tls on) after a TLS handshake within
  // timeouts.tls_handshake. Nothing the client sends is read before the handshake succeeds.
  void start(std::shared_ptr<const net::TlsServer> tls = nullptr);
  // Closes at once: replies not yet written are dropped, the pinned connection is closed.
  void close();
  // Stops reading and closes once every command already received is answered.
  void close_after_replies();
  // Graceful shutdown: takes in what the client has already sent, answers all of it, then closes.
  // A client blocked in a command is unblocked on its backend (CLIENT UNBLOCK), so that the
  // command's own reply still reaches it. Subscribed and monitoring clients are left for the
  // worker to close last.
  void drain();
  bool passthrough() const { return state_.subscribed || state_.monitoring; }

  // From the worker's ReplySink, for tags of this session.
  void on_reply(const backend::Tag& tag, const backend::Reply& reply);
  void on_failure(const backend::Tag& tag, errc why, bool sent);
  void on_push(const backend::Reply& reply);
  void on_passthrough_closed(errc why);
  // From the worker at the end of a backend read that completed replies of this session.
  void flush_replies();

  uint64_t id() const { return id_; }
  // How long the client has been idle, as Redis's `timeout` counts it: clients waiting on a
  // blocking command, subscribed or monitoring are never idle.
  std::chrono::steady_clock::duration idle_for(std::chrono::steady_clock::time_point now) const;

 private:
  enum class Step { kNext, kPark, kStop };
  // A command waiting for a master that takes it: a write the master refused unrun or that never
  // left resplit, or a read whose master connection failed (session_failover.cc).
  struct HeldCommand {
    ReplyQueue::Seq seq = 0;
    uint32_t refused_by = 0;
    bool read = false;    // kept in kept_, not sent_writes_
    std::string refusal;  // the reply the client gets if no master takes the command in time
    std::chrono::steady_clock::time_point since;
    uint64_t topology_version = 0;
  };

  enum class Channel : uint8_t { kNone, kShared, kPinned };
  enum class ReplyMode : uint8_t { kOn, kOff, kSkipNext };

  void run_loops();
  boost::asio::awaitable<void> tls_handshake();
  boost::asio::awaitable<void> read_loop();
  void prepare_input();
  boost::asio::awaitable<void> write_loop();
  void wake_writer();
  void wake_reader();
  bool process_input();  // false: parked
  void read_available();
  void finish_drain_if_done();

  // Dispatch (session_dispatch.cc).
  Step handle(const resp::Frame& frame);
  Step forward_shared(const routing::Route& route, const routing::Classified& command,
                      const resp::Frame& frame);
  Step forward_pinned(const routing::Route& route, const routing::Classified& command,
                      const resp::Frame& frame);
  Step fanout(const routing::Route& route, const resp::Frame& frame);
  backend::Connection* shared_connection(size_t backend);
  bool send_bytes(backend::Connection& connection, std::string_view bytes, ReplyQueue::Seq seq,
                  TagKind kind, uint32_t aux, bool deadline);
  backend::Tag tag(ReplyQueue::Seq seq, TagKind kind, uint32_t aux) const;
  std::string_view wire_bytes(const resp::Frame& frame);
  // `plain_read`: a read that may be asked again; any other slot moves reask_from_.
  ReplyQueue::Seq take_slot(bool plain_read = false);
  void reply_now(std::string_view reply);
  void release_pinned(bool clean);
  void release_pinned_if_done();
  // `at_read_end`: called for a reply from a backend read, whose end the worker reports
  // (Worker::on_read_end); plain-TCP replies are then written from there, not by the writer.
  void after_reply(bool at_read_end = false);
  int databases() const;

  // Metrics (session_metrics.cc): what the next reply slots are metered as, and the count of each
  // routing decision.
  void meter_route(const routing::Route& route, const routing::Classified& command,
                   const resp::Frame& frame);
  void on_complete(const SlotMeter& meter, std::string_view reply) override;
  void on_abandon(const SlotMeter& meter) override;

  // Commands answered by resplit (session_local.cc).
  Step run_local(const routing::Classified& command, const resp::Frame& frame);
  Step run_local_kind(const routing::Classified& command, const resp::Frame& frame);
  void auth(std::span<const std::string_view> args);
  void hello(std::span<const std::string_view> args);
  Step wait_for_replicas(std::span<const std::string_view> args);
  bool check_credentials(std::string_view user, std::string_view password) const;
  void reset_session_facts();
  local::ClientFacts facts() const;

  // Writes across a failover (session_failover.cc).
  Step wait_for_master();
  // An error a node gives without running the command (READONLY, NOREPLICAS, MASTERDOWN, LOADING):
  // a write may go to the next master, a replica read to the master.
  static bool is_refusal(std::string_view error);
  // Backpressure: more commands or write bytes await replies than resplit should hold for one
  // client (divisor 1), or still more than half of that (divisor 2, to resume reading).
  bool too_much_in_flight(size_t divisor) const;
  void hold_write_for_master(ReplyQueue::Seq seq, std::string_view refusal);
  bool hold_read_for_master(const backend::Tag& t, errc why, std::string_view failure);
  void hold(ReplyQueue::Seq seq, uint32_t node, std::string_view refusal, bool read);
  // Whether the node that ran `write` has stopped being the master resplit trusts (it
  // trusts another one, or none while a failover runs and the node has missed a poll since):
  // a hung master answering late, whose writes the next master may never get.
  bool answered_by_untrusted_master(const KeptCommands::Kept& write);
  bool can_resend(const HeldCommand& held, std::chrono::steady_clock::time_point now);
  boost::asio::awaitable<void> resend_loop();

  // A kept read whose replica connection failed, sent to the master (session_reread.cc); false
  // when it may not be (then it is no longer kept).
  bool retry_read_on_master(const backend::Tag& t, errc why);

  // Read-your-writes and WAIT (session_consistency.cc).
  void note_write_sent(backend::Connection& connection, bool pinned);
  void note_write_answered();
  void refresh_consistency();
  bool try_probed_read(const routing::Classified& command, const resp::Frame& frame);
  // `not_run`: the replica answered without running it (-LOADING, -MASTERDOWN).
  bool finish_probed_read(const backend::Tag& tag, const backend::Reply& reply, bool not_run);
  size_t replicas_at(uint64_t offset);
  void probe_replicas();
  boost::asio::awaitable<void> wait_loop(ReplyQueue::Seq seq, int64_t wanted,
                                         std::chrono::steady_clock::time_point deadline);

  Worker& worker_;
  net::Stream stream_;
  SessionTable<ClientSession>::Handle handle_{};
  uint64_t id_;
  std::string peer_;
  std::string local_;
  std::chrono::steady_clock::time_point created_;
  std::chrono::steady_clock::time_point last_command_;

  // Input.
  std::string in_;
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  resp::RequestParser parser_;
  std::string encoded_;  // inline commands re-encoded as RESP
  std::string scratch_;  // replies and commands resplit builds

  // Output.
  ReplyQueue queue_;
  SlotMeter meter_;  // given to every slot taken for the command being handled
  std::string writing_;
  boost::asio::steady_timer writer_wake_;
  boost::asio::steady_timer reader_wake_;
  bool writer_waiting_ = false;
  bool flush_listed_ = false;  // in the worker's list for the end of the backend read
  bool reader_parked_ = false;
  // Parked because too many of its commands await replies (kPauseReadingAt), not for ordering.
  bool backpressured_ = false;
  bool closing_ = false;   // no more input; close once replies are written
  bool draining_ = false;  // shutting down: no more reads, close when all is answered
  bool blocking_in_flight_ = false;
  bool closed_ = false;

  // Connection state Redis keeps per client.
  bool authenticated_ = false;
  std::string user_ = "default";
  std::string name_;
  int db_ = 0;
  ReplyMode reply_mode_ = ReplyMode::kOn;
  routing::SessionState state_;
  SubscriptionTracker subscriptions_;
  bool passthrough_reset_ = false;  // RESET went down a passthrough connection
  int multi_db_ = -1;               // SELECT queued inside MULTI takes effect at EXEC

  // Backend side.
  Channel channel_ = Channel::kNone;
  std::shared_ptr<backend::Connection> pinned_;
  uint32_t pinned_backend_id_ = 0;  // the pool it came from

  // Replica reads kept until their answer shows whether they must be sent again to the master:
  // plain reads (their replica may fail), reads behind a probe (required_offset > 0) and *_RO
  // scripts (NOSCRIPT). Keyed by slot. Master reads are kept too (kAuxMasterRead) and wait for the
  // next master when theirs fails. A plain read is asked again only if the client sent nothing but
  // plain reads after it, wherever they went: if its slot is at or after reask_from_, the slot
  // after the last command that was not a plain read (session_reread.cc, session_failover.cc).
  KeptCommands kept_;
  ReplyQueue::Seq reask_from_ = 0;

  // Read-your-writes: the probe that will report the offset covering this client's writes, per
  // master connection they went through.
  struct WriteMark {
    std::weak_ptr<backend::Connection> connection;
    uint64_t probe = 0;
    std::chrono::steady_clock::time_point lost_at{};
  };
  uint32_t writes_in_flight_ = 0;
  std::vector<WriteMark> write_marks_;
  uint64_t required_offset_ = 0;
  uint64_t stale_probed_reads_ = 0;
  bool hold_until_idle_ = false;  // WAIT: later commands run only after it returns
  // The replica this input batch's reads went to (routing::Load::batch_replica), and the ticket
  // its commands count their routing choices from (routing::Load::ticket).
  size_t batch_replica_ = routing::kNoBackend;
  uint64_t batch_ticket_ = 0;
  uint64_t batch_commands_ = 0;

  // Commands across a failover (session_failover.cc): master-bound writes are kept until
  // answered; those the master refused unrun, and reads whose master connection failed, are held
  // for the next master.
  KeptCommands sent_writes_;
  std::vector<HeldCommand> held_;
  bool resend_running_ = false;
  std::chrono::steady_clock::time_point no_master_since_{};
  std::chrono::steady_clock::time_point wake_at_ = std::chrono::steady_clock::time_point::max();

  friend class Worker;

};

}  // namespace resplit::server
