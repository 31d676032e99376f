import pytest
from django.urls import reverse

from communities.models import Consent, Introduction, Resident
from grants.models import Application, Award, Payment
from grants.tests.factories import AwardFactory
from trust.models import RecordAccess, event_model

from .factories import make_site

pytestmark = pytest.mark.django_db


def test_every_change_to_a_resident_is_recorded_with_who_made_it(client):
    a = make_site("A")
    client.force_login(a.builder)
    response = client.post(
        reverse("communities:resident-edit", args=[a.alice.pk]),
        {
            "first_name": "Alicia",
            "last_name": "QuartermainA",
            "postcode": "GL1 2BB",
            "area": a.alice.area_id,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    events = event_model("Resident").objects.filter(pgh_obj_id=a.alice.pk)
    labels = list(events.order_by("pgh_id").values_list("pgh_label", flat=True))
    assert labels[0] == "insert"
    update = events.filter(pgh_label="update").latest("pgh_id")
    assert update.first_name == "Alicia"
    assert update.pgh_context.metadata["username"] == "buildera"
    assert update.pgh_context.metadata["url"] == reverse(
        "communities:resident-edit", args=[a.alice.pk]
    )


def test_bulk_and_queryset_updates_and_deletes_are_caught():
    a = make_site("A")
    Resident.objects.filter(site=a.site).update(postcode="GL9 9ZZ")
    updates = event_model("Resident").objects.filter(pgh_label="update")
    assert set(updates.values_list("pgh_obj_id", flat=True)) == {a.alice.pk, a.bob.pk}
    assert set(updates.values_list("postcode", flat=True)) == {"GL9 9ZZ"}

    Consent.objects.filter(resident=a.bob).delete()
    assert (
        event_model("Consent")
        .objects.filter(pgh_label="delete", resident_id=a.bob.pk)
        .exists()
    )

    Introduction.objects.filter(pk=a.introduction.pk).update(status="met")
    assert (
        event_model("Introduction")
        .objects.filter(pgh_obj_id=a.introduction.pk, pgh_label="update", status="met")
        .exists()
    )


def test_applications_awards_and_payments_are_audited(officer):
    award = AwardFactory()
    Application.objects.filter(pk=award.application_id).update(phone="")
    Award.objects.filter(pk=award.pk).update(amount=award.amount)  # no change
    Payment.objects.create(
        award=award,
        paid_on=award.awarded_on,
        amount=award.amount,
        method=Payment._meta.get_field("method").choices[0][0],
        recorded_by=officer,
    )
    assert (
        event_model("Application")
        .objects.filter(pgh_obj_id=award.application_id, pgh_label="update")
        .exists()
    )
    # An update that changes nothing is not an event.
    assert not event_model("Award").objects.filter(pgh_label="update").exists()
    assert event_model("Payment").objects.filter(pgh_label="insert").count() == 1


def test_opening_a_resident_record_is_logged_and_a_refusal_is_not(client):
    a = make_site("A")
    b = make_site("B")
    client.force_login(a.builder)
    assert (
        client.get(
            reverse("communities:resident-detail", args=[a.alice.pk])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("communities:resident-detail", args=[b.alice.pk])
        ).status_code
        == 404
    )
    client.get(reverse("communities:resident-edit", args=[a.alice.pk]))
    log = RecordAccess.objects.order_by("pk")
    assert [(x.resident_id, x.user_id, x.action) for x in log] == [
        (a.alice.pk, a.builder.pk, "viewed"),
        (a.alice.pk, a.builder.pk, "edit_opened"),
    ]


def test_every_score_given_changed_and_withdrawn_is_audited(client, officer):
    from grants import services
    from grants.models import Score
    from grants.tests.factories import ApplicationFactory, panel_user

    application = ApplicationFactory(status=Application.Status.IN_REVIEW)
    member = panel_user(username="pam")
    services.panel_assign(application=application, members=[member], officer=officer)
    criteria = list(application.fund.criteria.all())
    client.force_login(member)
    for value in ("4", "2"):
        response = client.post(
            reverse("grants:score", args=[application.pk]),
            {f"score_{c.pk}": value for c in criteria},
        )
        assert response.status_code == 302
    response = client.post(
        reverse("grants:conflict", args=[application.pk]), {"reason": "My aunt."}
    )
    assert response.status_code == 302

    score = Score.objects.filter(criterion=criteria[0]).get()
    events = event_model("Score").objects.filter(pgh_obj_id=score.pk).order_by("pgh_id")
    assert [(e.pgh_label, e.score, e.withdrawn_at is not None) for e in events] == [
        ("insert", 4, False),
        ("update", 2, False),
        ("update", 2, True),
    ]
    withdrawal = events.last()
    assert withdrawal.withdrawn_by_id == member.pk
    assert withdrawal.pgh_context.metadata["username"] == "pam"
    assert withdrawal.pgh_context.metadata["url"] == reverse(
        "grants:conflict", args=[application.pk]
    )
    declared = event_model("PanelAssignment").objects.filter(
        pgh_label="update", conflict_reason="My aunt."
    )
    assert declared.exists()
