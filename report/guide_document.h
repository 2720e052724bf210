// SPDX-License-Identifier: Apache-2.0
// The deployment guide's words and numbers, in no output format yet: sections of paragraphs,
// one table and bullets, which the Markdown ("guide") and HTML reporters escape and lay out.
// One wording for both, so the page and the pull-request text never disagree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result/row.h"
#include "report/format.h"
#include "report/guide.h"

namespace inferbench::report {

struct GuideTable {
  std::vector<Column> columns;                 // header text, numeric (right-aligned) or not
  std::vector<std::vector<std::string>> rows;  // one cell per column, plain text, one line
};

// A titled part of the guide: paragraphs, then an optional table, then bullets. All text is
// plain (no markup) and on one line per paragraph, cell or bullet.
struct GuideSection {
  std::string title;
  std::vector<std::string> paragraphs;
  std::optional<GuideTable> table;
  std::vector<std::string> bullets;
};

struct GuideDocument {
  std::string intro;                   // what the guide was computed from
  // "Winners", "Headroom against the hardware" (only when rows have a physical limit),
  // "Scaling with threads" (only after a --threads sweep), "One process or several" (only after
  // an --instances sweep), "Latency against throughput" (only
  // when two rows or more were measured), "Round by round" (only after --rounds: each row's
  // rank in every round), "Break-even ...", "Models the delegate did not take
  // whole" (only when a row ran part of its model outside its delegate), "Where the time goes"
  // (only when a row has a per-operator profile: each other profiled row against the fastest of its
  // precision, in the category where their times per input differ most), "Rows left out" (failed
  // and unavailable rows that share a reason in one bullet: "A; B — reason").
  std::vector<GuideSection> sections;
};

// A winner's value as the guide's Winners table words it ("395.25 inputs/s", "P99 195.609 ms",
// "512.4 MB peak RSS", ...), "n/a" without one. `rows` are those the guide was computed from.
std::string winner_value(const Winner& winner, const std::vector<Row>& rows);

// The winning rows as the guide names them: one row_title(), "tie: A; B", or "none: <reason>".
std::string winner_rows(const Winner& winner, const std::vector<Row>& rows);

// The guide of `rows` (as compute_guide() gives it) in words. Numbers use the reports' fixed
// precision: throughput and compile time 2 decimals, latency and P99/P50 3, memory 1, cosine 6,
// max abs error 3 significant digits, break-even inputs and inferences 1 decimal, seconds 3
// (3 significant digits below 0.1 s).
GuideDocument guide_document(const std::vector<Row>& rows, const Guide& guide);

// The guide of a whole run, `guide` being compute_guide(rows). One model (models_of()):
// guide_document(rows, guide). Several
// models: rows of different models never compete, so each model gets its own guide, its
// sections' titles starting with "<model>: " and its Winners section opening with that guide's
// intro; before them an "Across models" section gives, per model, its size and work (parameters,
// multiply-adds per input), its fastest row, its fastest FP32 row and its lowest sync P99.
GuideDocument run_guide_document(const std::vector<Row>& rows, const Guide& guide);

}  // namespace inferbench::report
