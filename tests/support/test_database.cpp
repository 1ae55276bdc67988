#include "support/test_database.h"

#include <gtest/gtest.h>

#include "common/ids.h"
#include "common/validation.h"
#include "store/migrations.h"

namespace maestro::testing {

std::string BackendName(store::Backend backend) {
  return backend == store::Backend::kSqlite ? "Sqlite" : "Postgres";
}

TestDatabase::TestDatabase(store::Backend backend) : backend_(backend) {
  auto fresh = OpenFresh("main");
  if (!fresh) return;
  auto migrated = store::Migrate(*fresh);
  if (!migrated) {
    ADD_FAILURE() << "migrations failed: " << migrated.error().message;
    return;
  }
  store_ = std::move(fresh);
}

std::unique_ptr<store::Store> TestDatabase::OpenFresh(const std::string& name) {
  if (backend_ == store::Backend::kSqlite) {
    uri_ = "sqlite:" + (dir_.path() / (name + ".db")).string();
  } else {
    auto base = PostgresTestUri();
    if (!base) return nullptr;
    if (!admin_) {
      auto admin = store::OpenStore({.uri = *base, .pool_size = 1});
      if (!admin) {
        ADD_FAILURE() << admin.error().message;
        return nullptr;
      }
      admin_ = std::move(*admin);
    }
    const std::string schema = "t_" + Lower(NewId());
    if (auto created = admin_->Exec("CREATE SCHEMA " + schema, {}); !created) {
      ADD_FAILURE() << created.error().message;
      return nullptr;
    }
    schemas_.push_back(schema);
    uri_ = WithSearchPath(*base, schema);
  }
  auto opened = store::OpenStore({.uri = uri_, .pool_size = 8});
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

TestDatabase::~TestDatabase() {
  store_.reset();
  for (const auto& schema : schemas_) {
    if (auto dropped = admin_->Exec("DROP SCHEMA " + schema + " CASCADE", {}); !dropped) {
      ADD_FAILURE() << dropped.error().message;
    }
  }
}

}  // namespace maestro::testing

namespace maestro::store {
void PrintTo(Backend backend, std::ostream* out) { *out << testing::BackendName(backend); }
}  // namespace maestro::store
