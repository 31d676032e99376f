"""Seed Leeds' evaluation framework (with Leeds Beckett University): three
outcomes, their indicators and the three cohesion questions. Officers may
rename, reorder and extend them afterwards; rerunning adds nothing twice."""

from django.db import migrations

OUTCOMES = (
    (
        "better-connected",
        "Individuals and communities are better connected",
        (
            "People meet, get to know each other and are introduced to others who "
            "share their interests and gifts."
        ),
    ),
    (
        "changes-they-want",
        "Communities identify and work to bring about the changes they want to see",
        "Changes that happen are initiated and sustained by local people.",
    ),
    (
        "good-friends",
        "People have good friends",
        "People feel close to others, belong to their neighbourhood and feel well.",
    ),
)

# (code, outcome, name, is_headline)
INDICATORS = (
    ("conversations", "better-connected", "Conversations held", True),
    ("residents-met", "better-connected", "Residents met", True),
    (
        "residents-introduced",
        "better-connected",
        "Residents with at least one introduction",
        True,
    ),
    (
        "introductions-by-builders",
        "better-connected",
        "Introductions made by Community Builders",
        True,
    ),
    (
        "introductions-by-connectors",
        "better-connected",
        "Introductions made by Community Connectors",
        True,
    ),
    (
        "introductions-across-wards",
        "better-connected",
        "Introductions across wards",
        False,
    ),
    ("active-connectors", "better-connected", "Active Community Connectors", False),
    (
        "groups-formed",
        "changes-they-want",
        "Number of groups formed around an interest",
        True,
    ),
    ("sparks-awarded", "changes-they-want", "Small sparks awarded", True),
    ("sparks-amount", "changes-they-want", "Small sparks money awarded", False),
    (
        "sparks-resident-led-share",
        "changes-they-want",
        "Share of grant money to resident-led groups and individuals",
        False,
    ),
    (
        "assets-associations",
        "changes-they-want",
        "Assets mapped: associations and groups",
        False,
    ),
    ("assets-institutions", "changes-they-want", "Assets mapped: institutions", False),
    ("assets-physical", "changes-they-want", "Assets mapped: physical spaces", False),
    ("assets-economy", "changes-they-want", "Assets mapped: local economy", False),
    (
        "assets-culture",
        "changes-they-want",
        "Assets mapped: culture and stories",
        False,
    ),
    ("celebration-events", "good-friends", "Number of celebration events", True),
    ("swemwbs", "good-friends", "Mental wellbeing (SWEMWBS)", True),
    ("ons4-life-satisfaction", "good-friends", "Life satisfaction (ONS)", False),
    ("ons4-worthwhile", "good-friends", "Feeling that life is worthwhile (ONS)", False),
    ("ons4-happiness", "good-friends", "Happiness yesterday (ONS)", False),
    ("ons4-anxiety", "good-friends", "Anxiety yesterday (ONS)", False),
)

SURVEY_CODES = {"swemwbs"} | {c for c, *_ in INDICATORS if c.startswith("ons4-")}

# (question, outcome, Leeds' indicator it evidences)
COHESION = (
    (
        "I know my neighbours' names",
        "better-connected",
        "People know their neighbours' names",
    ),
    (
        "I feel I belong to my neighbourhood",
        "good-friends",
        "People feel they belong to their neighbourhood",
    ),
    (
        "I can influence decisions affecting my area",
        "changes-they-want",
        "People feel they can influence decisions affecting their area",
    ),
)

# Leeds' qualitative indicators are evidenced by stories.
STORY_NAMES = {
    "better-connected": "Stories: community connectors have a thorough knowledge of the area",
    "changes-they-want": "Stories: changes are initiated and sustained by local people",
    "good-friends": "Stories: people have good friends",
}


def seed(apps, schema_editor):
    Outcome = apps.get_model("evaluation", "Outcome")
    Indicator = apps.get_model("evaluation", "Indicator")
    CohesionQuestion = apps.get_model("evaluation", "CohesionQuestion")
    outcomes = {}
    for position, (code, title, description) in enumerate(OUTCOMES, start=1):
        outcomes[code], _ = Outcome.objects.get_or_create(
            code=code,
            defaults={"title": title, "description": description, "position": position},
        )
    for position, (code, outcome, name, headline) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "kind": "survey" if code in SURVEY_CODES else "records",
                "outcome": outcomes[outcome],
                "name": name,
                "position": position,
                "is_headline": headline,
            },
        )
    for position, (text, outcome, name) in enumerate(COHESION, start=1):
        question, _ = CohesionQuestion.objects.get_or_create(
            text=text, defaults={"position": position}
        )
        Indicator.objects.get_or_create(
            code=f"cohesion-{question.pk}",
            defaults={
                "kind": "survey",
                "outcome": outcomes[outcome],
                "name": name,
                "position": 60 + position,
                "question": question,
            },
        )
    for code, name in STORY_NAMES.items():
        Indicator.objects.get_or_create(
            code=f"stories-{code}",
            defaults={
                "kind": "stories",
                "outcome": outcomes[code],
                "name": name,
                "position": 90,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_framework_surveys_stories_snapshots")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
