# SPDX-License-Identifier: Apache-2.0
# Helpers: backend plugins, SDK discovery through the Python environment, build provenance,
# and the configure-time table of backends.

set_property(GLOBAL PROPERTY INFERBENCH_BACKEND_TABLE "")

# inferbench_backend_status(NAME BUILT|SKIPPED REASON)
# Records one line of the configure table and of the generated backend list the CLI reads.
function(inferbench_backend_status name state reason)
  set_property(GLOBAL APPEND PROPERTY INFERBENCH_BACKEND_TABLE "${name}|${state}|${reason}")
endfunction()

# inferbench_add_backend(NAME name SOURCES ... [DEPS ...] [RPATHS ...])
# One MODULE library libinferbench_backend_<name>.so, hidden visibility (only the entry point
# is exported), linked to the backend API and its SDK only, run paths to the SDK's libraries.
function(inferbench_add_backend)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;RPATHS" ${ARGN})
  set(target inferbench_backend_${ARG_NAME})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE inferbench::backend_api inferbench::warnings ${ARG_DEPS})
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "inferbench_backend_${ARG_NAME}"
    LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins"
    BUILD_RPATH "${ARG_RPATHS}"
    INSTALL_RPATH "${ARG_RPATHS}")
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()

# inferbench_python_query(OUT_VAR CODE)
# Runs CODE in the project's Python and returns its stripped stdout, or empty on failure.
function(inferbench_python_query out code)
  set(${out} "" PARENT_SCOPE)
  if(NOT INFERBENCH_PYTHON)
    return()
  endif()
  execute_process(COMMAND "${INFERBENCH_PYTHON}" -c "${code}"
                  OUTPUT_VARIABLE value ERROR_QUIET RESULT_VARIABLE rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0)
    set(${out} "${value}" PARENT_SCOPE)
  endif()
endfunction()

# inferbench_forget_stale_package(PACKAGE PREFIX)
# find_package caches where it found PACKAGE (<PACKAGE>_DIR). A build reconfigured for another
# Python environment must look in that environment's PREFIX, not keep the old one's: forget a
# cached directory that is not under PREFIX (or any, when PREFIX is empty).
function(inferbench_forget_stale_package package prefix)
  if(NOT DEFINED CACHE{${package}_DIR})
    return()
  endif()
  set(dir "${${package}_DIR}")
  if(prefix AND dir)
    string(FIND "${dir}" "${prefix}" at)
    if(at EQUAL 0)
      return()
    endif()
  endif()
  unset(${package}_DIR CACHE)
endfunction()

# Build provenance in results: generated/build_info.cc (version, compiler, build type, paths:
# fixed at configure time) and generated/git_revision.cc (revision and dirty flag: re-stamped by
# every build through the inferbench_git_revision target, so an incremental build never reports
# the revision it was configured at).
function(inferbench_generate_build_info)
  configure_file("${CMAKE_SOURCE_DIR}/cmake/build_info.cc.in"
                 "${CMAKE_BINARY_DIR}/generated/build_info.cc" @ONLY)
  set(stamp_command "${CMAKE_COMMAND}" "-DSOURCE_DIR=${CMAKE_SOURCE_DIR}"
      "-DOUTPUT=${CMAKE_BINARY_DIR}/generated/git_revision.cc" -P "${CMAKE_SOURCE_DIR}/cmake/git_revision.cmake")
  execute_process(COMMAND ${stamp_command})  # so that the file exists before the first build
  add_custom_target(inferbench_git_revision ALL COMMAND ${stamp_command}
                    BYPRODUCTS "${CMAKE_BINARY_DIR}/generated/git_revision.cc"
                    COMMENT "Stamping the git revision" VERBATIM)
endfunction()

# Prints each backend built or skipped, and why; writes the same table for `inferbench
# backends` (build/backends.tsv) so a missing plugin is reported with its configure reason.
function(inferbench_print_backend_table)
  get_property(table GLOBAL PROPERTY INFERBENCH_BACKEND_TABLE)
  message(STATUS "inferbench backends:")
  set(tsv "")
  foreach(line IN LISTS table)
    string(REPLACE "|" ";" fields "${line}")
    list(GET fields 0 name)
    list(GET fields 1 state)
    list(GET fields 2 reason)
    message(STATUS "  ${name}: ${state} (${reason})")
    string(APPEND tsv "${name}\t${state}\t${reason}\n")
  endforeach()
  file(WRITE "${CMAKE_BINARY_DIR}/backends.tsv" "${tsv}")
endfunction()
