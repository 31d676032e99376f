"""Survey links: a ward's (and a wave's) survey that residents answer
without an account. The link carries its ward, wave and site signed with
SECRET_KEY, so none of them can be changed, and it stops working after
EVALUATION_SURVEY_LINK_DAYS. Nothing is stored: a link is made and read
back, and the answers are kept by services.survey_response_record."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing

from communities.models import Area, Site

from .models import SurveyResponse

SURVEY_SALT = "evaluation.survey.link"


def survey_link_token(*, area: Area, wave: str, site: Site | None = None) -> str:
    """The secret in a survey link."""
    return signing.dumps(
        {"a": area.pk, "w": wave, "s": site.pk if site else None},
        salt=SURVEY_SALT,
        compress=True,
    )


def survey_link_from_token(token: str) -> dict | None:
    """The ward, wave and site a link was made for, or None when the link
    is broken or older than EVALUATION_SURVEY_LINK_DAYS."""
    max_age = datetime.timedelta(days=settings.EVALUATION_SURVEY_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") not in SurveyResponse.Wave.values:
        return None
    area = Area.objects.wards().filter(pk=data.get("a")).first()
    if area is None:
        return None
    site = Site.objects.filter(pk=data["s"]).first() if data.get("s") else None
    return {"area": area, "wave": data["w"], "site": site}
