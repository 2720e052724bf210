// SPDX-License-Identifier: Apache-2.0
// The failure path of IB_CHECK.
#include "core/support/check.h"

#include <cstdio>
#include <cstdlib>

namespace inferbench::detail {

CheckFailure::CheckFailure(const char* file, int line, const char* condition) {
  stream_ << file << ":" << line << ": check failed: " << condition << ": ";
}

CheckFailure::~CheckFailure() {
  std::fprintf(stderr, "inferbench: internal error: %s\n", stream_.str().c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace inferbench::detail
