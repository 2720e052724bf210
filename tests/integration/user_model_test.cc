// SPDX-License-Identifier: Apache-2.0
// --model FILE.py[:NAME]: the user's own PyTorch model as Python code, exported to every built
// backend's format like a catalogue model, counted, checked against its FP32 reference, and
// re-exported when the file changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

// A small classifier on 3x24x24 inputs, `width` channels wide, built by `model()` and `Wide`.
void write_model(const std::filesystem::path& file, int width) {
  std::ofstream out(file);
  out << "import torch\nfrom torch import nn\n\n\n"
         "class Wide(nn.Module):\n"
         "    def __init__(self, width=" << width << "):\n"
         "        super().__init__()\n"
         "        self.body = nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),\n"
         "                                  nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU(),\n"
         "                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * width, 7))\n\n"
         "    def forward(self, x):\n"
         "        return self.body(x)\n\n\n"
         "def model():\n"
         "    return Wide()\n";
}

// The tests' models are temporary files: their artefacts go to a cache of the test's own, not the
// user's (where they stayed, "current", after their files were gone).
std::vector<std::string> own_cache(const std::filesystem::path& dir) {
  return {"INFERBENCH_CACHE=" + (dir / "cache").string()};
}

std::vector<std::string> run_args(const std::string& model, const std::string& backends, const std::filesystem::path& out) {
  return {"run", "--model", model, "--input-shape", "3x24x24", "--backends", backends, "--devices", "cpu",
          "--precisions", "fp32", "--scenarios", "sync", "--batch", "2", "--warmup", "1", "--iters", "3",
          "--out", out.string(), "--no-store"};
}

TEST(UserModel, APythonFileRunsOnEveryBackendLikeACatalogueModel) {
  if (!INFERBENCH_TORCH_BUILT) GTEST_SKIP() << "the torch plugin was not built (LibTorch not found at configure time)";
  const auto dir = fresh_dir("user-model");
  const auto file = dir / "wide.py";
  write_model(file, 6);
  std::string backends = "torch:eager,torch:aoti";
  for (const auto& [built, name] : {std::pair{INFERBENCH_OPENVINO_BUILT, "openvino"},
                                    std::pair{INFERBENCH_EXECUTORCH_BUILT, "executorch"},
                                    std::pair{INFERBENCH_LITERT_BUILT, "litert"}}) {
    if (built) backends += std::string(",") + name;
  }
  const auto run = run_inferbench(run_args(file.string(), backends, dir / "run"), 600, own_cache(dir));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto results = read_json(dir / "run" / "results.json");
  int ok = 0;
  std::string first_artefact;
  for (const auto& row : results["rows"]) {
    if (row["status"] != "ok") continue;
    ++ok;
    EXPECT_EQ(row["model"], "wide.py");
    // 3*6*9+6 + 2*6 (batch norm) + 6*12*9+12 + 12*7+7 weights: counted by the exporter.
    EXPECT_EQ(row["params"], 162 + 6 + 12 + 648 + 12 + 84 + 7) << row.dump();
    EXPECT_GT(row["macs_per_sample"].get<long long>(), 0);
    EXPECT_GE(row["parity"]["cosine"].get<double>(), 0.9999) << row.dump();
    EXPECT_EQ(row["parity"]["top1_agreement"], 1.0);
    if (row["variant"] == "eager") first_artefact = row["artefact"].get<std::string>();
  }
  EXPECT_EQ(ok, 2 + INFERBENCH_OPENVINO_BUILT + INFERBENCH_EXECUTORCH_BUILT + INFERBENCH_LITERT_BUILT) << results.dump();

  // Another file content is another model: exported again; NAME picks the class itself.
  write_model(file, 8);
  const auto again = run_inferbench(run_args(file.string() + ":Wide", "torch:eager", dir / "again"), 600, own_cache(dir));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto row = read_json(dir / "again" / "results.json")["rows"][0];
  EXPECT_EQ(row["model"], "wide.py:Wide");
  EXPECT_NE(row["artefact"].get<std::string>(), first_artefact);
  EXPECT_EQ(row["params"], 3 * 8 * 9 + 8 + 2 * 8 + 8 * 16 * 9 + 16 + 16 * 7 + 7);
}

// A model that cannot be built or run on the given shape stops the run before anything runs.
TEST(UserModel, AModelThatDoesNotRunIsOneClearLine) {
  const auto dir = fresh_dir("user-model-bad");
  const auto file = dir / "wide.py";
  write_model(file, 4);
  for (const auto& [args, needle] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--model", file.string() + ":Narrow"}, "defines no function or class 'Narrow'"},
           {{"--model", file.string(), "--input-shape", "4x24x24"},
            "on one zero sample of 4x24x24 failed: RuntimeError"},
           {{"--model", (dir / "missing.py").string()}, "model file " + (dir / "missing.py").string() + " not found"}}) {
    std::vector<std::string> argv = {"run", "--backends", "noop", "--no-store"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto run = run_inferbench(argv, 600, own_cache(dir));
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(needle), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

// A model the ExecuTorch (or LiteRT) exporter cannot take (data-dependent control flow, which
// torch.export refuses) fails that row alone, and its reason is the exporter's own error line, not
// "its error is above" (above nothing: the table, the JSON and the HTML had no more).
TEST(UserModel, AnExportThatFailsNamesTheExportersError) {
  const char* backend = INFERBENCH_EXECUTORCH_BUILT ? "executorch" : INFERBENCH_LITERT_BUILT ? "litert" : nullptr;
  if (backend == nullptr || !INFERBENCH_TORCH_BUILT) GTEST_SKIP() << "neither ExecuTorch nor LiteRT, or no torch, was built";
  const auto dir = fresh_dir("user-model-export-fails");
  const auto file = dir / "branchy.py";
  std::ofstream(file) << "import torch\nfrom torch import nn\n\n\n"
                         "class Branchy(nn.Module):\n"
                         "    def __init__(self):\n"
                         "        super().__init__()\n"
                         "        self.fc = nn.Linear(12, 3)\n\n"
                         "    def forward(self, x):\n"
                         "        x = x.flatten(1)\n"
                         "        if x.mean() > 0:\n"
                         "            return self.fc(x)\n"
                         "        return -self.fc(x)\n\n\n"
                         "def model():\n"
                         "    return Branchy()\n";
  const auto run = run_inferbench({"run", "--model", file.string(), "--input-shape", "3x2x2", "--backends",
                                   std::string("torch:eager,") + backend, "--devices", "cpu", "--precisions", "fp32",
                                   "--scenarios", "sync", "--batch", "2", "--warmup", "1", "--iters", "2", "--out",
                                   (dir / "run").string(), "--no-store"},
                                  600, own_cache(dir));
  EXPECT_EQ(run.exit_code, 1) << run.err;  // the torch row is measured
  for (const auto& row : read_json(dir / "run" / "results.json")["rows"]) {
    if (row["backend"] != backend) {
      EXPECT_EQ(row["status"], "ok") << row.dump();
      continue;
    }
    EXPECT_EQ(row["status"], "failed");
    const std::string error = row["error"];
    EXPECT_NE(error.find("exporter failed (exit 1) in "), std::string::npos) << error;
    EXPECT_EQ(error.find("its error is above"), std::string::npos) << error;
    // The exception's own line, e.g. "torch.fx.experimental.symbolic_shapes.GuardOnDataDependentSymNode: Could
    // not guard on data-dependent expression ...", not the advice torch.export prints after it.
    EXPECT_TRUE(std::regex_search(error, std::regex("bin/python: ([A-Za-z_]\\w*\\.)*[A-Z]\\w*: "))) << error;
    EXPECT_EQ(error.find("The error above occurred"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace inferbench::testing
