// TestDatabase: a migrated, empty database of either backend for one test — a SQLite file in a
// temp dir, or a schema of its own on the PostgreSQL of MAESTRO_TEST_PG_URI (dropped afterwards).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "store/open.h"
#include "store/store.h"
#include "support/test_support.h"

namespace maestro::testing {

class TestDatabase {
 public:
  // Records a test failure (and leaves store() null) when the database cannot be made.
  explicit TestDatabase(store::Backend backend);
  ~TestDatabase();

  store::Store* store() { return store_.get(); }
  // The URI the store was opened with (to open more stores on the same database).
  const std::string& uri() const { return uri_; }
  // A new, empty, unmigrated database of the same backend (for migration tests).
  std::unique_ptr<store::Store> OpenFresh(const std::string& name);

 private:
  store::Backend backend_;
  TempDir dir_;
  std::unique_ptr<store::Store> admin_;
  std::vector<std::string> schemas_;
  std::string uri_;
  std::unique_ptr<store::Store> store_;
};

std::string BackendName(store::Backend backend);

}  // namespace maestro::testing

namespace maestro::store {
// Readable test names: "Backends/StoreTest.Something/Sqlite".
void PrintTo(Backend backend, std::ostream* out);
}  // namespace maestro::store
