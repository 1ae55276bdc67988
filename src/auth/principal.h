// Principal: who is calling, as established from the Authorization header.
#pragma once

#include <string>

namespace maestro::auth {

struct Principal {
  enum class Via { kLogin, kApiToken };
  std::string user_id;
  std::string name;
  bool is_admin = false;  // instance admin
  Via via = Via::kLogin;
  // Who history names as the author of changes: the user, or a connection syncing for its owner
  // (then `user_id` is the owner, whose access applies).
  std::string actor_type = "user";
  std::string actor_id;  // empty: user_id

  const std::string& actor() const { return actor_id.empty() ? user_id : actor_id; }
};

}  // namespace maestro::auth
