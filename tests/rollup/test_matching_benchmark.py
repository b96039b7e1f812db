"""The operator benchmark script runs end to end on a small workload and reports consistent figures."""

from __future__ import annotations

import json

from benchmarks.operator import main, make_workload, percentile


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile([7], 0.99) == 7


def test_workload_is_seeded() -> None:
    assert make_workload(50, 2, 10, 0.2, seed=3) == make_workload(50, 2, 10, 0.2, seed=3)
    assert make_workload(50, 2, 10, 0.2, seed=3) != make_workload(50, 2, 10, 0.2, seed=4)


def test_benchmark_writes_its_report(tmp_path, capsys) -> None:
    out = tmp_path / "operator.json"
    main(["--orders", "400", "--markets", "2", "--accounts", "20", "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["accepted"] + report["rejected"] == 400
    assert report["fills"] > 0 and report["signature_checks"] is False
    assert 0 < report["p50_ms"] <= report["p99_ms"] <= report["max_ms"]
    assert report["orders_per_second"] > 0
    assert "signature" in capsys.readouterr().out
