# SPDX-License-Identifier: Apache-2.0
# MLPerf LoadGen, compiled from the source distribution of the PyPI package mlcommons-loadgen
# (third_party/mlperf_loadgen/README.md): target inferbench::loadgen, a static library that only
# the worker links.
#
# The archive comes from INFERBENCH_LOADGEN_SDIST (tools/setup/setup.sh downloads it with pip and
# the Makefile passes its path), or else from PyPI's download URL; either way its sha256 is
# checked. LoadGen's own CMakeLists is not in the archive (and upstream's writes into its source
# tree and sets global flags), so the library is declared here from its sources.
include(FetchContent)

set(INFERBENCH_LOADGEN_VERSION 6.0.17)
set(INFERBENCH_LOADGEN_SHA256 a2e85d09e3cc0c606f89bfe1fbf97537c8b5b238ae0afbd923ad9c710fcf2ca8)
if(INFERBENCH_LOADGEN_SDIST)
  if(NOT EXISTS "${INFERBENCH_LOADGEN_SDIST}")
    message(FATAL_ERROR "INFERBENCH_LOADGEN_SDIST=${INFERBENCH_LOADGEN_SDIST} does not exist: run tools/setup/setup.sh, "
                        "or give the path of mlcommons_loadgen-${INFERBENCH_LOADGEN_VERSION}.tar.gz")
  endif()
  set(loadgen_url "${INFERBENCH_LOADGEN_SDIST}")
else()
  set(loadgen_url "https://files.pythonhosted.org/packages/source/m/mlcommons-loadgen/mlcommons_loadgen-${INFERBENCH_LOADGEN_VERSION}.tar.gz")
endif()

FetchContent_Declare(mlperf_loadgen URL "${loadgen_url}" URL_HASH SHA256=${INFERBENCH_LOADGEN_SHA256}
                     DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
# The archive has no CMakeLists.txt, so this only downloads and unpacks it.
FetchContent_MakeAvailable(mlperf_loadgen)

set(_lg "${mlperf_loadgen_SOURCE_DIR}")
# setup.py's library sources; version_generated.cc and mlperf_conf.h ship generated in the
# archive, so no Python runs at build time. bindings/ (C and Python APIs) is not needed.
add_library(inferbench_loadgen STATIC
  "${_lg}/early_stopping.cc" "${_lg}/issue_query_controller.cc" "${_lg}/loadgen.cc" "${_lg}/logging.cc"
  "${_lg}/test_settings_internal.cc" "${_lg}/utils.cc" "${_lg}/version.cc" "${_lg}/results.cc"
  "${_lg}/generated/version_generated.cc")
add_library(inferbench::loadgen ALIAS inferbench_loadgen)
# SYSTEM: its headers' warnings are not ours to fix.
target_include_directories(inferbench_loadgen SYSTEM PUBLIC "${_lg}")
target_link_libraries(inferbench_loadgen PUBLIC Threads::Threads)
# LoadGen is written for C++14 (upstream builds it so); C++17 is what its pybind-free sources
# need at most, and -w keeps its warnings out of a -Werror build.
set_target_properties(inferbench_loadgen PROPERTIES CXX_STANDARD 17 CXX_EXTENSIONS OFF POSITION_INDEPENDENT_CODE ON)
target_compile_options(inferbench_loadgen PRIVATE -w)
