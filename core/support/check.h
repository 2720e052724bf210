// SPDX-License-Identifier: Apache-2.0
// IB_CHECK: a broken invariant logs file:line and the streamed context, then aborts.
// It stays on in release builds; never use it inside the timed loop.
#pragma once

#include <sstream>

namespace inferbench::detail {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

}  // namespace inferbench::detail

#define IB_CHECK(cond) \
  if (cond) {          \
  } else               \
    ::inferbench::detail::CheckFailure(__FILE__, __LINE__, #cond).stream()
