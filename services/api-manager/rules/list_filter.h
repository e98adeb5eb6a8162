// List calls return only what the caller may read, with pages that still work: a page holds up to
// `limit` readable items, and its token continues after the last item EXAMINED (readable or not), so
// no item is skipped or repeated. Pure templates over a fetch function; the service plugs in a store.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nebula::api_manager {

template <class Item>
struct FilteredPage {
  std::vector<Item> items;
  std::string next_after;  // empty: no more pages
};

// fetch(after, n) -> std::pair<std::vector<Item>, bool more> (items sorted by name, after `after`).
// Stops after max_examined items even if the page is not full (a caller who may read little must not
// make one call scan everything); the token then continues from there.
template <class Item, class Fetch, class NameOf, class Keep>
FilteredPage<Item> CollectReadable(std::string after, int limit, int max_examined, Fetch&& fetch, NameOf&& name_of,
                                   Keep&& keep) {
  FilteredPage<Item> page;
  int examined = 0;
  while (true) {
    auto [batch, more] = fetch(after, limit);
    for (size_t i = 0; i < batch.size(); ++i) {
      after = name_of(batch[i]);
      ++examined;
      if (keep(batch[i])) {
        page.items.push_back(std::move(batch[i]));
        if (int(page.items.size()) == limit) {
          if (more || i + 1 < batch.size()) page.next_after = after;
          return page;
        }
      }
    }
    if (!more) return page;
    if (examined >= max_examined) {
      page.next_after = after;
      return page;
    }
  }
}

// Keeps a response under max_bytes (gRPC's 4 MiB default message limit): drops the tail once the
// budget is spent (always keeping one item), and the token then continues after the last kept item.
template <class Item, class SizeOf, class NameOf>
void TrimToBytes(FilteredPage<Item>& page, size_t max_bytes, SizeOf&& size_of, NameOf&& name_of) {
  size_t bytes = 0;
  for (size_t i = 0; i < page.items.size(); ++i) {
    bytes += size_of(page.items[i]);
    if (bytes > max_bytes && i > 0) {
      page.items.resize(i);
      page.next_after = name_of(page.items.back());
      return;
    }
  }
}

}  // namespace nebula::api_manager
