#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the documentation keeps up with the binary (issue #25).

    flags_documented_test.py INFERBENCH [SOURCE_DIR]

1. Every flag that `INFERBENCH SUBCOMMAND --help` prints, for every subcommand that
   `INFERBENCH --help` lists, is named (as `--flag`) in README.md or in a docs/*.md page that
   README.md links to.
2. Every relative link in README.md and docs/*.md points at a file that exists, and where it has
   a `#anchor`, at a heading of that Markdown file with that anchor (GitHub's rule: lower case,
   spaces to '-', punctuation other than '-' and '_' dropped; a repeated heading gets -1, -2, ...).

SOURCE_DIR defaults to the repository holding this script. Standard library only. Prints each
problem on its own line (the subcommand and flag, or the file, line and link) and exits 1 if
there is any, 0 otherwise.
"""
import pathlib
import re
import subprocess
import sys

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def help_text(binary, *args):
    done = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"flags_documented_test: `{binary} {' '.join(args)} --help` exited "
                 f"{done.returncode}: {done.stderr.strip()}")
    return done.stdout


def subcommands(binary):
    """The names under 'Subcommands:' in the top-level help, one per indented line."""
    names, inside = [], False
    for line in help_text(binary).splitlines():
        if line.strip() == "Subcommands:":
            inside = True
        elif inside and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
        elif inside and line.strip() and not line.startswith(" "):
            break
    if not names:
        sys.exit("flags_documented_test: found no subcommands in `inferbench --help`")
    return names


def help_flags(binary, subcommand):
    """Flags of one subcommand: the option column of its help (the text before the description)."""
    flags = set()
    for line in help_text(binary, subcommand).splitlines():
        stripped = line.strip()
        if not line.startswith("  ") or not stripped.startswith("-"):
            continue
        option_column = re.split(r"\s{2,}", stripped, maxsplit=1)[0]
        flags.update(FLAG.findall(option_column))
    return flags


def prose_lines(text):
    """(line number, line) outside fenced code blocks: links there are examples, not links."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def links(path):
    text = path.read_text(encoding="utf-8")
    for number, line in prose_lines(text):
        # Code spans hold examples such as `[a](b)`; they are not links.
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            yield number, target


def slug(heading):
    text = re.sub(r"`|\*\*|__", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    seen, result = {}, set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def is_relative(target):
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    binary = sys.argv[1]
    root = pathlib.Path(sys.argv[2] if len(sys.argv) == 3 else pathlib.Path(__file__).resolve().parents[2]).resolve()
    readme = root / "README.md"
    problems = []

    # The pages the README links to (docs/*.md only, as the check asks), and the README itself.
    documented = [readme]
    for _, target in links(readme):
        path = (readme.parent / target.split("#", 1)[0]).resolve()
        if (is_relative(target) and path.suffix == ".md" and path.parent == (root / "docs").resolve()
                and path.is_file() and path not in documented):
            documented.append(path)
    named = set()
    for page in documented:
        named.update(FLAG.findall(page.read_text(encoding="utf-8")))

    checked = 0
    for subcommand in subcommands(binary):
        for flag in sorted(help_flags(binary, subcommand)):
            checked += 1
            if flag not in named:
                problems.append(f"`inferbench {subcommand}`: {flag} is not named in README.md or in any "
                                "docs/*.md page README.md links to")

    pages = [readme, *sorted((root / "docs").glob("*.md"))]
    link_count = 0
    for page in pages:
        for number, target in links(page):
            if not is_relative(target):
                continue
            link_count += 1
            file_part, _, anchor = target.partition("#")
            destination = page if not file_part else (page.parent / file_part).resolve()
            where = f"{page.relative_to(root)}:{number}: link {target}"
            if not destination.exists():
                problems.append(f"{where}: {file_part} does not exist")
                continue
            if anchor:
                if destination.suffix != ".md" or not destination.is_file():
                    problems.append(f"{where}: an anchor into {file_part}, which is not a Markdown file")
                elif anchor not in anchors(destination):
                    problems.append(f"{where}: no heading in {destination.relative_to(root)} has the anchor #{anchor}")

    for problem in problems:
        print(problem)
    print(f"flags_documented_test: {checked} flags of the binary, {len(documented)} pages searched "
          f"({', '.join(str(p.relative_to(root)) for p in documented)}); {link_count} relative links "
          f"in {len(pages)} pages; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
