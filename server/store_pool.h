// Read-only stores for the worker threads: SOCI sessions are not thread-safe, so each
// request leases a store of its own and gives it back when done. Appends never use these;
// they go through the AppendWriter's single write store.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/store.h"

namespace jejak::server {

class StorePool {
 public:
  // Stores open `database` without a signer; `kept_checkpoint` is the path of the kept
  // checkpoint file (db/kept_checkpoint.h).
  // With `read_only`, they open without migrating (db::StoreOptions::read_only).
  StorePool(std::string database, std::string kept_checkpoint, bool read_only = false)
      : database_(std::move(database)),
        kept_checkpoint_(std::move(kept_checkpoint)),
        read_only_(read_only) {}

  // One leased store; returned to the pool when the lease is destroyed. The pool must
  // outlive every lease.
  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<db::Store> store) : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Release(std::move(store_));
    }
    db::Store* operator->() { return store_.get(); }
    db::Store& get() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<db::Store> store_;
  };

  // An idle store, or a newly opened one. kUnavailable (from db::Store::Open) if the
  // database cannot be opened. Thread-safe.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<db::Store> store);

  std::string database_;
  std::string kept_checkpoint_;
  bool read_only_ = false;
  std::mutex mutex_;
  std::vector<std::unique_ptr<db::Store>> idle_;
};

}  // namespace jejak::server
