"""Sessions: finding agents' logs in folders and describing each one in a row.

`discover(roots)` walks folders (recursively, following symlinks once) and yields the log files in
them; `describe(path)` reads a file's first and last lines only and gives the cheap columns of a
session list (format, project, title, start, last activity, size); `fill_stats(info)` runs the
full analysis of one session for the expensive columns (events, findings, compactions, resumes).
`default_roots()` names the user's own Claude Code and Codex session folders.

Used by the `sessions` and `find` commands, the app's session list and the MCP server. Nothing
here writes to a log, and nothing raises out of `describe` for bad content: an unreadable file is
a row with `error` set.
"""

from __future__ import annotations

import gzip
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import IO, Any

import orjson

__all__ = [
    "COMPRESSED_SUFFIXES", "LOG_SUFFIXES", "SessionInfo", "Stats", "default_roots", "describe",
    "discover", "fill_stats", "group_subagents", "list_sessions", "open_bytes", "session_stats",
]

LOG_SUFFIXES = (".jsonl", ".ndjson")
COMPRESSED_SUFFIXES = (".gz", ".zst")
HEAD_BYTES = 256 << 10  # enough for the first prompt behind a Claude Code session's hook records
TAIL_BYTES = 64 << 10
MAX_TAIL_BYTES = 8 << 20  # a last line longer than this leaves "last activity" to the file's mtime
HEAD_OBJECTS = 64
TITLE_WIDTH = 200


# ---- opening -------------------------------------------------------------------------------------


def compression_of(path: str | os.PathLike[str]) -> str | None:
    """"gz" or "zst" for a compressed log (by its name), else None."""
    name = os.fspath(path)
    if name.endswith(".gz"):
        return "gz"
    if name.endswith(".zst"):
        return "zst"
    return None


def open_bytes(path: str | os.PathLike[str]) -> IO[bytes]:
    """The log's bytes, read-only, decompressed when its name says it is compressed.

    Raises OSError (a missing `zstandard` module is reported as one, naming what to install)."""
    from agentlog_tui.core.reader import capped  # a decompression bomb is refused (OSError)

    kind = compression_of(path)
    if kind == "gz":
        return capped(gzip.open(path, "rb"), path, "gzip")
    if kind == "zst":
        try:
            import zstandard
        except ImportError:
            raise OSError(f"{os.fspath(path)}: reading .zst needs the zstandard package "
                          "(pip install zstandard)") from None
        raw = open(path, "rb")  # noqa: SIM115 - closed with the reader
        return capped(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True), path, "zstd")
    return open(path, "rb")


# ---- finding logs --------------------------------------------------------------------------------


def default_roots(env: dict[str, str] | None = None) -> list[Path]:
    """The user's own agent session folders that exist: Claude Code's projects folder
    (`$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`) and Codex's sessions folder
    (`$CODEX_HOME/sessions`, else `~/.codex/sessions`)."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    claude = Path(env["CLAUDE_CONFIG_DIR"]) if env.get("CLAUDE_CONFIG_DIR") else home / ".claude"
    codex = Path(env["CODEX_HOME"]) if env.get("CODEX_HOME") else home / ".codex"
    # pi (`$PI_CODING_AGENT_DIR`, else ~/.pi/agent) and Gemini CLI chat recordings
    pi = Path(env["PI_CODING_AGENT_DIR"]) if env.get("PI_CODING_AGENT_DIR") else home / ".pi" / "agent"
    return [p for p in (claude / "projects", codex / "sessions", pi / "sessions", home / ".gemini" / "tmp")
            if p.is_dir()]


def is_log_name(name: str) -> bool:
    """True for `x.jsonl`, `x.ndjson` and their `.gz` / `.zst` forms."""
    for c in COMPRESSED_SUFFIXES:
        if name.endswith(c):
            name = name[: -len(c)]
            break
    return name.endswith(LOG_SUFFIXES)


def discover(roots: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """The log files under `roots` (files named as roots are yielded as they are), each once.

    Symlinked files and folders are followed (a folder of links to logs elsewhere works); a folder
    reached twice (a link loop) is walked once. Unreadable folders are skipped silently."""
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def once(p: Path, st: os.stat_result) -> bool:
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            return False
        seen_files.add(key)
        return True

    for root in roots:
        root = Path(root)
        try:
            st = root.stat()
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            if once(root, st):
                yield root
            continue
        stack = [root]
        while stack:
            d = stack.pop()
            try:
                dst = d.stat()
            except OSError:
                continue
            if (dst.st_dev, dst.st_ino) in seen_dirs:
                continue
            seen_dirs.add((dst.st_dev, dst.st_ino))
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError:
                continue
            subdirs = []
            for e in entries:
                try:
                    if e.is_dir():  # follows symlinks
                        if not e.name.startswith("."):
                            subdirs.append(Path(e.path))
                    elif e.is_file() and is_log_name(e.name):
                        fst = e.stat()
                        if once(Path(e.path), fst):
                            yield Path(e.path)
                except OSError:
                    continue
            stack.extend(reversed(subdirs))


# ---- the cheap columns ---------------------------------------------------------------------------


@dataclass
class Stats:
    """The expensive columns: from a full analysis of the session."""

    events: int
    findings: int
    compactions: int
    resumes: int
    malformed: int = 0
    subagents_missing: int = 0

    def to_json(self) -> dict:
        return {"events": self.events, "findings": self.findings, "compactions": self.compactions,
                "resumes": self.resumes}


@dataclass
class SessionInfo:
    """One session (one log file) as a row of a session list.

    The cheap fields are set by `describe`; `stats` is None until `fill_stats` ran, and `error`
    says why a file could not be read or analysed (the row stays in the list)."""

    path: Path
    format: str = "?"
    session_id: str | None = None
    project: str | None = None
    title: str = ""
    started: str | None = None
    last_activity: str | None = None
    size: int = 0
    mtime: float = 0.0
    compressed: str | None = None
    # Claude Code subagent transcripts (sidechains): the agent's id and the parent's session id
    agent_id: str | None = None
    parent_session: str | None = None
    stats: Stats | None = None
    error: str | None = None
    subagents: list[SessionInfo] = field(default_factory=list)  # set by `group_subagents`
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_subagent(self) -> bool:
        return self.agent_id is not None

    def to_json(self) -> dict:
        """The `sessions --json` row."""
        out: dict[str, Any] = {
            "path": str(self.path), "format": self.format, "session_id": self.session_id,
            "project": self.project, "title": self.title, "started": self.started,
            "last_activity": self.last_activity, "size": self.size,
            "compressed": self.compressed,
        }
        if self.agent_id is not None:
            out["agent_id"] = self.agent_id
            out["parent_session"] = self.parent_session
        s = self.stats
        out.update({"events": s.events if s else None, "findings": s.findings if s else None,
                    "compactions": s.compactions if s else None,
                    "resumes": s.resumes if s else None})
        out["error"] = self.error
        if self.subagents:
            out["subagents"] = [s.to_json() for s in self.subagents]
        return out


def _parse_lines(lines: list[bytes]) -> list[dict]:
    out = []
    for raw in lines:
        raw = raw.strip()
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw:
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def _read_head(path: Path) -> tuple[list[dict], bool]:
    """The first objects of a log, and whether the whole file was read."""
    with open_bytes(path) as f:
        data = f.read(HEAD_BYTES)
        whole = len(data) < HEAD_BYTES or not f.read(1)
    lines = data.split(b"\n")
    if not whole:
        lines = lines[:-1]  # a line cut by the read
    return _parse_lines(lines), whole


def _read_tail(path: Path, size: int) -> list[dict]:
    """The last complete objects of an uncompressed log (at least one when it has one)."""
    want = TAIL_BYTES
    with open(path, "rb") as f:
        while True:
            start = max(0, size - want)
            f.seek(start)
            data = f.read(size - start)
            lines = data.split(b"\n")
            if start > 0:
                lines = lines[1:]  # cut by the read
            objs = _parse_lines(lines)
            if objs or start == 0 or want >= MAX_TAIL_BYTES:
                return objs
            want *= 4


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _ts_of(obj: dict) -> str | None:
    for k in ("timestamp", "ts", "time", "created_at"):
        v = obj.get(k)
        if isinstance(v, str) and v:
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            from datetime import datetime

            try:
                secs = v / 1000 if v > 1e11 else v
                return datetime.fromtimestamp(secs, UTC).isoformat().replace("+00:00", "Z")
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _one_line(text: str, width: int = TITLE_WIDTH) -> str:
    s = " ".join(text.split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b["text"] for b in content
                         if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


_NOT_PROMPTS = ("<command-name>", "<local-command-", "<command-message>", "<environment_context>",
                "<user_instructions>", "# AGENTS.md", "<system-reminder>", "Caveat:",
                "[Request interrupted")


def _is_prompt_text(text: str) -> bool:
    t = text.lstrip()
    return bool(t) and not t.startswith(_NOT_PROMPTS)


def _claude_cheap(info: SessionInfo, head: list[dict], tail: list[dict]) -> None:
    summary = custom = prompt = None
    for o in head + tail:
        t = o.get("type")
        if t == "summary" and _str(o.get("summary")):
            summary = o["summary"]
        elif t == "custom-title" and _str(o.get("customTitle")):
            custom = o["customTitle"]
    for o in head:
        info.session_id = info.session_id or _str(o.get("sessionId"))
        info.project = info.project or _str(o.get("cwd"))
        if info.agent_id is None and o.get("isSidechain") is True and _str(o.get("agentId")):
            info.agent_id = o["agentId"]
            info.parent_session = _str(o.get("sessionId"))
        if (prompt is None and o.get("type") == "user" and not o.get("isMeta")
                and not o.get("isCompactSummary")):
            msg = o.get("message")
            content = msg.get("content") if isinstance(msg, dict) else None
            if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result"
                                                 for b in content):
                continue
            text = _content_text(content)
            if _is_prompt_text(text):
                prompt = text
    if info.agent_id is None and info.path.name.startswith("agent-"):
        # an older sidechain file whose head has no agentId: its name holds it
        stem = info.path.name.split(".", 1)[0]
        info.agent_id = stem[len("agent-"):] or None
        info.parent_session = info.session_id
    info.title = _one_line(custom or summary or prompt or "")


def _codex_cheap(info: SessionInfo, head: list[dict]) -> None:
    prompt = None
    for o in head:
        p = o.get("payload") if isinstance(o.get("payload"), dict) else o
        if o.get("type") == "session_meta" or ("id" in o and "instructions" in o and "type" not in o):
            info.session_id = info.session_id or _str(p.get("id"))
            info.project = info.project or _str(p.get("cwd"))
        elif o.get("type") == "turn_context":
            info.project = info.project or _str(p.get("cwd"))
        if prompt is None:
            if o.get("type") == "event_msg" and p.get("type") == "user_message":
                text = p.get("message") if isinstance(p.get("message"), str) else ""
                if _is_prompt_text(text):
                    prompt = text
            elif p.get("type") == "message" and p.get("role") == "user":
                text = _content_text(p.get("content"))
                if _is_prompt_text(text):
                    prompt = text
    info.title = _one_line(prompt or "")


def _generic_cheap(info: SessionInfo, head: list[dict], fmt: Any) -> None:
    from agentlog_tui.core.events import Event
    from agentlog_tui.core.formats import Options

    try:
        mapper = fmt.mapper(head, Options())
        for i, o in enumerate(head, 1):
            try:
                m = mapper.map(o)
            except Exception:  # noqa: BLE001, S112 - a record the format cannot map is skipped
                continue
            ev = Event(m.seq if m.seq is not None else i, m.type, m.data, m.ts, i)
            info.title = _one_line(f"{m.type}: {fmt.summary(ev)}")
            return
    except Exception:  # noqa: BLE001 - a title is a nicety; the row stays
        return


def describe(path: str | os.PathLike[str]) -> SessionInfo:
    """The cheap columns of one session, from its first and last lines (never raises)."""
    from agentlog_tui.core.formats import REGISTRY

    p = Path(path)
    info = SessionInfo(path=p, compressed=compression_of(p))
    try:
        st = p.stat()
        info.size, info.mtime = st.st_size, st.st_mtime
        head, whole = _read_head(p)
        if info.compressed is None:
            tail = head[-8:] if whole else _read_tail(p, st.st_size)
        else:
            tail = head[-8:] if whole else []  # the end of a compressed log needs it all read
    except OSError as exc:
        info.error = (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)
        return info
    except Exception as exc:  # noqa: BLE001 - e.g. a corrupt gzip stream
        info.error = f"cannot read: {exc}"
        return info
    if not head:
        info.error = "no JSON object in its first lines" if info.size else "empty"
        return info
    fmt = REGISTRY.detect(head)
    info.format = fmt.name
    for o in head:
        info.started = _ts_of(o) or (_ts_of(o["payload"]) if isinstance(o.get("payload"), dict) else None)
        if info.started:
            break
    for o in reversed(tail):
        info.last_activity = _ts_of(o)
        if info.last_activity:
            break
    if fmt.name == "claude-code":
        _claude_cheap(info, head, tail)
    elif fmt.name == "codex":
        _codex_cheap(info, head)
    elif hasattr(fmt, "session_card"):  # a format that says its project and title (pi, Gemini CLI)
        try:
            project, title = fmt.session_card(head, tail)
        except Exception:  # noqa: BLE001 - a title is a nicety; the row stays
            project, title = None, ""
        info.project = project or info.project
        info.title = _one_line(title or "")
    else:
        _generic_cheap(info, head, fmt)
    return info


def list_sessions(roots: Iterable[str | os.PathLike[str]]) -> list[SessionInfo]:
    """Every session under `roots`, described cheaply, the most recently active first."""
    rows = [describe(p) for p in discover(roots)]
    rows.sort(key=sort_key_activity, reverse=True)
    rows.sort(key=lambda r: r.error is not None)  # files that are not logs last
    return rows


def group_subagents(rows: list[SessionInfo]) -> list[SessionInfo]:
    """Subagent transcripts moved under their parent session's row (`SessionInfo.subagents`);
    a subagent whose parent is not in `rows` stays a row of its own. Order is kept."""
    by_file: dict[Path, SessionInfo] = {}
    by_session: dict[tuple[Path, str], SessionInfo] = {}
    for r in rows:
        if not r.is_subagent:
            by_file[r.path.parent / r.path.name.split(".", 1)[0]] = r
            if r.session_id:
                by_session.setdefault((r.path.parent, r.session_id), r)
    out = []
    for r in rows:
        parent = None
        if r.is_subagent:
            if r.path.parent.name == "subagents":  # <project>/<session>/subagents/agent-x.jsonl
                parent = by_file.get(r.path.parent.parent)
                if parent is None and r.parent_session:
                    parent = by_session.get((r.path.parent.parent.parent, r.parent_session))
            elif r.parent_session:
                parent = by_session.get((r.path.parent, r.parent_session))
        if parent is not None:
            parent.subagents.append(r)
        else:
            out.append(r)
    return out


def sort_key_activity(info: SessionInfo) -> tuple[str, float]:
    """Last activity (the file's mtime when the log says nothing), for newest-first lists."""
    from datetime import datetime

    ts = info.last_activity or datetime.fromtimestamp(info.mtime, UTC).isoformat()
    return (ts[:19], info.mtime)


# ---- the expensive columns -----------------------------------------------------------------------


def session_stats(path: str | os.PathLike[str],
                  progress: Callable[[int, int], None] | None = None) -> tuple[Stats, str | None]:
    """A full analysis of one session: its counts, and its last timestamp (for compressed logs,
    whose end the cheap pass does not read). Raises OSError / LogReadError for unreadable files."""
    from agentlog_tui.core.analysis import Analysis
    from agentlog_tui.core.resumes import resume_reports
    from agentlog_tui.core.subagents import missing_subagents

    a = Analysis(path)
    try:
        a.run(progress)
        reports = resume_reports(a)
        resumes = sum(1 for b in a.boundaries.values() if b.kind == "resume")
        compactions = sum(1 for b in a.boundaries.values() if b.kind == "compaction")
        missing = len(missing_subagents(a))
        # what `check` counts: integrity problems, failed events, resume findings, and (Claude
        # Code) subagents whose transcript is missing
        findings = a.integrity_problems() + len(a.failed) + sum(r.findings for r in reports) + missing
        last = None
        for pos in range(a.n_events - 1, max(-1, a.n_events - 50), -1):
            ts = a.event(pos).ts
            if isinstance(ts, str) and ts:
                last = ts
                break
        return Stats(a.n_events, findings, compactions, resumes, len(a.malformed), missing), last
    finally:
        a.close()


def fill_stats(info: SessionInfo) -> SessionInfo:
    """Run `session_stats` for a row and store the result (or the error) in it; a row whose
    file `describe` found is not a log is left as it is."""
    if info.error is not None:
        return info
    try:
        info.stats, last = session_stats(info.path)
        if last and (info.last_activity is None or info.compressed):
            info.last_activity = last
    except Exception as exc:  # noqa: BLE001 - one unreadable session never stops the list
        info.error = str(exc) or type(exc).__name__
    return info
