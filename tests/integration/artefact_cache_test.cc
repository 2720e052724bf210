// SPDX-License-Identifier: Apache-2.0
// The artefact cache as a user sees it through `run --dry-run` (to export, then cached) and
// `inferbench models`: an artefact the exporters made is current, the same artefact after the exporters' code changed is stale, and
// `models --prune` deletes stale artefacts and what crashed exports left, not current ones.
// Uses the real exporter (tools/export, copied so that the test can change it) on the tiny model.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "driver/catalogue.h"
#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> cache_folders(const fs::path& root) {
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(root)) folders.push_back(entry.path());
  return folders;
}

TEST(ArtefactCache, ModelsMarksStaleArtefactsAndPruneDeletesOnlyThose) {
  const auto dir = fresh_dir("artefact-cache");
  const auto tools = dir / "tools";
  fs::copy(fs::path(INFERBENCH_SOURCE_DIR) / "tools" / "export", tools, fs::copy_options::recursive);
  const fs::path root = dir / "cache" / "artefacts";
  const std::vector<std::string> env = {"INFERBENCH_CACHE=" + (dir / "cache").string(),
                                        "INFERBENCH_TOOLS=" + tools.string()};
  const std::vector<std::string> export_run = {"run", "--model", "tiny_cnn", "--backends", "torch:eager",
                                               "--devices", "cpu", "--precisions", "fp32", "--batch", "1",
                                               "--warmup", "1", "--iters", "1", "--no-store"};

  // --dry-run before anything is cached: the cell, its artefact to export, nothing written.
  std::vector<std::string> dry_run = export_run;
  dry_run.insert(dry_run.end(), {"--dry-run", "--out", (dir / "dry-out").string()});
  auto plan = run_inferbench(dry_run, 120, env);
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("inferbench run --dry-run: 1 cell would be measured, 0 unavailable here; 1 artefact "
                          "to export. Nothing was run or exported."),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("torch:eager cpu fp32 sync batch 1  torchscript-fp32: to export"), std::string::npos)
      << plan.out;
  EXPECT_FALSE(fs::exists(root)) << "a dry run exported";
  EXPECT_FALSE(fs::exists(dir / "dry-out")) << "a dry run wrote results";

  auto run = run_inferbench(export_run, 600, env);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // The same plan now finds the artefact in the cache.
  plan = run_inferbench(dry_run, 120, env);
  EXPECT_NE(plan.out.find("0 artefacts to export"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("torchscript-fp32: cached " + root.string()), std::string::npos) << plan.out;
  // A run without the torch CPU FP32 cell gets a hidden reference cell per batch, listed with its
  // artefact (cached for batch 1 and 3 alike: TorchScript is batch-generic), each artefact counted once.
  plan = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--scenarios", "sync", "--batch", "1,3",
                         "--dry-run"}, 120, env);
  EXPECT_NE(plan.out.find("2 cells would be measured (and 2 hidden PyTorch CPU FP32 reference cells for parity), "
                          "0 unavailable here; 0 artefacts to export"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("  [reference] torch:eager cpu fp32 sync batch 3  torchscript-fp32: cached "),
            std::string::npos)
      << plan.out;
  // With rounds the plan says each cell is measured once per round.
  plan = run_inferbench({"run", "--model", "tiny_cnn", "--backends", "noop", "--scenarios", "sync", "--rounds", "3",
                         "--dry-run"}, 120, env);
  EXPECT_NE(plan.out.find("1 cell would be measured, each in 3 rounds"), std::string::npos) << plan.out;
  auto models = run_inferbench({"models"}, 60, env);
  ASSERT_EQ(models.exit_code, 0) << models.err;
  EXPECT_NE(models.out.find("current  tiny_cnn       torchscript  fp32"), std::string::npos) << models.out;
  EXPECT_NE(models.out.find("1 current ("), std::string::npos) << models.out;
  EXPECT_NE(models.out.find("0 stale (0.0 MiB)\n"), std::string::npos) << models.out;

  // A staging folder of an export whose process is gone (no pid is this large), and one of a
  // live process (this test's), which prune must leave alone.
  fs::create_directories(root / ".staging-999999999-tiny_cnn-torchscript-fp32-0");
  const auto live = root / (".staging-" + std::to_string(::getpid()) + "-tiny_cnn-torchscript-fp32-0");
  fs::create_directories(live);
  // Staging folders are named by host too, now: this host's gone export is pruned; another
  // host's, whose process this one cannot ask about (a cache shared over NFS), is left alone.
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  fs::create_directories(root / (".staging-999999999@" + std::string(host) + "@tiny_cnn-torchscript-fp32-0"));
  const auto elsewhere = root / ".staging-999999999@another-host@tiny_cnn-torchscript-fp32-0";
  fs::create_directories(elsewhere);

  // And an artefact folder without a manifest, which no export leaves complete.
  fs::create_directories(root / "tiny_cnn-torchscript-fp32-0000000000000000");

  // Pruning now deletes only those three: the artefact is current.
  auto pruned = run_inferbench({"models", "--prune"}, 60, env);
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("Pruned 3 folder(s)"), std::string::npos) << pruned.out;
  EXPECT_EQ(cache_folders(root).size(), 3u);
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(elsewhere));

  // Changed exporter code: the artefact no longer matches this build's exporters.
  std::ofstream(tools / "export.py", std::ios::app) << "\n# a change to the exporter\n";
  models = run_inferbench({"models"}, 60, env);
  EXPECT_NE(models.out.find("stale    tiny_cnn       torchscript  fp32"), std::string::npos) << models.out;
  EXPECT_NE(models.out.find("0 current (0.0 MiB), 1 stale ("), std::string::npos) << models.out;
  EXPECT_NE(models.out.find("`inferbench models --prune` deletes the stale ones"), std::string::npos) << models.out;

  pruned = run_inferbench({"models", "--prune"}, 60, env);
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("Pruned 1 folder(s)"), std::string::npos) << pruned.out;
  EXPECT_NE(pruned.out.find("none yet"), std::string::npos) << pruned.out;
  std::vector<fs::path> left = cache_folders(root);
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<fs::path>{live, elsewhere}));

  // The next run exports again, under the changed exporter: current once more.
  run = run_inferbench(export_run, 600, env);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  models = run_inferbench({"models"}, 60, env);
  EXPECT_NE(models.out.find("current  tiny_cnn"), std::string::npos) << models.out;
  fs::remove_all(dir);
}

// The driver's model catalogue (names and input shapes, for `inferbench models` and the checks
// before a run) and the exporters' (tools/export/models.py, which builds them) list the same models.
TEST(ModelCatalogue, MatchesTheExporters) {
  const std::string script = "import json, sys; sys.path.insert(0, sys.argv[1]); import models; "
                             "print(json.dumps({name: list(shape) for name, (_, shape) in models.MODELS.items()}))";
  SpawnOptions options;
  options.timeout = std::chrono::seconds(120);
  auto listed = run_child({INFERBENCH_PYTHON, "-c", script, std::string(INFERBENCH_SOURCE_DIR) + "/tools/export"},
                          options);
  ASSERT_TRUE(listed.is_ok()) << listed.status().to_string();
  ASSERT_TRUE(listed->exited && listed->exit_code == 0) << listed->stderr_tail;
  const auto exporters = nlohmann::json::parse(listed->stdout_text);
  nlohmann::json driver = nlohmann::json::object();
  for (const auto& model : model_catalogue()) driver[model.name] = model.sample_shape;
  EXPECT_EQ(driver, exporters);
}

}  // namespace
}  // namespace inferbench::testing
