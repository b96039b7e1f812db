"""The constraint counts in benchmarks/results/gadgets.json are the current ones, and none exceeds
circomlib's for the same function (the benchmark measures circomlib; this checks our side)."""

import importlib.util
import json
import sys

import pytest

from tests.gadgets.circomlibjs import ROOT

spec = importlib.util.spec_from_file_location("gadget_benchmark", ROOT / "benchmarks" / "gadgets.py")
benchmark = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = benchmark  # dataclasses look their module up
spec.loader.exec_module(benchmark)
RECORDED = json.loads(benchmark.RESULTS.read_text())


@pytest.mark.parametrize("case", benchmark.cases(), ids=lambda case: case.name)
def test_recorded_count_is_current(case):
    counts = RECORDED[case.name]
    assert benchmark.zkclear_count(case) == counts["zkclear"]
    assert counts["circomlib"] is None or counts["zkclear"] <= counts["circomlib"]
