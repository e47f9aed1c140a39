"""Shared fixtures: the shipped catalog, people built in one line, a service on a temp folder.

Hypothesis runs with one of two profiles, chosen by ``HYPOTHESIS_PROFILE``: ``ci`` (the default
when ``CI`` is set) is derandomised, so a run fails or passes the same way every time, with enough
examples to catch a removed check; ``local`` (the default otherwise) tries many more, at random,
to find what CI would not. Tests that set ``max_examples`` themselves keep their number.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from trainer.catalog import load_catalog
from trainer.model import Catalog
from trainer.service import Service

TODAY = date(2026, 11, 25)

settings.register_profile(
    "ci", derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("local", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "local"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "register"


@pytest.fixture
def svc(db_path: Path) -> Service:
    service = Service.open(db_path, today=lambda: TODAY)
    yield service
    service.close()
