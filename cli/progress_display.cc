// SPDX-License-Identifier: Apache-2.0
// Terminal status line and plain phase log of a running run.
#include "cli/progress_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "core/result/progress_message.h"

namespace inferbench::cli {
namespace {

// Erase the whole line and return to its start (VT100; every terminal emulator in use).
constexpr std::string_view kClearLine = "\r\x1b[2K";
constexpr int kBarWidth = 10;

std::string cell_tag(const CellPhase& phase) {
  if (phase.position == 0) return "[reference]";
  return fmt::format("[{}/{}]", phase.position, phase.cells);
}

bool counted(const CellPhase& phase) {
  return (phase.phase == kPhaseWarmUp || phase.phase == kPhaseMeasure || phase.phase == kPhaseParity ||
          phase.phase == kPhaseProfile) &&
         phase.total > 0;
}

// Cut to `width` code points, so the line never wraps.
std::string fit(const std::string& text, int width) {
  std::string out;
  int used = 0;
  for (char c : text) {
    const bool starts_code_point = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_code_point && ++used > width) break;
    out += c;
  }
  return out;
}

}  // namespace

std::string duration_label(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const long total = std::lround(seconds);
  return fmt::format("{} min {:02} s", total / 60, total % 60);
}

std::string status_line(const CellPhase& phase) {
  std::string line = fmt::format("  {} {} | {}", cell_tag(phase), phase.label,
                                 phase.phase.empty() ? "starting" : phase.phase);
  if (phase.phase == kPhaseServe) line += fmt::format(" ({} LoadGen test{} done)", phase.done, phase.done == 1 ? "" : "s");
  if (counted(phase)) {
    const int filled = std::min(kBarWidth, phase.done * kBarWidth / phase.total);
    line += fmt::format(" {}/{} [{}{}]", phase.done, phase.total, std::string(filled, '#'),
                        std::string(kBarWidth - filled, '-'));
  }
  line += " | " + duration_label(phase.elapsed_s);
  line += " | ETA " + (phase.eta_s ? duration_label(*phase.eta_s) : std::string("?"));
  if (phase.run_eta_s) line += " | run ETA " + duration_label(*phase.run_eta_s);
  return line;
}

std::string phase_log_line(const CellPhase& phase) {
  std::string what;
  if (phase.phase == kPhaseExport || phase.phase == kPhaseCompile) {
    what = phase.phase;
  } else if ((phase.phase == kPhaseWarmUp || phase.phase == kPhaseMeasure) && phase.open_ended) {
    what = phase.phase == kPhaseWarmUp ? fmt::format("warm-up (until steady, at most {} iterations)", phase.total)
                                       : std::string("measure (until precise, or --max-window)");
  } else if (phase.phase == kPhaseWarmUp || phase.phase == kPhaseMeasure) {
    what =
        fmt::format("{} ({} iteration{})", phase.phase, phase.total, phase.total == 1 ? "" : "s");
  } else if (phase.phase == kPhaseServe) {
    what = "LoadGen's tests";
  } else if (phase.phase == kPhaseParity && phase.done == 0) {
    what = fmt::format("parity pass over --input ({} batch{})", phase.total, phase.total == 1 ? "" : "es");
  } else if (phase.phase == kPhaseProfile && phase.done == 0) {
    what = fmt::format("profiling pass on a fresh instance ({} runs, warm-up included)", phase.total);
  } else {
    return "";
  }
  return fmt::format("  {} {}: {}{}", cell_tag(phase), phase.label, what,
                     phase.run_eta_s ? " | run ETA " + duration_label(*phase.run_eta_s) : std::string());
}

ProgressDisplay::ProgressDisplay(std::ostream& out, Mode mode, int width)
    : out_(out), mode_(mode), width_(width > 1 ? width : 100) {}

ProgressDisplay::Mode ProgressDisplay::mode_for_stderr() {
  const char* ci = std::getenv("CI");
  const char* term = std::getenv("TERM");
  const bool in_ci = ci && std::string_view(ci) == "true";
  const bool dumb = !term || std::string_view(term) == "dumb";
  return isatty(STDERR_FILENO) && !in_ci && !dumb ? Mode::Terminal : Mode::Plain;
}

int ProgressDisplay::stderr_width() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 100;
}

void ProgressDisplay::message(const std::string& line) {
  clear();
  out_ << line << '\n';
  out_.flush();
}

void ProgressDisplay::phase(const CellPhase& phase) {
  if (mode_ == Mode::Terminal) {
    // One column spare: a line exactly as wide as the terminal wraps on some emulators.
    out_ << kClearLine << fit(status_line(phase), width_ - 1);
    out_.flush();
    status_shown_ = true;
    return;
  }
  const std::string key = cell_tag(phase) + phase.label + "/" + phase.phase;
  if (key == last_logged_) return;
  last_logged_ = key;
  const std::string line = phase_log_line(phase);
  if (line.empty()) return;
  out_ << line << '\n';
  out_.flush();
}

void ProgressDisplay::clear() {
  if (!status_shown_) return;
  out_ << kClearLine;
  out_.flush();
  status_shown_ = false;
}

}  // namespace inferbench::cli
