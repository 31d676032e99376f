import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from communities.tests.factories import WardFactory
from grants import services
from grants.models import Application, Fund, GrantReport

from .factories import ApplicationFactory, AwardFactory, FundFactory, panel_user

pytestmark = pytest.mark.django_db


def in_review(**fields):
    return ApplicationFactory(status=Application.Status.IN_REVIEW, **fields)


def assign(application, member, officer):
    services.panel_assign(application=application, members=[member], officer=officer)


# Public ---------------------------------------------------------------------------


def test_the_open_funds_page_needs_no_account(client):
    FundFactory(name="Kingsholm sparks")
    FundFactory(
        name="Last year's fund",
        opens_on=datetime.date(2025, 4, 1),
        closes_on=datetime.date(2025, 5, 1),
    )
    response = client.get(reverse("grants:open-funds"))
    assert response.status_code == 200
    assert "Kingsholm sparks" in response.text
    assert "Last year's fund" not in response.text


def test_a_resident_applies_in_steps_without_an_account(
    client, django_capture_on_commit_callbacks
):
    ward = WardFactory(name="Matson")
    fund = FundFactory(areas=[ward])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grants:apply", args=[fund.pk]),
            {
                "applicant_type": "individual",
                "contact_name": "Ada Lovelace",
                "email": "ada@example.com",
                "phone": "",
                "group_name": "",
            },
        )
    application = Application.objects.get()
    # The link is signed with the time it was made: read it back from the URL.
    token = response.url.split("/")[-3]
    assert response.url == reverse("grants:apply-step", args=[token, "idea"])
    assert Application.objects.from_resume_token(token) == application
    assert len(mail.outbox) == 1

    client.post(
        reverse("grants:apply-step", args=[token, "idea"]),
        {
            "title": "Repair café",
            "idea": "Monthly repair café",
            "who_it_helps": "Everyone",
            "people_expected": "25",
        },
    )
    client.post(reverse("grants:apply-step", args=[token, "where"]), {"area": ward.pk})
    response = client.post(
        reverse("grants:apply-step", args=[token, "money"]),
        {"amount_requested": "150.50", "spending_plan": "Tools"},
    )
    assert response.url == reverse("grants:apply-check", args=[token])
    response = client.get(response.url)
    assert "Repair café" in response.text
    assert "£150.50" in response.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("grants:apply-check", args=[token]), {})
    response = client.get(response.url)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference in response.text
    assert "Application sent" in response.text
    assert len(mail.outbox) == 2

    # The emailed link now shows where the application has got to.
    response = client.get(reverse("grants:apply-resume", args=[token]))
    assert "Waiting to be checked" in response.text


def test_bad_input_gets_a_clear_message_and_changes_nothing(client):
    fund = FundFactory()
    application = ApplicationFactory(fund=fund, status=Application.Status.DRAFT)
    token = application.resume_token()
    response = client.post(
        reverse("grants:apply-step", args=[token, "money"]),
        {"amount_requested": "5000", "spending_plan": "A lot"},
    )
    assert response.status_code == 200
    assert "Ask for between £50 and £500." in response.text
    assert response.text.count("<title>Error: ") == 1
    application.refresh_from_db()
    assert application.amount_requested == Decimal("300.00")


def test_a_link_that_does_not_work_says_so(client):
    response = client.get(reverse("grants:apply-resume", args=["nonsense"]))
    assert response.status_code == 404
    assert "This link does not work" in response.text


def test_the_emailed_link_returns_to_the_first_unfinished_step(client):
    application = ApplicationFactory(status=Application.Status.DRAFT, title="")
    token = application.resume_token()
    response = client.get(reverse("grants:apply-resume", args=[token]))
    assert response.url == reverse("grants:apply-step", args=[token, "idea"])


# Review ---------------------------------------------------------------------------


def test_a_panel_member_sees_only_applications_assigned_to_them(
    client, officer, panel_member
):
    mine = in_review(title="Mine to score")
    in_review(title="Someone else's")
    assign(mine, panel_member, officer)
    client.force_login(panel_member)

    response = client.get(reverse("grants:review-queue"))
    assert "Mine to score" in response.text
    assert "Someone else&#x27;s" not in response.text
    assert "Someone else's" not in response.text


def test_the_queue_is_a_fixed_number_of_queries(
    client, officer, panel_member, django_assert_max_num_queries
):
    for _ in range(10):
        assign(in_review(), panel_member, officer)
    client.force_login(panel_member)
    with django_assert_max_num_queries(8):
        client.get(reverse("grants:review-queue"))
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        client.get(reverse("grants:review-queue"))


def test_a_panel_member_cannot_open_an_application_not_assigned(client, panel_member):
    application = in_review()
    client.force_login(panel_member)
    response = client.get(reverse("grants:application", args=[application.pk]))
    assert response.status_code == 404


def test_anonymous_review_hides_the_applicants_identity(client, officer, panel_member):
    fund = FundFactory(anonymous_review=True)
    application = in_review(
        fund=fund,
        applicant_type=Application.ApplicantType.GROUP,
        contact_name="Winifred Quartermaine",
        group_name="Quartermaine Allotment Friends",
        email="winifred@example.com",
        phone="07700 900456",
    )
    assign(application, panel_member, officer)
    client.force_login(panel_member)

    for name in ("application", "score"):
        page = client.get(reverse(f"grants:{name}", args=[application.pk])).text
        for secret in ("Winifred", "Quartermaine", "winifred@example.com", "900456"):
            assert secret not in page, f"{secret} shown on {name}"
    queue = client.get(reverse("grants:review-queue")).text
    assert "Quartermaine" not in queue

    # Officers still see who applied.
    client.force_login(officer)
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "Winifred Quartermaine" in page
    assert "winifred@example.com" in page


def test_without_anonymous_review_the_panel_sees_who_applied_but_not_how_to_reach_them(
    client, officer, panel_member
):
    application = in_review(
        contact_name="Winifred Quartermaine", email="winifred@example.com"
    )
    assign(application, panel_member, officer)
    client.force_login(panel_member)
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "Winifred Quartermaine" in page
    # The panel needs the name to spot a conflict, never the contact details.
    assert "winifred@example.com" not in page
    assert application.phone not in page


def test_a_panel_member_scores_through_the_form(client, officer, panel_member):
    application = in_review()
    assign(application, panel_member, officer)
    criteria = list(application.fund.criteria.all())
    client.force_login(panel_member)
    data = {f"score_{c.pk}": "4" for c in criteria} | {
        f"comment_{c.pk}": "Good" for c in criteria
    }
    response = client.post(reverse("grants:score", args=[application.pk]), data)
    assert response.status_code == 302
    assert list(application.scores.values_list("score", flat=True)) == [4, 4]


def test_a_missing_score_is_reported_and_nothing_saved(client, officer, panel_member):
    application = in_review()
    assign(application, panel_member, officer)
    criteria = list(application.fund.criteria.all())
    client.force_login(panel_member)
    response = client.post(
        reverse("grants:score", args=[application.pk]),
        {f"score_{criteria[0].pk}": "4"},
    )
    assert response.status_code == 200
    assert f"Score “{criteria[1].title}” from 1 to 5" in response.text
    assert not application.scores.exists()


def test_after_declaring_a_conflict_the_member_cannot_see_the_application(
    client, officer, panel_member
):
    application = in_review()
    assign(application, panel_member, officer)
    client.force_login(panel_member)
    response = client.post(
        reverse("grants:conflict", args=[application.pk]),
        {"reason": "I run this group."},
    )
    assert response.status_code == 302
    assert (
        client.get(reverse("grants:application", args=[application.pk])).status_code
        == 404
    )
    assert application.title not in client.get(reverse("grants:review-queue")).text
    client.force_login(officer)
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "Conflict of interest" in page
    assert "I run this group." in page


def test_panel_members_cannot_decide_or_pay(client, officer, panel_member):
    application = in_review()
    assign(application, panel_member, officer)
    client.force_login(panel_member)
    for name in ("decide", "screen", "payment", "paper-scores", "assign"):
        response = client.get(reverse(f"grants:{name}", args=[application.pk]))
        assert response.status_code == 403, name
    assert client.get(reverse("grants:fund-list")).status_code == 403


def test_builders_and_cabinet_cannot_see_applications(client, builder, cabinet_member):
    application = in_review()
    for user in (builder, cabinet_member):
        client.force_login(user)
        assert client.get(reverse("grants:review-queue")).status_code == 403
        for name in ("application", "score", "conflict"):
            response = client.get(reverse(f"grants:{name}", args=[application.pk]))
            assert response.status_code == 403, name


def test_staff_pages_need_sign_in(client):
    response = client.get(reverse("grants:review-queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_officer_decides_and_the_page_shows_who_why_and_how_long(client, officer):
    application = in_review(amount_requested=Decimal(300))
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=5)
    )
    client.force_login(officer)
    response = client.post(
        reverse("grants:decide", args=[application.pk]),
        {"outcome": "award", "amount": "250", "reason": "Brings people together."},
    )
    assert response.status_code == 302
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "Brings people together." in page
    assert "5 days after it was sent" in page
    assert "£250" in page


def test_an_award_over_the_request_is_refused_on_the_form(client, officer):
    application = in_review(amount_requested=Decimal(300))
    client.force_login(officer)
    response = client.post(
        reverse("grants:decide", args=[application.pk]),
        {"outcome": "award", "amount": "400", "reason": "Yes"},
    )
    assert response.status_code == 200
    assert "cannot be more than the £300.00 asked for" in response.text
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW


def test_an_officer_records_a_payment(client, officer):
    award = AwardFactory(amount=Decimal(250))
    client.force_login(officer)
    today = timezone.localdate()
    response = client.post(
        reverse("grants:payment", args=[award.application.pk]),
        {
            "amount": "100",
            "paid_on_0": today.day,
            "paid_on_1": today.month,
            "paid_on_2": today.year,
            "method": "bank_transfer",
        },
    )
    assert response.status_code == 302
    assert award.payments.get().amount == Decimal(100)


def test_an_officer_sets_up_a_fund(client, officer):
    ward = WardFactory()
    client.force_login(officer)
    response = client.post(
        reverse("grants:fund-new"),
        {
            "name": "Podsmead sparks",
            "description": "",
            "site": "",
            "areas": [ward.pk],
            "financial_year": "2026",
            "budget": "3000",
            "minimum_award": "50",
            "maximum_award": "400",
            "opens_on_0": "1",
            "opens_on_1": "4",
            "opens_on_2": "2026",
            "closes_on_0": "31",
            "closes_on_1": "3",
            "closes_on_2": "2027",
            "decision_method": "panel",
            "anonymous_review": "on",
            "criteria": "Brings people together\nValue for money",
        },
    )
    assert response.status_code == 302, response.content
    fund = Fund.objects.get(name="Podsmead sparks")
    assert fund.anonymous_review
    assert fund.criteria.count() == 2
    page = client.get(reverse("grants:fund", args=[fund.pk])).text
    assert "Podsmead sparks" in page


def test_the_fund_page_shows_decision_times(client, officer):
    fund = FundFactory()
    application = in_review(fund=fund)
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=4)
    )
    services.application_decline(
        application=application, decided_by=officer, reason="No"
    )
    client.force_login(officer)
    page = client.get(reverse("grants:fund", args=[fund.pk])).text
    assert "4.0 on average" in page


def test_a_second_panel_member_with_paper_scores(client, officer, panel_member):
    application = in_review()
    other = panel_user(username="paper")
    assign(application, other, officer)
    criteria = list(application.fund.criteria.all())
    client.force_login(officer)
    response = client.post(
        reverse("grants:paper-scores", args=[application.pk]),
        {"member": other.pk} | {f"score_{c.pk}": "3" for c in criteria},
    )
    assert response.status_code == 302
    assert all(s.on_paper for s in application.scores.all())
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "on paper, entered by" in page


def test_the_grant_holder_tells_us_what_happened_with_a_photo(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    award = AwardFactory()
    token = award.application.resume_token()
    status = client.get(reverse("grants:apply-resume", args=[token])).text
    assert "Tell us what happened" in status

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "planters.png"
    response = client.post(
        reverse("grants:apply-report", args=[token]),
        {
            "what_happened": "We planted six planters with 30 neighbours.",
            "people_taken_part": "30",
            "photo": buffer,
            "photo_description": "Neighbours planting herbs",
            "may_share": "on",
        },
    )
    assert response.status_code == 302
    report = award.report
    assert report.people_taken_part == 30
    assert report.photo.name.endswith(".png")
    assert report.as_story()["photo_description"] == "Neighbours planting herbs"


def test_a_photo_needs_a_description_and_a_non_image_is_refused(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    award = AwardFactory()
    token = award.application.resume_token()
    fake = io.BytesIO(b"not an image")
    fake.name = "photo.png"
    response = client.post(
        reverse("grants:apply-report", args=[token]),
        {"what_happened": "Fun", "people_taken_part": "3", "photo": fake},
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.text
    assert not GrantReport.objects.filter(award=award).exists()


def test_only_an_awarded_grant_has_a_report_page(client):
    application = ApplicationFactory()
    token = application.resume_token()
    assert client.get(reverse("grants:apply-report", args=[token])).status_code == 404


def test_an_application_page_is_a_fixed_number_of_queries(
    client, officer, django_assert_max_num_queries
):
    application = in_review()
    members = [panel_user(username=f"member{i}") for i in range(5)]
    services.panel_assign(application=application, members=members, officer=officer)
    for member in members:
        services.scores_record(
            application=application,
            member=member,
            scores={c.pk: (3, "Fine") for c in application.fund.criteria.all()},
            entered_by=member,
        )
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("grants:application", args=[application.pk]))
    assert response.text.count("Fine") == 10


def test_the_officers_queue_is_paginated_with_a_constant_query_count(client, officer):
    client.force_login(officer)
    fund = FundFactory()
    ApplicationFactory.create_batch(5, fund=fund, status="in_review")
    with CaptureQueriesContext(connection) as small:
        page = client.get("/grants/review/")
    ApplicationFactory.create_batch(70, fund=fund, status="in_review")
    with CaptureQueriesContext(connection) as large:
        page = client.get("/grants/review/")
    assert len(large) == len(small)
    body = page.content.decode()
    assert "75 applications (page 1 of 2)" in body
    assert len(page.context["applications"]) == 50
    assert "page=2" in body


def test_the_officers_queue_pages_hold_every_application_once_oldest_first(
    client, officer
):
    """Applications sent at the same moment keep one order from page to
    page, so none is shown twice or skipped; drafts are never queued."""
    client.force_login(officer)
    fund = FundFactory()
    ApplicationFactory.create_batch(60, fund=fund, status="in_review")
    ApplicationFactory.create_batch(3, fund=fund, status="draft")
    same_moment = timezone.now() - datetime.timedelta(days=3)
    Application.objects.exclude(status="draft").update(submitted_at=same_moment)
    oldest = Application.objects.exclude(status="draft").order_by("pk")[10]
    oldest.submitted_at = same_moment - datetime.timedelta(days=1)
    oldest.save(update_fields=["submitted_at"])

    seen = []
    for number in (1, 2):
        page = client.get(f"/grants/review/?page={number}")
        seen += [a.pk for a in page.context["applications"]]
    submitted = Application.objects.exclude(status="draft")
    assert sorted(seen) == sorted(submitted.values_list("pk", flat=True))
    assert seen[0] == oldest.pk
    assert seen[1:] == sorted(seen[1:])


def test_a_refusal_naming_a_field_is_shown_on_that_field(client, officer):
    application = in_review(amount_requested=Decimal(300))
    client.force_login(officer)
    response = client.post(
        reverse("grants:decide", args=[application.pk]),
        {"outcome": "award", "amount": "400", "reason": "Yes"},
    )
    form = response.context["form"]
    assert form.errors["amount"] == [
        "The award cannot be more than the £300.00 asked for."
    ]
    assert not form.non_field_errors()


def test_a_refusal_naming_no_field_is_shown_at_the_top(client, officer):
    application = in_review()
    client.force_login(officer)
    response = client.post(
        reverse("grants:screen", args=[application.pk]), {"eligible": "yes"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["This application is being reviewed, so that cannot be done now."]
    }


def test_an_officer_filters_the_queue_and_an_unknown_fund_is_ignored(client, officer):
    fund = FundFactory()
    ApplicationFactory(fund=fund, title="Waiting in this fund")
    in_review(fund=fund, title="Reviewed in this fund")
    in_review(title="In another fund")
    client.force_login(officer)
    queue = reverse("grants:review-queue")

    page = client.get(queue, {"fund": fund.pk, "status": "in_review"}).text
    assert "Reviewed in this fund" in page
    assert "Waiting in this fund" not in page
    assert "In another fund" not in page
    assert f'<option value="{fund.pk}" selected>' in page

    page = client.get(queue, {"fund": "999999", "status": "nonsense"}).text
    assert "3 applications" in page


def test_a_panel_member_sees_which_applications_they_have_scored(
    client, officer, panel_member
):
    scored, to_score = in_review(title="Scored one"), in_review(title="To do")
    for application in (scored, to_score):
        assign(application, panel_member, officer)
    services.scores_record(
        application=scored,
        member=panel_member,
        scores={c.pk: (4, "") for c in scored.fund.criteria.all()},
        entered_by=panel_member,
    )
    client.force_login(panel_member)
    rows = {
        a.title: a.scored
        for a in client.get(reverse("grants:review-queue")).context["applications"]
    }
    assert rows == {"Scored one": True, "To do": False}


def test_the_officers_page_shows_the_average_of_every_score(client, officer):
    application = in_review()
    first, second = panel_user(username="first"), panel_user(username="second")
    services.panel_assign(
        application=application, members=[first, second], officer=officer
    )
    for member, value in ((first, 5), (second, 2)):
        services.scores_record(
            application=application,
            member=member,
            scores={c.pk: (value, "") for c in application.fund.criteria.all()},
            entered_by=member,
        )
    client.force_login(officer)
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "Average score: <strong>3.5 out of 5</strong> from 4 scores." in page


def test_the_fund_page_shows_grants_and_money_paid_and_returned(client, officer):
    award = AwardFactory(amount=Decimal(300))
    services.payment_record(
        award=award,
        amount=Decimal(300),
        paid_on=timezone.localdate(),
        method="cheque",
        recorded_by=officer,
    )
    services.repayment_record(
        award=award,
        amount=Decimal(40),
        returned_on=timezone.localdate(),
        reason="",
        recorded_by=officer,
    )
    client.force_login(officer)
    page = client.get(reverse("grants:fund", args=[award.fund.pk])).text
    assert "£260 to 1 grant" in page
    assert "£300 (£40 returned)" in page


def test_the_officers_page_leaves_out_withdrawn_scores(client, officer):
    application = in_review()
    first, second = panel_user(username="first"), panel_user(username="second")
    services.panel_assign(
        application=application, members=[first, second], officer=officer
    )
    for member, value in ((first, 5), (second, 2)):
        services.scores_record(
            application=application,
            member=member,
            scores={c.pk: (value, "Seen it") for c in application.fund.criteria.all()},
            entered_by=member,
        )
    services.conflict_declare(
        application=application, member=second, reason="My neighbour."
    )
    client.force_login(officer)
    page = client.get(reverse("grants:application", args=[application.pk])).text
    assert "Average score: <strong>5.0 out of 5</strong> from 2 scores." in page


def test_a_conflict_cannot_be_declared_once_decided(client, officer, panel_member):
    application = in_review()
    assign(application, panel_member, officer)
    services.application_decline(
        application=application, decided_by=officer, reason="Out of money."
    )
    client.force_login(panel_member)
    url = reverse("grants:conflict", args=[application.pk])
    response = client.get(url, follow=True)
    assert "That cannot be done to this application now." in response.text
    response = client.post(url, {"reason": "My neighbour."})
    assert response.status_code == 200
    assert "only be declared before the decision" in response.text
    assert Application.objects.assigned_to(panel_member).exists()


def test_a_member_who_declared_a_conflict_is_not_shown_as_asked(
    client, officer, panel_member
):
    application = in_review()
    other = panel_user(username="other")
    services.panel_assign(
        application=application, members=[panel_member, other], officer=officer
    )
    services.conflict_declare(
        application=application, member=other, reason="My neighbour."
    )
    client.force_login(officer)
    response = client.get(reverse("grants:assign", args=[application.pk]))
    assert list(response.context["form"].initial["members"]) == [panel_member]
