"""Who counts which cost: the one home of the perspective rule (issue 9/10).

Every module that needs to know whether a perspective counts productivity, medical offsets or
employees' work time asks :func:`rule`; nothing else spells the rule out.

=================  ============  ==========================================  ==========
perspective        productivity  medical offsets                             work time
=================  ============  ==========================================  ==========
self_insured       yes           plan-paid share (offset x plan_paid_share)  yes
fully_insured      yes           none, or a premium pass-through after a lag  yes
health_plan        no            plan-paid share                             no
=================  ============  ==========================================  ==========

>>> rule("fully_insured").medical_now
False
>>> rule("self_insured").counts("medical")
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PERSPECTIVES", "Rule", "rule", "LABELS"]

#: Perspectives the model knows, in the order the user interfaces list them.
PERSPECTIVES: tuple[str, ...] = ("self_insured", "fully_insured", "health_plan")

#: Plain-words description of each perspective (dashboard, reports).
LABELS: dict[str, str] = {
    "self_insured": "a self-insured employer (productivity + the plan-paid share of medical savings)",
    "fully_insured": "a fully insured employer (productivity; medical savings only through premiums, "
                     "off by default)",
    "health_plan": "a health plan (the plan-paid share of medical savings only)",
}


@dataclass(frozen=True)
class Rule:
    """What one perspective counts."""

    perspective: str
    productivity: bool  #: absenteeism and presenteeism savings
    medical_now: bool  #: plan-paid medical offsets as they happen
    medical_passthrough: bool  #: plan-paid offsets returned through premiums after a lag
    work_time: bool  #: employees' session and travel hours on paid time are a cost

    def counts(self, component: str) -> bool:
        """Whether ``absenteeism``, ``presenteeism`` or ``medical`` savings count at all."""
        if component in ("absenteeism", "presenteeism"):
            return self.productivity
        if component == "medical":
            return self.medical_now or self.medical_passthrough
        raise ValueError(f"unknown cost component {component!r}")


_RULES = {
    "self_insured": Rule("self_insured", True, True, False, True),
    "fully_insured": Rule("fully_insured", True, False, True, True),
    "health_plan": Rule("health_plan", False, True, False, False),
}


def rule(perspective: str) -> Rule:
    """The :class:`Rule` of a perspective; ``ValueError`` naming the allowed ones otherwise."""
    try:
        return _RULES[perspective]
    except KeyError:
        raise ValueError(f"analysis.perspective = {perspective!r}: choose one of "
                         f"{', '.join(PERSPECTIVES)}") from None
