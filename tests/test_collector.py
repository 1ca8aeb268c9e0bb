"""The collector's settling (api/collector.py): what survives into the old generation is frozen,
so no full collection walks it; garbage cycles among frozen objects come back with a thaw."""

import gc

import pytest

from api import collector
from api.collector import Settler


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def unfrozen():
    gc.collect()
    yield
    gc.unfreeze()
    gc.collect()


def test_promoted_objects_are_frozen(unfrozen):
    settler = Settler()
    kept = [Node() for _ in range(1000)]
    gc.collect(1)  # promoted into the old generation, as a young collection does
    assert any(obj is kept[0] for obj in gc.get_objects(2))
    before = gc.get_freeze_count()
    settler.settle()
    assert gc.get_freeze_count() >= before + 1000
    assert not any(obj is kept[0] for obj in gc.get_objects(2))
    assert settler.thaws == 0


def test_frozen_garbage_cycles_are_reclaimed_by_a_thaw(unfrozen, monkeypatch):
    settler = Settler()
    kept = [Node() for _ in range(5000)]
    settler.settle()
    grown = gc.get_freeze_count()
    del kept  # garbage now, but frozen: no young or full collection sees it
    monkeypatch.setattr(collector, "THAW_AT_ONCE", 1.0)
    settler.settle()
    assert settler.thaws == 1
    assert gc.get_freeze_count() <= grown - 5000
