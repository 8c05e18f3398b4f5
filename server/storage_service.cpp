#include "server/storage_service.hpp"

#include <stdexcept>
#include <stop_token>
#include <utility>

#include "core/process.hpp"

namespace otter::server {

namespace {

void require_outside_process(const char* what) {
  if (core::Process::current() != nullptr) {
    throw std::logic_error(std::string(what) +
                           " blocks on the database and may not be called from a process handler; "
                           "run it in a task");
  }
}

}  // namespace

// A reader connection borrowed from the pool for the length of one blocking call.
class StorageService::ReaderLease {
 public:
  ReaderLease(StorageService& owner, std::unique_ptr<storage::Store> store)
      : owner_(&owner), store_(std::move(store)) {}
  ReaderLease(ReaderLease&& other) noexcept : owner_(other.owner_), store_(std::move(other.store_)) {}
  ReaderLease& operator=(ReaderLease&&) = delete;
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  ~ReaderLease() {
    if (store_) owner_->give_back(std::move(store_));
  }
  [[nodiscard]] storage::Store& operator*() const noexcept { return *store_; }
  [[nodiscard]] storage::Store* operator->() const noexcept { return store_.get(); }

 private:
  StorageService* owner_;
  std::unique_ptr<storage::Store> store_;
};

storage::Expected<std::unique_ptr<StorageService>> StorageService::open_sqlite(core::Runtime& runtime,
                                                                             StorageOptions options) {
  storage::Expected<std::unique_ptr<storage::SqliteStore>> writer_store =
      storage::SqliteStore::open(options.path, options.sqlite);
  if (!writer_store) return std::move(writer_store).error();
  StoreFactory open_reader = [path = options.path,
                              sqlite = options.sqlite]() -> storage::Expected<std::unique_ptr<storage::Store>> {
    storage::Expected<std::unique_ptr<storage::SqliteStore>> reader = storage::SqliteStore::open(path, sqlite);
    if (!reader) return std::move(reader).error();
    return std::unique_ptr<storage::Store>(std::move(*reader));
  };
  return std::make_unique<StorageService>(runtime, std::move(*writer_store), std::move(open_reader), options.writer,
                                          options.blocking_threads);
}

StorageService::StorageService(core::Runtime& runtime, std::unique_ptr<storage::Store> writer_store,
                               StoreFactory open_reader, storage::WriterOptions writer_options,
                               unsigned blocking_threads)
    : runtime_(runtime),
      writer_store_(std::move(writer_store)),
      open_reader_(std::move(open_reader)),
      writer_(*writer_store_, writer_options),
      tasks_(runtime, core::TaskSupervisorOptions{.threads = blocking_threads == 0 ? 1 : blocking_threads}) {}

StorageService::~StorageService() { stop(); }

void StorageService::stop() {
  std::call_once(stop_once_, [this] {
    tasks_.shutdown();
    writer_.stop();
  });
}

// --- readers ----------------------------------------------------------------------------

storage::Expected<StorageService::ReaderLease> StorageService::lease_reader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<storage::Store> reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(reader));
    }
  }
  storage::Expected<std::unique_ptr<storage::Store>> reader = open_reader_();
  if (!reader) return std::move(reader).error();
  return ReaderLease(*this, std::move(*reader));
}

void StorageService::give_back(std::unique_ptr<storage::Store> reader) {
  std::lock_guard lock(readers_mutex_);
  idle_readers_.push_back(std::move(reader));
}

// --- asynchronous -----------------------------------------------------------------------

void StorageService::load(core::Pid reply_to, std::string doc_id, LoadOptions options) {
  // Not linked: a failing read is an answer, not a reason for the document to die with it.
  // The handle is dropped: the answer travels as a message, and the task ends on its own
  // (or is shut down when reply_to exits first).
  static_cast<void>(tasks_.async_nolink(
      reply_to, [this, reply_to, doc_id = std::move(doc_id), options](const std::stop_token& stop) {
        DocumentLoaded loaded{doc_id, load_now(doc_id, options)};
        if (!stop.stop_requested()) runtime_.send(reply_to, std::move(loaded));
      }));
}

storage::Expected<std::optional<LoadedState>> StorageService::load_now(const std::string& doc_id,
                                                                       const LoadOptions& options) {
  // The ordering hazard of the header: see every write handed to the writer before now.
  writer_.flush();
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  storage::Store& store = **reader;

  LoadedState state;
  storage::Expected<storage::LoadedDocument> loaded = store.load(doc_id);
  if (!loaded && loaded.error().code == storage::ErrorCode::not_found) {
    if (!options.create_if_missing) return std::optional<LoadedState>{};
    storage::Expected<void> created = store.create_document(doc_id);
    if (!created && created.error().code != storage::ErrorCode::already_exists) return std::move(created).error();
    state.created = static_cast<bool>(created);
    loaded = store.load(doc_id);
  }
  if (!loaded) return std::move(loaded).error();

  storage::LoadedDocument& document = *loaded;
  state.clients = std::move(document.clients);
  state.snapshot_revision = document.snapshot.revision;
  const std::uint64_t head = document.head_revision();
  const std::uint64_t wanted_base = head > options.history ? head - options.history : 0;
  if (wanted_base < document.snapshot.revision) {
    // The latest snapshot leaves too little history in memory: start further back. No
    // other writer touches this document now (its process is the only one, and it waits
    // for this load), so these reads agree with the load above.
    storage::Expected<std::string> text = store.text_at(doc_id, wanted_base);
    if (!text) return std::move(text).error();
    storage::Expected<std::vector<storage::StoredOp>> ops = store.ops_since(doc_id, wanted_base, head - wanted_base);
    if (!ops) return std::move(ops).error();
    state.base_text = std::move(*text);
    state.base_revision = wanted_base;
    state.ops = std::move(*ops);
  } else {
    state.base_text = std::move(document.snapshot.text);
    state.base_revision = document.snapshot.revision;
    state.ops = std::move(document.ops);
  }
  return std::optional<LoadedState>{std::move(state)};
}

storage::Expected<void> StorageService::append(storage::DocumentWrite write,
                                               storage::StorageWriter::Completion on_durable) {
  return writer_.submit(std::move(write), std::move(on_durable));
}

// --- blocking ---------------------------------------------------------------------------

storage::Expected<void> StorageService::create_document(std::string_view id) {
  require_outside_process("StorageService::create_document");
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  return (*reader)->create_document(id);
}

storage::Expected<void> StorageService::delete_document(std::string_view id) {
  require_outside_process("StorageService::delete_document");
  writer_.flush();
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  return (*reader)->delete_document(id);
}

storage::Expected<std::vector<storage::DocumentInfo>> StorageService::list_documents() {
  require_outside_process("StorageService::list_documents");
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  return (*reader)->list_documents();
}

storage::Expected<storage::DocumentInfo> StorageService::document_info(std::string_view id) {
  require_outside_process("StorageService::document_info");
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  return (*reader)->document_info(id);
}

storage::Expected<std::vector<storage::StoredOp>> StorageService::ops_since(std::string_view id,
                                                                            std::uint64_t revision,
                                                                            std::size_t limit) {
  require_outside_process("StorageService::ops_since");
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  return (*reader)->ops_since(id, revision, limit);
}

storage::Expected<std::string> StorageService::text_at(std::string_view id, std::uint64_t revision) {
  require_outside_process("StorageService::text_at");
  storage::Expected<ReaderLease> reader = lease_reader();
  if (!reader) return std::move(reader).error();
  return (*reader)->text_at(id, revision);
}

void StorageService::flush() {
  require_outside_process("StorageService::flush");
  writer_.flush();
}

}  // namespace otter::server
