// SPDX-License-Identifier: Apache-2.0
// `run` option parsing: one case per rule.
#include "cli/options.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include <gtest/gtest.h>

namespace inferbench::cli {
namespace {

TEST(RunOptions, DefaultsReproduceTheStudy) {
  auto r = parse_run_arguments({});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->models, std::vector<std::string>{"mobilenet_v2"});
  EXPECT_EQ(r->batches, std::vector<int>{64});
  EXPECT_EQ(r->warmup, 50);
  EXPECT_EQ(r->iterations, 100);
  EXPECT_TRUE(r->backends.empty());  // all
  EXPECT_TRUE(r->changed.empty());
}

TEST(RunOptions, WideIsADisplayFlagThatResumeParsesAgain) {
  // --wide changes only how Table B is printed; a run started with it is parsed again by
  // --resume from its recorded arguments, so the flag must parse there too.
  auto r = parse_run_arguments({"--wide", "--no-store"});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_NE(std::find(r->changed.begin(), r->changed.end(), "--wide"), r->changed.end());
}

TEST(RunOptions, ListsAndChangedFlags) {
  auto r = parse_run_arguments({"--backends", "torch,noop", "--batch", "1,8,64", "--iters=5"});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->backends, (std::vector<std::string>{"torch", "noop"}));
  EXPECT_EQ(r->batches, (std::vector<int>{1, 8, 64}));
  EXPECT_EQ(r->iterations, 5);
  EXPECT_EQ(r->changed.size(), 3u);
}

TEST(RunOptions, ModelIsOneOrAList) {
  auto r = parse_run_arguments({"--model", "resnet18, mobilenet_v2,my model.pt"});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->models, (std::vector<std::string>{"resnet18", "mobilenet_v2", "my model.pt"}));
  // all: the catalogue's models in its order, the test model left out.
  auto all = parse_run_arguments({"--model", "all"});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->models.size(), 9u);
  EXPECT_EQ(all->models.front(), "mobilenet_v2");
  EXPECT_EQ(std::count(all->models.begin(), all->models.end(), "tiny_cnn"), 0);
}

TEST(RunOptions, RoundsIsOneUnlessAsked) {
  auto one = parse_run_arguments({});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->rounds, 1);
  auto three = parse_run_arguments({"--rounds", "3"});
  ASSERT_TRUE(three);
  EXPECT_EQ(three->rounds, 3);
}

TEST(RunOptions, ScenariosDefaultAllAndLists) {
  auto by_default = parse_run_arguments({});
  ASSERT_TRUE(by_default);
  EXPECT_TRUE(by_default->scenarios.empty());  // each backend's own
  auto all = parse_run_arguments({"--scenarios", "all"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->scenarios, (std::vector<std::string>{"sync", "async", "single-stream", "multi-stream", "server",
                                                      "offline"}));
  auto some = parse_run_arguments({"--scenarios", "server,offline"});
  ASSERT_TRUE(some);
  EXPECT_EQ(some->scenarios, (std::vector<std::string>{"server", "offline"}));
}

TEST(RunOptions, ServingSettings) {
  auto r = parse_run_arguments({"--scenarios", "server", "--latency-bound", "12.5", "--latency-percentile", "99.9",
                                "--batch-timeout", "2", "--requests", "1,4", "--loadgen-seconds", "3",
                                "--loadgen-official", "--dispatch-poll", "250"});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->serving.latency_bound_ms, 12.5);
  EXPECT_FALSE(r->serving.target_qps);
  EXPECT_EQ(r->serving.latency_percentile, 99.9);
  EXPECT_EQ(r->serving.batch_timeout_ms, 2.0);
  EXPECT_EQ(r->serving.dispatch_poll_us, 250.0);
  EXPECT_EQ(r->serving.min_seconds, 3.0);
  EXPECT_TRUE(r->serving.official);
  EXPECT_EQ(r->requests, (std::vector<int>{1, 4}));
  auto defaults = parse_run_arguments({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->requests, std::vector<int>{0});
  EXPECT_EQ(defaults->serving.latency_percentile, 99.0);
  EXPECT_EQ(defaults->serving.batch_timeout_ms, 0.0);
  EXPECT_EQ(defaults->serving.dispatch_poll_us, 0.0);
  EXPECT_EQ(defaults->serving.min_seconds, 1.0);
}

TEST(RunOptions, ServingNumbersMustBeNumbersInRange) {
  for (const auto& [flag, value, says] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--target-qps", "0", "--target-qps '0' is not a positive number"},
           {"--target-qps", "fast", "--target-qps 'fast' is not a positive number"},
           {"--target-qps", "1e999", "--target-qps '1e999' is not a positive number"},
           {"--latency-bound", "0", "--latency-bound '0' is not a positive number"},
           {"--latency-percentile", "100", "--latency-percentile 100 is not below 100"},
           {"--batch-timeout", "x", "--batch-timeout 'x' is not a non-negative number"},
           {"--loadgen-seconds", "0", "--loadgen-seconds '0' is not a positive number"},
           {"--requests", "two", "--requests: 'two' is not an integer"}}) {
    auto r = parse_run_arguments({flag, value});
    ASSERT_FALSE(r) << flag << " " << value;
    EXPECT_EQ(r.status().code(), StatusCode::Usage);
    EXPECT_EQ(r.status().message(), says);
  }
}

TEST(RunOptions, UnknownFlagIsRejected) {
  auto r = parse_run_arguments({"--itters", "5"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::Usage);
  EXPECT_NE(r.status().message().find("itters"), std::string::npos);
}

TEST(RunOptions, RepeatedFlagIsRejected) {
  auto r = parse_run_arguments({"--iters", "5", "--iters", "6"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::Usage);
}

TEST(RunOptions, EqualsInsideAValueStaysInTheValue) {
  auto r = parse_run_arguments({"--backend-option", "noop:spin_us=1=2", "--out=dir=x"});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->backend_options.at("noop").at("spin_us"), "1=2");
  EXPECT_EQ(r->out_dir->string(), "dir=x");
}

TEST(RunOptions, BackendOptionNeedsBackendKeyAndValue) {
  EXPECT_FALSE(parse_run_arguments({"--backend-option", "spin_us=1"}));
  EXPECT_FALSE(parse_run_arguments({"--backend-option", "noop:=1"}));
  EXPECT_FALSE(parse_run_arguments({"--backend-option", "noop:a=1", "--backend-option", "noop:a=2"}));
}

TEST(RunOptions, ThreadsIsOneCountOrASweep) {
  auto r = parse_run_arguments({});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->threads, std::vector<int>{0});  // each framework's default
  r = parse_run_arguments({"--threads", "1,2,4"});
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->threads, (std::vector<int>{1, 2, 4}));
  auto bad = parse_run_arguments({"--threads", "two"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::Usage);
  EXPECT_NE(bad.status().message().find("--threads"), std::string::npos) << bad.status().message();
}

TEST(RunOptions, BatchMustBeIntegers) {
  auto r = parse_run_arguments({"--batch", "8,x"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("'x' is not an integer"), std::string::npos);
  EXPECT_FALSE(parse_run_arguments({"--batch", ""}));
}

TEST(RunOptions, InputShape) {
  auto r = parse_run_arguments({"--input-shape", "3x32x32"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sample_shape, (std::vector<std::int64_t>{3, 32, 32}));
  EXPECT_FALSE(parse_run_arguments({"--input-shape", "3x0x2"}));
}

TEST(RunOptions, EvalSamplesAndLabelsGoWithInput) {
  auto plain = parse_run_arguments({"--input", "x.npy"});
  ASSERT_TRUE(plain) << plain.status().to_string();
  EXPECT_EQ(plain->eval_samples, 1000);
  EXPECT_FALSE(plain->labels);
  auto all = parse_run_arguments({"--input", "x.npy", "--eval-samples", "all", "--labels", "y.txt"});
  ASSERT_TRUE(all) << all.status().to_string();
  EXPECT_EQ(all->eval_samples, 0);  // every sample
  EXPECT_EQ(all->labels->string(), "y.txt");
  EXPECT_EQ(parse_run_arguments({"--input", "x.npy", "--eval-samples", "64"})->eval_samples, 64);
  for (const char* bad : {"0", "-3", "some", "20000000"}) {
    auto refused = parse_run_arguments({"--input", "x.npy", "--eval-samples", bad});
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.status().code(), StatusCode::Usage);
  }
  // Both are about --input's samples: without it they are a mistake, not ignored.
  auto no_input = parse_run_arguments({"--labels", "y.txt"});
  ASSERT_FALSE(no_input);
  EXPECT_NE(no_input.status().message().find("--labels is about the samples of --input"), std::string::npos);
  EXPECT_FALSE(parse_run_arguments({"--eval-samples", "10"}));
}

TEST(ParseList, AllMeansEverything) {
  EXPECT_TRUE(parse_list("all", "--x")->empty());
  EXPECT_EQ(*parse_list("a, b,c", "--x"), (std::vector<std::string>{"a", "b", "c"}));
}

// An empty item was dropped, and an empty list meant "all": `--backends "$UNSET"` ran everything.
TEST(ParseList, EmptyItemsAndRepeatsAreRefused) {
  for (const char* text : {"", ",", "a,,c", "a,", " , a"}) {
    auto items = parse_list(text, "--x");
    ASSERT_FALSE(items) << text;
    EXPECT_NE(items.status().message().find("has an empty item"), std::string::npos) << items.status().message();
  }
  auto twice = parse_list("a,b, a", "--x");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.status().message(), "--x names 'a' twice");
  EXPECT_FALSE(parse_int_list("1,,2", "--batch"));
  EXPECT_FALSE(parse_int_list("1,1", "--batch"));
}

// The adaptive window's default gives way to a shorter --max-seconds; the study protocol has no
// window to check (a --max-seconds under 10 was refused, naming --max-window).
TEST(ParseRunArguments, DefaultWindowFollowsAShortCellBudget) {
  auto study = parse_run_arguments({"--max-seconds", "5"});
  ASSERT_TRUE(study) << study.status().message();
  EXPECT_TRUE(check_protocol(*study)) << check_protocol(*study).message();
  auto adaptive = parse_run_arguments({"--protocol", "adaptive", "--max-seconds", "5"});
  ASSERT_TRUE(adaptive);
  EXPECT_EQ(adaptive->targets.max_window_s, 5);
  EXPECT_TRUE(check_protocol(*adaptive));
  auto given = parse_run_arguments({"--protocol", "adaptive", "--max-seconds", "5", "--max-window", "8"});
  ASSERT_TRUE(given);
  EXPECT_FALSE(check_protocol(*given));
}

// --timeout 300 alone let a cell run its default 600 s budget past the kill, losing its row.
TEST(ParseRunArguments, TheTimeoutAndTheCellBudgetFollowEachOther) {
  auto short_timeout = parse_run_arguments({"--timeout", "300"});
  ASSERT_TRUE(short_timeout);
  EXPECT_EQ(short_timeout->max_seconds, 150);
  EXPECT_EQ(short_timeout->timeout_seconds, 300);
  auto long_budget = parse_run_arguments({"--max-seconds", "3600"});
  ASSERT_TRUE(long_budget);
  EXPECT_EQ(long_budget->timeout_seconds, 7200);
  auto defaults = parse_run_arguments({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->max_seconds, kDefaultMaxSeconds);
  EXPECT_EQ(defaults->timeout_seconds, kDefaultTimeoutSeconds);
  auto both = parse_run_arguments({"--max-seconds", "100", "--timeout", "50"});
  ASSERT_TRUE(both);  // refused by Driver::validate(), which failure_test.cc runs
  EXPECT_EQ(both->max_seconds, 100);
}

}  // namespace
}  // namespace inferbench::cli

namespace inferbench::cli {
namespace {

TEST(RunOptions, ProtocolIsStudyUnlessAskedAndEachProtocolKeepsItsFlags) {
  auto study = parse_run_arguments({});
  ASSERT_TRUE(study);
  EXPECT_EQ(study->protocol, "study");
  EXPECT_TRUE(check_protocol(*study).is_ok());

  auto adaptive = parse_run_arguments({"--protocol", "adaptive", "--target-precision", "2%", "--tail-precision", "10",
                                       "--max-window", "30", "--warmup-max", "20"});
  ASSERT_TRUE(adaptive) << adaptive.status().to_string();
  EXPECT_TRUE(check_protocol(*adaptive).is_ok()) << check_protocol(*adaptive).to_string();
  EXPECT_DOUBLE_EQ(adaptive->targets.p50, 0.02);
  EXPECT_DOUBLE_EQ(adaptive->targets.p99, 0.10);
  EXPECT_DOUBLE_EQ(adaptive->targets.max_window_s, 30);
  EXPECT_EQ(adaptive->warmup_max, 20);

  for (const auto& [args, says] : std::vector<std::tuple<std::vector<std::string>, std::string>>{
           {{"--protocol", "fast"}, "--protocol fast is not a protocol"},
           {{"--protocol", "adaptive", "--iters", "5"}, "--iters sets the study protocol's fixed counts, and --protocol adaptive has none"},
           {{"--protocol", "adaptive", "--warmup", "5"}, "--warmup sets the study protocol's fixed counts, and --protocol adaptive has none"},
           {{"--max-window", "5"}, "--max-window belongs to the adaptive protocol, and this run uses study"},
           {{"--target-precision", "2"}, "--target-precision belongs to the adaptive protocol, and this run uses study"},
           {{"--protocol", "adaptive", "--target-precision", "100"}, "--target-precision 100% is not a precision"},
           {{"--protocol", "adaptive", "--max-window", "700"}, "--max-window 700 s is not within the cell's --max-seconds 600 s"},
           {{"--protocol", "adaptive", "--warmup-max", "0"}, "--warmup-max must be at least 1"}}) {
    auto r = parse_run_arguments(args);
    ASSERT_TRUE(r) << r.status().to_string();
    const Status checked = check_protocol(*r);
    EXPECT_EQ(checked.code(), StatusCode::Usage) << says;
    EXPECT_EQ(checked.message(), says);
  }
  auto not_a_number = parse_run_arguments({"--protocol", "adaptive", "--target-precision", "tight"});
  ASSERT_FALSE(not_a_number);
  EXPECT_EQ(not_a_number.status().message(), "--target-precision 'tight' is not a positive number");
}

}  // namespace
}  // namespace inferbench::cli
