#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates results.json files against docs/results.schema.json (JSON Schema draft 2020-12).

Usage: validate_results.py [--committed] SCHEMA RESULTS.json [RESULTS.json ...]

With --committed, a required key that the schema lists in the same object's "x-added-later"
may be absent: files written by an earlier version (results/*/results.json) lack the keys added
since, and are valid otherwise.

Prints one line per violation, "FILE: $.json.path: message", and exits with
  0  every file is valid,
  1  at least one file is invalid, unreadable or not JSON,
  2  wrong arguments, or the schema itself is unreadable or not a valid schema,
  3  the jsonschema package is missing from this Python (callers may skip, saying so).

The schema tests (tests/schema/) run it on the json reporter's output; integration tests run
it on real results.json files with the project's Python (CMake cache INFERBENCH_PYTHON).
"""

import json
import sys

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NO_JSONSCHEMA = 3


def load_json(path):
    """Returns (document, None) or (None, one-line reason)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f), None
    except OSError as e:
        return None, f"cannot read: {e.strerror or e}"
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, f"not JSON: {e}"


def error_path(error):
    # json_path exists since jsonschema 4.0; build the same text from the path deque otherwise.
    path = getattr(error, "json_path", None)
    if path is not None:
        return path
    text = "$"
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def sort_key(error):
    # Rows in numeric order ($.rows[2] before $.rows[10]); keys and indices never compare.
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


MAX_MESSAGE = 300


def one_line(text):
    # A message can quote a whole row; keep each violation one readable line.
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE] + "..."


def without_later_keys(node):
    """The schema with each object's x-added-later keys dropped from its required list."""
    if isinstance(node, dict):
        node = {key: without_later_keys(value) for key, value in node.items()}
        later = set(node.get("x-added-later", []))
        if later and isinstance(node.get("required"), list):
            node["required"] = [key for key in node["required"] if key not in later]
        return node
    if isinstance(node, list):
        return [without_later_keys(value) for value in node]
    return node


def main(argv):
    committed = len(argv) > 1 and argv[1] == "--committed"
    if committed:
        argv = argv[:1] + argv[2:]
    if len(argv) < 3:
        print("usage: validate_results.py [--committed] SCHEMA RESULTS.json [RESULTS.json ...]", file=sys.stderr)
        return EXIT_USAGE
    try:
        import jsonschema
    except ImportError:
        print(f"validate_results.py: the jsonschema package is not installed for {sys.executable}; "
              "run tools/setup/setup.sh or pip install jsonschema", file=sys.stderr)
        return EXIT_NO_JSONSCHEMA

    schema_path, result_paths = argv[1], argv[2:]
    schema, reason = load_json(schema_path)
    if reason is not None:
        print(f"{schema_path}: {reason}", file=sys.stderr)
        return EXIT_USAGE
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print(f"{schema_path}: not a valid JSON Schema: {one_line(e.message)}", file=sys.stderr)
        return EXIT_USAGE
    validator = jsonschema.Draft202012Validator(without_later_keys(schema) if committed else schema)

    exit_code = EXIT_OK
    for path in result_paths:
        document, reason = load_json(path)
        if reason is not None:
            print(f"{path}: {one_line(reason)}")
            exit_code = EXIT_INVALID
            continue
        errors = sorted(validator.iter_errors(document), key=sort_key)
        for error in errors:
            print(f"{path}: {error_path(error)}: {one_line(error.message)}")
            exit_code = EXIT_INVALID
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
