#pragma once
// memcached://host:port: counters in a memcached server, shared by every process that
// points at it.
//
// memcached has no scripts, so each hit is an optimistic transaction on one item per key:
// `gets` the item (value and CAS token), run the strategy's arithmetic from window_math.hpp
// on the decoded state, and write the new state back with `cas` (or `add` when the key is
// new). When another client changed the item in between, the write is refused and the hit
// starts again, a bounded number of times. A hit whose state comes out unchanged (most
// refused hits) writes nothing. The item expires when its state no longer matters.
//
// Connections come from a small pool of libmemcached clients (limit_storage_options::
// pool_size), held for one attempt at a time; each request waits at most
// limit_storage_options::timeout (a free connection, at most five times that), and a server
// that refused a connection is not tried again for a second, so hits fail fast while it is
// down. Failures are returned as limit_storage_errc values, never thrown.
#include <bastion/ratelimit/storage.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bastion::detail {

std::unique_ptr<limit_storage> make_memcached_storage(std::string_view host, std::uint16_t port,
                                                      const limit_storage_options& options);

struct memcached_address {
  std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
  std::uint16_t port = 11211;
};

// "memcached://host", "memcached://host:port", "memcached://[v6]:port", with an optional
// trailing '/'. Anything else (no host, a bad or zero port, a path, a query) is malformed.
std::optional<memcached_address> parse_memcached_uri(std::string_view uri);

}  // namespace bastion::detail
