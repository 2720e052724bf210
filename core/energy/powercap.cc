// SPDX-License-Identifier: Apache-2.0
// RAPL through powercap: zone discovery, counter reads, and the wrap-around sampler.
#include "core/energy/powercap.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <vector>

#include "core/energy/periodic_sampler.h"

namespace inferbench {
namespace fs = std::filesystem;

Result<std::string> read_text_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Status(StatusCode::Unavailable, std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status(StatusCode::Unavailable, std::strerror(errno));
  return text.str();
}

void WrappingCounter::add(std::uint64_t now_uj) {
  if (previous_) {
    total_uj_ += now_uj >= *previous_ ? now_uj - *previous_ : range_uj_ - *previous_ + now_uj;
  }
  previous_ = now_uj;
}

Nanos rapl_sample_period(std::uint64_t range_uj) {
  const double wrap_seconds = static_cast<double>(range_uj) / 1e6 / kRaplMaxWatts;
  const double period = std::clamp(wrap_seconds / 2, 0.01, 1.0);
  return std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(period));
}

namespace {

struct Zone {
  std::string name;         // "package-0", "dram"
  fs::path energy_file;     // .../energy_uj
  std::uint64_t range_uj = 0;
};

class RaplMeter final : public EnergyMeter {
 public:
  RaplMeter(std::vector<Zone> zones, ReadText read) : zones_(std::move(zones)), read_(std::move(read)) {}

  std::string source() const override { return "rapl"; }
  std::string scope() const override {
    std::string text = "CPU ";
    for (std::size_t i = 0; i < zones_.size(); ++i) text += (i ? " + " : "") + zones_[i].name;
    return text;
  }
  std::string method() const override { return "energy counter"; }
  // RAPL counters step about every millisecond: 100 ms holds a hundred steps.
  Nanos min_window() const override { return std::chrono::milliseconds(100); }

  Status begin() override {
    counters_.clear();
    for (const Zone& zone : zones_) counters_.emplace_back(zone.range_uj);
    if (Status read = sample(); !read) return read;
    started_ = Clock::now();
    Nanos period = Nanos::max();
    for (const Zone& zone : zones_) period = std::min(period, rapl_sample_period(zone.range_uj));
    sampler_.start(period, [this] { (void)sample(); });  // a failed read here: end()'s read says so
    return Status::ok();
  }

  Result<EnergyWindow> end() override {
    sampler_.stop();
    const auto ended = Clock::now();
    if (Status read = sample(); !read) return read;
    std::uint64_t total = 0;
    for (const WrappingCounter& counter : counters_) total += counter.total_uj();
    return EnergyWindow{static_cast<double>(total) / 1e6, ended - started_};
  }

 private:
  // Every zone's counter read once, under the lock the sampler thread shares.
  Status sample() {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < zones_.size(); ++i) {
      auto text = read_(zones_[i].energy_file);
      std::uint64_t value = 0;
      if (!text) {
        return Status(StatusCode::Unavailable, "cannot read " + zones_[i].energy_file.string() + ": " +
                                                   text.status().message());
      }
      const char* end = text->data() + text->size();
      if (auto [ptr, ec] = std::from_chars(text->data(), end, value); ec != std::errc()) {
        return Status(StatusCode::Unavailable, zones_[i].energy_file.string() + " holds no number");
      }
      counters_[i].add(value);
    }
    return Status::ok();
  }

  std::vector<Zone> zones_;
  ReadText read_;
  std::mutex mutex_;
  std::vector<WrappingCounter> counters_;
  Clock::time_point started_{};
  PeriodicSampler sampler_;
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// "Permission denied" gets what to do about it: the counters are root-only since Linux 5.10.
Status unreadable(const fs::path& file, const Status& why) {
  std::string message = "cannot read " + file.string() + ": " + why.message();
  if (why.message() == std::strerror(EACCES)) {
    message += " (energy_uj is root-only since Linux 5.10): run as root, or make the RAPL energy_uj "
               "files readable by this user";
  }
  return Status(StatusCode::Unavailable, message);
}

}  // namespace

Result<std::unique_ptr<EnergyMeter>> open_rapl_meter(const fs::path& root, ReadText read) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status(StatusCode::Unavailable, "no power counters visible: " + root.string() + " absent");
  }
  // Package zones are intel-rapl:N; their subzones intel-rapl:N:M (core, uncore, dram). Only
  // packages and DRAM are taken: core and uncore lie inside the package, and psys (the platform)
  // holds the packages too.
  static const std::regex package_zone(R"(intel-rapl:\d+)"), sub_zone(R"(intel-rapl:\d+:\d+)");
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(root, ec)) folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  std::vector<Zone> zones;
  for (const fs::path& folder : folders) {
    const std::string base = folder.filename().string();
    const bool package = std::regex_match(base, package_zone);
    if (!package && !std::regex_match(base, sub_zone)) continue;
    auto name = read(folder / "name");
    if (!name) return unreadable(folder / "name", name.status());
    const std::string zone_name = trimmed(*name);
    if (package ? zone_name.rfind("package", 0) != 0 : zone_name != "dram") continue;
    auto range = read(folder / "max_energy_range_uj");
    if (!range) return unreadable(folder / "max_energy_range_uj", range.status());
    Zone zone{zone_name, folder / "energy_uj", 0};
    const std::string range_text = trimmed(*range);
    if (auto [ptr, parse] = std::from_chars(range_text.data(), range_text.data() + range_text.size(), zone.range_uj);
        parse != std::errc() || zone.range_uj == 0) {
      return Status(StatusCode::Unavailable, (folder / "max_energy_range_uj").string() + " holds '" + range_text +
                                                 "', not a positive number of microjoules");
    }
    if (auto energy = read(zone.energy_file); !energy) return unreadable(zone.energy_file, energy.status());
    if (!package) {  // "dram-N", N its package's number: intel-rapl:N:M
      const std::size_t first = base.find(':'), last = base.rfind(':');
      zone.name.append("-").append(base, first + 1, last - first - 1);
    }
    zones.push_back(std::move(zone));
  }
  if (zones.empty()) {
    return Status(StatusCode::Unavailable, "no power counters visible: " + root.string() + " has no RAPL package zone");
  }
  return std::unique_ptr<EnergyMeter>(std::make_unique<RaplMeter>(std::move(zones), std::move(read)));
}

}  // namespace inferbench
