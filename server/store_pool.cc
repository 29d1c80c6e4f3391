// The pool of read-only stores behind every read route.
#include "server/store_pool.h"

#include <optional>

namespace jejak::server {

Result<StorePool::Lease> StorePool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<db::Store> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(store));
    }
  }
  Result<std::unique_ptr<db::Store>> store =
      db::Store::Open({database_, std::nullopt, kept_checkpoint_, read_only_});
  if (!store) return store.error();
  return Lease(this, std::move(store).value());
}

void StorePool::Release(std::unique_ptr<db::Store> store) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(store));
}

}  // namespace jejak::server
