"""The checks on the council's identity (core.identity), on their own; the
production settings that use them are tested in abcd/tests/test_settings.py."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import identity


@pytest.mark.parametrize(
    "funder_id",
    [
        "GB-LAE-ANY",  # an English council
        "GB-LAE-ABCD",
        "GB-LAS-ABE",  # Scotland
        "GB-PLA-CRF",  # Wales
        "GB-LANI-BFS",  # Northern Ireland
        "GB-CHC-1234567",  # a charity in England and Wales
        "GB-SC-SC012345",  # a Scottish charity
        "GB-COH-SC123456",  # a company
    ],
)
def test_a_funder_may_be_a_council_a_charity_or_a_company(funder_id):
    assert identity.funder_id_problem(funder_id) is None


@pytest.mark.parametrize(
    "funder_id",
    [
        "GB-LAE-AB",  # a council's code is three or four letters
        "GB-LAE-ANYTO",
        "GB-LAE-any",
        "GB-LAE-ANY ",
        "XI-LAE-ANY",
        "GB-CHC-12345",
        "GB-COH-1234567",
        "GB-LAE-XXXX",
        "360G-anytown",
        "Anytown Borough Council",
    ],
)
def test_anything_else_is_not_a_funder(funder_id):
    assert identity.funder_id_problem(funder_id) is not None


@pytest.mark.parametrize(
    "prefix", ["360G-anytown", "360G-AnytownBC", "360G-any_town-1"]
)
def test_a_360giving_prefix(prefix):
    assert identity.prefix_problem(prefix) is None


@pytest.mark.parametrize(
    "prefix",
    ["360G-", "360g-anytown", "360G-any town", "360G-anytown-", "360G-xxx", "anytown"],
)
def test_not_a_360giving_prefix(prefix):
    assert identity.prefix_problem(prefix) is not None


def test_publishing_names_each_identifier_at_fault():
    assert identity.publishing_problems(funder_id="GB-LAE-ANY", prefix="360G-a") == []
    assert identity.publishing_problems(funder_id="", prefix="360G-example") == [
        "THREESIXTYGIVING_FUNDER_ID is not set.",
        (
            "THREESIXTYGIVING_PREFIX is '360G-example', a placeholder, not the "
            "council's registered prefix."
        ),
    ]


@given(
    st.dictionaries(st.sampled_from(list(identity.REQUIRED_IN_PRODUCTION)), st.text())
)
def test_any_environment_gets_an_answer_never_an_error(values):
    """Whatever the environment holds, the check answers with a line per
    setting at fault, each naming it and what it should be."""
    problems = identity.production_problems(values)
    for line in problems:
        name = line.split(" ", 1)[0]
        assert name in identity.REQUIRED_IN_PRODUCTION
        assert ". Set it to " in line
    named = {line.split(" ", 1)[0] for line in problems}
    missing = {
        n for n in identity.REQUIRED_IN_PRODUCTION if not values.get(n, "").strip()
    }
    assert missing <= named
    if problems:
        assert f"{len(problems)} " in identity.refusal(problems)
