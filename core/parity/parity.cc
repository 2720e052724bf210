// SPDX-License-Identifier: Apache-2.0
// Parity metrics: max absolute error, cosine similarity, top-1 agreement.
#include "core/parity/parity.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace inferbench {

std::size_t count_non_finite(std::span<const float> values) {
  return static_cast<std::size_t>(
      std::count_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }));
}

Result<Parity> compare_outputs(std::span<const float> output, std::span<const float> reference,
                               std::int64_t classes) {
  if (output.size() != reference.size()) {
    return Status(StatusCode::Backend,
                  "output has " + std::to_string(output.size()) + " values but the reference has " +
                      std::to_string(reference.size()),
                  "check that the artefact is the same model as the reference");
  }
  if (classes <= 0 || output.size() % static_cast<std::size_t>(classes) != 0) {
    return Status(StatusCode::Internal, "bad class count " + std::to_string(classes));
  }
  Parity parity;
  double dot = 0, norm_out = 0, norm_ref = 0, max_abs = 0;
  for (std::size_t i = 0; i < output.size(); ++i) {
    const double a = output[i];
    const double b = reference[i];
    dot += a * b;
    norm_out += a * a;
    norm_ref += b * b;
    max_abs = std::max(max_abs, std::abs(a - b));
  }
  parity.max_abs_err = max_abs;
  parity.cosine = (norm_out > 0 && norm_ref > 0) ? dot / std::sqrt(norm_out * norm_ref)
                                                 : (norm_out == norm_ref ? 1.0 : 0.0);
  const auto rows = output.size() / static_cast<std::size_t>(classes);
  std::size_t agree = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    const auto* a = output.data() + r * classes;
    const auto* b = reference.data() + r * classes;
    if (std::max_element(a, a + classes) - a == std::max_element(b, b + classes) - b) ++agree;
  }
  parity.top1_agreement = rows ? static_cast<double>(agree) / static_cast<double>(rows) : 0.0;
  return parity;
}

Result<double> top_k_accuracy(std::span<const float> output, std::span<const std::int32_t> labels,
                              std::int64_t classes, int k) {
  if (classes <= 0 || output.size() != labels.size() * static_cast<std::size_t>(classes)) {
    return Status(StatusCode::Internal, std::to_string(output.size()) + " outputs do not make " +
                                            std::to_string(labels.size()) + " samples of " + std::to_string(classes) +
                                            " classes");
  }
  std::size_t hits = 0;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    const std::int32_t label = labels[r];
    if (label < 0 || label >= classes) {
      return Status(StatusCode::Input,
                    "label " + std::to_string(label) + " of sample " + std::to_string(r) + " is not a class of the "
                        "model's " + std::to_string(classes) + " outputs",
                    "give labels from 0 to " + std::to_string(classes - 1));
    }
    // The label's place when the outputs are ordered largest first, ties by the lower class
    // (as an arg-max takes the first maximum): a model whose outputs are all equal scores on
    // class 0 only, not on every label.
    const float* row = output.data() + r * static_cast<std::size_t>(classes);
    const float own = row[label];
    const auto before = std::count_if(row, row + classes, [own](float v) { return v > own; }) +
                        std::count(row, row + label, own);
    if (before < k) ++hits;
  }
  return labels.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(labels.size());
}

Result<LabelAccuracy> label_accuracy(std::span<const float> output, std::span<const float> reference,
                                     std::span<const std::int32_t> labels, std::int64_t classes) {
  LabelAccuracy accuracy;
  accuracy.samples = static_cast<int>(labels.size());
  // Top-1, and top-5 with more than 5 classes, of `values` into `top1` and `top5`.
  const auto score = [&](std::span<const float> values, auto& top1, std::optional<double>& top5) -> Status {
    auto first = top_k_accuracy(values, labels, classes, 1);
    if (!first) return first.status();
    top1 = *first;
    if (classes <= 5) return Status::ok();
    auto five = top_k_accuracy(values, labels, classes, 5);
    if (!five) return five.status();
    top5 = *five;
    return Status::ok();
  };
  IB_RETURN_IF_ERROR(score(output, accuracy.top1, accuracy.top5));
  if (!reference.empty()) IB_RETURN_IF_ERROR(score(reference, accuracy.reference_top1, accuracy.reference_top5));
  return accuracy;
}

}  // namespace inferbench
