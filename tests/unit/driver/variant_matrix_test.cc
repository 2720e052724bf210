// SPDX-License-Identifier: Apache-2.0
// Variant expansion: which (variant, device, precision) of one backend become cells and which
// become unavailable rows, and the messages of the latter; plus the catalogue helpers it uses.
#include "driver/variant_matrix.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "driver/catalogue.h"

namespace inferbench {
namespace {

// The torch plugin's variants, as its describe() declares them.
std::vector<VariantDescription> torch_variants() {
  return {
      {"eager", "PyTorch (Native)", "torchscript", {".pt"}, {{"cpu", "fp32"}, {"cuda", "fp32"}, {"cuda", "fp16"}}, ""},
      {"cuda_graph", "PyTorch (CUDA graph)", "torchscript", {".pt"}, {{"cuda", "fp16"}}, ""},
      {"aoti", "PyTorch (AOTInductor)", "aoti", {".pt2"}, {{"cpu", "fp32"}, {"cpu", "bf16"}, {"cuda", "fp16"}}, ""},
  };
}

// A backend without variants: the one implicit variant.
std::vector<VariantDescription> openvino_variants() {
  return {{"", "OpenVINO", "openvino-ir", {".xml"}, cross_targets({"cpu", "gpu"}, {"fp32", "bf16", "int8"}), ""}};
}

// "eager cuda fp16 ok" / "- cpu fp16 no-target": one line per expanded cell of the torch
// variants (or of `variants`), to compare whole lists.
std::vector<std::string> summary(const std::vector<VariantCell>& cells,
                                 const std::vector<VariantDescription>& variants = torch_variants()) {
  std::vector<std::string> lines;
  for (const auto& c : cells) {
    const std::string offer = c.offer == Offer::Yes ? "ok" : c.offer == Offer::NoDevice ? "no-device" : "no-target";
    lines.push_back((c.variant ? variants[*c.variant].name : std::string("-")) + " " + c.target.device + " " +
                    c.target.precision + " " + offer);
  }
  return lines;
}

TEST(VariantMatrixTest, WholeBackendExpandsEachVariantOverItsOwnTargets) {
  const auto variants = torch_variants();
  EXPECT_EQ(summary(expand_variants("torch", variants, {}, {}, {})),
            (std::vector<std::string>{"eager cpu fp32 ok", "eager cuda fp32 ok", "eager cuda fp16 ok",
                                      "cuda_graph cuda fp16 ok", "aoti cpu fp32 ok", "aoti cpu bf16 ok",
                                      "aoti cuda fp16 ok"}));
}

TEST(VariantMatrixTest, TheIssuesGpuCommandGivesTheFourGpuRows) {
  // --backends torch --devices cuda --precisions fp32,fp16: no variant pads the table with a
  // pair it does not run (CUDA graph FP32, AOTInductor CUDA FP32).
  const auto variants = torch_variants();
  EXPECT_EQ(summary(expand_variants("torch", variants, {}, {"cuda"}, {"fp32", "fp16"})),
            (std::vector<std::string>{"eager cuda fp32 ok", "eager cuda fp16 ok", "cuda_graph cuda fp16 ok",
                                      "aoti cuda fp16 ok"}));
}

TEST(VariantMatrixTest, CpuFp32AndBf16GivesEagerAndBothAotiRows) {
  const auto variants = torch_variants();
  EXPECT_EQ(summary(expand_variants("torch", variants, {}, {"cpu"}, {"fp32", "bf16"})),
            (std::vector<std::string>{"eager cpu fp32 ok", "aoti cpu fp32 ok", "aoti cpu bf16 ok"}));
}

TEST(VariantMatrixTest, ARequestedPairNoVariantRunsGivesOneRowForTheBackend) {
  const auto variants = torch_variants();
  const auto cells = expand_variants("torch", variants, {}, {"cpu"}, {"fp16"});
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_FALSE(cells[0].variant.has_value());
  EXPECT_EQ(cells[0].offer, Offer::NoTarget);
  EXPECT_EQ(cells[0].why,
            "torch has no variant that runs fp16 on cpu (eager: cpu fp32; cuda fp32, fp16; cuda_graph: cuda fp16; "
            "aoti: cpu fp32, bf16; cuda fp16)");

  const auto npu = expand_variants("torch", variants, {}, {"npu"}, {"fp32"});
  ASSERT_EQ(npu.size(), 1u);
  EXPECT_EQ(npu[0].offer, Offer::NoDevice);
  EXPECT_EQ(npu[0].why, "torch has no device 'npu' (it runs on cpu, cuda)");
}

TEST(VariantMatrixTest, APairSomeVariantRunsIsNotReportedMissingForTheOthers) {
  // bf16 on cpu is aoti's; eager skips it silently. cuda bf16, spelled out, is nobody's.
  const auto cells = expand_variants("torch", torch_variants(), {}, {"cpu", "cuda"}, {"bf16"});
  EXPECT_EQ(summary(cells), (std::vector<std::string>{"aoti cpu bf16 ok", "- cuda bf16 no-target"}));
}

TEST(VariantMatrixTest, AWildcardNeverPadsTheTable) {
  // --devices cuda with every precision: each variant's cuda targets, and no "bf16 on cuda" row.
  EXPECT_EQ(summary(expand_variants("torch", torch_variants(), {}, {"cuda"}, {})),
            (std::vector<std::string>{"eager cuda fp32 ok", "eager cuda fp16 ok", "cuda_graph cuda fp16 ok",
                                      "aoti cuda fp16 ok"}));
  // --precisions bf16 on every device: aoti's cpu row only.
  EXPECT_EQ(summary(expand_variants("torch", torch_variants(), {}, {}, {"bf16"})),
            (std::vector<std::string>{"aoti cpu bf16 ok"}));
  // A precision no variant runs anywhere is answered on every device the backend has.
  EXPECT_EQ(summary(expand_variants("torch", torch_variants(), {}, {}, {"int8"})),
            (std::vector<std::string>{"- cpu int8 no-target", "- cuda int8 no-target"}));
}

TEST(VariantMatrixTest, ANamedVariantAnswersEveryRequestedPair) {
  const auto variants = torch_variants();
  const auto cells = expand_variants("torch", variants, {"cuda_graph"}, {"cpu", "cuda"}, {"fp32", "fp16"});
  EXPECT_EQ(summary(cells),
            (std::vector<std::string>{"cuda_graph cpu fp32 no-device", "cuda_graph cpu fp16 no-device",
                                      "cuda_graph cuda fp32 no-target", "cuda_graph cuda fp16 ok"}));
  EXPECT_EQ(cells[0].why, "torch:cuda_graph has no device 'cpu' (it runs on cuda)");
  EXPECT_EQ(cells[2].why, "torch:cuda_graph does not run fp32 on cuda (it runs cuda fp16)");
}

TEST(VariantMatrixTest, NamedVariantsWithoutDevicesUseTheirOwnTargets) {
  const auto cells = expand_variants("torch", torch_variants(), {"aoti", "eager"}, {}, {});
  // In the plugin's order, whatever the order they were named in.
  EXPECT_EQ(summary(cells), (std::vector<std::string>{"eager cpu fp32 ok", "eager cuda fp32 ok", "eager cuda fp16 ok",
                                                      "aoti cpu fp32 ok", "aoti cpu bf16 ok", "aoti cuda fp16 ok"}));
}

TEST(VariantMatrixTest, ABackendWithoutVariantsKeepsItsCrossProductAndMessages) {
  const auto variants = openvino_variants();
  const auto cells = expand_variants("openvino", variants, {}, {"cpu", "npu"}, {"fp32", "fp16"});
  EXPECT_EQ(summary(cells, variants), (std::vector<std::string>{" cpu fp32 ok", " cpu fp16 no-target",
                                                                " npu fp32 no-device", " npu fp16 no-device"}));
  EXPECT_EQ(cells[1].why, "openvino does not offer fp16 (it offers fp32, bf16, int8)");
  EXPECT_EQ(cells[2].why, "openvino has no device 'npu' (it runs on cpu, gpu)");
  EXPECT_EQ(summary(expand_variants("openvino", variants, {}, {}, {}), variants).size(), 6u);
}

TEST(CatalogueTest, SelectorsAndTargets) {
  EXPECT_EQ(parse_backend_selector("torch").backend, "torch");
  EXPECT_EQ(parse_backend_selector("torch").variant, "");
  EXPECT_EQ(parse_backend_selector("torch:aoti").backend, "torch");
  EXPECT_EQ(parse_backend_selector("torch:aoti").variant, "aoti");
  EXPECT_EQ(parse_target("cuda:fp16"), (Target{"cuda", "fp16"}));
  EXPECT_FALSE(parse_target("cuda").has_value());
  EXPECT_EQ(targets_summary({{"cpu", "fp32"}, {"cuda", "fp16"}, {"cpu", "bf16"}}), "cpu fp32, bf16; cuda fp16");
}

TEST(CatalogueTest, TorchVariantsAndTheirArtefacts) {
  const BackendEntry* torch = find_backend("torch");
  ASSERT_NE(torch, nullptr);
  const auto variants = catalogue_variants(*torch);
  ASSERT_EQ(variants.size(), 4u);
  EXPECT_EQ(variants[0].name, kReferenceVariant);
  EXPECT_EQ(variants[2].framework, "PyTorch (AOTInductor)");
  // The package replayed in a CUDA graph loads the same artefact as aoti.
  EXPECT_EQ(variants[3].name, "aoti_cuda_graph");
  EXPECT_EQ(variants[3].artefact_format, "aoti");
  // A package is compiled in the precision it runs, per device and per batch.
  EXPECT_EQ(artefact_precision("aoti", "bf16"), "bf16");
  EXPECT_EQ(artefact_precision("torchscript", "fp16"), "fp32");
  EXPECT_TRUE(artefact_per_device("aoti"));
  EXPECT_FALSE(artefact_per_device("torchscript"));
  EXPECT_TRUE(artefact_per_batch("aoti"));
  // torch's aoti_autotune option is an exporter flag of the aoti format only; off asks nothing.
  EXPECT_EQ(exporter_flags("aoti", {{"aoti_autotune", "max"}, {"cudnn_benchmark", "on"}}),
            (std::map<std::string, std::string>{{"--aoti-autotune", "max"}}));
  EXPECT_TRUE(exporter_flags("aoti", {{"aoti_autotune", "off"}}).empty());
  EXPECT_TRUE(exporter_flags("torchscript", {{"aoti_autotune", "max"}}).empty());
  // Backends without variants are one implicit variant named "".
  const auto openvino = catalogue_variants(*find_backend("openvino"));
  EXPECT_TRUE(without_variants(openvino));
  EXPECT_EQ(openvino[0].framework, "OpenVINO");
}

}  // namespace
}  // namespace inferbench
