"""The fuzz campaign (issue 15): mutated sample logs and agent-session fixtures through every
command, in-process. For every mutated log:

- no exception escapes a command, and its exit code is 0, 1 or 2 (3 is an internal error);
- text output holds no code point a terminal could interpret;
- events + malformed + blank + pending tail = the physical lines (`check --json`);
- a compaction that was written is not empty and replays, read afresh (format and fields
  detected anew), to the input's state;
- the input's bytes and mtime are unchanged.

The default profile runs a few dozen cases (CI); `pytest tests/fuzz --hypothesis-profile=long`
runs 10,000 (see tests/fuzz/conftest.py and the README).
"""

from __future__ import annotations

import os
import tempfile

import orjson
from fuzz_helpers import (
    COMMANDS,
    apply_mutation,
    build_log,
    fill,
    fingerprint,
    physical_lines,
    run_cli,
    seed_logs,
)
from hostile_log import unsafe_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentlog_tui.core.analysis import Analysis, canonical

SEEDS = seed_logs()
SEED_NAMES = sorted(SEEDS)
LONG = settings.default.max_examples >= 1000  # the `long` profile (tests/conftest.py)

ops = st.tuples(
    st.sampled_from(["drop", "repeat", "swap", "cut", "join", "blank", "crlf", "bom", "bytes",
                     "value", "value", "value"]),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.one_of(st.just(b""), st.just(b"deep"), st.binary(max_size=12),
              st.sampled_from([b"\xff\xfe", b"\x00", b"\x1b[2J", b"\xc2\x9b", b'"', b"}", b"\n"])),
)


def replayed_state(path: str) -> bytes:
    a = Analysis(path)
    try:
        a.run()
        return canonical(a.state)
    finally:
        a.close()


COUNT_FILE = os.environ.get("AGENTLOG_FUZZ_COUNT_FILE")  # a long run counts its cases here


def check_log(data: bytes) -> None:
    if COUNT_FILE:
        with open(COUNT_FILE, "a") as fh:
            fh.write(f"{len(data)}\n")
    with tempfile.TemporaryDirectory(prefix="agentlog-fuzz-") as d:
        log = os.path.join(d, "log.jsonl")
        out = os.path.join(d, "compacted.jsonl")
        with open(log, "wb") as fh:
            fh.write(data)
        before = fingerprint(log)
        runs = {}
        for argv in COMMANDS:
            if os.path.exists(out):
                os.unlink(out)
            r = run_cli(fill(argv, log, out))
            key = " ".join(argv)
            runs[key] = r
            assert r.code in (0, 1, 2), (key, r.code, r.err)
            assert "Traceback" not in r.err, (key, r.err)
            if "--json" not in argv:
                assert not unsafe_in(r.out), (key, unsafe_in(r.out))
            assert not unsafe_in(r.err), (key, unsafe_in(r.err))
            if "-o" in argv and os.path.exists(out):
                assert os.path.getsize(out) > 0, "compaction wrote an empty file"
                assert replayed_state(out) == replayed_state(log), "written compaction replays differently"
        check = runs["check LOG --json"]
        if check.code in (0, 1):
            doc = orjson.loads(check.out)
            n = physical_lines(data)
            assert doc["lines"] == n
            malformed = doc["malformed"] if isinstance(doc["malformed"], int) else len(doc["malformed"])
            assert doc["events"] + malformed + doc["blank_lines"] + int(doc["pending_tail"]) == n
        assert fingerprint(log) == before, "the input log was modified"


# The suite's 25 cases are the same on every run (derandomized, no example database): CI checks
# what was checked here; the long profile explores at random and reports what it finds.
@settings(max_examples=settings.default.max_examples if LONG else 25, deadline=None,
          derandomize=not LONG, database=None if not LONG else settings.default.database,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(seed=st.sampled_from(SEED_NAMES), mutations=st.lists(ops, max_size=6),
       terminated=st.booleans())
def test_fuzz_every_command(seed, mutations, terminated):
    lines = SEEDS[seed]
    for op in mutations:
        lines = apply_mutation(lines, op)
    check_log(build_log(lines, terminated))


def test_every_seed_as_it_is():
    for name in SEED_NAMES:
        check_log(build_log(SEEDS[name], True))
