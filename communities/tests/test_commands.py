"""The places commands: load_ward_measure."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from communities.models import WardMeasure, WardMeasureValue

from .factories import WardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards():
    WardFactory(name="Almond", ons_code="E05900001")
    WardFactory(name="Birch", ons_code="E05900002")


def write(tmp_path, text: str):
    path = tmp_path / "needs.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_loads_a_measure_and_prints_its_report(tmp_path, wards, capsys):
    path = write(tmp_path, "WD23CD,WD23NM,Score\nE05900001,Almond,41.2\n")
    call_command(
        "load_ward_measure",
        path,
        "--name",
        "Community Needs Index",
        "--source",
        "OCSI, 2023",
        "--lower-is-more-need",
        "--unit",
        "score",
    )
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Community Needs Index: 1 row read (ward codes from WD23CD, values from Score).",
        "1 ward has a value.",
        "1 ward has no value: Birch.",
    ]
    measure = WardMeasure.objects.get()
    assert (measure.higher_is_more_need, measure.unit) == (False, "score")
    assert WardMeasureValue.objects.get().value == Decimal("41.2")


def test_the_command_names_the_columns_when_asked(tmp_path, wards, capsys):
    path = write(tmp_path, "Area,Score,Rank\nE05900001,41.2,3\n")
    call_command(
        "load_ward_measure",
        path,
        "--name=Index",
        "--source=S",
        "--higher-is-more-need",
        "--code-column=Area",
        "--value-column=Rank",
    )
    assert "values from Rank" in capsys.readouterr().out
    assert WardMeasureValue.objects.get().value == 3


def test_the_command_refuses_a_bad_file_listing_its_rows(tmp_path, wards):
    path = write(tmp_path, "code,Score\nE05999999,1\nE05900001,x\n")
    with pytest.raises(CommandError, match=r"needs.csv was not loaded") as caught:
        call_command(
            "load_ward_measure", path, "--name=I", "--source=S", "--higher-is-more-need"
        )
    message = str(caught.value)
    assert "Row 2: E05999999 is not the code of a ward loaded here." in message
    assert "Row 3: x is not a number." in message
    assert not WardMeasure.objects.exists()


def test_the_command_needs_to_know_which_way_need_runs(tmp_path, wards):
    path = write(tmp_path, "code,Score\nE05900001,1\n")
    with pytest.raises(
        CommandError, match="one of the arguments --higher-is-more-need"
    ):
        call_command("load_ward_measure", path, "--name=I", "--source=S")


def test_the_command_says_when_the_file_cannot_be_read(tmp_path, wards):
    with pytest.raises(CommandError, match="cannot be read: No such file"):
        call_command(
            "load_ward_measure",
            str(tmp_path / "missing.csv"),
            "--name=I",
            "--source=S",
            "--higher-is-more-need",
        )
