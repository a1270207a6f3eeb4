"""Formats from outside the project: an installed entry point, a file named with --format, and the
contract class plugin authors import. The plugin is the README's example, taken from the README,
so the documented example is the tested one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from agentlog_tui.core.analysis import Analysis
from agentlog_tui.core.formats import REGISTRY, SOURCES
from agentlog_tui.core.formats.base import FormatRegistry
from agentlog_tui.core.formats.contract import FormatContract, write_jsonl
from agentlog_tui.core.formats.plugins import PROBLEMS, PluginError, load_entry_points, load_file
from agentlog_tui.tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
EXAMPLE = re.search(r"```python\n(# steplog\.py.*?)```", README, re.DOTALL).group(1)

STEPS = [
    {"step": 1, "at": "2026-01-01T10:00:00Z", "op": "set", "key": "x", "value": 1},
    {"step": 2, "at": "2026-01-01T10:00:01Z", "op": "set", "key": "y", "value": 2},
    {"step": 3, "at": "2026-01-01T10:00:02Z", "op": "unset", "key": "x"},
    {"step": 4, "at": "2026-01-01T10:00:03Z", "op": "rename", "key": "y", "to": "z"},
]


def test_the_readme_example_is_about_thirty_lines():
    assert 25 <= EXAMPLE.count("\n") <= 36


@pytest.fixture
def plugin_file(tmp_path) -> Path:
    p = tmp_path / "steplog.py"
    p.write_text(EXAMPLE)
    return p


@pytest.fixture
def steps_log(tmp_path) -> Path:
    return write_jsonl(tmp_path / "steps.jsonl", STEPS)


@pytest.fixture
def restore_registry():
    """Plugins register into the process's registry: put it back after the test."""
    formats, sources, problems = list(REGISTRY.formats), dict(SOURCES), list(PROBLEMS)
    yield
    REGISTRY.formats[:] = formats
    SOURCES.clear()
    SOURCES.update(sources)
    PROBLEMS[:] = problems


def make_dist(site: Path, module_source: str, ep_line: str = "steplog = steplog:StepLog",
              name: str = "steplog-format", version: str = "1.2.0") -> Path:
    """An installed distribution, as pip leaves it: the module and a dist-info with metadata and
    an entry point in the group agentlog_tui.formats."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "steplog.py").write_text(module_source)
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[agentlog_tui.formats]\n{ep_line}\n")
    (info / "RECORD").write_text("")
    return site


def run_cli(args: list[str], env_path: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env_path is not None:
        env["PYTHONPATH"] = str(env_path)
    return subprocess.run([sys.executable, "-m", "agentlog_tui.tui.cli", *args], capture_output=True,
                          text=True, env=env, check=False, cwd=env_path or None)


# ---- entry points ------------------------------------------------------------------------------


def test_an_installed_entry_point_format_is_detected_and_listed_with_its_distribution(tmp_path, steps_log):
    site = make_dist(tmp_path / "site", EXAMPLE)
    out = run_cli(["formats", "--json"], site)
    assert out.returncode == 0, out.stderr
    doc = orjson.loads(out.stdout)
    by_name = {f["name"]: f for f in doc["formats"]}
    assert by_name["steplog"]["source"] == {"kind": "entry point", "origin": "steplog:StepLog",
                                            "distribution": "steplog-format", "version": "1.2.0"}
    assert by_name["claude-code"]["source"] == {"kind": "built-in"}
    assert by_name["steplog"]["known_kinds"] == ["step.set", "step.unset"]
    assert doc["problems"] == []
    text = run_cli(["formats"], site).stdout
    assert "steplog" in text and "entry point steplog:StepLog (steplog-format 1.2.0)" in text
    # detected without --format, and its projection used
    out = run_cli(["state", "--json", str(steps_log)], site)
    assert out.returncode == 0, out.stderr
    assert orjson.loads(out.stdout) == {"seq": 4, "state": {"values": {"y": 2}}}
    out = run_cli(["check", "--json", str(steps_log)], site)
    assert orjson.loads(out.stdout)["format"] == "steplog"


def test_without_the_distribution_the_log_is_generic(steps_log):
    out = run_cli(["check", "--json", str(steps_log)])
    assert orjson.loads(out.stdout)["format"] == "agentlog"


def test_entry_points_load_in_process_onto_a_registry(tmp_path, monkeypatch, restore_registry):
    site = make_dist(tmp_path / "site", EXAMPLE)
    monkeypatch.syspath_prepend(str(site))
    reg = FormatRegistry(list(REGISTRY.formats))
    added = load_entry_points(reg)
    assert [f.name for f in added] == ["steplog"]
    assert SOURCES["steplog"].distribution == "steplog-format"
    assert reg.detect(STEPS) is added[0]
    monkeypatch.delitem(sys.modules, "steplog", raising=False)


def test_a_broken_plugin_is_listed_with_its_error_and_stops_nothing(tmp_path, steps_log):
    site = make_dist(tmp_path / "site", "raise ImportError('needs libfoo')\n")
    out = run_cli(["formats"], site)
    assert out.returncode == 1
    assert "not loaded: entry point steplog = steplog:StepLog (steplog-format): cannot import: " \
           "ImportError: needs libfoo" in out.stdout
    assert "claude-code" in out.stdout
    out = run_cli(["check", str(steps_log)], site)  # the log is read as generic, and the user told why
    assert out.returncode == 1 and "agentlog, 0 events, 4 lines, 4 malformed" in out.stdout, out.stderr
    assert out.stderr == ("agentlog-tui: warning: a format plugin was not loaded (see `agentlog-tui "
                          "formats`): entry point steplog = steplog:StepLog (steplog-format): cannot "
                          "import: ImportError: needs libfoo\n")


def test_a_plugin_cannot_take_a_built_in_name(tmp_path):
    site = make_dist(tmp_path / "site", EXAMPLE.replace('name = "steplog"', 'name = "codex"', 1)
                     .replace("class StepLog:\n    name = \"steplog\"", "class StepLog:\n    name = \"codex\""))
    doc = orjson.loads(run_cli(["formats", "--json"], site).stdout)
    assert [f["source"]["kind"] for f in doc["formats"] if f["name"] == "codex"] == ["built-in"]
    (problem,) = doc["problems"]
    assert "a format named 'codex' exists already (built-in)" in problem["error"]


def test_an_entry_point_that_is_not_a_format_is_refused(tmp_path):
    site = make_dist(tmp_path / "site", "class NotAFormat:\n    name = 'x'\n",
                     ep_line="nf = steplog:NotAFormat")
    doc = orjson.loads(run_cli(["formats", "--json"], site).stdout)
    (problem,) = doc["problems"]
    assert "not a log format (it has no description, detect, mapper" in problem["error"]


def test_pip_installs_a_plugin_package_whose_entry_point_is_found(tmp_path, steps_log):
    """The whole way a user goes: a package with a pyproject.toml, installed by pip into a target."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "steplog.py").write_text(EXAMPLE)
    (pkg / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "steplog-format"\nversion = "0.3.0"\n'
        '[tool.setuptools]\npy-modules = ["steplog"]\n'
        '[project.entry-points."agentlog_tui.formats"]\nsteplog = "steplog:StepLog"\n')
    target = tmp_path / "target"
    out = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                          "--target", str(target), str(pkg)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        pytest.skip(f"pip cannot build here: {out.stderr[-300:]}")
    doc = orjson.loads(run_cli(["formats", "--json"], target).stdout)
    (step,) = [f for f in doc["formats"] if f["name"] == "steplog"]
    assert step["source"]["distribution"] == "steplog-format" and step["source"]["version"] == "0.3.0"
    assert orjson.loads(run_cli(["check", "--json", str(steps_log)], target).stdout)["format"] == "steplog"


# ---- files -------------------------------------------------------------------------------------


def test_format_file_is_loaded_forced_and_listed(plugin_file, steps_log, capsys, restore_registry):
    assert main(["state", "--json", "--format", f"{plugin_file}:StepLog", str(steps_log)]) == 0
    assert orjson.loads(capsys.readouterr().out) == {"seq": 4, "state": {"values": {"y": 2}}}
    assert main(["formats", "--json", "--format", f"{plugin_file}:StepLog"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    (step,) = [f for f in doc["formats"] if f["name"] == "steplog"]
    assert step["source"] == {"kind": "file", "origin": str(plugin_file)}
    # named twice (the CLI resolves --format once per command): the same format, no complaint
    assert load_file(REGISTRY, f"{plugin_file}:StepLog") is REGISTRY.get("steplog")


def test_format_file_forces_the_format_over_detection(plugin_file, tmp_path, capsys, restore_registry):
    generic = write_jsonl(tmp_path / "g.jsonl", [{"step": 1, "op": "set", "key": "k", "value": 9,
                                                  "type": "x"}])
    assert main(["check", "--json", "--format", f"{plugin_file}:StepLog", str(generic)]) == 0
    assert orjson.loads(capsys.readouterr().out)["format"] == "steplog"


@pytest.mark.parametrize("spec, message", [
    ("{d}/nope.py:StepLog", "nope.py: no such file"),
    ("{d}/steplog.py:Missing", "defines no 'Missing'"),
    ("{d}/steplog.py:StepMapper", "not a log format (it has no name"),
    ("{d}/bad.py:X", "bad.py raised ZeroDivisionError: division by zero"),
])
def test_a_bad_format_file_is_one_line_and_exit_2(plugin_file, steps_log, capsys, restore_registry,
                                                  spec, message):
    (plugin_file.parent / "bad.py").write_text("X = 1 / 0\n")
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", spec.format(d=plugin_file.parent), str(steps_log)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_load_file_refuses_a_spec_that_is_not_file_colon_name(restore_registry):
    with pytest.raises(PluginError, match="expected a format name or FILE.py:NAME"):
        load_file(REGISTRY, "steplog.py:")


# ---- the contract, as a plugin author uses it --------------------------------------------------


def _example_class():
    namespace: dict = {}
    exec(compile(EXAMPLE, "steplog.py", "exec"), namespace)  # noqa: S102 - the README's example
    return namespace["StepLog"]


class TestReadmeExampleFormatPassesTheContract(FormatContract):
    @pytest.fixture
    def fmt(self):
        return _example_class()()

    @pytest.fixture
    def sample_records(self):
        return STEPS[:3]


def test_the_contract_catches_a_format_that_claims_everything(tmp_path):
    """The contract can fail: a detector that says yes to anything fails its detection test."""
    src = EXAMPLE.replace('return sum(1 for o in objs if "step" in o and "op" in o) / len(objs) if objs else 0.0',
                          "return 1.0")
    assert src != EXAMPLE
    (tmp_path / "greedy.py").write_text(src)
    (tmp_path / "test_greedy.py").write_text(
        "import pytest\nfrom agentlog_tui.core.formats.contract import FormatContract\n"
        "from greedy import StepLog\n"
        "class TestGreedy(FormatContract):\n"
        "    @pytest.fixture\n    def fmt(self):\n        return StepLog()\n"
        "    @pytest.fixture\n    def sample_records(self):\n"
        "        return [{'step': 1, 'op': 'set', 'key': 'x', 'value': 1}]\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:randomly", str(tmp_path / "test_greedy.py")],
                         capture_output=True, text=True, cwd=tmp_path, check=False,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert out.returncode == 1, out.stdout[-2000:]
    assert "1 failed" in out.stdout and "test_detection_leaves_other_formats_logs_alone" in out.stdout


def test_analysis_with_a_plugin_format_object(steps_log):
    a = Analysis(steps_log, format=_example_class()())
    a.run()
    assert a.format.name == "steplog" and a.n_events == 4 and a.state == {"values": {"y": 2}}


def test_a_plugin_formats_declared_kinds_drive_unknown_kinds(plugin_file, steps_log, capsys,
                                                             restore_registry):
    main(["check", "--json", "--format", f"{plugin_file}:StepLog", str(steps_log)])
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["unknown_kinds"] == [{"kind": "step.rename", "count": 1, "first_line": 4, "first_seq": 4}]
