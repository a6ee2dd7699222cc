"""Which database errors are "unavailable for now" (docs/rules.md, "Database faults and
provider outages"): persistence/faults.py names them from the driver's SQLSTATE."""
from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from persistence.faults import classify


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"driver error {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str) -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError("SELECT 1", None, _DriverError(sqlstate))


@pytest.mark.parametrize("sqlstate, fault", [
    ("55P03", "locked"), ("57014", "locked"), ("25006", "read_only"),
    ("57P01", "disconnected"), ("08006", "disconnected"), ("08001", "unreachable"),
    ("57P03", "unreachable"),
    # The server refuses new sessions when it has no slot left ("sorry, too many clients
    # already", or a per-role/per-database limit): not a bug of ours, so unavailable.
    ("53300", "unreachable"),
])
def test_a_postgresql_state_is_named(sqlstate: str, fault: str) -> None:
    assert classify(_wrapped(sqlstate)) == fault


def test_other_states_are_real_faults() -> None:
    assert classify(_wrapped("23505")) is None  # a unique violation is ours to handle
    assert classify(_wrapped("42P01")) is None  # a missing table is a bug


def test_a_driver_error_reaching_us_unwrapped_is_named_too() -> None:
    assert classify(_DriverError("53300")) == "unreachable"
    assert classify(_DriverError("23505")) is None
