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
};

}  // namespace maestro::auth
