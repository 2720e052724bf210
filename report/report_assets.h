// SPDX-License-Identifier: Apache-2.0
// Files embedded into the binary at build time (report/CMakeLists.txt writes the definitions
// into a generated source): the HTML report's template and the plotting library it inlines.
#pragma once

#include <string_view>

namespace inferbench::report {

// report/templates/report.html.in, verbatim: placeholders are {{name}}.
std::string_view html_template();

// The plotting library's JavaScript (Chart.js, from Debian's libjs-chart.js), verbatim with its
// licence header; empty when it was not found at configure time.
std::string_view chart_library();

// "Chart.js 3.9.1 (/usr/share/javascript/chart.js/chart.min.js)", or empty when missing.
std::string_view chart_library_name();

// Why chart_library() is empty ("libjs-chart.js was not installed when inferbench was
// configured; ..."); empty when it is there.
std::string_view chart_library_missing_reason();

}  // namespace inferbench::report
