"""Shared fixtures: the shipped catalog, people built in one line, a service on a temp folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trainer.catalog import load_catalog
from trainer.model import Catalog
from trainer.service import Service

TODAY = date(2026, 11, 25)


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
