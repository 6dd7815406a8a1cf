#!/usr/bin/env python3
"""fmlint's benchmark, in one command:  python bench/run.py --count 50000

Generates (once, cached under .bench/) a corpus with the shared generator,
then times in the same run, as wall time including process start-up:

  floor          bench/floor.py: read + split + PyYAML C loader + one jsonschema
                 validator with formats; the least work a front-matter linter does
  cold           python -m linter check . --no-cache --format json -o /dev/null
  cold --jobs 1  the same on one core (shows the parallel speed-up)
  cold + cache   python -m linter check . (cache folder removed first, so it is written)
  warm           the same again, nothing changed
  one file       pre-commit case: one file's body edited, `check FILE`, warm cache

and prints a table (seconds, files/s, ratio to the floor) with the targets.
Results go to .bench/results-N.json.  --scaling adds a run at 2N, --peers
compares with markdownlint-cli2 and remark-lint-frontmatter-schema.
See bench/README.md.  Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / ".bench"
DEFAULT_MAKE_CORPUS = Path(__file__).resolve().parents[2] / "shared/bench/make_corpus.py"
DEFAULT_SCHEMA = Path(__file__).resolve().parents[2] / "shared/bench/article.schema.json"
FLOOR = Path(__file__).resolve().parent / "floor.py"
PEER_PACKAGES = [
    "markdownlint-cli2",
    "remark-cli",
    "remark-frontmatter",
    "remark-lint-frontmatter-schema",
]
GIT_ID = [
    "-c",
    "user.name=b",
    "-c",
    "user.email=b@b",
    "-c",
    "gc.auto=0",
    "-c",
    "commit.gpgsign=false",
]
FMLINT_OK = (0, 1)  # 1 = error findings, which the corpus has on purpose

# targets from the issue
TARGET_COLD_VS_FLOOR = 1.0
TARGET_WARM_VS_COLD = 0.10
TARGET_ONE_FILE_S = 0.5
TARGET_SCALING = 2.2
TARGET_VS_REMARK = 20.0
TARGET_VS_MARKDOWNLINT = 10.0


class BenchError(Exception):
    """A step failed: the message says which and why."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- running


@dataclass
class Run:
    name: str
    cmd: list[str]
    seconds: float
    returncode: int
    maxrss_kib: int  # ru_maxrss of the child's tree (largest single process), from wait4
    peak_tree_kib: int | None  # peak sum of PSS (or RSS) over the process tree, sampled
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def _session_members(sid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        # fields[0] is the state (field 3), so the session (field 6) is fields[3]
        if len(fields) > 3 and int(fields[3]) == sid:
            members.append(int(entry))
    return members


def _memory_kib(pid: int) -> int:
    """PSS of one process (shared pages split between sharers), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError):
        return 0


class _Sampler(threading.Thread):
    """Peak total memory of every process in the child's session."""

    def __init__(self, sid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.sid, self.interval = sid, interval
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            total = sum(_memory_kib(pid) for pid in _session_members(self.sid))
            self.peak = max(self.peak, total)


def run_timed(
    name: str,
    cmd: list[str],
    cwd: Path,
    timeout: float,
    memory: bool = False,
    ok: tuple[int, ...] = (0,),
    env: dict[str, str] | None = None,
) -> Run:
    """Run ``cmd``; wall time from just before the fork to the reaping of the
    child.  The child leads its own session, so a timeout kills its workers too."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            started = time.perf_counter()
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                start_new_session=True,
            )
        except OSError as error:
            raise BenchError(f"{name}: cannot start {cmd[0]}: {error}") from None
        sampler = _Sampler(proc.pid, 0.2) if memory else None
        if sampler:
            sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            kill()
            raise
        finally:
            seconds = time.perf_counter() - started
            timer.cancel()
            if sampler:
                sampler.stop.set()
                sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        strays = _session_members(proc.pid)  # workers left behind by a crashed run
        for pid in strays:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if strays:
            log(f"{name}: killed {len(strays)} process(es) left behind: {strays}")
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    shown = " ".join(cmd)
    if timed_out.is_set():
        raise BenchError(f"{name}: timed out after {timeout:.0f} s: {shown} (cwd {cwd})")
    if proc.returncode not in ok:
        tail = "\n".join((stderr.strip() or stdout.strip()).splitlines()[-25:])
        raise BenchError(f"{name}: exit status {proc.returncode}: {shown} (cwd {cwd})\n{tail}")
    return Run(
        name,
        cmd,
        seconds,
        proc.returncode,
        usage.ru_maxrss,
        sampler.peak if sampler else None,
        stdout,
        stderr,
    )


def run_quiet(
    cmd: list[str], cwd: Path, timeout: float, what: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
    except OSError as error:
        raise BenchError(f"{what}: cannot run {cmd[0]}: {error}") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr.strip() or done.stdout.strip()).splitlines()[-25:])
        raise BenchError(f"{what}: exit status {done.returncode}: {' '.join(cmd)}\n{tail}")
    return done


# ---------------------------------------------------------------- corpus


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def markdown_files(top: Path) -> list[Path]:
    skip = {".git", ".fmlint_cache", "node_modules", "_site", "vendor"}
    found: list[Path] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in skip]
        found.extend(Path(folder, f) for f in files if f.endswith((".md", ".markdown")))
    return sorted(found)


def ensure_corpus(count: int, seed: int, make_corpus: Path, timeout: float) -> Path:
    """.bench/corpus-N-seedS, generated once; regenerated when the generator changed."""
    target = BENCH / f"corpus-{count}-seed{seed}"
    stamp_file = BENCH / f"corpus-{count}-seed{seed}.stamp.json"
    if not make_corpus.is_file():
        raise BenchError(f"corpus generator not found: {make_corpus} (use --make-corpus)")
    stamp = {"count": count, "seed": seed, "generator_sha256": file_digest(make_corpus)}
    if target.is_dir() and stamp_file.is_file():
        try:
            if json.loads(stamp_file.read_text()) == stamp:
                log(f"reusing corpus {target.relative_to(REPO)}")
                return target
        except ValueError:
            pass
        log(f"corpus {target.name} is stale (generator changed): regenerating")
    stamp_file.unlink(missing_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    log(f"generating {count} articles (seed {seed}) with {make_corpus} ...")
    started = time.perf_counter()
    run_quiet(
        [
            sys.executable,
            str(make_corpus),
            "--out",
            str(partial),
            "--count",
            str(count),
            "--seed",
            str(seed),
        ],
        REPO,
        timeout,
        "corpus generation",
    )
    found = len(markdown_files(partial))
    if found != count:
        raise BenchError(f"corpus generation wrote {found} Markdown files, expected {count}")
    # An empty config pins the config root (and so the cache folder) to the corpus:
    # a [tool.fmlint] table in the repository's pyproject.toml must not apply.
    (partial / ".fmlint.toml").write_text("# fmlint defaults (bench/run.py)\n")
    partial.rename(target)
    stamp_file.write_text(json.dumps(stamp) + "\n")
    log(f"generated in {time.perf_counter() - started:.1f} s")
    return target


def ensure_git(folder: Path, commit: bool, timeout: float) -> None:
    """`git init` always: the corpus lives under the repository's git-ignored
    .bench/, and a folder inside a work tree inherits its .gitignore; a
    repository of its own stops that.  With ``commit``, all files are committed
    once, so the collection (git-tracked files) is the whole corpus."""
    if not (folder / ".git").exists():
        run_quiet(["git", "init", "-q"], folder, 120, "git init")
    if not commit:
        return
    head = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", "HEAD"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if head.returncode == 0:
        return
    log(f"committing {folder.name} to git (once; slow for many files) ...")
    started = time.perf_counter()
    (folder / ".gitignore").write_text(".fmlint_cache/\n")
    run_quiet(["git", *GIT_ID, "add", "-A"], folder, timeout, "git add")
    run_quiet(
        ["git", *GIT_ID, "commit", "-q", "--no-verify", "-m", "benchmark corpus"],
        folder,
        timeout,
        "git commit",
    )
    log(f"committed in {time.perf_counter() - started:.1f} s")


# ---------------------------------------------------------------- measurements


def fmlint_env() -> dict[str, str]:
    """The tree's linter package wins over any installed copy."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("GITHUB_ACTIONS", None)
    env["NO_COLOR"] = "1"
    return env


def fmlint_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "linter", "check", *args]


def compile_package() -> None:
    """Compile the package's bytecode, as pip does when it installs fmlint: an
    editable checkout on a machine that sets PYTHONDONTWRITEBYTECODE (this one
    does) would otherwise be compiled from source on every run, ~70 ms that no
    installed copy pays (the floor's libraries come compiled too)."""
    import compileall

    compileall.compile_dir(str(REPO / "linter"), quiet=1)


def check_fmlint_works(env: dict[str, str]) -> str:
    compile_package()
    try:
        done = run_quiet(
            [sys.executable, "-m", "linter", "--version"], REPO, 120, "fmlint start-up", env=env
        )
    except BenchError as error:
        raise BenchError(f"fmlint does not start (is the core finished?): {error}") from None
    return done.stdout.strip()


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def edit_body(path: Path, round_no: int) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\nBenchmark edit number {round_no} of this article's body text.\n")


def pick_one_file(corpus: Path) -> Path:
    """A defect-free article in the middle of the corpus."""
    files = markdown_files(corpus)
    defective = set()
    truth = corpus / "defects.json"
    if truth.is_file():
        defective = {d["path"] for d in json.loads(truth.read_text(encoding="utf-8"))["defects"]}
    middle = len(files) // 2
    for path in files[middle:] + files[:middle]:
        if path.relative_to(corpus).as_posix() not in defective:
            return path
    return files[middle]


def measure(
    corpus: Path,
    args: argparse.Namespace,
    env: dict[str, str],
    *,
    one_file: bool,
    jobs1: bool,
    label: str,
) -> dict[str, list[Run]]:
    """All measurements on one corpus, interleaved in rounds (best of --repeat)."""
    runs: dict[str, list[Run]] = {}
    cache = corpus / ".fmlint_cache"
    json_out = ["--format", "json", "-o", os.devnull]
    t = args.timeout
    target = pick_one_file(corpus) if one_file else None
    for round_no in range(1, args.repeat + 1):
        tag = f"{label} round {round_no}/{args.repeat}"

        def go(
            key: str,
            cmd: list[str],
            memory: bool = False,
            ok: tuple[int, ...] = FMLINT_OK,
            tag: str = tag,
        ) -> Run:
            log(f"{tag}: {key} ...")
            result = run_timed(key, cmd, corpus, t, memory=memory, ok=ok, env=env)
            log(f"{tag}: {key}: {result.seconds:.3f} s")
            runs.setdefault(key, []).append(result)
            return result

        go(
            "floor",
            [sys.executable, str(FLOOR), ".", "--schema", str(args.schema)],
            memory=True,
            ok=(0,),
        )
        go("cold", fmlint_cmd(".", "--no-cache", *json_out), memory=True)
        if jobs1:
            go("cold_jobs1", fmlint_cmd(".", "--no-cache", "--jobs", "1", *json_out), memory=True)
        shutil.rmtree(cache, ignore_errors=True)
        go("cold_cache", fmlint_cmd(".", *json_out), memory=True)
        if not cache.is_dir():
            raise BenchError(f"the cold run with cache did not create {cache}")
        go("warm", fmlint_cmd(".", *json_out))
        if target is not None:
            original = target.read_bytes()
            try:
                edit_body(target, round_no)
                go("one_file", fmlint_cmd(target.relative_to(corpus).as_posix(), *json_out))
            finally:
                target.write_bytes(original)
    return runs


def sanity_check(
    corpus: Path, env: dict[str, str], floor_run: Run, timeout: float, count: int
) -> dict[str, Any]:
    """One more warm run that writes its JSON report, to see that fmlint really
    checked every file; compared with the floor's counts."""
    report = corpus.parent / f"report-{corpus.name}.json"
    run_timed(
        "report",
        fmlint_cmd(".", "--format", "json", "-o", str(report)),
        corpus,
        timeout,
        ok=FMLINT_OK,
        env=env,
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    by_rule: dict[str, int] = {}
    for finding in data.get("findings", []):
        by_rule[finding.get("rule", "?")] = by_rule.get(finding.get("rule", "?"), 0) + 1
    floor = json.loads(floor_run.stdout.strip().splitlines()[-1])
    files_with = len({f.get("path") for f in data.get("findings", [])})
    result = {
        "fmlint_files_checked": data.get("files_checked"),
        "fmlint_findings": len(data.get("findings", [])),
        "fmlint_files_with_findings": files_with,
        "fmlint_summary": data.get("summary"),
        "fmlint_by_rule": dict(sorted(by_rule.items())),
        "floor": floor,
        "report": str(report.relative_to(REPO)),
    }
    if data.get("files_checked") != count or floor.get("files") != count:
        log(
            f"WARNING: expected {count} files; fmlint checked {data.get('files_checked')}, "
            f"the floor read {floor.get('files')}"
        )
    return result


# ---------------------------------------------------------------- peers


def ensure_peers(timeout: float) -> Path:
    prefix = BENCH / "peers"
    bins = prefix / "node_modules" / ".bin"
    if (
        all((bins / b).exists() for b in ("markdownlint-cli2", "remark"))
        and (prefix / "node_modules" / "remark-lint-frontmatter-schema").is_dir()
        and (prefix / "node_modules" / "remark-frontmatter").is_dir()
    ):
        return prefix
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError("--peers needs node and npm on PATH")
    log(f"npm install --prefix {prefix.relative_to(REPO)} {' '.join(PEER_PACKAGES)} ...")
    prefix.mkdir(parents=True, exist_ok=True)
    run_quiet(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), *PEER_PACKAGES],
        REPO,
        timeout,
        "npm install",
    )
    return prefix


def peer_schema(schema: Path) -> dict[str, Any]:
    """The shared schema for remark-lint-frontmatter-schema, whose Ajv is the
    draft-07 build: it cannot compile a 2020-12 '$schema'.  The keywords the
    schema uses mean the same in draft-07, so only '$schema' changes ('$id'
    goes too: a URN $id is no help to a schema loaded from a file)."""
    data: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    data["$schema"] = "http://json-schema.org/draft-07/schema#"
    data.pop("$id", None)
    return data


def write_remark_config(folder: Path, schema: Path) -> None:
    (folder / "article.schema.json").write_text(json.dumps(peer_schema(schema), indent=1))
    # schema paths are joined to the folder of .remarkrc.json, so keep it relative
    config = {
        "plugins": [
            "remark-frontmatter",
            ["remark-lint-frontmatter-schema", {"schemas": {"./article.schema.json": ["**/*.md"]}}],
        ]
    }
    (folder / ".remarkrc.json").write_text(json.dumps(config, indent=1) + "\n")


def prepare_peer_folder(corpus: Path, prefix: Path, n: int, schema: Path) -> Path:
    folder = prefix / f"files-{corpus.name}-first{n}"  # under prefix: plugins resolve from there
    stamp = folder / ".bench-complete"
    if not stamp.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        files = markdown_files(corpus)[:n]
        if len(files) < n:
            raise BenchError(f"--peer-count {n} > {len(files)} files in the corpus")
        for path in files:
            dest = folder / path.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        if (corpus / "assets").is_dir():
            shutil.copytree(corpus / "assets", folder / "assets")
        (folder / ".fmlint.toml").write_text("# fmlint defaults (bench/run.py)\n")
        stamp.write_text("")
    write_remark_config(folder, schema)
    ensure_git(folder, commit=False, timeout=120)
    return folder


def count_remark_messages(text: str) -> int:
    total = 0
    for match in re.finditer(r"(\d+)\s+(?:warnings?|errors?)\b", text):
        total += int(match.group(1))
    return total


def verify_remark_validates(prefix: Path, schema: Path, timeout: float) -> str:
    """remark + remark-lint-frontmatter-schema must flag a bad field and pass a good file."""
    folder = prefix / "verify"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    write_remark_config(folder, schema)
    good = (
        '---\nlayout: post\ncode: "ART2410250824ABC123"\n'
        'origin_url: "https://www.phnompenhpost.com/national/x"\ntitle: "A title"\n'
        "category: NATIONAL\nlanguage: en\ndate: 2024-10-25T08:24:49.000Z\n---\n\n# A title\n"
    )
    (folder / "good.md").write_text(good)
    (folder / "bad.md").write_text(
        good.replace("language: en", "language: english").replace(
            "2024-10-25T08:24:49.000Z", '"25/10/2024 08:24"'
        )
    )
    remark = str(prefix / "node_modules/.bin/remark")
    outputs = {}
    for name in ("good.md", "bad.md"):
        done = subprocess.run(
            [remark, name, "--no-stdout", "--no-color"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        outputs[name] = done.stdout + done.stderr
    bad, good = outputs["bad.md"], outputs["good.md"]
    if "#/properties/language" not in bad or "#/properties/date/format" not in bad:
        raise BenchError(
            "remark-lint-frontmatter-schema did not report the bad 'language' and "
            "'date' of bad.md; remark printed:\n" + bad[-3000:]
        )
    if "frontmatter-schema" in good:
        raise BenchError(
            "remark-lint-frontmatter-schema reported the valid good.md:\n" + good[-3000:]
        )
    output = bad
    return output.strip()


def measure_peers(corpus: Path, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    prefix = ensure_peers(args.timeout)
    verification = verify_remark_validates(prefix, args.schema, 120)
    log("remark-lint-frontmatter-schema verified: it reports a bad language and date")
    folder = prepare_peer_folder(corpus, prefix, args.peer_count, args.schema)
    n = len(markdown_files(folder))
    bins = prefix / "node_modules/.bin"
    report = prefix / "fmlint-report.json"
    commands = {
        "fmlint": fmlint_cmd(".", "--no-cache", "--format", "json", "-o", str(report)),
        "fmlint_jobs1": fmlint_cmd(
            ".", "--no-cache", "--jobs", "1", "--format", "json", "-o", str(report)
        ),
        "markdownlint-cli2": [str(bins / "markdownlint-cli2"), "**/*.md"],
        "remark": [str(bins / "remark"), ".", "--no-stdout", "--quiet", "--no-color"],
    }
    ok = {
        "fmlint": FMLINT_OK,
        "fmlint_jobs1": FMLINT_OK,
        "markdownlint-cli2": (0, 1),
        "remark": (0, 1),
    }
    runs: dict[str, list[Run]] = {}
    for round_no in range(1, args.repeat + 1):
        for key, cmd in commands.items():
            log(f"peers round {round_no}/{args.repeat}: {key} on {n} files ...")
            result = run_timed(key, cmd, folder, args.timeout, ok=ok[key], env=env)
            log(f"peers: {key}: {result.seconds:.3f} s")
            runs.setdefault(key, []).append(result)
    results: dict[str, Any] = {
        "files": n,
        "folder": str(folder.relative_to(REPO)),
        "remark_verification": verification[-1500:],
        "runs": {},
    }
    for key, group in runs.items():
        b = best(group)
        entry = {
            "seconds": b.seconds,
            "all": [r.seconds for r in group],
            "files_per_second": n / b.seconds,
            "returncode": b.returncode,
            "cmd": " ".join(b.cmd),
        }
        if key.startswith("fmlint"):
            try:
                entry["findings"] = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
            except (OSError, ValueError, KeyError):
                entry["findings"] = None
        elif key == "markdownlint-cli2":
            m = re.search(r"Summary:\s*(\d+)\s+error", b.stdout + b.stderr)
            entry["findings"] = int(m.group(1)) if m else None
        elif key == "remark":
            text = b.stdout + b.stderr
            entry["findings"] = count_remark_messages(text.splitlines()[-1] if text.strip() else "")
            entry["schema_findings"] = text.count("frontmatter-schema")
        results["runs"][key] = entry
    return results


# ---------------------------------------------------------------- report

ROWS = [
    ("floor", "floor: PyYAML C + jsonschema (1 process)"),
    ("cold", "fmlint cold, --no-cache (all cores)"),
    ("cold_jobs1", "fmlint cold, --no-cache --jobs 1"),
    ("cold_cache", "fmlint cold, writing the cache"),
    ("warm", "fmlint warm (cache, nothing changed)"),
    ("one_file", "fmlint one file (pre-commit, warm)"),
]


def summarize(runs: dict[str, list[Run]], count: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    floor = best(runs["floor"]).seconds if "floor" in runs else None
    for key, group in runs.items():
        b = best(group)
        files = 1 if key == "one_file" else count
        out[key] = {
            "seconds": round(b.seconds, 4),
            "all_seconds": [round(r.seconds, 4) for r in group],
            "files": files,
            "files_per_second": round(files / b.seconds, 1),
            "ratio_to_floor": round(b.seconds / floor, 3) if floor else None,
            "returncode": b.returncode,
            "max_rss_mib": round(max(r.maxrss_kib for r in group) / 1024, 1),
            "peak_tree_mib": (
                round(max(r.peak_tree_kib or 0 for r in group) / 1024, 1)
                if any(r.peak_tree_kib for r in group)
                else None
            ),
            "cmd": " ".join(b.cmd),
        }
    if "floor" in out:
        with contextlib.suppress(ValueError, KeyError, IndexError):
            out["floor"]["inside_seconds"] = json.loads(
                best(runs["floor"]).stdout.strip().splitlines()[-1]
            )["seconds_inside"]
    return out


def targets(s: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    def sec(key: str) -> float | None:
        return s[key]["seconds"] if key in s else None

    rows = []
    floor, cold, cache, warm, one = (
        sec(k) for k in ("floor", "cold", "cold_cache", "warm", "one_file")
    )
    if floor and cold:
        rows.append(
            {
                "target": "cold <= floor",
                "value": f"{cold / floor:.2f}x floor",
                "ok": cold <= floor * TARGET_COLD_VS_FLOOR,
            }
        )
    if cache and warm:
        rows.append(
            {
                "target": "warm <= 10% of cold (with cache)",
                "value": f"{100 * warm / cache:.1f}%",
                "ok": warm <= cache * TARGET_WARM_VS_COLD,
            }
        )
    if one is not None:
        rows.append(
            {"target": "one file < 0.5 s", "value": f"{one:.3f} s", "ok": one < TARGET_ONE_FILE_S}
        )
    return rows


def fmt_mem(entry: dict[str, Any]) -> str:
    if entry.get("peak_tree_mib") is None:
        return f"{entry['max_rss_mib']:>7}"
    return f"{entry['max_rss_mib']:>7} {entry['peak_tree_mib']:>8}"


def print_table(title: str, s: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(
        f"{'what':<42} {'seconds':>8} {'files/s':>9} {'x floor':>8}  "
        f"{'maxRSS':>7} {'tree PSS':>8}  (MiB)"
    )
    for key, label in ROWS:
        if key not in s:
            continue
        e = s[key]
        ratio = f"{e['ratio_to_floor']:.2f}" if e["ratio_to_floor"] is not None else "-"
        rate = "-" if key == "one_file" else f"{e['files_per_second']:.0f}"
        print(f"{label:<42} {e['seconds']:>8.3f} {rate:>9} {ratio:>8}  {fmt_mem(e)}")
    if "floor" in s and "inside_seconds" in s["floor"]:
        inside = s["floor"]["inside_seconds"]
        print(
            f"  floor start-up + imports: {s['floor']['seconds'] - inside:.2f} s "
            f"(work after imports {inside:.2f} s)"
        )
    if "cold" in s and "cold_jobs1" in s:
        print(
            f"  parallel speed-up (cold --jobs 1 / cold): "
            f"{s['cold_jobs1']['seconds'] / s['cold']['seconds']:.2f}x on {os.cpu_count()} cores"
        )


def print_targets(rows: list[dict[str, Any]]) -> None:
    print("\ntargets")
    for row in rows:
        print(f"  [{'PASS' if row['ok'] else 'FAIL'}] {row['target']:<36} {row['value']}")


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=50000, help="articles (default 50000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--repeat", type=int, default=1, help="best of R runs (default 1)")
    ap.add_argument(
        "--skip-git",
        action="store_true",
        help="skip the one-file (pre-commit) case and the git commit it needs",
    )
    ap.add_argument("--scaling", action="store_true", help="also run at 2x count")
    ap.add_argument(
        "--peers",
        action="store_true",
        help="compare with markdownlint-cli2 and remark (npm install once)",
    )
    ap.add_argument("--peer-count", type=int, default=3000, help="files for --peers (default 3000)")
    ap.add_argument("--no-jobs1", action="store_true", help="skip the --jobs 1 cold run")
    ap.add_argument(
        "--make-corpus",
        type=Path,
        default=DEFAULT_MAKE_CORPUS,
        help=f"corpus generator (default {DEFAULT_MAKE_CORPUS})",
    )
    ap.add_argument(
        "--schema",
        type=Path,
        default=DEFAULT_SCHEMA,
        help="schema for the floor and the peers (default: the shared one)",
    )
    ap.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds allowed for each timed run (default 1800)",
    )
    args = ap.parse_args(argv)
    if args.count < 1 or args.repeat < 1 or args.peer_count < 1:
        ap.error("--count, --repeat and --peer-count must be at least 1")
    args.make_corpus = args.make_corpus.resolve()
    args.schema = args.schema.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.schema.is_file():
        print(f"bench: schema not found: {args.schema}", file=sys.stderr)
        return 2
    BENCH.mkdir(exist_ok=True)
    env = fmlint_env()
    results: dict[str, Any] = {
        "count": args.count,
        "seed": args.seed,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "memory_note": "max_rss_mib: ru_maxrss from wait4 for the run (largest single process "
        "of its tree, what /usr/bin/time -v prints); peak_tree_mib: peak sum of "
        "PSS over all processes of the run, sampled every 0.2 s",
    }
    out_file = BENCH / f"results-{args.count}.json"
    try:
        results["fmlint_version"] = check_fmlint_works(env)
        gen_timeout = max(600.0, args.count * 0.05)
        corpus = ensure_corpus(args.count, args.seed, args.make_corpus, gen_timeout)
        ensure_git(corpus, commit=not args.skip_git, timeout=gen_timeout)
        runs = measure(
            corpus,
            args,
            env,
            one_file=not args.skip_git,
            jobs1=not args.no_jobs1,
            label=f"N={args.count}",
        )
        s = summarize(runs, args.count)
        results["corpus"] = str(corpus.relative_to(REPO))
        results["runs"] = s
        results["sanity"] = sanity_check(corpus, env, best(runs["floor"]), args.timeout, args.count)
        results["targets"] = targets(s)
        print_table(
            f"fmlint benchmark: {args.count} files, seed {args.seed}, best of "
            f"{args.repeat}, {os.cpu_count()} cores, Python {platform.python_version()}",
            s,
        )
        san = results["sanity"]
        print(
            f"  checked: fmlint {san['fmlint_files_checked']} files, "
            f"{san['fmlint_findings']} findings in {san['fmlint_files_with_findings']} files; "
            f"floor {san['floor']['files']} files, {san['floor']['invalid']} invalid"
        )
        print_targets(results["targets"])
        out_file.write_text(json.dumps(results, indent=1) + "\n")

        if args.scaling:
            n2 = 2 * args.count
            corpus2 = ensure_corpus(n2, args.seed, args.make_corpus, 2 * gen_timeout)
            ensure_git(corpus2, commit=not args.skip_git, timeout=2 * gen_timeout)
            runs2 = measure(corpus2, args, env, one_file=False, jobs1=False, label=f"N={n2}")
            s2 = summarize(runs2, n2)
            ratios = {k: round(s2[k]["seconds"] / s[k]["seconds"], 3) for k in s2 if k in s}
            results["scaling"] = {
                "count": n2,
                "runs": s2,
                "ratios": ratios,
                "ok": ratios.get("cold", 99) <= TARGET_SCALING,
            }
            print_table(f"scaling: {n2} files", s2)
            print("\n  time(2N)/time(N): " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
            cold_ratio = ratios.get("cold", float("nan"))
            print(
                f"  [{'PASS' if results['scaling']['ok'] else 'FAIL'}] "
                f"cold time(2N)/time(N) <= {TARGET_SCALING}: {cold_ratio:.2f}"
            )
            out_file.write_text(json.dumps(results, indent=1) + "\n")

        if args.peers:
            peers = measure_peers(corpus, args, env)
            results["peers"] = peers
            prs = peers["runs"]
            n = peers["files"]
            print(
                f"\npeers: the first {n} files of the corpus, best of {args.repeat} "
                "(not part of CI)"
            )
            print(f"{'tool':<30} {'seconds':>8} {'files/s':>9} {'findings':>9}")
            for key in ("fmlint", "fmlint_jobs1", "markdownlint-cli2", "remark"):
                e = prs[key]
                found = e.get("findings")
                print(
                    f"{key:<30} {e['seconds']:>8.3f} {e['files_per_second']:>9.0f} "
                    f"{'' if found is None else found:>9}"
                )
            fm = prs["fmlint"]["seconds"]
            checks = []
            for key, target in (
                ("remark", TARGET_VS_REMARK),
                ("markdownlint-cli2", TARGET_VS_MARKDOWNLINT),
            ):
                ratio = prs[key]["seconds"] / fm
                ratio1 = prs[key]["seconds"] / prs["fmlint_jobs1"]["seconds"]
                checks.append(
                    {
                        "target": f"fmlint >= {target:.0f}x faster than {key}",
                        "value": f"{ratio:.1f}x ({ratio1:.1f}x with --jobs 1)",
                        "ok": ratio >= target,
                    }
                )
            peers["targets"] = checks
            print_targets(checks)
            out_file.write_text(json.dumps(results, indent=1) + "\n")
    except BenchError as error:
        results["error"] = str(error)
        out_file.write_text(json.dumps(results, indent=1) + "\n")
        print(f"\nbench: FAILED: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130
    print(f"\nresults: {out_file.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
