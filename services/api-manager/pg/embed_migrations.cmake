cmake_minimum_required(VERSION 3.25)
# Wraps every pg/migrations/NNNN_name.sql in a raw string literal, so the binary carries its schema and
# needs no files at run time. Run with -DMIGRATIONS_DIR=... -DOUTPUT=...
file(GLOB files RELATIVE ${MIGRATIONS_DIR} ${MIGRATIONS_DIR}/*.sql)
list(SORT files)
set(delimiter "nebula_sql")
set(body "")
set(seen_versions "")
foreach(f IN LISTS files)
  if(NOT f MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration file ${f}: name it NNNN_lowercase_name.sql")
  endif()
  set(digits ${CMAKE_MATCH_1})
  set(name ${CMAKE_MATCH_2})
  string(REGEX REPLACE "^0+" "" version "${digits}")
  if(version STREQUAL "")
    message(FATAL_ERROR "migration file ${f}: versions start at 0001")
  endif()
  if(version IN_LIST seen_versions)
    message(FATAL_ERROR "migration version ${digits} is used twice")
  endif()
  list(APPEND seen_versions ${version})
  file(READ ${MIGRATIONS_DIR}/${f} sql)
  string(FIND "${sql}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration ${f} contains the raw-string delimiter )${delimiter}\"")
  endif()
  string(APPEND body "    {${version}, \"${digits}_${name}\", R\"${delimiter}(${sql})${delimiter}\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from services/api-manager/pg/migrations by embed_migrations.cmake. Do not edit.
#include \"api-manager/rules/migration_plan.h\"

namespace nebula::api_manager {

const std::vector<Migration>& EmbeddedMigrations() {
  static const std::vector<Migration> migrations = {
${body}  };
  return migrations;
}

}  // namespace nebula::api_manager
")
# Only touch the output when it changed, so unrelated builds do not recompile it.
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
