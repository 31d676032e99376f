"""The council's needs measures in a real browser: an officer loads one by
upload, and the asset map shades the council's own wards by it, with legend
swatches in exactly the colours drawn; every page checked with axe."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from communities import measures as places
from communities.tests.factories import WardFactory
from core.roles import Role

from .conftest import fits_a_phone, sign_in, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/shots/measures")
DESKTOP = {"width": 1366, "height": 900}
NARROW = {"width": 320, "height": 700}


def square(x: float, y: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
        ],
    }


@pytest.fixture
def council():
    """A second council's four wards, side by side, with made-up codes."""
    return [
        WardFactory(
            name=name,
            ons_code=f"E0590000{n}",
            imd_decile=decile,
            boundary=square(-2.2 + n * 0.02, 53.5),
        )
        for n, (name, decile) in enumerate(
            [("Almond", 1), ("Birch", 3), ("Cedar", 6), ("Damson", 9)], start=1
        )
    ]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def drawn_fills(page) -> list[str]:
    """Each ward's fill, in the order of their codes."""
    pairs = page.locator(".leaflet-overlay-pane path[data-ward]").evaluate_all(
        "paths => paths.map(p => [p.getAttribute('data-ward'), p.getAttribute('fill')])"
    )
    return [fill for _, fill in sorted(pairs)]


def legend_fills(page) -> list[str]:
    return page.locator(".abcd-map-legend__shading:visible rect").evaluate_all(
        "rects => rects.map(r => r.getAttribute('fill'))"
    )


def test_an_officer_loads_a_needs_measure(
    page, live_server, make_user, council, tmp_path
):
    make_user(Role.OFFICER, username="olivia")
    sign_in(page, live_server, "olivia")
    page.axe()
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/communities/places/measures/")
    expect(page.get_by_text("No measures are loaded yet.")).to_be_visible()
    page.axe()
    page.get_by_role("link", name="Load a measure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Load a needs measure")
    page.axe()
    shot(page, "measure-load-1366")

    bad = tmp_path / "needs.csv"
    bad.write_text("WD22CD,Score\nE05900001,12\nE05999999,8\nE05900002,n/a\n")
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_label("Name of the measure").fill("Community Needs Index")
    page.get_by_label("Source").fill("OCSI, 2023")
    page.get_by_label("Higher values mean more need").check()
    page.get_by_role("button", name="Check and load").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 3: E05999999 is not the code of a ward")
    expect(summary).to_contain_text("Row 4: n/a is not a number.")
    page.axe()
    shot(page, "measure-load-errors-1366")

    good = tmp_path / "needs-fixed.csv"
    good.write_text("WD22CD,Score\nE05900001,12\nE05900002,8\nE05900003,4.5\n")
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_label("Higher values mean more need").check()
    page.get_by_role("button", name="Check and load").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Needs measures for wards"
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 ward has no value: Damson."
    )
    expect(page.locator("table")).to_contain_text("OCSI, 2023")
    page.axe()
    shot(page, "measure-list-1366")

    for size, name in ((NARROW, "320"), ({"width": 375, "height": 812}, "375")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/communities/places/measures/load/")
        page.axe()
        if size is not NARROW:
            fits_a_phone(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{width} px wide at {size['width']}"
        shot(page, f"measure-load-{name}")
        page.goto(f"{live_server.url}/communities/places/measures/")
        page.axe()
        shot(page, f"measure-list-{name}")


def test_the_map_is_shaded_by_the_chosen_measure_in_its_legends_colours(
    page, live_server, council
):
    places.load_ward_measure(
        [["code", "Score"], ["E05900001", 10], ["E05900002", 20], ["E05900003", 30]],
        name="Community Needs Index",
        source="OCSI, 2023",
        higher_is_more_need=False,
        unit="score",
    )
    blocked = watch_csp(page)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/assets/map/")
    element = page.locator("#asset-map")
    expect(element).to_have_attribute("data-wards", "4")
    expect(element).to_have_attribute("data-shading", "deprivation")
    expect(page.get_by_text("No ward boundaries are loaded")).to_have_count(0)
    page.axe()

    # Deprivation: four deciles, each drawn in its legend's colour.
    deprivation = legend_fills(page)
    assert len(deprivation) == 10
    fills = drawn_fills(page)
    assert len(fills) == 4 and set(fills) <= set(deprivation)
    assert fills[0] == deprivation[0]  # Almond, decile 1, the darkest

    # The council's wards fill the map: it opened on them, not elsewhere.
    box = element.bounding_box()
    for ward in page.locator(".leaflet-overlay-pane path").all():
        shape = ward.bounding_box()
        assert box["x"] <= shape["x"] + shape["width"] / 2 <= box["x"] + box["width"]
        assert box["y"] <= shape["y"] + shape["height"] / 2 <= box["y"] + box["height"]
    shot(page, "map-deprivation-1366")

    page.get_by_label("Shade wards by").select_option(
        label="Community Needs Index (score)"
    )
    expect(element).not_to_have_attribute("data-shading", "deprivation")
    expect(element).to_be_visible()
    expect(
        page.get_by_role(
            "heading", name="Wards shaded by Community Needs Index (score)"
        )
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="Wards shaded by Deprivation (IMD decile)")
    ).to_be_hidden()
    measure = legend_fills(page)
    fills = drawn_fills(page)
    # Lower is more need: Almond (10) darkest, Cedar (30) lightest, Damson none.
    assert fills[0] == measure[0]
    assert fills[2] == measure[2]
    assert fills[3] == measure[-1]  # "No figure"
    assert fills[0] != fills[2]
    assert set(fills) <= set(measure)
    opacities = page.locator(".leaflet-overlay-pane path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('fill-opacity'))"
    )
    swatch_opacities = page.locator(
        ".abcd-map-legend__shading:visible rect"
    ).evaluate_all("rects => rects.map(r => r.getAttribute('fill-opacity'))")
    assert set(opacities) == set(swatch_opacities) == {"0.45"}
    expect(
        page.get_by_role("region", name="Wards: need beside assets")
    ).to_contain_text("Community Needs Index (score)")
    page.axe()
    shot(page, "map-measure-1366")
    assert blocked == []

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(
        f"{live_server.url}/assets/map/?shading={page.get_by_label('Shade wards by').input_value()}"
    )
    expect(element).to_have_attribute("data-wards", "4")
    page.axe()
    fits_a_phone(page)
    shot(page, "map-measure-375")


def test_with_no_wards_the_map_opens_on_england_and_says_so(page, live_server):
    page.goto(f"{live_server.url}/assets/map/")
    expect(page.get_by_text("No ward boundaries are loaded yet")).to_be_visible()
    expect(page.locator("#asset-map")).to_have_attribute("data-wards", "0")
    zoom = page.locator(".leaflet-tile-pane, .leaflet-map-pane").first
    expect(zoom).to_be_attached()
    page.axe()
    shot(page, "map-no-wards-1366")
