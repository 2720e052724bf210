// SPDX-License-Identifier: Apache-2.0
// The closing lines of `inferbench run`: the guide's winners, the files, the next command.
#include "report/summary.h"

#include <array>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "report/format.h"
#include "report/guide.h"
#include "report/guide_document.h"

namespace inferbench::report {
namespace {

struct Goal {
  Criterion criterion;
  std::string_view name;  // as the summary says it
};

// The deployment goals a reader chooses on first; stability and accuracy stay in guide.md.
constexpr std::array<Goal, 4> kGoals = {{
    {Criterion::PeakThroughput, "throughput"},
    {Criterion::TailLatency, "tail latency"},
    {Criterion::StartUp, "start-up"},
    {Criterion::Memory, "memory"},
}};

const Winner* winner_of(const Guide& guide, Criterion criterion) {
  for (const Winner& winner : guide.winners) {
    if (winner.criterion == criterion) return &winner;
  }
  return nullptr;
}

// The rows grouped as the guide groups them: by host in a fleet run of several hosts, then by
// model in a run of several models; one group of all rows otherwise. Each with its name ("" for
// the single group).
std::vector<std::pair<std::string, std::vector<Row>>> groups_of(const std::vector<Row>& rows) {
  std::vector<std::pair<std::string, std::vector<Row>>> by_host;
  if (several_hosts(rows)) {
    for (const std::string& host : hosts_of(rows)) by_host.emplace_back("host " + host, rows_of_host(rows, host));
  } else {
    by_host.emplace_back("", rows);
  }
  std::vector<std::pair<std::string, std::vector<Row>>> groups;
  for (auto& [host, own] : by_host) {
    const std::vector<std::string> models = models_of(own);
    if (models.size() < 2) {
      groups.emplace_back(host, std::move(own));
      continue;
    }
    for (const std::string& model : models) {
      groups.emplace_back(host.empty() ? model : host + ", " + model, rows_of_model(own, model));
    }
  }
  return groups;
}

}  // namespace

void write_run_summary(std::ostream& out, const RunResult& run, const RunPlaces& places) {
  const auto groups = groups_of(run.rows);
  out << '\n';
  if (groups.size() == 1) {
    const std::vector<Row>& rows = groups.front().second;
    const Guide guide = compute_guide(rows);
    for (const Goal& goal : kGoals) {
      const Winner* winner = winner_of(guide, goal.criterion);
      if (!winner) continue;
      const std::string label = fmt::format("Best for {}:", goal.name);
      std::string text = winner_rows(*winner, rows);
      if (!winner->rows.empty()) text += ", " + winner_value(*winner, rows);
      out << fmt::format("{:<22} {}\n", label, one_line(text));
    }
  } else {
    // One line per group: the names alone, since four values per group would not fit a line.
    out << "Best for throughput, tail latency, start-up, memory (guide.md gives the values):\n";
    for (const auto& [name, rows] : groups) {
      const Guide guide = compute_guide(rows);
      std::string line = "  " + one_line(name) + ":";
      for (std::size_t i = 0; i < kGoals.size(); ++i) {
        const Winner* winner = winner_of(guide, kGoals[i].criterion);
        line += (i == 0 ? " " : "; ") + std::string(kGoals[i].name) + " " +
                (winner && !winner->rows.empty() ? winner_rows(*winner, rows) : std::string("none"));
      }
      out << one_line(line) << '\n';
    }
  }

  const std::string id = one_line(run.run.id);
  // A run in another store than the default is found only with --db.
  const std::string db = places.store_path && !places.default_store ? " --db " + *places.store_path : "";
  if (places.out_failed) {
    out << one_line(fmt::format("Files: NOT written to {}: {}. {}", places.out_failed->first, places.out_failed->second,
                                places.store_path
                                    ? fmt::format("`inferbench report {}{} --out DIR` writes them from the store.", id, db)
                                    : std::string("The table above is this run's only copy."))) << '\n';
  } else if (places.out_dir) {
    const std::filesystem::path dir(*places.out_dir);
    out << fmt::format("Files: open {} in a browser; results.json, .csv, .md and guide.md are beside it.\n",
                       (dir / "report.html").string());
  } else if (places.store_path) {
    out << fmt::format("Files: none written (--out DIR writes them); `inferbench report {}{} --out DIR` writes "
                       "report.html and the rest now.\n",
                       id, db);
  } else {
    out << "Files: none written (--out DIR writes report.html, results.json/.csv/.md and guide.md).\n";
  }
  if (places.store_failed) {
    out << one_line(fmt::format("NOT stored in {}: {}; it holds the rows before that write, as an unfinished run.",
                                places.store_failed->first, places.store_failed->second)) << '\n';
  }
  if (places.store_path) {
    out << fmt::format("Compare with the next run: inferbench report {} <next run id>{}  (stored in {})\n", id, db,
                       *places.store_path);
  } else if (places.out_dir) {
    const std::string json = (std::filesystem::path(*places.out_dir) / "results.json").string();
    out << fmt::format("Compare with the next run: inferbench report {} <next run's results.json>  (not stored)\n",
                       json);
  } else if (!places.store_failed && !places.out_failed) {
    out << "Not stored (--no-store) and no --out: nothing is kept to compare with.\n";
  }
}

}  // namespace inferbench::report
