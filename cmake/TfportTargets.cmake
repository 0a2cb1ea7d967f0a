# Shared compile settings and helpers so that each folder's CMakeLists stays a few lines.

add_library(tfport_build_flags INTERFACE)
target_compile_options(tfport_build_flags INTERFACE -Wall -Wextra)
if(TFPORT_WERROR)
  target_compile_options(tfport_build_flags INTERFACE -Werror)
endif()
if(TFPORT_SANITIZE)
  target_compile_options(tfport_build_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(tfport_build_flags INTERFACE -fsanitize=address,undefined)
endif()
if(TFPORT_FUZZ)
  # Coverage instrumentation for libFuzzer; the fuzzer's main is linked into fuzz targets only,
  # so the same tree also builds the (sanitized) tests.
  target_compile_options(tfport_build_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()

# tfport_library(NAME DEPS dep...): a static library from every *.cc in the calling folder
# (tests live under tests/, so nothing needs excluding).
function(tfport_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  if(NOT sources)
    # A folder whose code is still being written must not break the rest of the build.
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE tfport_build_flags)
endfunction()

# tfport_test_suite(NAME DEPS dep...): one GoogleTest binary from every *_test.cc in the folder.
function(tfport_test_suite name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} tfport_test_support GTest::gtest_main GTest::gmock
                        tfport_build_flags)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()
