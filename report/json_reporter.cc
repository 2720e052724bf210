// SPDX-License-Identifier: Apache-2.0
// results.json: the run and its rows as one document, written with nlohmann::json through the
// to_json mapping of core/result/row.h (docs/results.schema.json is the contract).
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/support/json_text.h"
#include "report/reporter.h"

namespace inferbench {
namespace {

constexpr int kIndent = 2;

class JsonReporter final : public BufferedReporter {
 public:
  explicit JsonReporter(std::ostream& out) : BufferedReporter(out) {}

  // Buffered: the document is one object, written whole so a reader never sees half of it.

  void end() override {
    const nlohmann::json document = {{"run", run_}, {"rows", rows_}};
    out_ << json_text(document, kIndent) << '\n';
    out_.flush();
  }
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(std::ostream& out) {
  return std::make_unique<JsonReporter>(out);
}

}  // namespace inferbench
