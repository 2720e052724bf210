// SPDX-License-Identifier: Apache-2.0
// The worker's progress lines: written as one JSON object per line, read back, and anything
// else on the pipe ignored rather than trusted.
#include "core/result/progress_message.h"

#include <gtest/gtest.h>

namespace inferbench {
namespace {

TEST(ProgressMessage, RoundTripsThroughOneLine) {
  const std::string line = format_progress_message({std::string(kPhaseMeasure), 40, 100});
  EXPECT_EQ(line, "{\"done\":40,\"phase\":\"measure\",\"total\":100}\n");
  const auto message = parse_progress_message(line);
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->phase, "measure");
  EXPECT_EQ(message->done, 40);
  EXPECT_EQ(message->total, 100);
}

TEST(ProgressMessage, CountsAreOptional) {
  const auto message = parse_progress_message("{\"phase\":\"compile\"}");
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(message->phase, "compile");
  EXPECT_EQ(message->done, 0);
  EXPECT_EQ(message->total, 0);
}

TEST(ProgressMessage, AnythingElseIsNotAMessage) {
  for (const char* line :
       {"", "measure 40/100", "{\"done\":1}", "[1,2]", "{\"phase\":3}", "{\"phase\":"}) {
    EXPECT_FALSE(parse_progress_message(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace inferbench
