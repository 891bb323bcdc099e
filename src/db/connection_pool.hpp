#pragma once
// The connection pool both database backends share: at most `size` connections, idle
// ones reused last-in first-out, new ones opened outside the lock, and a bounded wait
// (then db_errc::unavailable and a throttled warning) when every connection is leased.
#include <bastion/db/database.hpp>
#include <bastion/log/log.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace bastion::db {

template <class Connection>
class connection_pool {
 public:
  // `log_fields` identify the database in the pool-exhausted warning (never a password).
  connection_pool(std::size_t size, std::chrono::milliseconds wait, boost::json::object log_fields)
      : size_(size), wait_(wait), log_fields_(std::move(log_fields)) {
    idle_.reserve(size_);  // so that release() never allocates
  }

  std::size_t size() const noexcept { return size_; }

  // An idle connection for which `usable` holds (others are dropped), or a new one from
  // `open`. Both callables may throw; that counts as unavailable.
  template <class Open, class Usable>
  boost::system::result<std::unique_ptr<Connection>> acquire(Open&& open, Usable&& usable) {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + wait_;
    for (;;) {
      while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (usable(*c)) return c;
        --open_;  // dropped: c closes as it goes out of scope
      }
      if (open_ < size_) {
        ++open_;  // claims the slot while opening outside the lock
        lock.unlock();
        boost::system::result<std::unique_ptr<Connection>> c = db_errc::unavailable;
        try {
          c = open();
        } catch (...) {
          c = db_errc::unavailable;
        }
        if (!c) {
          lock.lock();
          --open_;
          released_.notify_one();
        }
        return c;
      }
      if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= size_) {
        std::uint64_t suppressed = 0;
        if (exhausted_log_.allow(suppressed)) {
          auto fields = log_fields_;
          fields["pool_size"] = size_;
          fields["suppressed"] = suppressed;
          log::warn("db", "pool_exhausted", std::move(fields));
        }
        return db_errc::unavailable;
      }
    }
  }

  // Gives a leased connection back; with `keep` false it is closed instead (outside the
  // lock) and its slot freed.
  void release(std::unique_ptr<Connection> c, bool keep) {
    {
      std::lock_guard lock(mutex_);
      if (keep) idle_.push_back(std::move(c));
      else --open_;
    }
    released_.notify_one();
  }

 private:
  const std::size_t size_;
  const std::chrono::milliseconds wait_;
  const boost::json::object log_fields_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle plus leased
  log::rate_limited exhausted_log_{std::chrono::seconds(10)};
};

}  // namespace bastion::db
