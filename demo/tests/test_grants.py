import pytest
from django.core import mail

from demo import communities as communities_demo
from demo import grants as demo
from grants import threesixty
from grants.models import Application, Award, Fund, GrantReport, Payment, Score

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "applications": sorted(
            Application.objects.values_list("reference", "status", "updated_at")
        ),
        "committed": sorted(Fund.objects.values_list("name", "committed")),
        "payments": Payment.objects.count(),
        "scores": Score.objects.count(),
    }


def test_demo_grants_cover_every_stage_and_rerunning_changes_nothing():
    communities_demo.seed_wards()
    communities_demo.seed_accounts(password="demo passphrase for tests")

    result = demo.seed_grants()

    assert result == {"funds": 2, "applications": 50, "new": 50}
    assert Fund.objects.count() == 2
    assert Application.objects.count() == 50
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    assert Award.objects.filter(withdrawn_at__isnull=False).exists()
    assert Payment.objects.exists()
    assert GrantReport.objects.shareable().exists()
    assert Score.objects.filter(on_paper=True).exists()
    assert Score.objects.filter(on_paper=False).exists()
    for fund in Fund.objects.all():
        assert fund.committed == sum(a.committed for a in fund.awards.all())
        assert fund.committed <= fund.budget
    assert threesixty.validation_errors(threesixty.grants_package()) == []
    assert mail.outbox == []

    before = snapshot()
    assert demo.seed_grants()["new"] == 0
    assert snapshot() == before
