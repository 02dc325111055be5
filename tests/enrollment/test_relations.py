"""R-RELATIVES: the close-relative list, written once and read by the registry and the engine."""
from datetime import date

import pytest

from benefits.rules import CaseError
from enrollment import relations
from enrollment.models import CLOSE_RELATIVES, Relation
from tests.benefits.rules.builders import run


def test_the_registry_choices_come_from_the_one_list():
    assert dict(Relation.choices) == relations.RELATIONS
    assert CLOSE_RELATIVES == relations.CLOSE_RELATIVES


def test_close_relatives_are_the_eight_of_the_seeds():
    names = {n for code in relations.CLOSE_RELATIVES for n in relations.RELATIONS[code].split("/")}
    assert names == {"配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女"}


@pytest.mark.parametrize("relation", sorted(relations.CLOSE_RELATIVES))
def test_the_engine_accepts_a_close_relative_as_payer(relation):
    d = run(paid_on=date(2025, 11, 1), payer_relation=relation)
    assert "R-RELATIVES" in d.rules


@pytest.mark.parametrize("relation", ["other", "head", "cousin", ""])
def test_the_engine_refuses_anyone_else(relation):
    with pytest.raises(CaseError) as info:
        run(paid_on=date(2025, 11, 1), payer_relation=relation)
    assert info.value.field == "enrollment.payer_relation" and info.value.rule == "R-RELATIVES"
    assert "近亲属" in info.value.message
