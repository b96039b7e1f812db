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
    argv = ["--orders", "400", "--markets", "2", "--accounts", "20", "--bad-signatures", "0.05"]
    argv += ["--rates", "4000", "--cache-dir", str(tmp_path / "cache"), "--out", str(out)]
    main(argv)
    main(argv)  # the second run reads the signed orders back from the cache
    report = json.loads(out.read_text())
    assert report["signature_checks"] is True
    for run in (report["saturated"], *report["paced"]):
        assert run["accepted"] + run["rejected"] + run["bad_signatures"] == 400
        assert run["bad_signatures"] == report["saturated"]["bad_signatures"] > 0
        assert run["fills"] > 0 and run["orders_per_second"] > 0
    paced = report["paced"][0]
    assert report["p99_ms"] == paced["p99_ms"] and report["latency_at_orders_per_second"] == 4000
    assert 0 < paced["p50_ms"] <= paced["p99_ms"] <= paced["max_ms"]
    bare = report["bare_engine"]
    assert bare["accepted"] + bare["rejected"] == 400 and bare["fills"] > 0
    assert report["orders_per_second"] == report["saturated"]["orders_per_second"]
    assert "signature" in capsys.readouterr().out
