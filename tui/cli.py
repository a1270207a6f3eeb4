"""The `agentlog-tui` command: the UI by default, and headless `state|check|diff|compact|formats`.

Exit codes: 0 clean, 1 findings (drift, integrity problems, unverified compaction), 2 bad usage or
unreadable input, always with a one-line message naming the file and the problem, 3 an internal
error (a bug: one line naming the file and the error; `AGENTLOG_DEBUG=1` prints the traceback).

This module holds the argument parser, the options every command shares, the dispatch and the
error boundary; each command is a module of its own, `tui/cli_<command>.py`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from agentlog_tui.core.jsonvalue import to_json
from agentlog_tui.core.safetext import safe_text
from agentlog_tui.tui import cli_check, cli_compact, cli_diff, cli_formats, cli_state
from agentlog_tui.tui.errors import EXIT_INTERNAL, AppCrashed, package_version

SUBCOMMANDS = ("state", "check", "diff", "compact", "formats", "brief", "sessions", "find", "fork",
               "mcp")
# every command module has add_parser(subparsers): state, check, diff, compact and formats
# (imported above) are dispatched through COMMANDS; these set `func` in their add_parser
COMMAND_MODULES = ("agentlog_tui.tui.cli_brief", "agentlog_tui.tui.cli_sessions",
                   "agentlog_tui.tui.cli_find", "agentlog_tui.tui.cli_fork", "agentlog_tui.tui.cli_mcp")
PROG = "agentlog-tui"


class UsageError(Exception):
    """Bad input or usage: printed as one line, exit 2."""


# ---- text helpers -------------------------------------------------------------------------------

def clean(text: Any) -> str:
    """Log content made safe for a terminal (`core.safetext.safe_text`): control, bidi and
    surrogate code points shown, never interpreted."""
    return safe_text(text)


def jdump(value: Any) -> str:
    return to_json(value).decode()


def short(value: Any, width: int = 48) -> str:
    s = clean(value if isinstance(value, str) else jdump(value))
    return s if len(s) <= width else s[: width - 1] + "…"


def fmt_path(path: Any) -> str:
    """A state path for people: `draft["drafts/x.md"].sha`, `context[3]`."""
    from agentlog_tui.core.diff import format_path

    return clean(format_path(path))


def emit_json(obj: Any) -> None:
    sys.stdout.write(to_json(obj, indent=True).decode() + "\n")


# ---- arguments ----------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("log format")
    g.add_argument("--format", metavar="NAME|FILE.py:NAME",
                   help="force a log format (see `agentlog-tui formats`), or load one from a file")
    g.add_argument("--projection", metavar="FILE.py:NAME|module:NAME",
                   help="a custom projection (Python code, loaded only because you name it)")
    g.add_argument("--key-field", metavar="FIELD", action="append",
                   help="subject fields for the default projection, in order (repeatable)")
    g.add_argument("--type-field", metavar="FIELD")
    g.add_argument("--id-field", metavar="FIELD")
    g.add_argument("--ts-field", metavar="FIELD")
    g.add_argument("--data-field", metavar="FIELD")
    g.add_argument("--resume-type", metavar="TYPE", action="append",
                   help="event types that start a new executor run (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Inspect and time-travel agent event logs. "
        "`agentlog-tui LOG` opens the UI; subcommands run headless.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(SUBCOMMANDS) + "}")
    for command in (cli_state, cli_check, cli_diff, cli_compact, cli_formats):
        command.add_parser(sub)
    for name in COMMAND_MODULES:
        __import__(name, fromlist=["add_parser"]).add_parser(sub)
    for sp in (parser, *sub.choices.values()):
        sp.epilog = EXIT_CODES
    return parser


def build_ui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} [LOG | DIR | --demo] [options]\n       {PROG} {{state,check,diff,compact,formats}} LOG [--json] ...",
        description="Open the UI on an agent's event log (live-tailed). "
        "Run `agentlog-tui check --help` etc. for the headless commands.",
    )
    parser.epilog = EXIT_CODES
    parser.add_argument("log", nargs="?", help="the log file (JSON Lines), or a folder of them: "
                        "a session list (default: your Claude Code and Codex sessions)")
    parser.add_argument("--demo", action="store_true", help="open the UI on a simulated agent writing a log live")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    _common(parser)
    return parser


def analysis_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for core.analysis.Analysis from the common options."""
    from agentlog_tui.core.formats.base import Options
    from agentlog_tui.core.projection import ProjectionError, load_projection

    for opt in ("format", "projection", "type_field", "id_field", "ts_field", "data_field"):
        value = getattr(args, opt, None)
        if value is not None and not value.strip():  # `--format ""` was taken as no option
            raise UsageError(f"--{opt.replace('_', '-')}: empty; give a name or leave the option out")
    options = Options(
        type_field=args.type_field,
        id_field=args.id_field,
        ts_field=args.ts_field,
        data_field=args.data_field,
        key_fields=tuple(k for ks in args.key_field for k in ks.split(",") if k) if args.key_field else None,
        resume_types=tuple(args.resume_type) if args.resume_type else None,
    )
    kwargs: dict[str, Any] = {"options": options}
    if args.format:
        try:
            kwargs["format"] = cli_formats.resolve_format(args.format)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.projection:
        try:
            kwargs["projection"] = load_projection(args.projection)
        except ProjectionError as exc:
            raise UsageError(str(exc)) from None
    return kwargs


def open_log(args: argparse.Namespace):
    """Open and analyse the log named on the command line, with progress on a terminal."""
    from agentlog_tui.core.analysis import Analysis
    from agentlog_tui.core.reader import LogReadError

    kwargs = analysis_kwargs(args)
    cli_formats.warn_problems()
    try:
        from agentlog_tui.core.jsondoc import open_log as open_source

        open_source(args.log, index=False, strict=True).close()  # no log at all: one line, exit 2
        a = Analysis(args.log, **kwargs)
    except LogReadError as exc:
        raise UsageError(str(exc)) from None
    show = sys.stderr.isatty() and a.log.size > 8 << 20

    def progress(done: int, total: int) -> None:
        if show and total:
            sys.stderr.write(f"\ranalysing {os.path.basename(args.log)} {100 * done // total:3d}%")
            sys.stderr.flush()

    try:
        a.run(progress)
    except LogReadError as exc:  # e.g. truncated while it was read
        raise UsageError(str(exc)) from None
    if show:
        sys.stderr.write("\r" + " " * 60 + "\r")
    return a


COMMANDS = {"state": cli_state.run, "check": cli_check.run, "diff": cli_diff.run, "compact": cli_compact.run,
            "formats": cli_formats.run}


def fail(msg: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"{PROG}: {clean(msg)}\n")
    raise SystemExit(code)


EXIT_CODES = ("exit codes: 0 clean, 1 findings, 2 bad usage or unreadable input, "
              "3 internal error (AGENTLOG_DEBUG=1 prints its traceback)")


def internal_error(exc: BaseException, args: Any = None) -> int:
    """The error boundary: one line naming the file and the error, exit 3 (the traceback too
    when AGENTLOG_DEBUG is set)."""
    from agentlog_tui.tui.errors import EXIT_INTERNAL, debug_enabled, internal_error_line

    if debug_enabled():
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    sys.stderr.write(internal_error_line(exc, getattr(args, "log", None)) + "\n")
    return EXIT_INTERNAL


def _tolerant_streams() -> None:
    """Text a terminal's encoding cannot hold is escaped, not an exception (a latin-1 locale)."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict":
            try:
                stream.reconfigure(errors="backslashreplace")
            except (AttributeError, ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    _tolerant_streams()
    try:
        if argv and argv[0] in SUBCOMMANDS:
            args = build_parser().parse_args(argv)
            code = (getattr(args, "func", None) or COMMANDS[args.command])(args)
        else:
            if argv and argv[0] in ("-h", "--help") and len(argv) == 1:
                build_ui_parser().print_help()
                print("\nheadless commands:")
                for name, text in (("state", "the state after an event"), ("check", "integrity and resume checks"),
                                   ("diff", "snapshots against replay"), ("compact", "compaction review / write"),
                                   ("formats", "the log formats"), ("sessions", "the sessions in folders"),
                                   ("find", "search sessions' text")):
                    print(f"  {PROG} {name:<8} {text}")
                return 0
            args = build_ui_parser().parse_args(argv)
            code = run_ui(args)
        sys.stdout.flush()
        return code
    except UsageError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the final flush
        except OSError:
            pass
        return 0
    except (SystemExit, GeneratorExit):
        raise
    except AppCrashed as exc:  # the app showed the error in its dialog; the line for stderr
        sys.stderr.write(exc.line + "\n")
        return EXIT_INTERNAL
    except BaseException as exc:  # noqa: BLE001 - the error boundary: one line, exit 3, never a traceback
        return internal_error(exc, args)


def run_ui(args: argparse.Namespace) -> int:
    kwargs = analysis_kwargs(args)
    from agentlog_tui.core.jsondoc import is_event_folder  # a folder of per-event files is a log

    if not args.demo and (not args.log or (os.path.isdir(args.log) and not is_event_folder(args.log))):
        from agentlog_tui.tui.session_browser import run_sessions_ui  # a session list

        return run_sessions_ui(args.log, kwargs)
    if args.log:
        from agentlog_tui.core.jsondoc import open_log
        from agentlog_tui.core.reader import LogReadError

        try:
            open_log(args.log, index=False, strict=True).close()
        except LogReadError as exc:
            raise UsageError(str(exc)) from None
    if not args.demo:
        from agentlog_tui.tui.session_browser import run_log_ui

        return run_log_ui(args.log, kwargs)
    from agentlog_tui.tui.app import run_app

    return run_app(args.log, analysis_kwargs=kwargs, demo=args.demo) or 0


if __name__ == "__main__":  # run the package's module, so that subcommand modules share its classes
    from agentlog_tui.tui.cli import main as package_main

    raise SystemExit(package_main())
