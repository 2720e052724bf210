# SPDX-License-Identifier: Apache-2.0
"""Command line: `python -m inferbench_fleet coordinator --address ADDRESS`."""
import argparse
import sys

from inferbench_fleet import coordinator


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m inferbench_fleet")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser(
        "coordinator", help="run cells on the hosts of a Ray cluster, driven by JSON lines on stdin")
    start.add_argument("--address", required=True,
                       help='the Ray cluster: HOST:PORT, or "auto" (RAY_ADDRESS, else the cluster '
                            "`ray start` last started on this machine)")
    args = parser.parse_args()
    return coordinator.main(args.address)


if __name__ == "__main__":
    sys.exit(main())
