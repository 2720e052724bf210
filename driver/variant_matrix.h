// SPDX-License-Identifier: Apache-2.0
// The part of the matrix expansion that decides, for one backend, which (variant, device,
// precision) triples become cells and which become unavailable rows, and why. Pure, so that the
// rules are unit-tested without plugins or worker processes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "driver/catalogue.h"

namespace inferbench {

// One variant of a backend as the driver uses it: from the plugin's describe() when it loads,
// else from the catalogue. A backend without variants has exactly one, with an empty name, the
// backend's framework label and format, and every pair of its devices and precisions.
struct VariantDescription {
  std::string name;             // "aoti"; empty for the one implicit variant
  std::string framework;        // table label of its rows
  std::string artefact_format;  // exporter --format
  std::vector<std::string> suffixes;  // artefact file suffixes it loads
  std::vector<Target> targets;  // device/precision pairs it runs
  std::string doc;              // one line: what runs (empty when the plugin is missing)

  bool runs(const Target& target) const;
};

// Whether `variants` is the single implicit variant of a backend without variants.
bool without_variants(const std::vector<VariantDescription>& variants);

// The variants of a catalogue entry (its own, or the implicit one).
std::vector<VariantDescription> catalogue_variants(const BackendEntry& entry);

enum class Offer {
  Yes,        // the variant runs this target
  NoDevice,   // the device is not one the variant (or the backend) runs on
  NoTarget,   // the device is, but not in this precision
};

// One (variant, device, precision) of the matrix, before scenarios and batches.
struct VariantCell {
  // Index of the variant in the backend's list; empty for a requested target that no variant of
  // the backend runs (that row names the backend only).
  std::optional<std::size_t> variant;
  Target target;
  Offer offer = Offer::Yes;
  std::string why;  // one line when offer is not Yes
};

// Expands one backend. `selected` names the variants asked for (empty = every variant);
// `devices` and `precisions` are what the user asked for (empty = all: each variant's own).
//
// Rules: a wildcard means what a variant runs. A variant asked for by name (or the one variant
// of a backend without variants) answers every pair the user spelled out, and every named device
// (precision) on which it runs nothing, with a row saying why — as for any backend. When a
// backend's variants come in together (`--backends torch`), each expands only over the targets it
// runs, so that no variant pads the table with pairs that are another variant's. A pair none of
// them runs still gives one row for the backend, saying so, when the user spelled it out (both
// --devices and --precisions given), or named a device or precision that no variant runs at all.
std::vector<VariantCell> expand_variants(const std::string& backend,
                                         const std::vector<VariantDescription>& variants,
                                         const std::vector<std::string>& selected,
                                         const std::vector<std::string>& devices,
                                         const std::vector<std::string>& precisions);

}  // namespace inferbench
