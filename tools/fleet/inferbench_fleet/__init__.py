# SPDX-License-Identifier: Apache-2.0
"""Fleet runs: the Ray side of `inferbench run --cluster ADDRESS`.

`python -m inferbench_fleet coordinator --address ADDRESS` is the coordinator the C++ driver starts
and talks to in JSON lines (coordinator.py); host_tasks.py is what runs on each host. Nodes are
started with tools/fleet/inferbench-host.
"""
