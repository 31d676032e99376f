"""The authorization matrix: every URL pattern of the product, for every
role, with real objects of two sites, and the answer each must get.

A new URL fails ``test_every_url_pattern_is_in_the_matrix`` until someone
says here who may reach it. Builders of site B asking for site A's objects
by ID get "not found", never the page; panel and cabinet members, and
visitors, never receive a resident's name or contact details."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assets.models import Asset, AssetImport
from assets.tests.factories import AssetFactory, MappingSessionFactory
from communities.models import PlacesUpload, Resident
from communities.tests.factories import UserFactory
from core.roles import Role
from evaluation import report_runs, survey_links
from evaluation import services as evaluation_services
from evaluation.models import ReportRun, Story, SurveyResponse
from grants.models import Application, GrantReport, PanelAssignment
from grants.tests.factories import ApplicationFactory, AwardFactory, FundFactory

from .factories import make_site

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "builder_a", "builder_b", "panel", "officer", "cabinet")
LOGIN = "login"  # a redirect to the sign-in page


def url_names() -> set[str]:
    """Every named URL pattern in the root URLconf, admin's aside."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                full = (
                    f"{namespace}:{inner}"
                    if namespace and inner
                    else inner or namespace
                )
                walk(pattern.url_patterns, full)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return {name for name in names if not name.startswith("admin:")}


def answers(default, **by_role):
    out = dict.fromkeys(ROLES, default)
    out.update(by_role)
    return out


PUBLIC = answers(200)
SIGNED_IN = answers(200, anonymous=LOGIN)
LOG_WORK = answers(200, anonymous=LOGIN, panel=403, cabinet=403)
OFFICER = answers(403, anonymous=LOGIN, officer=200)
REVIEW = answers(403, anonymous=LOGIN, panel=200, officer=200)
READ_REPORTS = answers(403, anonymous=LOGIN, cabinet=200, officer=200)


def site_object(site: str):
    """A site's own record: its builders and officers only; another site's
    builder is told it does not exist."""
    other = "builder_b" if site == "a" else "builder_a"
    return answers(200, anonymous=LOGIN, panel=403, cabinet=403, **{other: 404})


@dataclass
class Case:
    name: str
    kwargs: dict
    expected: dict
    site: str = ""


def build_world():
    a, b = make_site("A"), make_site("B")
    officer = UserFactory(role=Role.OFFICER, username="officer")
    panel = UserFactory(role=Role.PANEL, username="panel")
    cabinet = UserFactory(role=Role.CABINET, username="cabinet")
    users = {
        "anonymous": None,
        "builder_a": a.builder,
        "builder_b": b.builder,
        "panel": panel,
        "officer": officer,
        "cabinet": cabinet,
    }
    world = {"a": a, "b": b}
    for key, world_site in world.items():
        fund = FundFactory(site=world_site.site, name=f"Fund {key.upper()}")
        award = AwardFactory(
            application__fund=fund,
            application__contact_name=f"Applicant{key.upper()} Person",
            application__email=f"applicant{key}@example.net",
            application__phone=f"07700 91{key}",
        )
        draft = ApplicationFactory(
            fund=fund, status=Application.Status.DRAFT, contact_name="Draft Person"
        )
        world_site.in_review = ApplicationFactory(
            fund=fund,
            status=Application.Status.IN_REVIEW,
            contact_name=f"Reviewed{key.upper()} Person",
            email=f"reviewed{key}@example.net",
        )
        world_site.fund = fund
        world_site.award = award
        world_site.draft = draft
    # The panel member is asked to score site A's application only.
    for application in (a.award.application, a.in_review):
        PanelAssignment.objects.create(
            application=application, member=panel, assigned_by=officer
        )
    a.asset = AssetFactory(name="Public hall", visibility=Asset.Visibility.PUBLIC)
    b.asset = AssetFactory(name="Staff-only yard", visibility=Asset.Visibility.STAFF)
    a.session = MappingSessionFactory(run_by=a.builder)
    b.session = MappingSessionFactory(run_by=b.builder)
    for world_site in (a, b):
        world_site.asset_import = AssetImport.objects.create(
            file_name="x.csv", content="name\nHall\n", headers=["name"], row_count=1,
            uploaded_by=officer,
        )  # fmt: skip
        world_site.places_upload = PlacesUpload.objects.create(
            kind=PlacesUpload.Kind.WARDS, file_name="wards.geojson", content="{}",
            uploaded_by=officer,
        )  # fmt: skip
    build_evaluation(world, officer)
    # A report run being built: officers follow it; nobody reads it yet.
    a.report_run = report_runs.report_run_prepare(
        kind=ReportRun.Kind.ANNUAL, period=2025
    )
    return world, users


def build_evaluation(world, officer) -> None:
    """The framework (one outcome, its stories indicator, a cohesion
    question), and for each site a story linked to its resident, an
    end-of-grant report and a survey link for its ward. Site A's story is
    chosen for reports and its report may be shared; site B's are not."""
    outcome = evaluation_services.outcome_save(title="People have good friends")
    indicator = evaluation_services.story_indicator_ensure(outcome=outcome)
    question = evaluation_services.cohesion_question_save(
        text="I could borrow a ladder from someone on my street", outcome=outcome
    )
    for key, w in world.items():
        w.outcome, w.indicator, w.question = outcome, indicator, question
        ward = w.alice.area
        # The teller's name is kept with the story but, told anonymously,
        # is never shown in a report.
        w.story = evaluation_services.story_record(
            title=f"A bench at the bus stop in {ward}",
            text="Neighbours who had never spoken now meet at the bench each week.",
            told_by=f"{w.alice.first_name} {w.alice.last_name}, a resident",
            teller=Story.Teller.RESIDENT,
            told_on=datetime.date(2026, 5, 3),
            outcomes=[outcome],
            consent_to_publish=True,
            is_anonymous=True,
            recorded_by=officer,
            site=w.site,
            area=ward,
            resident=w.alice,
        )
        w.grant_report = GrantReport.objects.create(
            award=w.award,
            what_happened="Twelve neighbours planted bulbs along the verge.",
            people_taken_part=12,
            may_share=key == "a",
            recorded_by=officer,
        )
        w.survey_token = survey_links.survey_link_token(
            area=ward, wave=SurveyResponse.Wave.BASELINE, site=w.site
        )
    evaluation_services.story_select(
        story=world["a"].story, selected=True, selected_by=officer
    )


def cases(world) -> list[Case]:
    framework = world["a"]
    out = [
        Case("home", {}, PUBLIC),
        Case("accessibility", {}, PUBLIC),
        Case("healthz", {}, PUBLIC),
        Case("ping", {}, PUBLIC),
        Case("login", {}, answers(302, anonymous=200)),
        Case("logout", {}, answers(405, anonymous=LOGIN)),
        Case("role-home", {}, answers(302, anonymous=LOGIN)),
        Case("communities:my-work", {}, LOG_WORK),
        Case("communities:resident-list", {}, LOG_WORK),
        Case("communities:resident-create", {}, LOG_WORK),
        Case("communities:conversation-list", {}, LOG_WORK),
        Case("communities:conversation-create", {}, LOG_WORK),
        Case("communities:introduction-list", {}, LOG_WORK),
        Case("communities:introduction-create", {}, LOG_WORK),
        Case("communities:group-list", {}, LOG_WORK),
        Case("communities:group-create", {}, LOG_WORK),
        Case("communities:site-list", {}, LOG_WORK),
        Case("communities:outbox", {}, LOG_WORK),
        Case("communities:places", {}, OFFICER),
        Case("communities:places-wards", {}, OFFICER),
        Case("communities:places-deprivation", {}, OFFICER),
        Case("communities:measures", {}, OFFICER),
        Case("communities:measure_load", {}, OFFICER),
        # The service worker is public JavaScript: it holds no data, and a
        # phone fetches it whether or not its builder is signed in.
        Case("communities:service-worker", {}, PUBLIC),
        Case(
            "communities:sync-item",
            {"device_id": uuid.uuid4()},
            answers(405),
        ),
        Case("assets:map", {}, PUBLIC),
        Case("assets:map-data", {}, PUBLIC),
        Case("assets:wards-data", {}, PUBLIC),
        Case("assets:create", {}, LOG_WORK),
        Case("assets:sessions", {}, LOG_WORK),
        Case("assets:session-create", {}, LOG_WORK),
        Case("assets:import", {}, OFFICER),
        Case("assets:import-template", {}, OFFICER),
        Case("assets:export-csv", {}, PUBLIC),
        Case("assets:export-geojson", {}, PUBLIC),
        Case("assets:oruk-services", {}, PUBLIC),
        Case("grants:open-funds", {}, PUBLIC),
        Case("grants:360giving", {}, PUBLIC),
        Case("grants:review-queue", {}, REVIEW),
        Case("grants:fund-list", {}, OFFICER),
        Case("grants:fund-new", {}, OFFICER),
        Case("evaluation:dashboard", {}, OFFICER),
        Case("evaluation:reports", {}, READ_REPORTS),
        Case("evaluation:framework", {}, OFFICER),
        Case("evaluation:outcome-new", {}, OFFICER),
        Case("evaluation:outcome-edit", {"pk": framework.outcome.pk}, OFFICER),
        Case("evaluation:indicator-edit", {"pk": framework.indicator.pk}, OFFICER),
        Case("evaluation:question-new", {}, OFFICER),
        Case("evaluation:question-edit", {"pk": framework.question.pk}, OFFICER),
        Case("evaluation:surveys", {}, OFFICER),
        # Builders type in residents' paper surveys, as officers do.
        Case("evaluation:survey-new", {}, LOG_WORK),
        Case("evaluation:survey-link", {}, OFFICER),
        Case("evaluation:survey-answer", {"token": "not-a-real-link"}, answers(404)),
        Case("evaluation:story-list", {}, OFFICER),
        Case("evaluation:story-new", {}, OFFICER),
        Case("evaluation:grant-reports", {}, OFFICER),
        Case("trust:privacy", {}, PUBLIC),
        Case("trust:two-factor", {}, SIGNED_IN),
        # A set-password link (create_officer) that is not real, or used, says
        # so to anyone; a real one leads to its own account's form.
        Case(
            "trust:set-password", {"uidb64": "MQ", "token": "not-a-real-link"}, PUBLIC
        ),
        Case("trust:requests", {}, OFFICER),
        Case("trust:retention", {}, OFFICER),
        Case("evaluation:report-runs", {}, OFFICER),
        Case("evaluation:report-run", {"pk": framework.report_run.pk}, OFFICER),
        Case("evaluation:report-run-status", {"pk": framework.report_run.pk}, OFFICER),
        Case(
            "evaluation:report-recommendations",
            {"pk": framework.report_run.pk},
            OFFICER,
        ),
        Case(
            "evaluation:report-publish",
            {"pk": framework.report_run.pk},
            answers(403, anonymous=LOGIN, officer=405),
        ),
        # Not built yet: nobody can read it, and cabinet is not told it exists.
        Case(
            "evaluation:report",
            {"pk": framework.report_run.pk},
            answers(403, anonymous=LOGIN, officer=404, cabinet=404),
        ),
        Case(
            "evaluation:report-pdf",
            {"pk": framework.report_run.pk},
            answers(403, anonymous=LOGIN, officer=404, cabinet=404),
        ),
    ]
    for key, w in world.items():
        application = w.award.application
        token = application.resume_token()
        draft_token = w.draft.resume_token()
        scoped = site_object(key)
        out += [
            Case("communities:resident-detail", {"pk": w.alice.pk}, scoped, key),
            Case("communities:resident-edit", {"pk": w.alice.pk}, scoped, key),
            Case(
                "communities:resident-consent",
                {"pk": w.alice.pk},
                answers(405, anonymous=LOGIN, panel=403, cabinet=403),
                key,
            ),
            Case(
                "communities:introduction-status",
                {"pk": w.introduction.pk},
                scoped,
                key,
            ),
            Case("communities:group-detail", {"pk": w.group.pk}, scoped, key),
            Case("communities:site-network", {"pk": w.site.pk}, scoped, key),
            Case(
                "assets:detail",
                {"pk": w.asset.pk},
                PUBLIC
                if key == "a"
                else answers(200, anonymous=404, panel=404, cabinet=404),
                key,
            ),
            Case("assets:edit", {"pk": w.asset.pk}, LOG_WORK, key),
            Case("assets:session-detail", {"pk": w.session.pk}, LOG_WORK, key),
            Case("assets:import-detail", {"pk": w.asset_import.pk}, OFFICER, key),
            Case("communities:places-upload", {"pk": w.places_upload.pk}, OFFICER, key),
            Case(
                "communities:places-upload-status",
                {"pk": w.places_upload.pk},
                OFFICER,
                key,
            ),
            Case("assets:import-columns", {"pk": w.asset_import.pk}, OFFICER, key),
            Case("assets:import-status", {"pk": w.asset_import.pk}, OFFICER, key),
            Case(
                "assets:oruk-service",
                {"uuid": w.asset.uuid},
                PUBLIC if key == "a" else answers(404),
                key,
            ),
            Case("grants:apply", {"fund_id": w.fund.pk}, PUBLIC, key),
            Case("grants:apply-resume", {"token": token}, PUBLIC, key),
            Case("grants:apply-check", {"token": draft_token}, PUBLIC, key),
            Case("grants:apply-sent", {"token": token}, PUBLIC, key),
            Case("grants:apply-report", {"token": token}, PUBLIC, key),
            Case(
                "grants:apply-step",
                {"token": draft_token, "step": "about"},
                PUBLIC,
                key,
            ),
            Case(
                "grants:application",
                {"pk": w.in_review.pk},
                answers(
                    403, anonymous=LOGIN, officer=200, panel=200 if key == "a" else 404
                ),
                key,
            ),
            Case(
                "grants:score",
                {"pk": w.in_review.pk},
                answers(
                    403, anonymous=LOGIN, officer=302, panel=200 if key == "a" else 404
                ),
                key,
            ),
            Case(
                "grants:conflict",
                {"pk": w.in_review.pk},
                answers(
                    403, anonymous=LOGIN, officer=200, panel=200 if key == "a" else 404
                ),
                key,
            ),
            Case("grants:fund", {"pk": w.fund.pk}, OFFICER, key),
            Case("grants:fund-edit", {"pk": w.fund.pk}, OFFICER, key),
            Case("trust:subject-access", {"pk": w.alice.pk}, OFFICER, key),
            Case("trust:subject-access-json", {"pk": w.alice.pk}, OFFICER, key),
            Case("trust:erase", {"pk": w.alice.pk}, OFFICER, key),
            # Residents answer through the link, with no account.
            Case("evaluation:survey-answer", {"token": w.survey_token}, PUBLIC, key),
            Case("evaluation:story", {"pk": w.story.pk}, OFFICER, key),
            Case("evaluation:story-edit", {"pk": w.story.pk}, OFFICER, key),
            Case(
                "evaluation:story-select",
                {"pk": w.story.pk},
                answers(403, anonymous=LOGIN, officer=405),
                key,
            ),
            # Only a report the grant holder agreed to share becomes a story;
            # the role is checked before the report is looked up, so no other
            # role learns whether a report exists.
            Case(
                "evaluation:story-from-report",
                {"pk": w.grant_report.pk},
                OFFICER if key == "a" else answers(403, anonymous=LOGIN, officer=404),
                key,
            ),
        ]
        for name in ("screen", "assign", "paper-scores", "decide", "payment",
                     "repayment", "withdraw", "report", "report-photo"):  # fmt: skip
            out.append(
                Case(
                    f"grants:{name}",
                    {"pk": application.pk},
                    answers(403, anonymous=LOGIN, officer="any"),
                    key,
                )
            )
    return out


def personal_markers(world) -> list[str]:
    """Strings that only a resident's record or an applicant's contact
    details contain."""
    markers = []
    for w in world.values():
        for resident in Resident.objects.filter(site=w.site):
            markers += [resident.first_name, resident.last_name, resident.email]
            markers += [x for x in (resident.phone, resident.street) if x]
        markers += [w.award.application.email, w.award.application.phone]
        markers += [w.in_review.email, w.in_review.phone]
    return [m for m in markers if m]


@pytest.fixture
def world():
    return build_world()


def test_every_url_pattern_is_in_the_matrix(world):
    covered = {case.name for case in cases(world[0])}
    assert url_names() - covered == set(), "say who may reach these URLs"


def test_admin_is_for_staff_accounts_only(client, world):
    _, users = world
    for role, user in users.items():
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302, role


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_expected_answer_from_every_url(client, world, role):
    data, users = world
    if users[role]:
        client.force_login(users[role])
    markers = personal_markers(data)
    wrong = []
    for case in cases(data):
        url = reverse(case.name, kwargs=case.kwargs)
        response = client.get(url)
        expected = case.expected[role]
        got = response.status_code
        if expected == LOGIN:
            ok = got == 302 and response.url.startswith(reverse("login"))
        elif expected == "any":
            ok = got < 500
        elif isinstance(expected, tuple):
            ok = got in expected
        else:
            ok = got == expected
        if not ok:
            wrong.append(f"{case.name} {case.site}: expected {expected}, got {got}")
        # The applicant's own emailed link shows them their own details.
        own_link = case.name.startswith("grants:apply-")
        if role in {"anonymous", "panel", "cabinet"} and got == 200 and not own_link:
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaked = [m for m in markers if m in text]
            assert not leaked, f"{role} received {leaked} from {url}"
    assert not wrong, "\n".join(wrong)


def test_a_builder_cannot_change_another_sites_records_by_guessing_ids(client, world):
    data, users = world
    a = data["a"]
    client.force_login(users["builder_b"])
    before = (
        Resident.objects.get(pk=a.alice.pk).last_name,
        a.alice.consents.filter(withdrawn_at__isnull=True).count(),
        a.introduction.__class__.objects.get(pk=a.introduction.pk).status,
    )
    posts = [
        ("communities:resident-edit", {"pk": a.alice.pk}, {"first_name": "Hacked", "last_name": "Hacked"}),
        ("communities:resident-consent", {"pk": a.alice.pk}, {"purpose": "contact"}),
        ("communities:introduction-status", {"pk": a.introduction.pk}, {"status": "did_not_happen"}),
        ("trust:erase", {"pk": a.alice.pk}, {"confirm_name": "AliciaA QuartermainA"}),
    ]  # fmt: skip
    for name, kwargs, data_ in posts:
        response = client.post(reverse(name, kwargs=kwargs), data_)
        assert response.status_code in (403, 404), name
    after = (
        Resident.objects.get(pk=a.alice.pk).last_name,
        a.alice.consents.filter(withdrawn_at__isnull=True).count(),
        a.introduction.__class__.objects.get(pk=a.introduction.pk).status,
    )
    assert after == before
    # Logging a conversation or introduction with another site's resident.
    response = client.get(
        reverse("communities:introduction-create"), {"resident": a.alice.pk}
    )
    assert response.status_code == 404
    assert "AliciaA" not in response.content.decode()


def test_cabinet_reads_the_chosen_story_but_never_who_told_it(client, world):
    """The leak check above is only worth something if the page shows the
    story: it does, told anonymously, and the unchosen story not at all."""
    data, users = world
    client.force_login(users["cabinet"])
    text = client.get(reverse("evaluation:reports")).content.decode()
    assert data["a"].story.title in text
    assert data["b"].story.title not in text
    assert data["a"].alice.first_name not in text
    assert data["a"].story.told_by not in text
