// SPDX-License-Identifier: Apache-2.0
// What a row says of its artefact from the exporter's manifest: the ExecuTorch exporter's record
// of the operators the XNNPACK delegate took and those it left outside.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "driver/artefacts.h"

namespace inferbench {
namespace {

TEST(DelegationText, NamesTheOperatorsOutsideTheDelegate) {
  const auto manifest = nlohmann::json::parse(R"({"delegation": {"delegated_ops": 217, "non_delegated_ops": 19,
      "delegate_calls": 1, "outside_delegate": {"dim_order_ops__to_dim_order_copy_default": 18, "getitem": 1}}})");
  EXPECT_EQ(delegation_text(manifest),
            "XNNPACK took 217 operators in 1 call; outside it: 18 dim_order_ops__to_dim_order_copy_default, 1 getitem");
}

TEST(DelegationText, SaysNoneOutsideAndCountsCalls) {
  const auto manifest = nlohmann::json::parse(
      R"({"delegation": {"delegated_ops": 89, "non_delegated_ops": 0, "delegate_calls": 2, "outside_delegate": {}}})");
  EXPECT_EQ(delegation_text(manifest), "XNNPACK took 89 operators in 2 calls; outside it: none");
}

TEST(DelegationText, NothingWithoutARecord) {
  EXPECT_EQ(delegation_text(nlohmann::json::object()), std::nullopt);  // a user's file: no manifest
  // The exporter could not count (devtools missing): it says why, and the row says nothing.
  EXPECT_EQ(delegation_text(nlohmann::json::parse(R"({"delegation": {"unavailable": "ImportError: x"}})")),
            std::nullopt);
}

}  // namespace
}  // namespace inferbench
