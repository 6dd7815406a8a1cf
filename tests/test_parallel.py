"""A parallel run and a one-process run give identical output, on a corpus
large enough to use the process pool."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli


def test_parallel_and_serial_output_are_identical(corpus: Path) -> None:
    serial = run_cli(["check", ".", "--jobs", "1", "--no-cache", "--format", "json"], corpus)
    parallel = run_cli(["check", ".", "--jobs", "2", "--no-cache", "--format", "json"], corpus)
    assert serial.returncode == parallel.returncode == 1
    first, second = json.loads(serial.stdout), json.loads(parallel.stdout)
    assert first["files_checked"] == second["files_checked"] == 600
    assert first["findings"] == second["findings"]
    assert len(first["findings"]) > 100


def test_cached_run_matches_a_cold_run(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    config = tmp_path / "fmlint.toml"
    config.write_text(f'cache-dir = "{cache}"\nsite-root = "{corpus}"\n', encoding="utf-8")
    args = ["check", ".", "--format", "json", "--config", str(config)]
    cold = run_cli(args, corpus)
    warm = run_cli(args, corpus)
    assert any(cache.iterdir()), "the first run wrote no cache"
    assert json.loads(cold.stdout)["findings"] == json.loads(warm.stdout)["findings"]
