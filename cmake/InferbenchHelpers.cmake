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

# Generated build_info.cc: revision, dirty flag, compiler, build type (provenance in results).
function(inferbench_generate_build_info)
  find_package(Git QUIET)
  set(INFERBENCH_GIT_REVISION "unknown")
  set(INFERBENCH_GIT_DIRTY "false")
  if(GIT_FOUND)
    execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
                    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE rev
                    ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(rc EQUAL 0)
      set(INFERBENCH_GIT_REVISION "${rev}")
      execute_process(COMMAND "${GIT_EXECUTABLE}" status --porcelain --untracked-files=no
                      WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE dirty ERROR_QUIET)
      if(dirty)
        set(INFERBENCH_GIT_DIRTY "true")
      endif()
    endif()
  endif()
  configure_file("${CMAKE_SOURCE_DIR}/cmake/build_info.cc.in"
                 "${CMAKE_BINARY_DIR}/generated/build_info.cc" @ONLY)
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
