"""The command line: argument parsing only.  It builds the config, runs the
linter and hands the result to a reporter.

Exit status: 0 no error finding, 1 error findings (or warnings with
``--strict``), 2 usage, config or schema errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from linter import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fmlint",
        description="Lint the YAML front matter and structure of Markdown articles.",
    )
    parser.add_argument("--version", action="version", version=f"fmlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint files and folders (default: .)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument(
        "--format", help="output format: text (default), json, github, sarif, gitlab, junit"
    )
    check.add_argument("--output-file", "-o", type=Path, help="write the report to this file")
    check.add_argument("--config", type=Path, help="config file (default: found by walking up)")
    check.add_argument(
        "--select",
        type=_codes,
        help="comma-separated codes or prefixes to enable (replaces the config's)",
    )
    check.add_argument(
        "--ignore",
        type=_codes,
        help="comma-separated codes or prefixes to disable (added to the config's)",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--statistics", action="store_true", help="print counts per rule code")
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in text output (NO_COLOR is honoured)",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are errors")
    check.add_argument("--strict", action="store_true", help="warnings fail the run too")
    check.add_argument(
        "--baseline",
        type=Path,
        help="report only findings not in this file; create it when missing",
    )
    check.add_argument("--jobs", "-j", type=int, help="worker processes (default: all cores)")
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )
    check.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--config", type=Path, help=argparse.SUPPRESS)

    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="CODE", help="a rule code (FM301) or name (missing-h1)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "explain":
            return _explain(args)
    except BrokenPipeError:  # `fmlint check | head`
        sys.stderr.close()
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return EXIT_USAGE


def entry() -> None:
    """The ``fmlint`` command: :func:`main`, then an exit that skips freeing
    every object one by one (a tenth of a second after a 50,000-file run);
    the output streams are flushed first."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: nothing more to say
        code = code or EXIT_FINDINGS
    os._exit(code)


def _error(message: str) -> int:
    print(f"fmlint: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _check(args: argparse.Namespace) -> int:
    from linter.discovery import drop_prefetched, prefetch_git_index

    # before the heavy imports: git lists the index on another core meanwhile
    prefetch_git_index(args.paths, os.getcwd())
    try:
        return _check_paths(args)
    finally:
        drop_prefetched()


def _check_paths(args: argparse.Namespace) -> int:
    from linter.config import ConfigError, load_config
    from linter.reporters import ReportOptions, default_format, get_reporter
    from linter.runner import Linter, UsageError, run

    if args.jobs is not None and args.jobs < 1:
        return _error("--jobs must be at least 1")
    try:
        reporter_class = get_reporter(args.format or default_format(os.environ))
    except ValueError as error:
        return _error(str(error))
    cwd = Path.cwd()
    try:
        config = load_config(args.config, cwd).with_cli(args.select, args.ignore)
        linter = Linter(config, cwd=cwd)
    except (ConfigError, UsageError) as error:
        return _error(str(error))
    plugin_errors = [*linter.registry.errors, *linter.load_errors]
    for message in plugin_errors:
        print(f"fmlint: error: {message}", file=sys.stderr)
    _check_selectors(linter, config.select, config.ignore)

    progress = None
    if not args.no_progress and sys.stderr.isatty():
        from linter.progress import ProgressBar

        progress = ProgressBar(sys.stderr)
    try:
        result = run(
            args.paths,
            config,
            jobs=args.jobs,
            use_cache=not args.no_cache,
            linter=linter,
            progress=progress,
        )
    except UsageError as error:
        return _error(str(error))
    finally:
        if progress is not None:
            progress.close()

    if args.baseline is not None:
        from linter.baseline import BaselineError, load_baseline, write_baseline

        if not args.baseline.exists():
            try:
                write_baseline(args.baseline, result.findings)
            except OSError as error:
                return _error(f"cannot write the baseline {args.baseline}: {error.strerror}")
            print(
                f"fmlint: wrote {len(result.findings)} finding(s) to the baseline {args.baseline}",
                file=sys.stderr,
            )
            return EXIT_OK
        try:
            result.findings = load_baseline(args.baseline).filter_new(result.findings)
        except BaselineError as error:
            return _error(str(error))

    stream: TextIO
    to_file = args.output_file is not None
    if to_file:
        try:
            stream = open(args.output_file, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as error:
            return _error(f"cannot write {args.output_file}: {error.strerror}")
    else:
        stream = sys.stdout
    use_color = args.color == "always" or (
        args.color == "auto" and not to_file and stream.isatty() and "NO_COLOR" not in os.environ
    )
    options = ReportOptions(
        color=use_color,
        show_source=not to_file and stream.isatty(),
        statistics=args.statistics,
        quiet=args.quiet,
        cwd=cwd,
    )
    try:
        reporter_class(stream, options).report(result)
    finally:
        if to_file:
            stream.close()

    if args.exit_zero:
        return EXIT_OK
    if plugin_errors:  # checks that should have run did not
        return EXIT_FINDINGS
    if result.errors or (args.strict and result.warnings):
        return EXIT_FINDINGS
    return EXIT_OK


def _check_selectors(linter: object, select: Sequence[str], ignore: Sequence[str]) -> None:
    from linter.runner import Linter

    assert isinstance(linter, Linter)
    for selector in (*select, *ignore):
        if not linter.registry.is_known_selector(selector):
            print(
                f"fmlint: warning: `{selector}` matches no rule code, prefix or name "
                "(see `fmlint rules`)",
                file=sys.stderr,
            )


def _rules(args: argparse.Namespace) -> int:
    import json

    from linter.registry import load_registry

    registry = load_registry()
    infos = [rule.info() for rule in registry.rules.values()]
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "code": i.code,
                        "name": i.name,
                        "severity": i.severity.value,
                        "summary": i.summary,
                        "origin": i.origin,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
    else:
        width = max((len(i.name) for i in infos), default=10)
        for info in infos:
            origin = "" if info.origin == "fmlint" else f"  [{info.origin}]"
            print(
                f"{info.code}  {info.name:<{width}}  {info.severity.value:<7}  {info.summary}{origin}"
            )
    for message in registry.errors:
        print(f"fmlint: error: {message}", file=sys.stderr)
    return EXIT_FINDINGS if registry.errors else EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    import difflib

    from linter.docs import toml_value
    from linter.registry import load_registry

    registry = load_registry()
    code = registry.resolve(args.rule) or registry.resolve(args.rule.upper())
    if code is None:
        close = difflib.get_close_matches(args.rule, [*registry.rules, *registry.names], n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return _error(f"no rule {args.rule!r}{hint} (see `fmlint rules`)")
    rule = registry.rules[code]
    info = rule.info()
    print(f"# {info.code} {info.name}\n")
    print(f"{info.summary}\n")
    print(f"Default severity: {info.severity.value}. From: {info.origin}.\n")
    if rule.options:
        print("Options:")
        for key, option in rule.options.items():
            print(
                f"  {key} ({option.kind}, default {toml_value(option.default)}): {option.description}"
            )
        print()
    print(info.docs)
    return EXIT_OK
