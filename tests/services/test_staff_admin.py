"""Staff administration rules: a manager does not approve their own large points adjustment."""

from __future__ import annotations

import pytest

from pos_app.core.errors import PermissionDenied
from pos_app.services import members, points, staff
from pos_app.services.context import Terminal


@pytest.fixture
def shop(terminal: Terminal) -> Terminal:
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    staff.create_staff(terminal, code="9002", name="副店长", role="manager", pin="8888")
    return terminal


def _adjusts(t: Terminal) -> list[dict[str, object]]:
    return t.repo.rows("SELECT points FROM ledger_entry WHERE kind = 'adjust' ORDER BY id")


def test_a_manager_approves_their_own_adjustment_only_up_to_the_limit(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="甲")
    start = m.balance  # the enrolment bonus
    limit = points.SELF_APPROVAL_LIMIT
    assert limit == 1000
    # up to the limit, the manager asking may approve it
    points.adjust_points(shop, member_ref=m.card_no, points=limit, reason="own, at the limit",
                         manager_code="9001", manager_pin="9999", requested_by="9001")
    # above it (either way): refused, nothing written, the field named
    for pts in (limit + 1, -(limit + 1)):
        with pytest.raises(PermissionDenied) as err:
            points.adjust_points(shop, member_ref=m.card_no, points=pts, reason="own, too big",
                                 manager_code="9001", manager_pin="9999", requested_by="9001")
        assert err.value.field == "manager" and err.value.params["self_approval_limit"] == limit
    assert [r["points"] for r in _adjusts(shop)] == [limit]
    # a second manager approves it; the audit names who asked
    r = points.adjust_points(shop, member_ref=m.card_no, points=limit + 1, reason="second manager",
                             manager_code="9002", manager_pin="8888", requested_by="9001")
    assert r.approved_by == "9002" and r.member.balance == start + 2 * limit + 1
    audit = shop.repo.rows("SELECT staff_code, details FROM audit WHERE action = 'points.adjust' ORDER BY id")
    assert audit[-1]["staff_code"] == "9002" and '"requested_by":"9001"' in audit[-1]["details"]
    # a cashier asking: any manager approves (the cashier is not the approver)
    points.adjust_points(shop, member_ref=m.card_no, points=5000, reason="cashier asked",
                         manager_code="9001", manager_pin="9999", requested_by="1001")
    assert [r["points"] for r in _adjusts(shop)] == [limit, limit + 1, 5000]
