"""Nothing a builder records offline is lost, doubled or sent as someone else."""

import pytest
from playwright.sync_api import expect

from communities.models import Conversation, Resident, SyncItem
from communities.tests.factories import ResidentFactory
from core.roles import Role

from .conftest import outbox, sign_in, submit_sign_in, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)

BUILDER_PAGES = [
    "/communities/my-work/",
    "/communities/conversations/new/",
    "/communities/residents/new/",
    "/communities/introductions/new/",
    "/communities/groups/new/",
    "/communities/outbox/",
]


@pytest.fixture
def site(builder_site):
    site = builder_site("Podsmead")
    ResidentFactory(
        site=site, area=site.areas.get(), first_name="Gwen", consents=["introduce"]
    )
    return site


@pytest.fixture(autouse=True)
def keeps_to_the_csp(page):
    """The outbox and the service worker run under the same Content
    Security Policy as every page (no unsafe-inline): nothing is blocked,
    in the page or in the worker."""
    blocked = watch_csp(page.context)
    yield
    assert not blocked, blocked


def waiting(page) -> int:
    return outbox(page, "items().then((items) => items.length)")


def go_online_and_send(page, context):
    context.set_offline(False)
    outbox(page, "flush()")
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=15_000)


def visit_builder_pages(page, live_server):
    """Once visited with signal, each page works with none (and passes axe)."""
    for path in BUILDER_PAGES:
        page.goto(live_server.url + path)
        page.axe()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def test_three_items_logged_offline_survive_a_reload_and_arrive_exactly_once(
    page, live_server, site, make_user, new_page
):
    context = page.context
    sign_in(page, live_server, "ben")
    visit_builder_pages(page, live_server)

    context.set_offline(True)
    # Every builder page opens with no signal, and passes axe offline too.
    for path in BUILDER_PAGES:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.axe()
    # 1. A new resident.
    page.goto(live_server.url + "/communities/residents/new/")
    page.axe()
    page.get_by_label("First name", exact=True).fill("Aisha")
    page.get_by_label("Passions and interests").fill("allotments")
    page.get_by_label("I agree to be introduced to other residents").check()
    page.get_by_role("button", name="Save resident").click()
    expect(page.locator("#outbox-saved")).to_be_visible()
    expect(page.locator("#outbox-status")).to_contain_text("1 item is waiting")
    page.axe()
    # 2. An anonymous doorstep chat, and 3. a conversation naming Aisha, who
    # exists only on this phone so far.
    page.goto(live_server.url + "/communities/conversations/new/")
    page.get_by_label("What matters to them").fill("Speeding on Podsmead Road")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("#outbox-status")).to_contain_text("2 items are waiting")
    page.goto(live_server.url + "/communities/conversations/new/")
    page.get_by_label("Aisha (waiting to send)").check()
    page.get_by_label("What matters to them").fill("A growing space")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("#outbox-status")).to_contain_text("3 items are waiting")
    page.axe()

    # Reload with no signal: the page still opens and the items are still there.
    page.reload()
    expect(page.locator("#outbox-status")).to_contain_text("3 items are waiting")
    expect(page.locator("#outbox-status")).to_contain_text("when you have signal")
    page.axe()
    page.goto(live_server.url + "/communities/outbox/")
    expect(page.locator(".abcd-outbox-list__item")).to_have_count(3)
    page.axe()
    assert waiting(page) == 3
    sent = outbox(page, "items()")
    assert Conversation.objects.count() == 0

    go_online_and_send(page, context)
    assert waiting(page) == 0
    assert SyncItem.objects.count() == 3
    aisha = Resident.objects.get(first_name="Aisha")
    assert Conversation.objects.count() == 2
    assert list(
        Conversation.objects.get(what_matters="A growing space").residents.all()
    ) == [aisha]

    # The same batch sent again (a phone that never heard the answers).
    statuses = page.evaluate(
        """async (items) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const out = [];
            for (const item of items) {
                const response = await fetch(`/communities/sync/${item.id}/`, {
                    method: "PUT",
                    headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                    body: JSON.stringify({kind: item.kind, payload: item.payload}),
                });
                out.push(response.status);
            }
            return out;
        }""",
        sent,
    )
    assert statuses == [200, 200, 200]
    assert Conversation.objects.count() == 2
    assert Resident.objects.filter(first_name="Aisha").count() == 1

    # An officer sees them in the lists.
    make_user(Role.OFFICER, username="olivia")
    officer = new_page()
    sign_in(officer, live_server, "olivia")
    officer.axe()
    officer.goto(live_server.url + "/communities/conversations/")
    expect(officer.get_by_role("status")).to_have_text("2 conversations")
    officer.axe()
    officer.goto(live_server.url + "/communities/residents/?q=Aisha")
    expect(officer.get_by_role("status")).to_have_text("1 resident")
    officer.axe()


def test_items_wait_through_an_expired_session_and_arrive_after_sign_in(
    page, live_server, site
):
    context = page.context
    sign_in(page, live_server, "ben")
    visit_builder_pages(page, live_server)
    context.set_offline(True)
    page.goto(live_server.url + "/communities/conversations/new/")
    page.get_by_label("What matters to them").fill("Nowhere for teenagers to go")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("#outbox-status")).to_contain_text("1 item is waiting")

    context.clear_cookies()  # the session expires while the phone is offline
    context.set_offline(False)
    outbox(page, "flush()")
    expect(page.locator("#outbox-status")).to_contain_text("Sign in again")
    page.axe()
    assert waiting(page) == 1
    assert Conversation.objects.count() == 0

    page.get_by_role("link", name="Sign in again").click()
    page.axe()
    submit_sign_in(page, "ben")
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=15_000)
    page.axe()
    assert waiting(page) == 0
    assert Conversation.objects.get().what_matters == "Nowhere for teenagers to go"


def test_an_item_the_server_refuses_is_shown_for_correcting_and_then_sent(
    page, live_server, site
):
    context = page.context
    sign_in(page, live_server, "ben")
    visit_builder_pages(page, live_server)
    context.set_offline(True)
    page.goto(live_server.url + "/communities/conversations/new/")
    # A new resident ticked, but no name given: the server will refuse it.
    page.get_by_label("I met someone new and want to record them").check()
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("#outbox-status")).to_contain_text("1 item is waiting")
    context.set_offline(False)
    outbox(page, "flush()")
    expect(page.locator("#outbox-status")).to_contain_text("1 needs correcting")

    page.goto(live_server.url + "/communities/outbox/")
    item = page.locator(".abcd-outbox-list__item")
    expect(item).to_contain_text("Enter the new resident's first name")
    page.axe()
    item.get_by_role("link", name="Open and correct").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the new resident's first name"
    )
    page.axe()
    page.get_by_label("First name", exact=True).fill("Priya")
    page.get_by_role("button", name="Save conversation").click()
    # Taken to the new resident's page, as the plain form does.
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya")
    expect(page.get_by_text("Your conversation has been saved")).to_be_visible()
    page.axe()
    assert waiting(page) == 0
    assert Conversation.objects.get().residents.get().first_name == "Priya"
    assert SyncItem.objects.count() == 1


def test_signing_out_with_items_waiting_asks_first(page, live_server, site):
    context = page.context
    sign_in(page, live_server, "ben")
    visit_builder_pages(page, live_server)
    context.set_offline(True)
    page.goto(live_server.url + "/communities/conversations/new/")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("#outbox-status")).to_contain_text("1 item is waiting")
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#outbox-status")).to_be_visible()
    assert "still waiting to send" in messages[0]
    assert page.url.endswith("/communities/conversations/new/")
