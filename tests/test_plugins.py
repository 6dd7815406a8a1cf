"""Plugins, installed for real: small distributions built in a temporary
folder and installed with pip into a virtual environment that sees the
already-installed fmlint (``--system-site-packages``; no network).

The demo plugin is installed into the environment itself; the broken ones are
installed with ``pip install --target`` into folders of their own and put on
``PYTHONPATH`` only by the tests that want them, so each test sees exactly the
plugins it is about.  The distributions use a tiny in-tree PEP 517 backend
(standard library only), so building them needs neither setuptools nor wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CliResult, example_text, replace_field

from linter.config import load_config
from linter.runner import UsageError, run

BACKEND = '''
"""A minimal PEP 517 backend: builds a pure-Python wheel with the standard library."""
import base64, hashlib, json, os, zipfile

def _meta():
    with open("plugin.json", encoding="utf-8") as handle:
        return json.load(handle)

def _wheel_files(meta):
    dist = f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    module = meta["module"]
    with open(f"{module}.py", "rb") as handle:
        yield f"{module}.py", handle.read()
    metadata = f"Metadata-Version: 2.1\\nName: {meta['name']}\\nVersion: {meta['version']}\\n"
    yield f"{dist}/METADATA", metadata.encode()
    wheel = "Wheel-Version: 1.0\\nGenerator: fmlint-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    yield f"{dist}/WHEEL", wheel.encode()
    entry_points = "[fmlint.rules]\\n" + "".join(f"{k} = {v}\\n" for k, v in meta["entry_points"].items())
    yield f"{dist}/entry_points.txt", entry_points.encode()

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    meta = _meta()
    stem = f"{meta['name'].replace('-', '_')}-{meta['version']}"
    name = f"{stem}-py3-none-any.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, data in _wheel_files(meta):
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            records.append(f"{path},sha256={digest.decode()},{len(data)}")
        records.append(f"{stem}.dist-info/RECORD,,")
        wheel.writestr(f"{stem}.dist-info/RECORD", "\\n".join(records) + "\\n")
    return name

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError("wheels only")
'''

DEMO = '''
"""A demo fmlint plugin."""
from linter.findings import Problem, Severity
from linter.rules.base import Option, Rule


class DemoRule(Rule):
    """The title contains a word the newsroom avoids.

    ## What it does
    Flags titles containing the word set by the option `word`.

    ## Why is this bad?
    House style.

    ## Example
    ```yaml
    title: "ASEAN news"
    ```

    ## Use instead
    ```yaml
    title: "South-East Asian news"
    ```
    """

    code = "DEMO001"
    name = "demo-avoided-word"
    severity = Severity.WARNING
    options = {"word": Option("str", "ASEAN", "the word titles must avoid")}

    def check(self, doc):
        title = doc.data.get("title")
        if isinstance(title, str) and self.config["word"] in title:
            span = doc.front_matter.positions[("title",)].value
            yield Problem.at(span, f"the title contains `{self.config['word']}`")
'''

BROKEN = """
raise RuntimeError("the demo plugin cannot start: missing settings")
"""

CRASH = '''
from linter.rules.base import Rule


class CrashRule(Rule):
    """Crashes on every file.

    ## What it does
    Nothing useful.

    ## Why is this bad?
    It crashes.

    ## Example
    x

    ## Use instead
    y
    """

    code = "DEMO002"
    name = "demo-crash"

    def check(self, doc):
        raise KeyError("title")
'''

CLASH = '''
from linter.findings import Problem
from linter.rules.base import Rule


class MyH1(Rule):
    """Claims a built-in code.

    ## What it does
    x

    ## Why is this bad?
    x

    ## Example
    x

    ## Use instead
    x
    """

    code = "FM301"
    name = "my-h1-check"

    def check(self, doc):
        yield Problem(1, 1, "the clashing plugin ran")
'''


@dataclass
class PluginWorld:
    python: Path  # the virtual environment's interpreter (demo plugin installed)
    targets: dict[str, Path]  # extra plugin folders to put on PYTHONPATH, by name

    def run(self, args: list[str], cwd: Path, *extra: str) -> CliResult:
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("GITHUB_ACTIONS", None)
        env.pop("PYTHONPATH", None)
        if extra:
            env["PYTHONPATH"] = os.pathsep.join(str(self.targets[name]) for name in extra)
        done = subprocess.run(
            [str(self.python), "-m", "linter", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)


def make_distribution(root: Path, name: str, module: str, source: str, entry: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "wheel_backend"\nbackend-path = ["."]\n',
        encoding="utf-8",
    )
    (folder / "wheel_backend.py").write_text(BACKEND, encoding="utf-8")
    (folder / "plugin.json").write_text(
        json.dumps(
            {"name": name, "version": "1.0", "module": module, "entry_points": entry_map(entry)}
        ),
        encoding="utf-8",
    )
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def entry_map(entry: str) -> dict[str, str]:
    key, value = entry.split("=", 1)
    return {key.strip(): value.strip()}


def pip_install(python: Path, folder: Path, *options: str) -> None:
    done = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            *options,
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> PluginWorld:
    root = tmp_path_factory.mktemp("plugins")
    venv = root / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    python = venv / "bin" / "python"
    # the outer pip, run by the venv's interpreter, installs into the venv
    probe = subprocess.run(
        [str(python), "-c", "import linter, pip, sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"the virtual environment cannot see fmlint and pip: {probe.stderr}")
    assert Path(probe.stdout.strip()) == venv
    sources = root / "src"
    demo = make_distribution(
        sources,
        "fmlint-demo-plugin",
        "fmlint_demo_plugin",
        DEMO,
        "myrule = fmlint_demo_plugin:DemoRule",
    )
    pip_install(python, demo)
    targets = {}
    for name, module, source, entry in [
        ("broken", "fmlint_broken_plugin", BROKEN, "broken = fmlint_broken_plugin:Anything"),
        ("crash", "fmlint_crash_plugin", CRASH, "crash = fmlint_crash_plugin:CrashRule"),
        ("clash", "fmlint_clash_plugin", CLASH, "clash = fmlint_clash_plugin:MyH1"),
    ]:
        folder = make_distribution(sources, f"fmlint-{name}-plugin", module, source, entry)
        targets[name] = root / "targets" / name
        pip_install(python, folder, "--target", str(targets[name]))
    return PluginWorld(python, targets)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "good.md").write_text(example_text(), encoding="utf-8")
    bad = replace_field(example_text(), "code", 'code: "ART2410171545HNYP98"')
    bad = replace_field(bad, "category", 'category: "opinion"')
    bad = bad.replace("# What makes South Korea a great partner of ASEAN?\n", "")
    (tmp_path / "bad.md").write_text(bad, encoding="utf-8")
    return tmp_path


def rows(stdout: str) -> list[tuple[str, str, str]]:
    """(path, position, code) of each finding line."""
    out = []
    for line in stdout.splitlines():
        head, _, rest = line.partition(": ")
        if rest and rest.split()[0][:2].isalpha() and head.count(":") == 2:
            path, row, column = head.split(":")
            out.append((path, f"{row}:{column}", rest.split()[0]))
    return out


# ------------------------------------------------------------------ a working plugin


def test_rules_lists_the_plugin_with_its_origin(world: PluginWorld, tmp_path: Path) -> None:
    done = world.run(["rules"], tmp_path)
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("DEMO001")]
    assert line.split()[:3] == ["DEMO001", "demo-avoided-word", "warning"]
    assert line.endswith("[fmlint-demo-plugin]")
    assert "FM301" in done.stdout  # the built-ins are still there
    listed = json.loads(world.run(["rules", "--format", "json"], tmp_path).stdout)
    (demo,) = [r for r in listed if r["code"] == "DEMO001"]
    assert demo["origin"] == "fmlint-demo-plugin"
    assert {r["origin"] for r in listed if r["code"].startswith("FM")} == {"fmlint"}
    explained = world.run(["explain", "demo-avoided-word"], tmp_path)
    assert explained.returncode == 0
    assert "From: fmlint-demo-plugin." in explained.stdout
    (option,) = [x for x in explained.stdout.splitlines() if x.strip().startswith("word (")]
    assert "str" in option and "ASEAN" in option and "the word titles must avoid" in option
    assert "## Use instead" in explained.stdout


def test_check_reports_the_plugin_finding(world: PluginWorld, site: Path) -> None:
    done = world.run(["check", "--no-cache"], site)
    assert done.returncode == 1, done.stderr  # bad.md has built-in errors
    assert done.stderr == ""
    found = rows(done.stdout)
    assert ("good.md", "6:8", "DEMO001") in found
    assert ("bad.md", "8:11", "FM207") in found  # built-in rules run alongside
    assert ("bad.md", "FM301") in {(path, code) for path, _, code in found}
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("good.md:6:8:")]
    assert line == "good.md:6:8: DEMO001 [warning] the title contains `ASEAN`"


def test_the_plugin_is_selectable(world: PluginWorld, site: Path) -> None:
    done = world.run(["check", "--no-cache", "--select", "DEMO"], site)
    assert done.returncode == 0  # warnings only
    assert {code for _, _, code in rows(done.stdout)} == {"DEMO001"}
    ignored = world.run(["check", "--no-cache", "-q", "--ignore", "demo-avoided-word"], site)
    assert "DEMO001" not in {code for _, _, code in rows(ignored.stdout)}


def test_the_plugin_is_configurable(world: PluginWorld, site: Path) -> None:
    (site / ".fmlint.toml").write_text(
        '[rules.DEMO001]\nword = "Korea"\nseverity = "error"\n', encoding="utf-8"
    )
    done = world.run(["check", "--no-cache", "--select", "DEMO001"], site)
    assert done.returncode == 1
    assert "good.md:6:8: DEMO001 [error] the title contains `Korea`" in done.stdout
    (site / ".fmlint.toml").write_text('[rules.demo-avoided-word]\nwrod = "x"\n', encoding="utf-8")
    done = world.run(["check", "--no-cache"], site)
    assert done.returncode == 2
    assert "`rules.demo-avoided-word.wrod`" in done.stderr
    assert "did you mean `word`?" in done.stderr
    (site / ".fmlint.toml").write_text("[rules.DEMO001]\nword = 3\n", encoding="utf-8")
    done = world.run(["check", "--no-cache"], site)
    assert done.returncode == 2 and "option `word` must be str" in done.stderr


def test_config_for_a_plugin_that_is_not_installed_is_an_error(site: Path) -> None:
    (site / ".fmlint.toml").write_text('[rules.DEMO001]\nword = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"`rules.DEMO001`: no rule with this code or name"):
        run(["."], load_config(cwd=site), cwd=site, use_cache=False)


# ------------------------------------------------------------------ broken plugins


def test_a_plugin_that_fails_to_import_is_named_and_the_rest_runs(
    world: PluginWorld, site: Path
) -> None:
    done = world.run(["check", "--no-cache"], site, "broken")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        "plugin `broken` (fmlint-broken-plugin) failed to load: RuntimeError: "
        "the demo plugin cannot start: missing settings"
    ) in done.stderr
    found = rows(done.stdout)
    assert ("bad.md", "8:11", "FM207") in found and ("good.md", "6:8", "DEMO001") in found
    listed = world.run(["rules"], site, "broken")
    assert listed.returncode == 1 and "plugin `broken`" in listed.stderr
    assert "DEMO001" in listed.stdout and "FM301" in listed.stdout


def test_a_plugin_that_crashes_is_fm001_and_the_rest_runs(world: PluginWorld, site: Path) -> None:
    done = world.run(["check", "--no-cache"], site, "crash")
    assert done.returncode == 1
    assert done.stderr == ""
    found = rows(done.stdout)
    assert ("good.md", "1:1", "FM001") in found and ("bad.md", "1:1", "FM001") in found
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("good.md:1:1: FM001")]
    assert "DEMO002" in line and "demo-crash" in line and "fmlint-crash-plugin" in line
    assert "KeyError" in line
    assert ("good.md", "6:8", "DEMO001") in found  # the other plugin still reports
    assert ("bad.md", "8:11", "FM207") in found  # and the built-ins
    quiet = world.run(["check", "--no-cache", "-q", "--ignore", "DEMO002"], site, "crash")
    assert "FM001" not in {code for _, _, code in rows(quiet.stdout)}


def test_a_plugin_claiming_a_builtin_code_is_a_clear_error(world: PluginWorld, site: Path) -> None:
    done = world.run(["check", "--no-cache"], site, "clash")
    assert done.returncode == 1
    message = [line for line in done.stderr.splitlines() if "fmlint-clash-plugin" in line]
    assert message, done.stderr
    assert "FM301" in message[0] and "missing-h1" in message[0] and "my-h1-check" in message[0]
    # not a silent disable: the built-in FM301 still runs, the plugin's never does
    found = rows(done.stdout)
    assert ("bad.md", "FM301") in {(path, code) for path, _, code in found}
    assert "the clashing plugin ran" not in done.stdout
    listed = world.run(["rules"], site, "clash")
    assert listed.returncode == 1 and "fmlint-clash-plugin" in listed.stderr
    (line,) = [x for x in listed.stdout.splitlines() if x.startswith("FM301")]
    assert "missing-h1" in line and "[" not in line
