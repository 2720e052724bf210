// SPDX-License-Identifier: Apache-2.0
// results.json: the run and its rows as one document, written with nlohmann::json through the
// to_json mapping of core/result/row.h (docs/results.schema.json is the contract).
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/reporter.h"

namespace inferbench {
namespace {

constexpr int kIndent = 2;

class JsonReporter final : public Reporter {
 public:
  explicit JsonReporter(std::ostream& out) : out_(out) {}

  void begin(const RunInfo& run) override { run_ = run; }

  // Buffered: the document is one object, written whole so a reader never sees half of it.
  void add_row(const Row& row) override { rows_.push_back(row); }

  void end() override {
    const nlohmann::json document = {{"run", run_}, {"rows", rows_}};
    // dump() throws on invalid UTF-8 by default; an SDK's error message is not ours to trust,
    // so bad bytes become U+FFFD instead of an exception through the core.
    out_ << document.dump(kIndent, ' ', /*ensure_ascii=*/false,
                          nlohmann::json::error_handler_t::replace)
         << '\n';
    out_.flush();
  }

 private:
  std::ostream& out_;
  RunInfo run_;
  std::vector<Row> rows_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(std::ostream& out) {
  return std::make_unique<JsonReporter>(out);
}

}  // namespace inferbench
