# Every dependency comes from Debian's packages (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)
find_package(Snappy CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian's libzip CMake config points at tools the -dev package does not ship; pkg-config works.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Eigen3 CONFIG REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C HL)
# tfport serve: gRPC (TF Serving's services), Boost.Beast/Asio (HTTP); RapidJSON (header-only, TF Serving's
# JSON parser and pretty printer, for byte-identical bodies and error texts).
find_package(gRPC CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(simdjson CONFIG REQUIRED)
if(TFPORT_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(TFPORT_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()

add_library(tfport_hdf5_deps INTERFACE)
target_include_directories(tfport_hdf5_deps SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(tfport_hdf5_deps INTERFACE ${HDF5_C_LIBRARIES} ${HDF5_HL_LIBRARIES})
target_compile_definitions(tfport_hdf5_deps INTERFACE ${HDF5_DEFINITIONS} H5_USE_110_API_DEFAULT)
