// The knobs of the document service, each with its default as a named constant. otterd's
// YAML config maps onto these structs one key per field (docs/architecture.md lists them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "ot/revision_log.hpp"

namespace otter::server {

// ---------------------------------------------------------------- document processes

inline constexpr std::size_t kDefaultMaxHistory = ot::RevisionLog::kDefaultMaxHistory;
inline constexpr std::size_t kDefaultMaxDocCodePoints = 10 * 1024 * 1024;  // protocol.md's limit
inline constexpr std::size_t kDefaultSnapshotEveryOps = 1'000;
inline constexpr std::size_t kDefaultHistoryOnLoad = 1'000;
inline constexpr std::size_t kDefaultMaxPendingOps = 10'000;
inline constexpr std::chrono::milliseconds kDefaultDocumentIdleTimeout{60'000};

struct DocumentOptions {
  // Ops kept in memory: a client whose base revision is older gets resync_required, and a
  // resuming client further behind gets the full text instead of the ops.
  std::size_t max_history = kDefaultMaxHistory;
  // Largest document, in code points (doc_too_large beyond it).
  std::size_t max_code_points = kDefaultMaxDocCodePoints;
  // A snapshot rides along with the write that crosses every this many ops (0: never),
  // so a reload replays at most about this many ops.
  std::size_t snapshot_every_ops = kDefaultSnapshotEveryOps;
  // On (re)load, at least this many of the newest ops are read back into memory (from
  // before the latest snapshot if need be), so sessions that were a little behind when the
  // process crashed can catch up from ops instead of the full text.
  std::size_t history_on_load = kDefaultHistoryOnLoad;
  // Ops applied but not yet durable, at most. Beyond it new ops are refused with
  // storage_unavailable (not applied): storage has fallen behind.
  std::size_t max_pending_ops = kDefaultMaxPendingOps;
  // A document no session has open stops after this long without a message, once all its
  // writes are durable (a final snapshot first). It reloads on the next open.
  std::chrono::milliseconds idle_timeout = kDefaultDocumentIdleTimeout;
};

// ---------------------------------------------------------------- sessions

inline constexpr std::size_t kDefaultMaxOpenDocs = 64;
inline constexpr std::uint32_t kDefaultOpsPerSecond = 200;
inline constexpr std::size_t kDefaultMaxOpBytes = 256 * 1024;
inline constexpr std::size_t kDefaultMaxFrameBytes = 1024 * 1024;
inline constexpr std::size_t kDefaultMaxOutboundBytes = 4 * 1024 * 1024;
inline constexpr std::chrono::milliseconds kDefaultHeartbeat{15'000};
inline constexpr std::chrono::milliseconds kDefaultFlushRetry{2};
inline constexpr std::size_t kDefaultFlushHoldBytes = 64 * 1024;
inline constexpr std::chrono::milliseconds kDefaultOpenTimeout{10'000};

struct SessionOptions {
  std::size_t max_open_docs = kDefaultMaxOpenDocs;  // too_many_docs beyond it
  // Token bucket: this many ops per second sustained, bursts of up to this many
  // (rate_limited beyond it).
  std::uint32_t ops_per_second = kDefaultOpsPerSecond;
  std::size_t max_op_bytes = kDefaultMaxOpBytes;  // an op's compact JSON (op_too_large)
  // Bytes queued for the client (in the socket's queue plus entries held for the next
  // flush) above which the session is closed with slow_consumer (1008).
  std::size_t max_outbound_bytes = kDefaultMaxOutboundBytes;
  // While the socket has at least flush_hold_bytes not yet written (a client that reads
  // slower than we send), entries are held and flushed as one frame once it drained below
  // that; flush_retry is how often the session looks again. Below it a flush sends at
  // once: a frame still being written on a healthy socket leaves within microseconds, and
  // holding behind it cost every ack up to flush_retry (the hot-document profile,
  // docs/benchmarks.md). 0 holds whenever anything is in flight.
  std::size_t flush_hold_bytes = kDefaultFlushHoldBytes;
  std::chrono::milliseconds flush_retry = kDefaultFlushRetry;
  // How long opening a document may take (loading it from storage) before internal_error.
  std::chrono::milliseconds open_timeout = kDefaultOpenTimeout;
  // Advertised in `welcome` only: net/ enforces the frame limit and sends the pings.
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::chrono::milliseconds heartbeat = kDefaultHeartbeat;
  std::string server_name = "otterd/0.1.0";
  // Who may crash documents from the dashboard (`crash`; others get forbidden): every
  // connection when admin_all (otterd --dev, server.admin_api), else a connection whose
  // hello.token equals admin_token (empty: none).
  bool admin_all = false;
  std::string admin_token;
};

}  // namespace otter::server
