// SPDX-License-Identifier: Apache-2.0
// Build provenance: every build re-stamps the git revision (cmake/git_revision.cmake), so a run's
// env.inferbench.git_revision is the tree the binary was built from, not the one it was configured
// at. The script on a scratch repository, then the real binary against its own checkout.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

std::string run_shell(const std::string& command) {
  int status = 0;
  std::string output = shell(command, status);
  EXPECT_EQ(status, 0) << command << "\n" << output;
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

class Stamp {
 public:
  explicit Stamp(std::filesystem::path dir) : dir_(std::move(dir)), output_(dir_ / "git_revision.cc") {}
  // Runs the script over dir_ and returns the generated file.
  std::string run() const {
    run_shell(std::string("'") + INFERBENCH_CMAKE_COMMAND + "' -DSOURCE_DIR=" + dir_.string() +
              " -DOUTPUT=" + output_.string() + " -P " + INFERBENCH_SOURCE_DIR + "/cmake/git_revision.cmake");
    return read_file(output_);
  }
  const std::filesystem::path& output() const { return output_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path output_;
};

TEST(Provenance, EveryBuildStampsTheRevisionAndWhetherTrackedFilesChanged) {
  const auto repo = fresh_dir("provenance-repo");
  const std::string git = "git -C " + repo.string() + " -c user.name=t -c user.email=t@t ";
  const Stamp stamp(repo);
  EXPECT_NE(stamp.run().find("kGitRevision = \"unknown\""), std::string::npos);  // not a checkout yet
  // A copy without git metadata stamps the revision it carries (the GPU machine's copy).
  std::ofstream(repo / "SOURCE_REVISION") << "0123456789ab dirty\n";
  std::string carried = stamp.run();
  EXPECT_NE(carried.find("kGitRevision = \"0123456789ab\""), std::string::npos) << carried;
  EXPECT_NE(carried.find("kGitDirty = true"), std::string::npos) << carried;
  std::ofstream(repo / "SOURCE_REVISION") << "0123456789ab dirty 5ca1ab1e0123\n";
  carried = stamp.run();
  EXPECT_NE(carried.find("kGitDiff = \"5ca1ab1e0123\""), std::string::npos) << carried;
  std::filesystem::remove(repo / "SOURCE_REVISION");

  run_shell(git + "init -q");
  std::ofstream(repo / "file.txt") << "one\n";
  run_shell(git + "add file.txt && " + git + "commit -q -m one");
  const std::string first = run_shell(git + "rev-parse --short=12 HEAD");
  std::string text = stamp.run();
  EXPECT_NE(text.find("kGitRevision = \"" + first + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("kGitDirty = false"), std::string::npos) << text;

  // Nothing changed: the file is left alone, so nothing recompiles.
  const auto stamped_at = std::filesystem::last_write_time(stamp.output());
  std::filesystem::last_write_time(stamp.output(), stamped_at - std::chrono::hours(1));
  stamp.run();
  EXPECT_EQ(std::filesystem::last_write_time(stamp.output()), stamped_at - std::chrono::hours(1));

  std::ofstream(repo / "file.txt") << "two\n";
  const std::string changed = stamp.run();
  EXPECT_NE(changed.find("kGitDirty = true"), std::string::npos);
  // The change's own hash (sha256 of `git diff HEAD --binary`, 12 digits), so that another change
  // on the same commit is another build.
  const std::string diff = run_shell(git + "diff HEAD --binary | sha256sum | cut -c1-12");
  EXPECT_NE(changed.find("kGitDiff = \"" + diff + "\""), std::string::npos) << changed;
  std::ofstream(repo / "file.txt") << "three\n";
  EXPECT_EQ(stamp.run().find("kGitDiff = \"" + diff + "\""), std::string::npos);
  std::ofstream(repo / "file.txt") << "two\n";
  run_shell(git + "commit -q -am two");
  const std::string second = run_shell(git + "rev-parse --short=12 HEAD");
  ASSERT_NE(first, second);
  text = stamp.run();
  EXPECT_NE(text.find("kGitRevision = \"" + second + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("kGitDirty = false"), std::string::npos) << text;
  EXPECT_NE(text.find("kGitDiff = \"\""), std::string::npos) << text;
}

TEST(Provenance, ARunRecordsTheRevisionItsBinaryWasBuiltFrom) {
  int status = 0;
  std::string head = shell(std::string("git -C ") + INFERBENCH_SOURCE_DIR + " rev-parse --short=12 HEAD 2>/dev/null", status);
  if (status != 0) GTEST_SKIP() << "the source folder is not a git checkout";
  head.erase(head.find_last_not_of('\n') + 1);
  const auto dir = fresh_dir("provenance-run");
  auto run = run_inferbench({"run", "--backends", "noop", "--model", "tiny_cnn", "--batch", "1", "--warmup", "1",
                             "--iters", "2", "--scenarios", "sync", "--out", dir.string(), "--no-store"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(read_json(dir / "results.json")["run"]["env"]["inferbench"]["git_revision"], head)
      << "the binary's stamp is not the checkout's HEAD: build again (every build re-stamps it) and rerun";
}

}  // namespace
}  // namespace inferbench::testing
