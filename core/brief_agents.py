"""Briefs of real agents' sessions (Claude Code, Codex): the sections of `core/brief.py` from what
each format's projection keeps, and from the user's own words in the log.

- goal: the session's first user prompt and the latest user instruction (texts the agent itself
  injected, `<command-...>`, `<task-notification>`, `<environment_context>`, are not the user's);
- done: completed todo / plan items, and the latest tool calls that finished;
- in progress: todo / plan items in progress, read-only calls still running, a turn still running;
- failed: calls that answered with an error (Claude Code `is_error`, Codex a non-zero exit code);
- pending effects: calls that can change something (a shell command that is not a plain read,
  a file write or edit, a subagent, an unknown tool) and have no result yet: a resumed agent must
  not run them again blindly;
- decisions and instructions: the user's other prompts, the todo list / plan items still to do;
- files touched: Claude Code's files read and written; Codex's files patched by `apply_patch`;
- compactions and resumes.
Every item cites the events it comes from; items from the state cite the event that last wrote
their state path (`Item.path`), checked by the tests through blame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agentlog_tui.core.brief import Item, Section, boundary_items, short

if TYPE_CHECKING:
    from agentlog_tui.core.analysis import Analysis

RECENT_DONE = 8
# tools that only read (Claude Code names, Codex names); any other tool may change something
READ_ONLY_TOOLS = frozenset({
    "Read", "NotebookRead", "Glob", "Grep", "LS", "WebFetch", "WebSearch", "TodoRead", "TodoWrite",
    "BashOutput", "ListMcpResourcesTool", "ReadMcpResourceTool", "ExitPlanMode", "AskUserQuestion",
    "update_plan", "view_image", "read_file", "list_dir", "grep_files", "web_search",
    "read", "ls", "grep", "find", "glob", "read_many_files", "list_directory",
    "search_file_content", "web_fetch", "google_web_search", "write_todos",
})
SHELL_TOOLS = frozenset({"Bash", "bash", "shell", "local_shell_call", "exec_command", "shell_command",
                         "container.exec", "run_shell_command"})
RUNNING = frozenset({"running", "executing", "pending", "scheduled", "validating", "awaiting_approval"})
FAILED = frozenset({"error", "failed", "cancelled", "canceled"})
# shell commands that only read (the first word of each command of a pipeline)
READ_ONLY_COMMANDS = frozenset({
    "ls", "cat", "head", "tail", "less", "more", "wc", "grep", "rg", "ag", "find", "fd", "pwd",
    "echo", "printf", "which", "type", "file", "stat", "du", "df", "tree", "diff", "cmp", "sort",
    "uniq", "cut", "awk", "jq", "nl", "env", "date", "whoami", "id", "uname", "ps", "true",
})
READ_ONLY_GIT = frozenset({"status", "diff", "log", "show", "branch", "blame", "rev-parse", "ls-files"})


def is_read_only_command(command: str) -> bool:
    """True when every command of a shell line only reads (a guess; anything unsure is an effect)."""
    if not command.strip() or re.search(r"(?<![0-9&])>(?!&)|\btee\b", command):
        return False
    for part in re.split(r"&&|\|\||[|;\n]", command):
        words = part.split()
        while words and ("=" in words[0] and not words[0].startswith("=")):
            words = words[1:]  # VAR=value prefixes
        if not words:
            continue
        w = words[0].rsplit("/", 1)[-1]
        if w == "cd":
            continue
        if w == "sed":
            if "-i" in words or any(x.startswith("-i") for x in words[1:]):
                return False
            continue
        if w == "git":
            if len(words) < 2 or words[1] not in READ_ONLY_GIT:
                return False
            continue
        if w not in READ_ONLY_COMMANDS:
            return False
    return True


def _may_change(name: str, command: str | None) -> bool:
    if name in SHELL_TOOLS:
        return command is None or not is_read_only_command(command)
    return name not in READ_ONLY_TOOLS


def recent_done(done: list[tuple[int, bool, Item]]) -> list[Item]:
    """The latest finished calls, in log order, those that may have changed something first:
    what a resumed agent must not run again matters more than what it read."""
    done = sorted(done, key=lambda d: d[0])
    effects = [d for d in done if d[1]][-RECENT_DONE:]
    reads = [d for d in done if not d[1]][-(RECENT_DONE - len(effects)):] if len(effects) < RECENT_DONE else []
    return [d[2] for d in sorted(effects + reads, key=lambda d: d[0])]


def _is_search(command: str) -> bool:
    words = command.split()
    return bool(words) and words[0].rsplit("/", 1)[-1] in ("grep", "rg", "ag", "egrep", "fgrep")


def _user_text(text: str) -> bool:
    """A prompt the user wrote (not one the agent or its harness injected)."""
    t = text.lstrip()
    return bool(t) and not t.startswith("<")


def _seq(a: Analysis, pos: int | None) -> int | None:
    return None if pos is None else a.seqs[pos]


def _cites(*seqs: int | None) -> tuple[int, ...]:
    return tuple(dict.fromkeys(s for s in seqs if s is not None))


def _positions(a: Analysis, pos: int, types: set[str]) -> list[int]:
    """Positions up to `pos` whose event type is one of `types` (no parsing)."""
    ids = {i for i, t in enumerate(a.types) if t in types}
    if not ids:
        return []
    tids = a.type_ids
    return [p for p in range(pos + 1) if tids[p] in ids]


def _goal_items(a: Analysis, prompts: list[tuple[int, str]]) -> tuple[list[Item], list[Item]]:
    """(goal items, other instructions) from the user's prompts (position, text), in order."""
    if not prompts:
        return [], []
    first_p, first = prompts[0]
    goal = [Item(f"first prompt: {short(first, 150)}", (a.seqs[first_p],))]
    if len(prompts) > 1:
        last_p, last = prompts[-1]
        goal.append(Item(f"latest instruction: {short(last, 150)}", (a.seqs[last_p],)))
    others = [Item(f"user: {short(t, 110)}", (a.seqs[p],)) for p, t in prompts[1:-1]]
    return goal, others


def _todo_items(a: Analysis, pos: int, todos: Any, path: tuple, text_key: str,
                sections: dict[str, Section]) -> None:
    if not isinstance(todos, list) or not todos:
        return
    w = a.blame(path, pos)
    if w is None:
        return
    seq = (a.seqs[w],)
    for t in todos:
        if not isinstance(t, dict):
            continue
        text = short(t.get(text_key) or "", 100)
        status = t.get("status")
        if status == "completed":
            sections["done"].items.append(Item(f"[x] {text}", seq, path))
        elif status == "in_progress":
            sections["in_progress"].items.append(Item(f"[~] {text}", seq, path))
        else:
            sections["decisions"].items.append(Item(f"[ ] to do: {text}", seq, path))


def _new_sections() -> dict[str, Section]:
    names = ("goal", "done", "in_progress", "failed", "pending_effects", "decisions", "files",
             "boundaries")
    return {n: Section(n) for n in names}


# ---- Claude Code --------------------------------------------------------------------------------


def _cc_prompt_text(a: Analysis, p: int) -> str:
    from agentlog_tui.core.formats.claude_code import block_text

    data = a.event(p).data
    msg = data.get("message") if isinstance(data, dict) else None
    return block_text(msg.get("content")) if isinstance(msg, dict) else ""


def claude_code_brief(a: Analysis, pos: int, state: dict) -> list[Section]:
    """The brief of a Claude Code session at `pos`."""
    sections = _new_sections()
    prompts, interrupted = [], None
    for p in _positions(a, pos, {"user.prompt"}):
        t = _cc_prompt_text(a, p)
        if t.lstrip().startswith("[Request interrupted"):
            interrupted = p
        elif _user_text(t):
            prompts.append((p, t))
            interrupted = None
    goal, others = _goal_items(a, prompts)
    if interrupted is not None:
        sections["failed"].items.append(
            Item("the user interrupted the agent after the latest instruction", (a.seqs[interrupted],)))
    title = (state.get("session") or {}).get("title") if isinstance(state.get("session"), dict) else None
    if isinstance(title, str) and title:
        w = a.blame(("session", "title"), pos)
        if w is not None:
            goal.insert(0, Item(f"session title: {short(title, 120)}", (a.seqs[w],), ("session", "title")))
    sections["goal"].items.extend(goal)
    sections["decisions"].items.extend(others)
    _todo_items(a, pos, state.get("todos"), ("todos",), "content", sections)
    tool_sections(a, pos, state, sections)
    sections["boundaries"].items.extend(boundary_items(a, pos))
    return list(sections.values())


def tool_sections(a: Analysis, pos: int, state: dict, sections: dict[str, Section]) -> None:
    """Calls and files of a session state shaped `tools: {id: {name, input, status, result}}`,
    `files: {path: {op}}` (Claude Code, pi, Gemini CLI), into done / in progress / failed /
    pending effects / files touched."""
    tools = state.get("tools") if isinstance(state.get("tools"), dict) else {}
    done: list[tuple[int, bool, Item]] = []
    failed: list[tuple[int, tuple, Item]] = []
    succeeded: dict[tuple, int] = {}  # (tool, first words of its input) -> latest success
    for tid, tool in tools.items():
        if not isinstance(tool, dict):
            continue
        name = str(tool.get("name") or "tool")
        call_w = a.blame(("tools", tid, "name"), pos)
        status_w = a.blame(("tools", tid, "status"), pos)
        what = short(tool.get("input") or name, 90)
        status = tool.get("status")
        command = what.split(": ", 1)[1] if name in SHELL_TOOLS and ": " in what else None
        if status in RUNNING:
            if _may_change(name, command):
                sections["pending_effects"].items.append(Item(
                    f"{what}: called, no result yet (may or may not have run)",
                    _cites(_seq(a, call_w)), ("tools", tid, "name")))
            else:
                sections["in_progress"].items.append(
                    Item(f"{what}: running", _cites(_seq(a, call_w)), ("tools", tid, "name")))
        elif status in FAILED:
            failed.append((status_w if status_w is not None else -1, _call_key(name, what), Item(
                f"{what} → {short(tool.get('result') or status, 90)}",
                _cites(_seq(a, status_w), _seq(a, call_w)), ("tools", tid, "status"))))
        elif status_w is not None:
            key = _call_key(name, what)
            succeeded[key] = max(succeeded.get(key, -1), status_w)
            done.append((status_w, _may_change(name, command),
                         Item(f"{what} → {short(tool.get('result') or 'done', 50)}",
                              _cites(_seq(a, status_w), _seq(a, call_w)), ("tools", tid, "status"))))
    sections["done"].items.extend(recent_done(done))
    for w, key, item in sorted(failed, key=lambda f: f[0]):
        later = succeeded.get(key, -1)
        if later > w:  # the same call was run again and succeeded: say so, cite it
            item = Item(f"{item.text}; a later `{' '.join(key[1]) or key[0]}` succeeded at #{a.seqs[later]}",
                        (*item.seqs, a.seqs[later]), item.path)
        sections["failed"].items.append(item)
    files = state.get("files") if isinstance(state.get("files"), dict) else {}
    frows = []
    for path, f in files.items():
        w = a.blame(("files", path), pos)
        if w is None or not isinstance(f, dict):
            continue
        frows.append((w, Item(f"{f.get('op', 'touched')}: {path}", (a.seqs[w],), ("files", path))))
    frows.sort(key=lambda r: r[0])
    sections["files"].items.extend(i for _, i in frows)


def _call_key(name: str, what: str) -> tuple:
    """A call's tool and the first three words of what it did (`Bash: git add ...`)."""
    return (name, tuple(what.split(": ", 1)[-1].split()[:3]))


def _detail_prompt(a: Analysis, p: int) -> str:
    """A prompt's text as the format's readable sections give it (its `prompt` section)."""
    from agentlog_tui.core.formats.base import event_details

    for label, text in event_details(a.format, a.event(p)):
        if label == "prompt":
            return text
    return ""


def session_brief(a: Analysis, pos: int, state: dict) -> list[Section]:
    """The brief of a pi or Gemini CLI session at `pos` (their states have Claude Code's shape):
    prompts from `user` records on the live branch, the title, todos, calls and files."""
    sections = _new_sections()
    off = a.tree.off if getattr(a, "tree", None) is not None else ()
    prompts = [(p, t) for p in _positions(a, pos, {"user", "user.prompt"})
               if p not in off and _user_text(t := _detail_prompt(a, p))]
    goal, others = _goal_items(a, prompts)
    session = state.get("session") if isinstance(state.get("session"), dict) else {}
    for key in ("name", "title", "summary"):
        if isinstance(session.get(key), str) and session[key]:
            w = a.blame(("session", key), pos)
            if w is not None:
                goal.insert(0, Item(f"session {key}: {short(session[key], 120)}", (a.seqs[w],),
                                    ("session", key)))
            break
    sections["goal"].items.extend(goal)
    sections["decisions"].items.extend(others)
    _todo_items(a, pos, state.get("todos"), ("todos",), "content", sections)
    tool_sections(a, pos, state, sections)
    sections["boundaries"].items.extend(boundary_items(a, pos))
    return list(sections.values())


# ---- Codex -------------------------------------------------------------------------------------

_PATCH_FILE = re.compile(r"^\*\*\* (Add|Update|Delete) File: (.+)$", re.MULTILINE)
_EXIT = re.compile(r"\bexit (-?\d+)\)")


def _codex_args(data: dict) -> Any:
    from agentlog_tui.core.formats.codex import _call_args

    return _call_args(data)


def _codex_command(args: Any) -> str | None:
    if not isinstance(args, dict):
        return None
    cmd = args.get("command", args.get("cmd"))
    if isinstance(cmd, list):
        parts = [c for c in cmd if isinstance(c, str)]
        if len(parts) >= 3 and parts[1] in ("-lc", "-c"):
            return " ".join(parts[2:])
        return " ".join(parts)
    return cmd if isinstance(cmd, str) else None


def codex_brief(a: Analysis, pos: int, state: dict) -> list[Section]:
    """The brief of a Codex rollout at `pos`."""
    sections = _new_sections()
    prompts: list[tuple[int, str]] = []
    for p in _positions(a, pos, {"event_msg.user_message"}):
        d = a.event(p).data
        text = d.get("message") if isinstance(d, dict) else None
        if isinstance(text, str) and _user_text(text):
            prompts.append((p, text))
    if not prompts:  # older rollouts: the user's messages among the response items
        from agentlog_tui.core.formats.claude_code import block_text

        for p in _positions(a, pos, {"response_item.message"}):
            d = a.event(p).data
            if isinstance(d, dict) and d.get("role") == "user":
                text = block_text(d.get("content"))
                if _user_text(text):
                    prompts.append((p, text))
    goal, others = _goal_items(a, prompts)
    turn = state.get("turn") if isinstance(state.get("turn"), dict) else {}
    if turn.get("status"):
        w = a.blame(("turn", "status"), pos)
        if w is not None:
            item = Item(f"turn {turn['status']}", (a.seqs[w],), ("turn", "status"))
            (sections["in_progress"] if turn["status"] == "running" else sections["done"]).items.append(item)
    sections["goal"].items.extend(goal)
    sections["decisions"].items.extend(others)
    # what the calls were (arguments whole): parse the call events up to pos
    call_types = {"response_item.function_call", "response_item.custom_tool_call",
                  "response_item.local_shell_call"}
    call_args: dict[str, tuple[int, str, Any]] = {}
    plan: tuple[int, list] | None = None
    patched: dict[str, tuple[int, str]] = {}
    for p in _positions(a, pos, call_types):
        d = a.event(p).data
        if not isinstance(d, dict):
            continue
        name = str(d.get("name") or d.get("type") or "call")
        args = _codex_args(d)
        cid = d.get("call_id") or d.get("id")
        if isinstance(cid, str):
            call_args[cid] = (p, name, args)
        if name == "update_plan" and isinstance(args, dict) and isinstance(args.get("plan"), list):
            plan = (p, args["plan"])
        text = args if isinstance(args, str) else (args.get("input") or args.get("patch")
                                                   if isinstance(args, dict) else None)
        for src in (text, _codex_command(args)):
            if isinstance(src, str) and "*** Begin Patch" in src:
                for op, path in _PATCH_FILE.findall(src):
                    patched[path.strip()] = (p, op.lower())
    if plan is not None:
        p, items = plan
        seq = (a.seqs[p],)
        for it in items:
            if not isinstance(it, dict):
                continue
            step, st = short(it.get("step") or "", 100), it.get("status")
            target = {"completed": ("done", "[x]"), "in_progress": ("in_progress", "[~]")}.get(
                st, ("decisions", "[ ] to do:"))
            sections[target[0]].items.append(Item(f"{target[1]} {step}", seq))
    calls = state.get("calls") if isinstance(state.get("calls"), dict) else {}
    done: list[tuple[int, Item]] = []
    for cid, call in calls.items():
        if not isinstance(call, dict):
            continue
        name = str(call.get("name") or "call")
        what = short(call.get("call") or name, 90)
        call_w = a.blame(("calls", cid, "call"), pos)
        status_w = a.blame(("calls", cid, "status"), pos)
        if call.get("status") == "running":
            known = call_args.get(cid)
            command = _codex_command(known[2]) if known else None
            if _may_change(name, command):
                sections["pending_effects"].items.append(Item(
                    f"{what}: called, no output yet (may or may not have run)",
                    _cites(_seq(a, call_w)), ("calls", cid, "call")))
            else:
                sections["in_progress"].items.append(
                    Item(f"{what}: running", _cites(_seq(a, call_w)), ("calls", cid, "call")))
            continue
        out = str(call.get("output") or "")
        m = _EXIT.search(out[:40])
        cites = _cites(_seq(a, status_w), _seq(a, call_w))
        known = call_args.get(cid)
        command = _codex_command(known[2]) if known else None
        if m and m.group(1) == "1" and command and _is_search(command):
            m = None  # grep and rg exit 1 when nothing matched: an answer, not a failure
        if m and m.group(1) != "0":
            sections["failed"].items.append(Item(f"{what} → {short(out, 90)}", cites, ("calls", cid, "status")))
        elif status_w is not None and name != "update_plan":  # the plan's items are listed
            done.append((status_w, _may_change(name, command),
                         Item(f"{what} → {short(out, 50)}", cites, ("calls", cid, "status"))))
    sections["done"].items.extend(recent_done(done))
    for path, (p, op) in sorted(patched.items(), key=lambda kv: kv[1][0]):
        sections["files"].items.append(Item(f"{op}: {path}", (a.seqs[p],)))
    sections["boundaries"].items.extend(boundary_items(a, pos))
    return list(sections.values())


AGENT_BRIEFS: dict[str, Callable[[Any, int, dict], list[Section]]] = {
    "claude-code": claude_code_brief,
    "codex": codex_brief,
    "pi": session_brief,
    "gemini-cli": session_brief,
}
