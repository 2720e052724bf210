# SPDX-License-Identifier: Apache-2.0
# Script mode (cmake -DSOURCE_DIR=... -DOUTPUT=... -P git_revision.cmake), run by every build: writes
# SOURCE_DIR's git revision and whether tracked files differ from it ("unknown" and false outside a
# git checkout) into OUTPUT, from git_revision.cc.in beside this script. configure_file leaves OUTPUT untouched when nothing changed, so an
# unchanged tree recompiles nothing; a new commit or edit re-stamps the binary on the next build.
set(INFERBENCH_GIT_REVISION "unknown")
set(INFERBENCH_GIT_DIRTY "false")
# With tracked files changed: the first 12 hex digits of the sha256 of `git diff HEAD --binary`, so
# that two builds changed differently from one commit do not pass for one (the fleet's revision
# check compares them).
set(INFERBENCH_GIT_DIFF "")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
                  WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE rev
                  ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    set(INFERBENCH_GIT_REVISION "${rev}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" status --porcelain --untracked-files=no
                    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE dirty ERROR_QUIET)
    if(dirty)
      set(INFERBENCH_GIT_DIRTY "true")
      execute_process(COMMAND "${GIT_EXECUTABLE}" diff HEAD --binary
                      WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE diff ERROR_QUIET)
      string(SHA256 diff_hash "${diff}")
      string(SUBSTRING "${diff_hash}" 0 12 INFERBENCH_GIT_DIFF)
    endif()
  endif()
endif()
# A copy of the tree without git metadata (the GPU machine's) may carry the revision it was copied
# from in SOURCE_REVISION: "<revision>", "<revision> dirty" or "<revision> dirty <diff hash>"
# (tools/gpu/make_offline_deps.sh writes it).
if(INFERBENCH_GIT_REVISION STREQUAL "unknown" AND EXISTS "${SOURCE_DIR}/SOURCE_REVISION")
  file(STRINGS "${SOURCE_DIR}/SOURCE_REVISION" carried LIMIT_COUNT 1)
  if(carried MATCHES "^([0-9a-f]+)( dirty( ([0-9a-f]+))?)?$")
    set(INFERBENCH_GIT_REVISION "${CMAKE_MATCH_1}")
    if(CMAKE_MATCH_2)
      set(INFERBENCH_GIT_DIRTY "true")
      set(INFERBENCH_GIT_DIFF "${CMAKE_MATCH_4}")
    endif()
  endif()
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/git_revision.cc.in" "${OUTPUT}" @ONLY)
