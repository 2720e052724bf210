// SPDX-License-Identifier: Apache-2.0
// What the two ways of making one row from several rows of a cell share: its instances
// (driver/instances.h) and its rounds (driver/rounds.h).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result/row.h"

namespace inferbench {

// Every row's latency samples, one row after another, and their device times when every row
// recorded one per sample (none otherwise, so that they describe every sample).
struct JoinedSamples {
  std::vector<double> latency_ms;
  std::vector<double> device_time_ms;
};
JoinedSamples join_samples(const std::vector<Row>& rows);

// row.effective[key] as a number; empty when it is missing or not a number.
std::optional<double> effective_number(const Row& row, const std::string& key);

// The rows' effective.cpus_used added up; empty when a row did not say.
std::optional<double> summed_cpus_used(const std::vector<Row>& rows);

// The energy of instances that ran at once (docs/metrics.md, "Energy"): each read the same
// device-wide counter over nearly the same window, so the device's energy is one reading (the
// longest window's), never their sum, for every instance's inputs together; idle power is the
// lowest instance's (the others' may include a neighbour starting up). Empty when no row has energy.
std::optional<Energy> instances_energy(const std::vector<Row>& rows);

// The energy of a cell's rounds, whose windows came one after another: energies, windows and inputs
// add up, idle power is their mean. A round without a number leaves none, with its reason prefixed
// by `label(k)`. Empty when no row has energy.
std::optional<Energy> rounds_energy(const std::vector<Row>& rows, const std::function<std::string(std::size_t)>& label);

// Whether a member's timed window stopped at --max-seconds: under the adaptive protocol each
// says so itself (effective.stop), under the study's it holds fewer samples than it was asked for
// (`iterations_requested` for them together).
bool stopped_at_budget(const std::vector<Row>& rows, int samples, int iterations_requested, bool adaptive);

// The adaptive protocol's record of several rounds (docs/metrics.md, "The adaptive protocol"):
// effective.stop and effective.precision become each round's, in round order and "; "-separated
// (effective.warmup_stop stays the first round's, as the other effective settings do). Nothing for
// study rows.
void merge_adaptive_record(const std::vector<Row>& rows, Row& merged);

// Appends each member's warnings to `out` (members[k]: member k's), a warning every member has
// once as it is and any other as "<label(k)>: <warning>"; no text twice.
void add_member_warnings(std::vector<std::string>& out, const std::vector<std::vector<std::string>>& members,
                         const std::function<std::string(std::size_t)>& label);

}  // namespace inferbench
