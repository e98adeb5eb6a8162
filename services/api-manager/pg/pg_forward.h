// pqxx::connection without <pqxx/pqxx>, so headers of the PostgreSQL adapters stay light. In
// libpqxx 6.4 it is an alias of a template (7.x makes it a class: change this line then).
#pragma once

namespace pqxx {
class connect_direct;
template <typename CONNECTPOLICY>
class basic_connection_base;
using connection = basic_connection_base<connect_direct>;
}  // namespace pqxx
