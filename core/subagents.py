"""Claude Code subagents: a `Task` call in a session and the sidechain transcript it started.

Claude Code writes each subagent as its own transcript of `isSidechain: true` records carrying an
`agentId`: `agent-<agentId>.jsonl` beside the session (2.0.x), or in `<session>/subagents/` next
to it (newer versions). The call names the agent in its result (`toolUseResult.agentId`) and in
the `agent_progress` records written while it runs; a call with neither (killed before its result)
is matched to a transcript by the sidechain's first prompt, which is the call's `prompt`.

`task_calls(analysis)` lists a parent's calls with their transcripts, `missing_subagents` is the
`check` finding for calls whose transcript is not there, and `parent_link(path)` goes the other
way: from a subagent transcript to its parent session and the call that started it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis

__all__ = ["ParentLink", "TaskCall", "missing_subagents", "parent_link", "subagent_files",
           "task_calls"]

TASK_TOOLS = frozenset({"Task", "Agent"})


@dataclass(frozen=True)
class TaskCall:
    """A `Task` tool call of a parent session and what is known of the subagent it started."""

    seq: int
    line: int
    tool_use_id: str
    description: str
    prompt: str
    subagent_type: str | None
    agent_id: str | None
    result_seq: int | None
    failed: bool
    transcript: Path | None

    def to_json(self) -> dict:
        return {"seq": self.seq, "line": self.line, "tool_use_id": self.tool_use_id,
                "description": self.description, "subagent_type": self.subagent_type,
                "agent_id": self.agent_id, "result_seq": self.result_seq, "failed": self.failed,
                "transcript": str(self.transcript) if self.transcript else None}


@dataclass(frozen=True)
class ParentLink:
    """Where a subagent transcript came from: its parent session and the call that started it
    (`call` None when the parent is there but the call was not found in it)."""

    parent: Path
    call: TaskCall | None


def _stem(path: Path) -> str:
    return path.name.split(".", 1)[0]


def subagent_files(parent: str | os.PathLike[str], session_id: str | None = None) -> list[Path]:
    """The sidechain transcripts that may belong to a session file: `agent-*.jsonl` beside it and
    in its `subagents/` folder (`<session>/subagents/`)."""
    p = Path(parent)
    names = {_stem(p)} | ({session_id} if session_id else set())
    dirs = [p.parent] + [p.parent / n / "subagents" for n in sorted(names)]
    out: list[Path] = []
    for d in dirs:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            base = e.name.split(".", 1)[0]
            if base.startswith("agent-") and e.name[len(base):] in (".jsonl", ".jsonl.gz", ".jsonl.zst"):
                out.append(Path(e.path))
    return out


def _first_records(path: Path, n: int = 12) -> list[dict]:
    from agentlog_tui.core.sessions import open_bytes

    out: list[dict] = []
    try:
        with open_bytes(path) as f:
            for raw in f:
                try:
                    obj = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    out.append(obj)
                    if len(out) >= n:
                        break
    except Exception:  # noqa: BLE001 - an unreadable candidate is just not a match
        return []
    return out


def _first_prompt(records: list[dict]) -> str | None:
    for o in records:
        if o.get("type") != "user":
            continue
        msg = o.get("message")
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            texts = [b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str)]
            if texts:
                return "\n".join(texts)
    return None


class _Candidates:
    """A parent's candidate transcripts, read lazily (their first lines) and only once."""

    def __init__(self, parent: Path, session_id: str | None) -> None:
        self.files = subagent_files(parent, session_id)
        self.session_id = session_id
        self._info: dict[Path, tuple[str | None, str | None, str | None]] = {}

    def _read(self, path: Path) -> tuple[str | None, str | None, str | None]:
        if path not in self._info:
            recs = _first_records(path)
            agent = next((o["agentId"] for o in recs if isinstance(o.get("agentId"), str)), None)
            sid = next((o["sessionId"] for o in recs if isinstance(o.get("sessionId"), str)), None)
            self._info[path] = (agent, sid, _first_prompt(recs))
        return self._info[path]

    def by_agent(self, agent_id: str) -> Path | None:
        for f in self.files:  # the name says it: no need to open the file
            if _stem(f) == f"agent-{agent_id}":
                return f
        for f in self.files:
            if self._read(f)[0] == agent_id:
                return f
        return None

    def by_prompt(self, prompt: str) -> Path | None:
        want = prompt.strip()
        for f in self.files:
            _agent, sid, first = self._read(f)
            if first is not None and first.strip() == want and (
                    sid is None or self.session_id is None or sid == self.session_id):
                return f
        return None


def _blocks(data: Any) -> list[dict]:
    msg = data.get("message") if isinstance(data, dict) else None
    content = msg.get("content") if isinstance(msg, dict) else None
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def task_calls(analysis: Analysis) -> list[TaskCall]:
    """The `Task` calls of a Claude Code session (an analysed one), in log order, each with its
    subagent transcript when it can be found. [] for other formats."""
    a = analysis
    if a.format.name != "claude-code" or a.n_events == 0:
        return []
    want = {i for i, t in enumerate(a.types) if t in ("assistant.tool_use", "user.tool_result", "progress")}
    if not want:
        return []
    calls: dict[str, dict[str, Any]] = {}
    results: dict[str, tuple[int, str | None, bool]] = {}
    progress_agent: dict[str, str] = {}
    session_id: str | None = None
    for pos in range(a.n_events):
        tid = a.type_ids[pos]
        if tid not in want:
            continue
        t = a.types[tid]
        ev = a.event(pos)
        if t == "progress":
            # cheap test on the bytes first: most progress records are hooks and tool output
            if b"agent_progress" not in ev.raw:
                continue
            d = ev.data.get("data") if isinstance(ev.data, dict) else None
            parent_call = ev.data.get("parentToolUseID") if isinstance(ev.data, dict) else None
            if isinstance(d, dict) and isinstance(d.get("agentId"), str) and isinstance(parent_call, str):
                progress_agent.setdefault(parent_call, d["agentId"])
            continue
        if t == "assistant.tool_use":
            if session_id is None and isinstance(ev.data, dict) and isinstance(ev.data.get("sessionId"), str):
                session_id = ev.data["sessionId"]
            for b in _blocks(ev.data):
                name = b.get("name")  # a list as a tool's name (the fuzz campaign) is no Task call
                if (b.get("type") == "tool_use" and isinstance(name, str) and name in TASK_TOOLS
                        and isinstance(b.get("id"), str)):
                    inp = b.get("input") if isinstance(b.get("input"), dict) else {}
                    calls.setdefault(b["id"], {"seq": a.seqs[pos], "line": a.event_lines[pos] + 1,
                                               "input": inp})
            continue
        # a tool result: the agent's id is in `toolUseResult` when there is one block
        tur = ev.data.get("toolUseResult") if isinstance(ev.data, dict) else None
        for b in _blocks(ev.data):
            if b.get("type") != "tool_result" or not isinstance(b.get("tool_use_id"), str):
                continue
            agent = tur.get("agentId") if isinstance(tur, dict) and isinstance(tur.get("agentId"), str) else None
            results.setdefault(b["tool_use_id"], (a.seqs[pos], agent, b.get("is_error") is True))
    if not calls:
        return []
    cands = _Candidates(Path(a.path), session_id)
    out = []
    for tool_id, c in calls.items():
        inp = c["input"]
        result_seq, agent, failed = results.get(tool_id, (None, None, False))
        agent = agent or progress_agent.get(tool_id)
        prompt = inp.get("prompt") if isinstance(inp.get("prompt"), str) else ""
        transcript = cands.by_agent(agent) if agent else None
        if transcript is None and prompt:
            transcript = cands.by_prompt(prompt)
        if transcript is not None and agent is None:
            agent = cands._read(transcript)[0]
        out.append(TaskCall(
            seq=c["seq"], line=c["line"], tool_use_id=tool_id,
            description=inp.get("description") if isinstance(inp.get("description"), str) else "",
            prompt=prompt,
            subagent_type=inp.get("subagent_type") if isinstance(inp.get("subagent_type"), str) else None,
            agent_id=agent, result_seq=result_seq, failed=failed, transcript=transcript))
    out.sort(key=lambda c: c.seq)
    return out


def missing_subagents(analysis: Analysis) -> list[dict]:
    """`check` findings: `Task` calls that started a subagent whose transcript is not on disk.

    A call whose result is an error (the agent never ran) is not one."""
    out = []
    for c in task_calls(analysis):
        if c.transcript is None and not c.failed:
            what = f"agent-{c.agent_id}.jsonl" if c.agent_id else "a sidechain starting with its prompt"
            out.append({"kind": "subagent_missing", "line": c.line, "seq": c.seq,
                        "tool_use_id": c.tool_use_id, "agent_id": c.agent_id,
                        "description": c.description,
                        "message": f"Task {c.description!r}: no subagent transcript ({what}) "
                                   "beside the session or in its subagents/ folder"})
    return out


def _parent_candidates(sub: Path, session_id: str | None) -> list[Path]:
    out = []
    if sub.parent.name == "subagents":
        d = sub.parent.parent  # <project>/<session>/subagents/agent-x.jsonl
        out += [d.parent / (d.name + ext) for ext in (".jsonl", ".jsonl.gz", ".jsonl.zst")]
    if session_id:
        for base in (sub.parent, sub.parent.parent.parent):
            out += [base / (session_id + ext) for ext in (".jsonl", ".jsonl.gz", ".jsonl.zst")]
    seen, uniq = set(), []
    for p in out:
        if p not in seen and p.is_file():
            seen.add(p)
            uniq.append(p)
    return uniq


def parent_link(sub: str | os.PathLike[str]) -> ParentLink | None:
    """The parent session of a subagent transcript and the call that started it, or None when the
    file is not a sidechain or its parent is not beside it."""
    from agentlog_tui.core.analysis import Analysis

    sub = Path(sub)
    recs = _first_records(sub)
    if not any(o.get("isSidechain") is True for o in recs):
        return None
    agent = next((o["agentId"] for o in recs if isinstance(o.get("agentId"), str)), None)
    sid = next((o["sessionId"] for o in recs if isinstance(o.get("sessionId"), str)), None)
    for parent in _parent_candidates(sub, sid):
        try:
            a = Analysis(parent)
        except OSError:
            continue
        try:
            a.run()
            calls = task_calls(a)
        finally:
            a.close()
        for c in calls:
            if (c.transcript is not None and c.transcript.resolve() == sub.resolve()) or (
                    agent is not None and c.agent_id == agent):
                return ParentLink(parent, c)
        return ParentLink(parent, None)
    return None
