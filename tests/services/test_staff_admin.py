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
    limit = points.self_approval_limit(shop)
    assert limit == 1000  # the default of the setting adjust.self_approval_points
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


def test_the_self_approval_limit_is_the_stores_protected_setting(shop: Terminal) -> None:
    from pos_app.core.errors import InvalidInput
    from pos_app.services import settings

    m = members.enroll_member(shop, phone="13800138001", name="乙")
    assert "adjust.self_approval_points" in settings.PROTECTED
    with pytest.raises(InvalidInput) as bad:
        settings.save_settings(shop, {"adjust.self_approval_points": "-5"}, approval=("9001", "9999"))
    assert bad.value.field == "adjust.self_approval_points"
    settings.save_settings(shop, {"adjust.self_approval_points": "200"}, approval=("9001", "9999"))
    assert points.self_approval_limit(shop) == 200
    with pytest.raises(PermissionDenied) as err:
        points.adjust_points(shop, member_ref=m.card_no, points=201, reason="own, over the store's limit",
                             manager_code="9001", manager_pin="9999", requested_by="9001")
    assert err.value.params["self_approval_limit"] == 200
    points.adjust_points(shop, member_ref=m.card_no, points=200, reason="own, at the store's limit",
                         manager_code="9001", manager_pin="9999", requested_by="9001")
    assert [r["points"] for r in _adjusts(shop)] == [200]


def test_a_manager_adds_staff_resets_a_pin_and_disables_a_cashier(shop: Terminal) -> None:
    from pos_app.core.errors import Conflict, InvalidInput, NotFound

    with pytest.raises(InvalidInput) as err:
        staff.add_staff(shop, code="1001", name="小李", role="cashier", pin="1234", pin_again="1235", by="9001")
    assert err.value.field == "pin_again"
    with pytest.raises(InvalidInput) as err:
        staff.add_staff(shop, code="1001", name="小李", role="cashier", pin="12", pin_again="12", by="9001")
    assert err.value.field == "pin"
    with pytest.raises(InvalidInput) as err:
        staff.add_staff(shop, code="1001", name="小李", role="boss", pin="1234", pin_again="1234", by="9001")
    assert err.value.field == "role"
    assert [s.code for s in staff.list_staff(shop)] == ["9001", "9002"]  # nothing written
    staff.add_staff(shop, code="1001", name="小李", role="cashier", pin="1234", pin_again="1234", by="9001")
    assert staff.authenticate(shop, "1001", "1234").role == "cashier"
    # a cashier manages no staff
    with pytest.raises(PermissionDenied):
        staff.add_staff(shop, code="1002", name="小王", role="cashier", pin="1234", pin_again="1234", by="1001")
    with pytest.raises(PermissionDenied):
        staff.reset_pin(shop, code="9001", pin="0000", by="1001")
    # PIN reset: the old PIN no longer works, a lock-out ends
    for _ in range(staff.MAX_ATTEMPTS):
        with pytest.raises(PermissionDenied):
            staff.authenticate(shop, "1001", "0000")
    staff.reset_pin(shop, code="1001", pin="5678", by="9001")
    assert staff.authenticate(shop, "1001", "5678").code == "1001"
    with pytest.raises(PermissionDenied):
        staff.authenticate(shop, "1001", "1234")
    with pytest.raises(NotFound):
        staff.reset_pin(shop, code="7777", pin="5678", by="9001")
    # disable / enable
    staff.set_active(shop, code="1001", active=False, by="9001")
    with pytest.raises(NotFound):
        staff.authenticate(shop, "1001", "5678")
    assert [s.active for s in staff.list_staff(shop) if s.code == "1001"] == [False]
    staff.set_active(shop, code="1001", active=True, by="9001")
    assert staff.authenticate(shop, "1001", "5678").code == "1001"
    with pytest.raises(Conflict):
        staff.set_active(shop, code="9001", active=False, by="9001")
    audit = shop.repo.rows("SELECT staff_code, action, ref, details FROM audit WHERE action LIKE 'staff.%'"
                           " AND action != 'staff.pin_wrong' ORDER BY id")
    assert [(a["staff_code"], a["action"], a["ref"]) for a in audit][-4:] == [
        ("9001", "staff.create", "1001"), ("9001", "staff.pin_reset", "1001"),
        ("9001", "staff.disable", "1001"), ("9001", "staff.enable", "1001")]
    assert all("5678" not in a["details"] and "1234" not in a["details"] for a in audit)  # never a PIN
