"""The operator benchmark runs end to end on a small workload: the operator's answers agree with
what the clients' own engine predicts, forged signatures are refused, and the report is complete."""

from __future__ import annotations

import json

from benchmarks.operator import main, make_workload, parse_args, percentile
from rollup.operator.operator import CancelRequest, PlaceRequest

ARGS = ["--orders", "120", "--accounts", "12", "--bad-signatures", "0.05", "--cancel-ratio", "0.2"]


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile([7], 0.99) == 7


def test_the_workload_is_seeded_and_every_cancel_follows_its_order() -> None:
    def commands(seed: str) -> list:
        return make_workload(parse_args([*ARGS, "--seed", seed])).commands

    first, again, other = commands("3"), commands("3"), commands("4")
    assert first == again and first != other
    placed = set()
    for command in first:
        if isinstance(command, PlaceRequest):
            placed.add((command.signed.order.account, command.signed.order.order_id))
        else:
            assert isinstance(command, CancelRequest)
            assert (command.account, command.order_id) in placed


def test_the_benchmark_writes_its_report(tmp_path, capsys) -> None:
    out = tmp_path / "operator.json"
    main([*ARGS, "--rate", "2000", "--repeat", "3", "--http-orders", "40", "--http-clients", "3",
          "--http-processes", "1", "--out", str(out)])  # fmt: skip
    report = json.loads(out.read_text())
    expected = report["expected"]
    assert expected["refused: bad_signature"] > 0 and expected["fills"] > 0 and expected["cancelled"] > 0
    assert report["signature_checks"] is True
    for run in (report["saturated"], report["paced"], report["paced_through_operator_thread"]):
        assert run["agrees_with_clients"] is True
        assert run["counts"] == expected and run["orders"] == 120 and run["orders_per_second"] > 0
        assert run["order_signatures_checked"] == 120  # each run's own, none known from an earlier run
    paced = report["paced"]
    assert report["p99_ms"] == paced["p99_ms"] and report["latency_at_orders_per_second"] == 2000
    for run in (paced, report["paced_through_operator_thread"]):
        assert 0 < run["p50_ms"] <= run["p99_ms"] <= run["p999_ms"] <= run["max_ms"]
        each = run["p99_ms_of_each_run"]
        assert len(each) == 3 and each == sorted(each) and run["p99_ms"] == each[1]  # the median run
    http = report["http"]
    assert http["orders"] == 40 and sum(http["statuses"].values()) == 40 + http["cancels"]
    assert set(http["statuses"]) <= {"order 200", "order 422", "cancel 200", "cancel 422"}
    assert http["statuses"]["order 200"] > 0 and http["orders_per_second"] > 0
    assert report["orders_per_second"] == report["saturated"]["orders_per_second"] > 0
    assert report["process_peak_rss_mib"] > 0 and len(report["load_average_after"]) == 3
    fsync = report["disk_fsync"]
    assert 0 < fsync["p50_ms"] <= fsync["p99_ms"] <= fsync["max_ms"]
    assert "forged signatures refused: True" in capsys.readouterr().out
