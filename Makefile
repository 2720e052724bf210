# SPDX-License-Identifier: Apache-2.0
# The two commands the README names: `make run` and `make test`. Each installs what is missing
# (Debian packages, the Python environment), builds incrementally, and then runs.
SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= Release
# Extra arguments for `make run`, e.g. make run RUN_ARGS="--backends torch --batch 8".
RUN_ARGS ?=
RUN_OUT ?= results/latest
CTEST_ARGS ?=

.PHONY: run test setup build bench clean

# tools/setup/setup.sh writes the folder of each Python environment into $(BUILD_DIR):
# venv-path (main), executorch-venv-path, litert-venv-path, fleet-venv-path, and loadgen-sdist-path.
setup:
	@tools/setup/setup.sh $(BUILD_DIR)

# CMake comes from the ExecuTorch environment: the executorch wheel's CMake package needs >= 3.28.
build: setup
	@venv=$$(cat $(BUILD_DIR)/venv-path); et=$$(cat $(BUILD_DIR)/executorch-venv-path); \
	lt=$$(cat $(BUILD_DIR)/litert-venv-path); lg=$$(cat $(BUILD_DIR)/loadgen-sdist-path); \
	fleet=$$(cat $(BUILD_DIR)/fleet-venv-path); \
	if [ ! -f $(BUILD_DIR)/build.ninja ] || ! grep -q "INFERBENCH_PYTHON:FILEPATH=$$venv/bin/python" $(BUILD_DIR)/CMakeCache.txt \
	    || ! grep -q "INFERBENCH_LOADGEN_SDIST:FILEPATH=$$lg" $(BUILD_DIR)/CMakeCache.txt \
	    || ! grep -q "INFERBENCH_EXECUTORCH_PYTHON:FILEPATH=$$et/bin/python" $(BUILD_DIR)/CMakeCache.txt \
	    || ! grep -q "INFERBENCH_LITERT_PYTHON:FILEPATH=$$lt/bin/python" $(BUILD_DIR)/CMakeCache.txt \
	    || ! grep -q "INFERBENCH_FLEET_PYTHON:FILEPATH=$$fleet/bin/python" $(BUILD_DIR)/CMakeCache.txt \
	    || ! grep -q "CMAKE_COMMAND:INTERNAL=$$et/" $(BUILD_DIR)/CMakeCache.txt; then \
	  $$et/bin/cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	    -DINFERBENCH_PYTHON=$$venv/bin/python -DINFERBENCH_EXECUTORCH_PYTHON=$$et/bin/python \
	    -DINFERBENCH_LITERT_PYTHON=$$lt/bin/python -DINFERBENCH_FLEET_PYTHON=$$fleet/bin/python \
	    -DINFERBENCH_LOADGEN_SDIST=$$lg; \
	fi
	@$$(cat $(BUILD_DIR)/executorch-venv-path)/bin/cmake --build $(BUILD_DIR)

run: build
	./inferbench run --out $(RUN_OUT) --overwrite $(RUN_ARGS)

test: build
	cd $(BUILD_DIR) && $$(cat executorch-venv-path)/bin/ctest --output-on-failure -j2 $(CTEST_ARGS)

bench: build
	$(BUILD_DIR)/bench/inferbench_overhead_bench
	$(BUILD_DIR)/bench/inferbench_interval_coverage
	$(BUILD_DIR)/bench/inferbench_serving_overhead
	$(BUILD_DIR)/bench/inferbench_sample_copy
	python3 bench/serving_side_by_side.py --inferbench ./inferbench
	$$(cat $(BUILD_DIR)/venv-path)/bin/python bench/torch_side_by_side.py --inferbench ./inferbench
	$$(cat $(BUILD_DIR)/venv-path)/bin/python bench/openvino_side_by_side.py --inferbench ./inferbench
	$$(cat $(BUILD_DIR)/executorch-venv-path)/bin/python bench/executorch_side_by_side.py --inferbench ./inferbench
	$$(cat $(BUILD_DIR)/litert-venv-path)/bin/python bench/litert_side_by_side.py --inferbench ./inferbench
	$$(cat $(BUILD_DIR)/venv-path)/bin/python bench/parity_pass_cost.py

clean:
	rm -rf $(BUILD_DIR)
