// SPDX-License-Identifier: Apache-2.0
// Variant expansion of one backend.
#include "driver/variant_matrix.h"

#include <algorithm>

namespace inferbench {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::vector<Target> all_targets(const std::vector<VariantDescription>& variants) {
  std::vector<Target> targets;
  for (const auto& v : variants) targets.insert(targets.end(), v.targets.begin(), v.targets.end());
  return targets;
}

// Why variant `index`, asked for explicitly, gives no row for `target`.
VariantCell not_offered(const std::string& backend, const std::vector<VariantDescription>& variants,
                        std::size_t index, const Target& target, bool named_variant) {
  const VariantDescription& v = variants[index];
  const std::vector<std::string> devices = target_devices(v.targets);
  const std::string who = named_variant ? backend + ":" + v.name : backend;
  if (!contains(devices, target.device)) {
    return {index, target, Offer::NoDevice,
            who + " has no device '" + target.device + "' (it runs on " + join(devices) + ")"};
  }
  if (!named_variant) {
    return {index, target, Offer::NoTarget,
            backend + " does not offer " + target.precision + " (it offers " + join(target_precisions(v.targets)) + ")"};
  }
  return {index, target, Offer::NoTarget,
          who + " does not run " + target.precision + " on " + target.device + " (it runs " +
              targets_summary(v.targets) + ")"};
}

// Whether `target`, which `v` does not run, is one the user asked `v` for: every pair when both
// lists were given; under one wildcard ("all"), only a named device (or precision) on which `v`
// runs nothing at all — "all" means what the variant runs, so it never pads the table.
bool asked_for(const VariantDescription& v, const Target& target, const std::vector<std::string>& devices,
               const std::vector<std::string>& precisions) {
  if (!devices.empty() && !precisions.empty()) return true;
  const auto runs_any = [&](auto&& matches) {
    return std::any_of(v.targets.begin(), v.targets.end(), matches);
  };
  if (!devices.empty()) return !runs_any([&](const Target& t) { return t.device == target.device; });
  if (!precisions.empty()) return !runs_any([&](const Target& t) { return t.precision == target.precision; });
  return false;
}

}  // namespace

bool VariantDescription::runs(const Target& target) const {
  return std::find(targets.begin(), targets.end(), target) != targets.end();
}

bool without_variants(const std::vector<VariantDescription>& variants) {
  return variants.size() == 1 && variants.front().name.empty();
}

std::vector<VariantDescription> catalogue_variants(const BackendEntry& entry) {
  std::vector<VariantDescription> variants;
  if (entry.variants.empty()) {
    variants.push_back({"", entry.framework, entry.artefact_format, {},
                        cross_targets(entry.default_devices, entry.default_precisions), ""});
    return variants;
  }
  for (const auto& v : entry.variants) variants.push_back({v.name, v.framework, v.artefact_format, {}, v.targets, ""});
  return variants;
}

std::vector<VariantCell> expand_variants(const std::string& backend,
                                         const std::vector<VariantDescription>& variants,
                                         const std::vector<std::string>& selected,
                                         const std::vector<std::string>& devices,
                                         const std::vector<std::string>& precisions) {
  const bool has_variants = !without_variants(variants);
  const bool every_target = !has_variants || !selected.empty();
  std::vector<VariantCell> cells;
  std::vector<Target> covered;
  std::vector<Target> missed;  // requested pairs some variant skipped, in first-seen order
  for (std::size_t index = 0; index < variants.size(); ++index) {
    const VariantDescription& v = variants[index];
    if (!selected.empty() && !contains(selected, v.name)) continue;
    const std::vector<std::string> wanted_devices = devices.empty() ? target_devices(v.targets) : devices;
    const std::vector<std::string> wanted_precisions = precisions.empty() ? target_precisions(v.targets) : precisions;
    for (const Target& target : cross_targets(wanted_devices, wanted_precisions)) {
      if (v.runs(target)) {
        cells.push_back({index, target, Offer::Yes, ""});
        covered.push_back(target);
      } else if (!asked_for(v, target, devices, precisions)) {
        continue;
      } else if (every_target) {
        cells.push_back(not_offered(backend, variants, index, target, has_variants));
      } else if (std::find(missed.begin(), missed.end(), target) == missed.end()) {
        missed.push_back(target);
      }
    }
  }
  const std::vector<Target> offered = all_targets(variants);
  const std::vector<std::string> backend_devices = target_devices(offered);
  const std::vector<std::string> backend_precisions = target_precisions(offered);
  const bool spelled_out = !devices.empty() && !precisions.empty();
  for (const Target& target : missed) {
    if (std::find(covered.begin(), covered.end(), target) != covered.end()) continue;
    // Under a wildcard ("all"), a pair no variant runs is simply not part of the backend; only
    // what the user named is answered.
    const bool named_unknown = (!devices.empty() && !contains(backend_devices, target.device)) ||
                               (!precisions.empty() && !contains(backend_precisions, target.precision));
    if (!spelled_out && !named_unknown) continue;
    if (!contains(backend_devices, target.device)) {
      cells.push_back({std::nullopt, target, Offer::NoDevice,
                       backend + " has no device '" + target.device + "' (it runs on " + join(backend_devices) + ")"});
      continue;
    }
    std::string each;
    for (const auto& v : variants) each += (each.empty() ? "" : "; ") + v.name + ": " + targets_summary(v.targets);
    cells.push_back({std::nullopt, target, Offer::NoTarget,
                     backend + " has no variant that runs " + target.precision + " on " + target.device +
                         " (" + each + ")"});
  }
  return cells;
}

}  // namespace inferbench
