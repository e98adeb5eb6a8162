# Installs the SDK component into a fresh prefix, configures sdk/cpp/examples as a separate project
# with find_package(Nebula), builds it, and runs the example against an address where nothing
# listens: it must fail with its one-line error (exit 1), proving it linked and ran.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --component nebula_sdk --prefix ${WORK_DIR}/prefix)
foreach(f lib/cmake/Nebula/NebulaConfig.cmake include/nebula/sdk/client.h include/nebula/v1/app.pb.h
          include/nebula/common/error.h)
  if(NOT EXISTS ${WORK_DIR}/prefix/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/sdk/cpp/examples -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
execute_process(COMMAND ${CMAKE_COMMAND} -E env NEBULA_ENDPOINT=127.0.0.1:1 ${WORK_DIR}/build/list_apps
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 1 OR NOT err MATCHES "^error: ")
  message(FATAL_ERROR "example: exit ${rc}, stderr: ${err}")
endif()
message(STATUS "installed SDK builds and runs the example")
