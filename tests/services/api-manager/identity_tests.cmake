# The Identity service (h2): pure parts as unit tests; the service against real PostgreSQL and a
# nebula-api-manager with --auth required as one integration binary.
add_executable(identity_unit_test access/identity_authenticator_test.cpp access/identity_credentials_test.cpp
                                  access/identity_rules_test.cpp grpc/identity_service_test.cpp)
target_include_directories(identity_unit_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(identity_unit_test PRIVATE nebula_api_manager_grpc gRPC::grpc++ Catch2::Catch2WithMain)
target_compile_options(identity_unit_test PRIVATE ${NEBULA_WARNINGS})
catch_discover_tests(identity_unit_test PROPERTIES LABELS unit)

# Against the real stack with --auth required (nebula-devstack up --auth required, once per process).
add_executable(identity_integration_test identity_integration_test.cpp identity_matrix_test.cpp)
target_link_libraries(identity_integration_test PRIVATE nebula_test_support nebula_api_manager_access nebula_common
                      nebula_proto PkgConfig::PQXX gRPC::grpc++ Catch2::Catch2WithMain)
target_compile_options(identity_integration_test PRIVATE ${NEBULA_WARNINGS})
foreach(binary nebula-api-manager nebula-devstack)
  if(TARGET ${binary})
    add_dependencies(identity_integration_test ${binary})
  endif()
endforeach()
add_test(NAME identity.integration COMMAND identity_integration_test --durations yes)
set_tests_properties(identity.integration PROPERTIES LABELS integration TIMEOUT 600)
