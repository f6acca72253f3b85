"""Donation campaigns (积分捐赠): a member gives points to a good cause that headquarters runs.

The campaign's ``[donation]`` table (``core.campaigns``):

    [donation]
    cause_zh = "为山区学校捐赠图书"
    cause_en = "Books for schools in the mountains"
    goal_points = 1000000      # the drive's goal, in points
    fen_per_point = 1          # what a point is worth to the cause: 100 points = 1 yuan
    step = 100                 # optional: donations in multiples of this
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.core.campaigns import register_kind
from pos_app.core.errors import CampaignError
from pos_app.core.program import FieldReader

KIND = "donation"


@dataclass(frozen=True)
class Donation:
    cause_zh: str
    cause_en: str
    goal_points: int
    fen_per_point: int
    step: int | None = None

    def cause(self, language: str) -> str:
        return self.cause_zh if language == "zh_CN" else self.cause_en

    def yuan_fen(self, points: int) -> int:
        """What ``points`` are worth to the cause, in fen (exact: whole fen per point)."""
        return points * self.fen_per_point


def read_donation(r: FieldReader) -> Donation:
    cause_zh = str(r.text("cause_zh")).strip()
    cause_en = str(r.text("cause_en")).strip()
    for key, text in (("cause_zh", cause_zh), ("cause_en", cause_en)):
        if len(text) > 200:
            raise CampaignError(f"{r.path}.{key}", f"at most 200 characters, got {len(text)}")
    goal = r.whole("goal_points", lo=1, hi=10**12)
    fen_per_point = r.whole("fen_per_point", lo=1, hi=10_000)
    step = r.whole("step", None, lo=1, hi=10**6)
    return Donation(cause_zh=cause_zh, cause_en=cause_en, goal_points=goal, fen_per_point=fen_per_point, step=step)


register_kind(KIND, read_donation)
