# The Identity service (h2): pure parts as unit tests; the service against real PostgreSQL and a
# nebula-api-manager with --auth required as one integration binary.
add_executable(identity_unit_test identity_authenticator_test.cpp identity_credentials_test.cpp identity_rules_test.cpp)
target_link_libraries(identity_unit_test PRIVATE nebula_api_manager_core Catch2::Catch2WithMain)
target_compile_options(identity_unit_test PRIVATE ${NEBULA_WARNINGS})
catch_discover_tests(identity_unit_test PROPERTIES LABELS unit)
