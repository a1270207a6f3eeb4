"""One-line previews of state values, so a collapsed node says what it holds.

- a message (a dict with `role`): the role and the first line of its text (`text`, `content`, or
  its first `parts` entry), e.g. `assistant: I'll read the config first`;
- a tool call (a dict with `name` and `input`, `call` or `status`): the name, its key argument
  and its status, e.g. `Bash git status · done` (the argument cut to ARG_WIDTH, so that the
  status shows in a narrow tree);
- a Codex history item: a call (`{"call": "shell: ls -la", "call_id": …}`) as its name, key
  argument and status (`shell ls -la · done`, the status from the state's `calls`), its output
  as the call it answers and what it gave (`↳ shell: (2 lines, exit 0) …`), other one-entry
  records as the entry (`reasoning: **Planning the fix**`);
- a list: its length and its first items' previews; any other dict: its first scalar fields, or
  (a dict of records, such as Codex's `calls`) its first items' previews, named by file when
  the records are keyed by path (Claude Code's `files`: `app.py (op: edit), …`).

Previews read only the first few items of a container, whatever its size.
"""

from __future__ import annotations

from typing import Any

from agentlog_tui.core.safetext import safe_text
from agentlog_tui.tui.payload import blob_name, media_of

ID_KEYS = ("call_id", "id", "uuid", "tool_use_id", "ts", "timestamp")
TEXT_KEYS = ("text", "content", "message", "summary", "prompt")
ARG_KEYS = ("command", "cmd", "file_path", "path", "pattern", "query", "url", "description",
            "prompt", "input", "call")
FIRST_ITEMS = 3
ARG_WIDTH = 40  # a call's argument is cut to this, so that its status still shows in a narrow tree


def first_line(value: Any, width: int = 80, media: str | None = None) -> str:
    """The first non-empty line of a text (or of a value's compact form), cut to `width`."""
    if isinstance(value, str):
        text = blob_name(value, media) or value  # a base64 image is named, never shown
    elif isinstance(value, (dict, list)):
        text = preview(value, width) or ""
    elif value is None:
        text = ""
    else:
        text = str(value)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = safe_text(line)
    return line if len(line) <= width else line[: width - 1] + "…"


def _message_text(value: dict) -> Any:
    for k in TEXT_KEYS:
        v = value.get(k)
        if isinstance(v, str) and v:
            return v
        if isinstance(v, list) and v:  # content blocks
            for b in v[:FIRST_ITEMS]:
                if isinstance(b, dict) and isinstance(b.get("text"), str):
                    return b["text"]
                if isinstance(b, str):
                    return b
    parts = value.get("parts")
    items = list(parts.values())[:FIRST_ITEMS] if isinstance(parts, dict) else (
        parts[:FIRST_ITEMS] if isinstance(parts, list) else [])
    role = value.get("role")
    for v in items:  # the first part with some text (a streamed text part may be empty)
        if isinstance(v, str) and first_line(_strip_role(v, str(role))):
            return v
    return items[0] if items else None


def _strip_role(text: str, role: str) -> str:
    """'assistant.text: hello' -> 'hello', 'assistant.tool_use: Bash: ls' -> 'tool_use: Bash: ls'
    under the role 'assistant' (the role is said once)."""
    text = text.removeprefix(role + ".")
    for kind in ("text:", "prompt:"):
        text = text.removeprefix(kind)
    return text


def _key_arg(value: dict) -> str:
    inp = value.get("input", value.get("arguments"))
    if isinstance(inp, str) and inp:
        return inp
    if isinstance(inp, dict):
        for k in ARG_KEYS:
            if isinstance(inp.get(k), str) and inp[k]:
                return inp[k]
        for v in inp.values():
            if isinstance(v, str) and v:
                return v
    for k in ("call", "path", "command"):
        if isinstance(value.get(k), str):
            return value[k]
    return ""


def _codex_item(value: dict, calls: dict | None) -> str | None:
    """A Codex history call or output, named by the call (see the module's docstring)."""
    cid = value.get("call_id")
    call = calls.get(cid) if isinstance(calls, dict) and isinstance(cid, str) else None
    call = call if isinstance(call, dict) else {}
    text = value.get("call")
    if isinstance(text, str):
        name, _, arg = text.partition(": ")
        status = call.get("status")
        return f"{name} {first_line(arg, ARG_WIDTH)}".rstrip() + (
            f" · {status}" if isinstance(status, str) else "")
    out = value.get("output")
    if isinstance(out, str) or out is None and "output" in value:
        name = call.get("name")
        return ("↳ " + (f"{name}: " if isinstance(name, str) else "output: ")
                + first_line(out or "(no output)"))
    return None


def preview(value: Any, width: int = 80, calls: dict | None = None) -> str:
    """A one-line description of `value` (empty for a scalar: its label shows it whole);
    `calls`: the state's calls by id, which name a Codex history item's call."""
    if isinstance(value, list):
        if not value:
            return "empty"
        items = [first_line(v, 40) if not isinstance(v, (dict, list)) else preview(v, 40)
                 for v in value[:FIRST_ITEMS]]
        more = ", …" if len(value) > FIRST_ITEMS else ""
        return _cut(", ".join(i for i in items if i) + more, width)
    if not isinstance(value, dict):
        return ""
    if not value:
        return "empty"
    role = value.get("role")
    if isinstance(role, str):
        text = _message_text(value)
        body = first_line(_strip_role(text, role) if isinstance(text, str) else text, width)
        return _cut(f"{role}: {body}" if body else role, width)
    name = value.get("name")
    if isinstance(name, str) and any(k in value for k in ("input", "call", "status", "arguments")):
        arg = first_line(_key_arg(value), width)
        if arg.startswith(name + ": "):
            arg = arg[len(name) + 2:]
        arg = _cut(arg, ARG_WIDTH)
        status = value.get("status")
        s = name + (f" {arg}" if arg else "") + (f" · {status}" if isinstance(status, str) else "")
        return _cut(s, width)
    if "call_id" in value and len(value) <= 3:
        item = _codex_item(value, calls)
        if item is not None:
            return _cut(item, width)
    keys = [k for k in value if k not in ID_KEYS]
    if len(keys) == 1 and len(value) <= 3:
        k = keys[0]
        text = first_line(value[k], width, media_of(value))
        if len(str(k)) > 12 and " " not in str(k):  # keyed by an id (a part's uuid): the text
            return _cut(text, width)
        return _cut(f"{safe_text(str(k))}: {text}", width)
    fields = []
    for k, v in list(value.items())[:6]:
        if isinstance(v, (dict, list)) or k in ID_KEYS:
            continue
        fields.append(f"{safe_text(str(k))}: {first_line(v, 30, media_of(value))}")
        if len(fields) == FIRST_ITEMS:
            break
    if not fields and all(isinstance(v, dict) for v in list(value.values())[:FIRST_ITEMS]):
        firsts = list(value.items())[: FIRST_ITEMS + 1]
        if all(isinstance(k, str) and ("/" in k or "\\" in k) for k, _ in firsts):
            # records keyed by file path (Claude Code `files`): the file names say which
            named = [f"{_file_name(k)} ({preview(v, 30)})" for k, v in firsts[:FIRST_ITEMS]]
            more = ", …" if len(value) > FIRST_ITEMS else ""
            return _cut(", ".join(named) + more, width)
        # a dict of records (Codex `calls`): its first items, as a list's
        return preview([v for _, v in firsts], width)
    return _cut(", ".join(fields), width)


def _file_name(path: str) -> str:
    """The last part of a path (`/a/b/c.py` -> `c.py`, `C:\\x\\y.md` -> `y.md`)."""
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path


def _cut(s: str, width: int) -> str:
    s = safe_text(s)
    return s if len(s) <= width else s[: width - 1] + "…"


def short_key(key: Any, has_preview: bool) -> str:
    """A key as shown beside a preview: a long id (message id, uuid) cut to its first 10
    characters, so that the preview, not the id, fills the row."""
    s = safe_text(str(key))
    if has_preview and len(s) > 12 and " " not in s:
        return s[:10] + "…"
    return s


def is_item(value: Any) -> bool:
    """A message, a tool call, a Codex history item: its preview says it all (its field count
    would be noise)."""
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("role"), str) or (
            isinstance(value.get("name"), str) and ("input" in value or "status" in value)):
        return True
    keys = [k for k in value if k not in ID_KEYS]
    # a one-entry record named by a word (`reasoning`, `call`, `output`), not by an id
    return (len(keys) == 1 and len(value) <= 3 and isinstance(keys[0], str)
            and keys[0].replace("_", "").isalpha() and not isinstance(value[keys[0]], (dict, list)))
