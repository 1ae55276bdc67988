#include "inventory/list_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace maestro::inventory {
namespace {

TEST(ListCacheTest, HitsOnlyForTheSameChangeCounter) {
  ListCache cache;
  const auto key = ListCache::Key("SELECT COUNT(*) FROM records WHERE kind = ?", {"servers"});
  EXPECT_FALSE(cache.Find(key, "7"));
  cache.Put(
      key, "7",
      {.count = 2,
       .ids = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"a", "b"})});
  auto hit = cache.Find(key, "7");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->count, 2);
  ASSERT_TRUE(hit->ids);
  EXPECT_EQ(*hit->ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(cache.Find(key, "8")) << "anything changed since: the query must run again";
  cache.Put(key, "8", {.count = 43});
  EXPECT_EQ(cache.Find(key, "8")->count, 43);
  EXPECT_FALSE(cache.Find(key, "8")->ids);
  EXPECT_FALSE(cache.Find(key, "7"));
}

TEST(ListCacheTest, KeysTellParametersAndTheirTypesApart) {
  const std::string sql = "SELECT COUNT(*) FROM records WHERE a = ? AND b = ?";
  const auto a = ListCache::Key(sql, {"1", std::int64_t{2}});
  EXPECT_NE(a, ListCache::Key(sql, {std::int64_t{1}, std::int64_t{2}}));
  EXPECT_NE(a, ListCache::Key(sql, {"1", "2"}));
  EXPECT_NE(a, ListCache::Key(sql, {"1", std::int64_t{3}}));
  EXPECT_NE(ListCache::Key(sql, {"a\x1fsb", ""}), ListCache::Key(sql, {"a", "b\x1fs"}))
      << "a separator inside a value must not make two parameter lists equal";
  EXPECT_EQ(a, ListCache::Key(sql, {"1", std::int64_t{2}}));
}

TEST(ListCacheTest, CallersMissingTogetherWaitForOneMaker) {
  ListCache cache;
  std::atomic<int> made = 0;
  std::atomic<bool> fail_first = true;
  auto make = [&]() -> Result<ListCache::Entry> {
    ++made;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the others arrive meanwhile
    if (fail_first.exchange(false)) return Fail(ErrorCode::kUnavailable, "first try fails");
    return ListCache::Entry{.count = 7};
  };
  std::vector<std::thread> threads;
  std::atomic<int> failed = 0, got = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto entry = cache.FindOrMake("list", "g1", make);
      if (!entry) {
        ++failed;
      } else if (entry->count == 7) {
        ++got;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed, 1) << "a failure is its maker's own";
  EXPECT_EQ(got, 7);
  EXPECT_EQ(made, 2) << "once failed, once made: the waiters did not make it again";
  EXPECT_EQ(cache.Find("list", "g1")->count, 7);
  // Another generation is made afresh.
  auto other = cache.FindOrMake(
      "list", "g2", [&]() -> Result<ListCache::Entry> { return ListCache::Entry{.count = 9}; });
  ASSERT_TRUE(other);
  EXPECT_EQ(other->count, 9);
}

TEST(ListCacheTest, StartsAfreshWhenFull) {
  ListCache cache(2);
  cache.Put("a", "1", {.count = 1});
  cache.Put("b", "1", {.count = 2});
  cache.Put("a", "1", {.count = 3});  // an update does not overflow
  EXPECT_EQ(cache.Find("b", "1")->count, 2);
  cache.Put("c", "1", {.count = 4});
  EXPECT_FALSE(cache.Find("a", "1"));
  EXPECT_EQ(cache.Find("c", "1")->count, 4);
}

TEST(ListCacheTest, BoundsTheIdsItHolds) {
  ListCache cache(100, 5);
  auto ids = [](int n) {
    return std::make_shared<std::vector<std::string>>(static_cast<std::size_t>(n), "id");
  };
  cache.Put("a", "1", {.count = 3, .ids = ids(3)});
  cache.Put("a", "1", {.count = 3, .ids = ids(3)});  // replacing frees the old ids
  cache.Put("b", "1", {.count = 2, .ids = ids(2)});
  EXPECT_TRUE(cache.Find("a", "1"));
  EXPECT_TRUE(cache.Find("b", "1"));
  cache.Put("c", "1", {.count = 1, .ids = ids(1)});  // 6 > 5: starts afresh
  EXPECT_FALSE(cache.Find("a", "1"));
  EXPECT_TRUE(cache.Find("c", "1"));
  cache.Put("d", "1", {.count = 6, .ids = ids(6)});  // more than the whole budget: not kept
  EXPECT_FALSE(cache.Find("d", "1"));
  EXPECT_TRUE(cache.Find("c", "1"));
}

TEST(ListCacheTest, PagesAreKeptUnderTheirListAndCountTowardsTheBound) {
  const auto list = ListCache::Key("SELECT r.id FROM records r WHERE kind = ?", {"servers"});
  const auto page = ListCache::PageKey(list, 50, 50);
  EXPECT_NE(page, ListCache::PageKey(list, 0, 50));
  EXPECT_NE(page, ListCache::PageKey(list, 50, 25));
  ListCache cache(100, 2);
  const std::string items = "[{\"id\":\"a\"}" + std::string(2 * ListCache::kBytesPerId, ' ') + "]";
  cache.Put(page, "1", {.count = 3, .items = std::make_shared<const std::string>(items)});
  auto hit = cache.Find(page, "1");
  ASSERT_TRUE(hit && hit->items);
  EXPECT_EQ(*hit->items, items);
  EXPECT_FALSE(cache.Find(page, "2"));
  cache.Put(list, "1", {.count = 3, .ids = std::make_shared<std::vector<std::string>>(1, "a")});
  EXPECT_FALSE(cache.Find(page, "1")) << "a page of two ids' size and one id are over the bound";
  EXPECT_TRUE(cache.Find(list, "1"));
}

}  // namespace
}  // namespace maestro::inventory
