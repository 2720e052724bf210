# SPDX-License-Identifier: Apache-2.0
# Every switch of the build, in one place.
#
# Backends: AUTO builds the plugin when its SDK is found, ON fails configure when it is not,
# OFF never builds it.
set(INFERBENCH_BACKEND_CHOICES AUTO ON OFF)
foreach(sdk TORCH OPENVINO EXECUTORCH LITERT TENSORRT)
  set(INFERBENCH_WITH_${sdk} AUTO CACHE STRING "Build the ${sdk} backend plugin (AUTO|ON|OFF)")
  set_property(CACHE INFERBENCH_WITH_${sdk} PROPERTY STRINGS ${INFERBENCH_BACKEND_CHOICES})
  if(NOT INFERBENCH_WITH_${sdk} IN_LIST INFERBENCH_BACKEND_CHOICES)
    message(FATAL_ERROR "INFERBENCH_WITH_${sdk}=${INFERBENCH_WITH_${sdk}}: use AUTO, ON or OFF")
  endif()
endforeach()

option(INFERBENCH_BUILD_TESTS "Build the test suite (GoogleTest)" ON)
option(INFERBENCH_BUILD_BENCH "Build the benchmarks of inferbench itself" ON)
option(INFERBENCH_WERROR "Treat compiler warnings as errors" OFF)

# The project's Python environment: exporters run with it, and SDKs installed as wheels
# (torch for LibTorch) are located by asking it. tools/setup/setup.sh creates it.
set(INFERBENCH_PYTHON "" CACHE FILEPATH "Python of the project's environment (tools/setup/setup.sh)")
if(NOT INFERBENCH_PYTHON)
  find_program(INFERBENCH_PYTHON_FOUND NAMES python3 python)
  set(INFERBENCH_PYTHON "${INFERBENCH_PYTHON_FOUND}")
endif()

# The ExecuTorch environment's Python (tools/setup/setup.sh creates it beside the main one, with
# its own torch): the pte exporter runs in it, and the executorch plugin finds the executorch
# wheel's C++ SDK by asking it. Empty: the executorch plugin is skipped, saying why.
set(INFERBENCH_EXECUTORCH_PYTHON "" CACHE FILEPATH
    "Python of the ExecuTorch environment (tools/setup/setup.sh); empty = no executorch backend")

# The LiteRT environment's Python (tools/setup/setup.sh creates it, with litert-torch and its own
# torch): the .tflite exporter runs in it, and the litert plugin loads the libLiteRt.so of its
# ai-edge-litert wheel (found by asking it at configure time; INFERBENCH_LITERT_LIBRARY overrides
# at run time). Empty: the plugin is still built and reports itself unavailable, saying why.
set(INFERBENCH_LITERT_PYTHON "" CACHE FILEPATH
    "Python of the LiteRT environment (tools/setup/setup.sh); empty = no LiteRT runtime or .tflite exporter")

# The fleet environment's Python (tools/setup/setup.sh creates it, with Ray alone): `inferbench run
# --cluster` starts the coordinator of tools/fleet in it, and tools/fleet/inferbench-host runs its
# `ray`. Empty: runs on one machine only.
set(INFERBENCH_FLEET_PYTHON "" CACHE FILEPATH
    "Python of the fleet environment (tools/setup/setup.sh); empty = no runs over a Ray cluster")

# MLPerf LoadGen's source distribution (mlcommons_loadgen-6.0.17.tar.gz), which
# tools/setup/setup.sh downloads and checks; empty = CMake downloads it from PyPI
# (cmake/InferbenchLoadGen.cmake checks the sha256 either way).
set(INFERBENCH_LOADGEN_SDIST "" CACHE FILEPATH "MLPerf LoadGen source archive (tools/setup/setup.sh fetches it)")
