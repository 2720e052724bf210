// SPDX-License-Identifier: Apache-2.0
// A failed cell is a row, not an abort; bad input is one clear line; nothing measured is lost.
#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/support/cli_runner.h"

namespace inferbench::testing {
namespace {

const std::vector<std::string> kQuick = {"--model", "tiny_cnn", "--batch", "2", "--warmup", "1",
                                         "--iters", "5", "--scenarios", "sync", "--no-store"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

nlohmann::json row_of(const nlohmann::json& results, const std::string& backend) {
  for (const auto& row : results["rows"]) {
    if (row["backend"] == backend) return row;
  }
  return nullptr;
}

// Runs the driver command `argv` (writing into `dir`) and sends it SIGTERM once the noop row is
// in dir/results.json, half a second into the next cell (a hang worker); its outcome.
Result<ChildOutcome> run_until_noop_row_then_interrupt(const std::vector<std::string>& argv,
                                                        const std::filesystem::path& dir) {
  std::string command_line = "[i]nferbench";  // the brackets keep pkill from matching its own shell
  for (std::size_t i = 1; i < argv.size(); ++i) command_line += " " + argv[i];
  std::thread killer([&] {
    for (int i = 0; i < 600; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto results = read_json(dir / "results.json");
      if (!results.is_discarded() && !row_of(results, "noop").is_null()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::system(("pkill -TERM -f '" + command_line + "'").c_str());
  });
  SpawnOptions options;
  options.timeout = std::chrono::seconds(120);
  auto outcome = run_child(argv, options);
  killer.join();
  return outcome;
}

TEST(Failure, CrashingWorkerBecomesAFailedRowAndTheRunGoesOn) {
  const auto dir = fresh_dir("abort");
  auto run = run_inferbench(with({"run", "--backends", "abort,noop", "--out", dir.string()}, kQuick));
  EXPECT_EQ(run.exit_code, 1) << run.err;  // some rows failed
  const auto results = read_json(dir / "results.json");
  const auto aborted = row_of(results, "abort");
  ASSERT_FALSE(aborted.is_null());
  EXPECT_EQ(aborted["status"], "failed");
  EXPECT_NE(aborted["error"].get<std::string>().find("SIGABRT"), std::string::npos) << aborted["error"];
  // The worker names the phase it died in (the abort plugin aborts in its fourth run(): with
  // one warm-up iteration, the third timed one) and leaves the native stack in its log.
  EXPECT_NE(aborted["error"].get<std::string>().find("SIGABRT during measure (native stack above"),
            std::string::npos)
      << aborted["error"];
  EXPECT_EQ(row_of(results, "noop")["status"], "ok");
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  EXPECT_NE(run.out.find("[failed]"), std::string::npos) << run.out;
}

TEST(Failure, HangingWorkerIsKilledAtTheTimeout) {
  const auto dir = fresh_dir("hang");
  auto run = run_inferbench(with({"run", "--backends", "hang", "--timeout", "3", "--out", dir.string()}, kQuick), 60);
  EXPECT_EQ(run.exit_code, 3) << run.err;  // nothing could be measured
  EXPECT_LT(run.seconds, 30);
  const auto row = read_json(dir / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "failed");
  EXPECT_NE(row["error"].get<std::string>().find("timed out"), std::string::npos) << row["error"];
}

TEST(Failure, NonFiniteOutputFailsTheRow) {
  const auto dir = fresh_dir("bad-output");
  auto run = run_inferbench(with({"run", "--backends", "bad_output", "--out", dir.string()}, kQuick));
  EXPECT_EQ(run.exit_code, 3);
  const auto row = read_json(dir / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "failed");
  EXPECT_NE(row["error"].get<std::string>().find("NaN"), std::string::npos) << row["error"];
}

TEST(Failure, CorruptTorchScriptFileIsAFailedRowWithAClearError) {
  if (!INFERBENCH_TORCH_BUILT) GTEST_SKIP() << "the torch plugin was not built";
  const auto dir = fresh_dir("corrupt");
  const auto file = dir / "corrupt.pt";
  std::ofstream(file) << "this is not a TorchScript archive";
  auto run = run_inferbench({"run", "--model", file.string(), "--backends", "torch", "--devices", "cpu", "--batch", "1",
                             "--warmup", "1", "--iters", "2", "--no-store", "--out", (dir / "out").string()});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  const auto row = read_json(dir / "out" / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "failed");
  EXPECT_NE(row["error"].get<std::string>().find("cannot load TorchScript file"), std::string::npos) << row["error"];
}

// Bad input: one line on stderr naming the problem, exit 2, nothing run.
struct BadInput {
  std::vector<std::string> args;
  std::string needle;
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.needle; }

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, OneClearLine) {
  auto run = run_inferbench(GetParam().args);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(GetParam().needle), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadInputTest,
    ::testing::Values(
        BadInput{{"run", "--backends", "tensorflow"}, "unknown backend 'tensorflow'; use one of"},
        BadInput{{"run", "--devices", "tpu"}, "unknown device 'tpu'"},
        BadInput{{"run", "--precisions", "fp33"}, "unknown precision 'fp33'"},
        BadInput{{"run", "--scenarios", "burst"}, "unknown scenario 'burst'"},
        BadInput{{"run", "--batch", "0"}, "batch 0 is out of range"},
        BadInput{{"run", "--batch", "-4"}, "batch -4 is out of range"},
        BadInput{{"run", "--batch", "100000"}, "batch 100000 is out of range"},
        BadInput{{"run", "--model", "/nonexistent/model.pt"}, "neither a known model nor an existing file"},
        // A list is checked whole before anything runs: the second name stops the first.
        BadInput{{"run", "--model", "tiny_cnn,/nonexistent/model.pt"}, "model '/nonexistent/model.pt' is neither"},
        BadInput{{"run", "--model", "tiny_cnn,tiny_cnn"}, "--model names 'tiny_cnn' twice"},
        BadInput{{"run", "--model", "tiny_cnn,,resnet18"}, "--model 'tiny_cnn,,resnet18' has an empty item"},
        BadInput{{"run", "--weights", ""}, "--weights is empty; give it a value, or drop --weights"},
        BadInput{{"run", "--cluster", ""}, "--cluster is empty"},
        BadInput{{"run", "--input", "/nonexistent/images"},
                 "input data /nonexistent/images is neither a .npy file nor a folder"},
        BadInput{{"run", "--model", INFERBENCH_SOURCE_DIR "/CMakeLists.txt," INFERBENCH_SOURCE_DIR "/report/CMakeLists.txt"},
                 "two of the --model files are called 'CMakeLists.txt'"},
        BadInput{{"run", "--model", "tiny_cnn,resnet18", "--weights", INFERBENCH_BINARY},
                 "--weights is one model's checkpoint, but --model names 2 models"},
        BadInput{{"run", "--model", "tiny_cnn," INFERBENCH_SOURCE_DIR "/CMakeLists.txt", "--no-store"},
                 "no available backend loads '.txt' files"},
        // An existing file no backend loads: the line lists the suffixes that would do.
        BadInput{{"run", "--model", INFERBENCH_BINARY, "--no-store"},
                 "has no file suffix; give an artefact file ending in one of .pt,"},
        BadInput{{"run", "--model", INFERBENCH_SOURCE_DIR "/CMakeLists.txt", "--no-store"},
                 "no available backend loads '.txt' files; give an artefact file ending in one of .pt,"},
        BadInput{{"run", "--iters", "0"}, "--iters must be at least 1"},
        BadInput{{"run", "--rounds", "0"}, "--rounds 0 is out of range; use a count between 1 and 100"},
        BadInput{{"run", "--threads", "-1"}, "--threads -1 is out of range"},
        BadInput{{"run", "--threads", "1,2,1"}, "--threads names '1' twice"},
        BadInput{{"run", "--instances", "0"}, "--instances 0 is out of range"},
        BadInput{{"run", "--instances", "65"}, "--instances 65 is out of range"},
        BadInput{{"run", "--instances", "2,2"}, "--instances names '2' twice"},
        BadInput{{"run", "--backends", "noop", "--backend-option", "noop:nope=1", "--no-store"},
                 "backend 'noop' has no option 'nope'; its options are: spin_us"},
        BadInput{{"run", "--backends", "noop", "--backend-option", "noop:spin_us=fast", "--no-store"},
                 "option noop:spin_us takes an integer, not 'fast'"},
        BadInput{{"run", "--bogus"}, "bogus"},
        // NaN, inf and 1e400 parsed as numbers, and every worker was then killed at once.
        BadInput{{"run", "--timeout", "nan"}, "--timeout nan is not a number of seconds"},
        BadInput{{"run", "--max-seconds", "inf"}, "--max-seconds inf is not a number of seconds"},
        BadInput{{"run", "--max-seconds", "1e400"}, "--max-seconds inf is not a number of seconds"},
        BadInput{{"run", "--timeout", "0"}, "--timeout 0 is not a number of seconds"},  // not --max-seconds, derived from it
        BadInput{{"run", "--max-seconds", "100", "--timeout", "50"},
                 "--timeout 50 s would kill a worker before its --max-seconds 100 s budget ends"},
        // Empty items were dropped (an empty list meaning all) and repeats measured twice.
        BadInput{{"run", "--backends", ""}, "--backends is empty"},
        BadInput{{"run", "--backends", ","}, "--backends ',' has an empty item"},
        BadInput{{"run", "--batch", "1,,2"}, "--batch '1,,2' has an empty item"},
        BadInput{{"run", "--batch", "2,2"}, "--batch names '2' twice"},
        BadInput{{"run", "--precisions", "fp32,fp32"}, "--precisions names 'fp32' twice"},
        BadInput{{"run", "--model", "tiny_cnn", "--input-shape", "3x64x64"},
                 "--input-shape sets the input of a model FILE or FILE.py, and tiny_cnn is a known model with its own (3x32x32)"},
        BadInput{{"run", "--out", ""}, "--out is empty"},
        BadInput{{"run", "--seed", "-1"}, "--seed"},  // it became 18446744073709551615
        // Flags of a scenario the run does not have were ignored without a word.
        BadInput{{"run", "--scenarios", "sync", "--requests", "4"}, "--requests applies to the scenarios with requests in flight"},
        BadInput{{"run", "--scenarios", "offline", "--latency-percentile", "90"},
                 "--latency-percentile applies to the server scenario"},
        BadInput{{"run", "--scenarios", "sync,async", "--loadgen-seconds", "5"},
                 "--loadgen-seconds applies to LoadGen's scenarios, and --scenarios names none of them"},
        BadInput{{"run", "--db", "/tmp/inferbench-test-x.sqlite", "--no-store"}, "--db names a store, and --no-store"},
        BadInput{{"run", "--overwrite", "--no-store"}, "--overwrite is about the --out folder"},
        BadInput{{"report", "no-such-run", "--db", "/tmp/inferbench-test-empty.sqlite"}, "no run 'no-such-run'"}));

TEST(Failure, AnInstanceThatDiesStopsItsSiblingsAndNamesItself) {
  // Both instances of the hang plugin hang in their first inference; killing the second must
  // end the first at once instead of leaving it to the --timeout.
  const auto dir = fresh_dir("instance-dies");
  std::thread killer([&] {
    const std::string worker = "[i]nferbench worker " + (dir / "work").string() + "/cell-0-hang-i1.json";
    for (int i = 0; i < 300; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (std::system(("pkill -KILL -f '" + worker + "'").c_str()) == 0) break;
    }
  });
  auto run = run_inferbench(with({"run", "--backends", "hang", "--instances", "2", "--timeout", "120",
                                  "--out", dir.string()}, kQuick), 150);
  killer.join();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_LT(run.seconds, 60);
  const auto row = read_json(dir / "results.json")["rows"][0];
  EXPECT_EQ(row["status"], "failed");
  EXPECT_EQ(row["instances"], 2);
  EXPECT_EQ(row["error"].get<std::string>().rfind("instance 1 of 2: worker was killed by SIGKILL", 0), 0u)
      << row["error"];
}

TEST(Failure, UnwritableOutFolderIsRefusedBeforeRunning) {
  auto run = run_inferbench(with({"run", "--backends", "noop", "--out", "/proc/inferbench-cannot-write"}, kQuick));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("cannot write to output folder"), std::string::npos) << run.err;
}

// Another run's folder is not overwritten without --overwrite, which removes its files first;
// the study protocol takes a --max-seconds under the adaptive window's 10 s default.
TEST(Failure, AnotherRunsOutFolderIsKeptUnlessOverwriteIsGiven) {
  const auto dir = fresh_dir("out-kept");
  auto first = run_inferbench(with({"run", "--backends", "noop", "--out", dir.string(), "--max-seconds", "5"}, kQuick));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string id = read_json(dir / "results.json")["run"]["id"];
  auto again = run_inferbench(with({"run", "--backends", "noop", "--out", dir.string()}, kQuick));
  EXPECT_EQ(again.exit_code, 2) << again.err;
  EXPECT_NE(again.err.find("already holds run " + id + " (1 row), which this run's files would replace; give another "
                           "--out folder, or add --overwrite"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(read_json(dir / "results.json")["run"]["id"], id);
  std::ofstream(dir / "work" / "logs" / "stale.log") << "from the first run\n";
  auto replaced = run_inferbench(with({"run", "--backends", "noop", "--out", dir.string(), "--overwrite"}, kQuick));
  EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_NE(read_json(dir / "results.json")["run"]["id"], id);
  EXPECT_FALSE(std::filesystem::exists(dir / "work" / "logs" / "stale.log"));

  // A results.json that is no inferbench run's is not replaced, --overwrite or not (the folder
  // may be someone's project, with a work/ of its own).
  const auto foreign = fresh_dir("out-foreign");
  std::ofstream(foreign / "results.json") << "{\"accuracy\": 0.9}\n";
  auto refused = run_inferbench(with({"run", "--backends", "noop", "--out", foreign.string(), "--overwrite"}, kQuick));
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("holds a results.json that is not an inferbench run's"), std::string::npos) << refused.err;
}

// Results that could not be written make the run's exit code 4, and its closing lines say so
// instead of pointing at files that are not there or a store that does not hold the run.
TEST(Failure, ResultsThatCannotBeWrittenGiveExitFourAndSaySo) {
  const auto dir = fresh_dir("unwritable-files");
  std::filesystem::create_directories(dir / "results.json.tmp");  // every write of results.json fails
  auto files = run_inferbench(with({"run", "--backends", "noop", "--out", dir.string()}, kQuick));
  EXPECT_EQ(files.exit_code, 4) << files.err;
  EXPECT_NE(files.err.find("results not written: cannot write"), std::string::npos) << files.err;
  EXPECT_NE(files.out.find("Files: NOT written to " + dir.string() + ": cannot write"), std::string::npos) << files.out;
  EXPECT_EQ(files.out.find("Files: open"), std::string::npos) << files.out;

  // A store that refuses to add rows (a trigger aborts each insert): the run goes on, says that
  // it is not stored, and does not tell the user to compare with a run the store lacks.
  const auto db = dir / "refusing.sqlite";
  const auto stored_run = [&](const std::filesystem::path& out) {
    std::vector<std::string> args = {"run", "--backends", "noop", "--out", out.string(), "--db", db.string()};
    for (const std::string& arg : kQuick) {
      if (arg != "--no-store") args.push_back(arg);
    }
    return run_inferbench(args);
  };
  auto created = stored_run(dir / "first");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const auto trigger = dir / "refuse.py";
  std::ofstream(trigger) << "import sqlite3, sys\n"
                            "c = sqlite3.connect(sys.argv[1])\n"
                            "c.execute(\"CREATE TRIGGER refuse BEFORE INSERT ON run_rows "
                            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END\")\n"
                            "c.commit()\n";
  int status = 0;
  const std::string said = shell(std::string(INFERBENCH_PYTHON) + " " + trigger.string() + " " + db.string() + " 2>&1", status);
  ASSERT_EQ(status, 0) << said;
  const auto out = dir / "out";
  auto stored = stored_run(out);
  EXPECT_EQ(stored.exit_code, 4) << stored.err;
  EXPECT_NE(stored.err.find("results not stored"), std::string::npos) << stored.err;
  EXPECT_NE(stored.out.find("NOT stored in " + db.string()), std::string::npos) << stored.out;
  EXPECT_EQ(stored.out.find("<next run id>"), std::string::npos) << stored.out;
  EXPECT_NE(stored.out.find("Files: open " + (out / "report.html").string()), std::string::npos) << stored.out;
}

// `report` takes a run's --out folder; a path that is not there, or a store that is not there, is
// said as such, and reading creates no store (a mistyped --db left an empty one behind).
TEST(Failure, ReportAndHistoryReadWithoutCreating) {
  const auto dir = fresh_dir("report-reads");
  auto run = run_inferbench(with({"run", "--backends", "noop", "--out", (dir / "run").string()}, kQuick));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto folder = run_inferbench({"report", (dir / "run").string(), "--format", "json"});
  EXPECT_EQ(folder.exit_code, 0) << folder.err;
  EXPECT_EQ(nlohmann::json::parse(folder.out, nullptr, false)["run"]["id"], read_json(dir / "run" / "results.json")["run"]["id"]);
  // Its files again into its own folder, yes; into another run's, no.
  auto again = run_inferbench({"report", (dir / "run").string(), "--out", (dir / "run").string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto other = run_inferbench(with({"run", "--backends", "noop", "--out", (dir / "other").string()}, kQuick));
  ASSERT_EQ(other.exit_code, 0) << other.err;
  auto over = run_inferbench({"report", (dir / "run").string(), "--out", (dir / "other").string()});
  EXPECT_EQ(over.exit_code, 2) << over.err;
  EXPECT_NE(over.err.find("--out " + (dir / "other").string() + " holds run "), std::string::npos) << over.err;
  auto missing = run_inferbench({"report", (dir / "nope" / "results.json").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no file " + (dir / "nope" / "results.json").string()), std::string::npos) << missing.err;
  const auto typo = dir / "typo" / "store.sqlite";
  auto history = run_inferbench({"history", "--db", typo.string()});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("no runs yet"), std::string::npos) << history.out;
  auto report = run_inferbench({"report", "20261208T000000Z-000000", "--db", typo.string()});
  EXPECT_EQ(report.exit_code, 2);
  EXPECT_NE(report.err.find("there is no result store at " + typo.string()), std::string::npos) << report.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "typo"));
}

// A run resumed from another folder keeps its relative paths where they were: its --out folder is
// the one it was started with (a second one was written under the folder of the resume).
TEST(Failure, AResumedRunKeepsItsRelativePaths) {
  const auto dir = fresh_dir("resume-relative");
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  const std::string db = (dir / "history.sqlite").string();
  std::vector<std::string> args = {"run", "--backends", "noop", "--out", "rel", "--db", db};
  for (const std::string& arg : kQuick) {
    if (arg != "--no-store") args.push_back(arg);
  }
  auto first = run_inferbench(args, 600, {"-C", (dir / "a").string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string id = read_json(dir / "a" / "rel" / "results.json")["run"]["id"];
  auto resumed = run_inferbench({"run", "--resume", id, "--db", db}, 600, {"-C", (dir / "b").string()});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "b" / "rel")) << resumed.err;
  EXPECT_EQ(read_json(dir / "a" / "rel" / "results.json")["run"]["id"], id);
}

TEST(Failure, InterruptedRunKeepsFinishedRowsAndLeavesNoWorker) {
  const auto dir = fresh_dir("interrupt");
  const auto db = dir / "history.sqlite";
  std::vector<std::string> argv = {INFERBENCH_BINARY, "run", "--backends", "noop,hang", "--model",
                                   "tiny_cnn", "--batch", "1", "--warmup", "1", "--iters", "3",
                                   "--scenarios", "sync", "--out", dir.string(), "--db", db.string()};
  auto outcome = run_until_noop_row_then_interrupt(argv, dir);
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->timed_out);
  EXPECT_EQ(outcome->signal, SIGTERM);
  // It says so, what was kept where, and how to go on (nothing was said, and nothing printed).
  // The command given finds the run: it names the store, which is not the default one.
  const std::string id = read_json(dir / "results.json")["run"]["id"];
  EXPECT_NE(outcome->stderr_tail.find("interrupted: the rows finished so far are kept in " + dir.string() +
                                      " and in the store " + db.string() + "; `inferbench run --resume " + id +
                                      " --db " + db.string() + "` measures the rest"),
            std::string::npos)
      << outcome->stderr_tail;
  const auto results = read_json(dir / "results.json");
  EXPECT_EQ(row_of(results, "noop")["status"], "ok");
  // No hang worker of this run survives its driver (SIGKILL is sent from the driver's signal
  // handler; allow the kernel a moment to finish it). Other tests' workers run in other folders.
  const std::string probe = "pgrep -f '[i]nferbench worker " + (dir / "work").string() + "/cell-.*-hang.json' >/dev/null";
  bool worker_alive = true;
  for (int i = 0; i < 40 && worker_alive; ++i) {
    worker_alive = std::system(probe.c_str()) == 0;
    if (worker_alive) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(worker_alive);
  // The store has the finished row too, and marks the run as interrupted.
  auto history = run_inferbench({"history", "--db", db.string()});
  EXPECT_NE(history.out.find("interrupted"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("ok 1"), std::string::npos) << history.out;
}

// With --rounds, a cell's row is on disk from its first round on, revised after each later one:
// an interrupted run keeps the rounds measured, and says that the others never ran.
TEST(Failure, InterruptedRunKeepsTheRoundsMeasuredSoFar) {
  const auto dir = fresh_dir("interrupt-rounds");
  const auto db = dir / "history.sqlite";
  std::vector<std::string> argv = {INFERBENCH_BINARY, "run", "--backends", "noop,hang", "--model", "tiny_cnn",
                                   "--batch", "1", "--warmup", "1", "--iters", "3", "--rounds", "3",
                                   "--scenarios", "sync", "--out", dir.string(), "--db", db.string()};
  auto outcome = run_until_noop_row_then_interrupt(argv, dir);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->signal, SIGTERM);
  const auto results = read_json(dir / "results.json");
  const auto noop = row_of(results, "noop");
  ASSERT_FALSE(noop.is_null()) << results.dump();
  EXPECT_EQ(noop["status"], "ok");
  EXPECT_EQ(noop["samples"], 3);
  EXPECT_EQ(noop["round_throughput"].size(), 1u);
  EXPECT_NE(noop["warnings"].dump().find("measured in 1 of the 3 rounds asked for"), std::string::npos) << noop.dump();
  EXPECT_TRUE(row_of(results, "hang").is_null());  // its first round never finished
  bool valid = false;
  EXPECT_EQ(validate_schema(dir / "results.json", valid), "");
  EXPECT_TRUE(valid);
  // The store keeps the same row.
  auto stored = run_inferbench({"report", results["run"]["id"].get<std::string>(), "--db", db.string(), "--format", "json"});
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_NE(stored.out.find("measured in 1 of the 3 rounds asked for"), std::string::npos) << stored.out;
}

// A run that finishes replaces each cell's row of the rounds so far with the row of all its
// rounds, in the place the first one took, in the files and in the store alike.
TEST(Failure, RowsOfEveryRoundReplaceTheRowsOfTheRoundsSoFar) {
  const auto dir = fresh_dir("rounds-revised");
  const auto db = dir / "history.sqlite";
  auto run = run_inferbench({"run", "--backends", "noop,abort", "--model", "tiny_cnn", "--batch", "1", "--warmup", "1",
                             "--iters", "3", "--rounds", "3", "--scenarios", "sync", "--out", dir.string(), "--db",
                             db.string()});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // the abort row failed in its first round
  const auto results = read_json(dir / "results.json");
  ASSERT_EQ(results["rows"].size(), 2u) << results.dump();
  EXPECT_EQ(results["rows"][0]["backend"], "noop");
  EXPECT_EQ(results["rows"][1]["backend"], "abort");
  const auto noop = results["rows"][0];
  EXPECT_EQ(noop["status"], "ok");
  EXPECT_EQ(noop["samples"], 9);
  EXPECT_EQ(noop["round_throughput"].size(), 3u);
  EXPECT_EQ(noop["warnings"].dump().find("rounds asked for"), std::string::npos) << noop.dump();
  auto stored = run_inferbench({"report", results["run"]["id"].get<std::string>(), "--db", db.string(), "--format", "json"});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  const auto from_store = nlohmann::json::parse(stored.out);
  ASSERT_EQ(from_store["rows"].size(), 2u);
  EXPECT_EQ(from_store["rows"][0]["round_throughput"], noop["round_throughput"]);
}

}  // namespace
}  // namespace inferbench::testing
