// SPDX-License-Identifier: Apache-2.0
#include "worker/serving/timer_slack.h"

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace inferbench {

TimerSlack::TimerSlack(unsigned long slack_ns) {
#if defined(__linux__)
  const long previous = current_ns();
  // PR_SET_TIMERSLACK with 0 means "the default" (the process's initial slack), not 0 ns.
  if (previous > 0 && prctl(PR_SET_TIMERSLACK, slack_ns > 0 ? slack_ns : 1UL, 0UL, 0UL, 0UL) == 0) {
    previous_ns_ = previous;
  }
#else
  (void)slack_ns;
#endif
}

TimerSlack::~TimerSlack() {
#if defined(__linux__)
  if (previous_ns_ > 0) prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(previous_ns_), 0UL, 0UL, 0UL);
#endif
}

long TimerSlack::current_ns() {
#if defined(__linux__)
  const int slack = prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
  return slack >= 0 ? slack : -1;
#else
  return -1;
#endif
}

}  // namespace inferbench
