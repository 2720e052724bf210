// SPDX-License-Identifier: Apache-2.0
// The table of report formats: make_reporter() picks one by name.
#include "report/reporter.h"

#include <iterator>

namespace inferbench {
namespace {

using ReporterConstructor = std::unique_ptr<Reporter> (*)(std::ostream&);

struct ReporterFormat {
  std::string_view name;
  std::string_view alias;  // empty when the format has none
  ReporterConstructor make;
};

// An explicit table rather than self-registration: adding a format is adding a line here, and
// no static initialiser can be dropped by the linker.
constexpr ReporterFormat kReporterFormats[] = {
    {"table", "", &make_table_reporter},
    {"csv", "", &make_csv_reporter},
    {"markdown", "md", &make_markdown_reporter},
    {"json", "", &make_json_reporter},
    {"guide", "", &make_guide_reporter},
    {"html", "", &make_html_reporter},
};

std::string joined_format_names() {
  std::string names;
  for (const ReporterFormat& format : kReporterFormats) {
    if (!names.empty()) names += ", ";
    names += format.name;
  }
  return names;
}

}  // namespace

Result<std::unique_ptr<Reporter>> make_reporter(std::string_view format, std::ostream& out) {
  for (const ReporterFormat& entry : kReporterFormats) {
    if (format == entry.name || (!entry.alias.empty() && format == entry.alias)) {
      return entry.make(out);
    }
  }
  return Status(StatusCode::Usage, "unknown report format '" + std::string(format) + "'",
                "use one of: " + joined_format_names());
}

std::vector<std::string> reporter_formats() {
  std::vector<std::string> names;
  names.reserve(std::size(kReporterFormats));
  for (const ReporterFormat& format : kReporterFormats) names.emplace_back(format.name);
  return names;
}

void report_run(Reporter& reporter, const RunResult& run) {
  reporter.begin(run.run);
  for (const Row& row : run.rows) reporter.add_row(row);
  reporter.end();
}

}  // namespace inferbench
