// SPDX-License-Identifier: Apache-2.0
// The deployment guide as GitHub-flavoured Markdown, for pasting into a pull request: a
// heading with the run id, then the sections of guide_document().
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "report/format.h"
#include "report/guide.h"
#include "report/guide_document.h"
#include "report/reporter.h"

namespace inferbench {
namespace {

class GuideReporter final : public BufferedReporter {
 public:
  explicit GuideReporter(std::ostream& out) : BufferedReporter(out) {}

  // Buffered: winners and pairs need every row.

  void end() override {
    const report::GuideDocument document = report::run_guide_document(rows_, report::compute_guide(rows_));
    out_ << fmt::format("## inferbench deployment guide: run {}\n\n", report::one_line(run_.id));
    out_ << fmt::format("Host: {}, started {}. {}\n", report::one_line(run_.host),
                        report::one_line(run_.started_at), document.intro);
    for (const report::GuideSection& section : document.sections) {
      out_ << fmt::format("\n### {}\n", section.title);
      for (const std::string& paragraph : section.paragraphs) {
        out_ << '\n' << report::one_line(paragraph) << '\n';
      }
      if (section.table) {
        out_ << '\n';
        report::write_markdown_table(out_, section.table->columns, section.table->rows);
      }
      if (!section.bullets.empty()) out_ << '\n';
      for (const std::string& bullet : section.bullets) {
        out_ << "- " << report::one_line(bullet) << '\n';
      }
    }
    out_.flush();
  }
};

}  // namespace

std::unique_ptr<Reporter> make_guide_reporter(std::ostream& out) {
  return std::make_unique<GuideReporter>(out);
}

}  // namespace inferbench
