from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from . import geo


class User(AbstractUser):
    """Everyone who signs in: officers, builders, panel and cabinet members.

    Residents never sign in; they are records that builders keep.
    """

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AreaQuerySet(models.QuerySet):
    def wards(self) -> AreaQuerySet:
        return self.filter(kind=Area.Kind.WARD)

    def with_boundary(self) -> AreaQuerySet:
        return self.exclude(boundary__isnull=True)

    def containing_point(self, *, lon: float, lat: float) -> AreaQuerySet:
        """Areas whose bounding box holds the point: a cheap first filter that
        Area.contains() then settles exactly."""
        return self.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )

    def locate(self, *, lon: float, lat: float) -> Area | None:
        """The ward holding a point (neighbourhoods are found by their own
        query), or None outside every boundary."""
        for area in self.wards().containing_point(lon=lon, lat=lat):
            if area.contains(lon=lon, lat=lat):
                return area
        return None


class Area(models.Model):
    """A ward (with its ONS code) or a neighbourhood inside one."""

    class Kind(models.TextChoices):
        WARD = "ward", "Ward"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"

    kind = models.CharField(max_length=20, choices=Kind, default=Kind.WARD)
    name = models.CharField(max_length=120)
    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        blank=True,
        help_text="The ward's GSS code, such as E05010950.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="neighbourhoods",
        help_text="The ward a neighbourhood lies in.",
    )
    # A GeoJSON geometry (Polygon or MultiPolygon, WGS84 lon/lat). The bounding
    # box is kept beside it so that a point can be matched in the database
    # before the exact test.
    boundary = models.JSONField(null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    imd_decile = models.PositiveSmallIntegerField(
        "IMD 2019 decile",
        null=True,
        blank=True,
        help_text="1 is the most deprived tenth of England, 10 the least.",
    )
    imd_average_rank = models.FloatField(
        "IMD 2019 average LSOA rank",
        null=True,
        blank=True,
        help_text="Mean national rank of the LSOAs whose centroid lies in the "
        "ward (1 is the most deprived of 32,844).",
    )
    imd_lsoa_count = models.PositiveSmallIntegerField(default=0)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ons_code"],
                condition=~models.Q(ons_code=""),
                name="area_unique_ons_code",
            ),
            models.CheckConstraint(
                condition=models.Q(imd_decile__isnull=True)
                | models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="area_imd_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="ward", parent__isnull=True)
                | models.Q(kind="neighbourhood", parent__isnull=False),
                name="area_ward_has_no_parent_neighbourhood_has_one",
            ),
        ]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The bounding box is derived from the boundary and never set by hand.
        box = geo.bounds(self.boundary) if self.boundary else (None,) * 4
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = box
        super().save(*args, **kwargs)

    def contains(self, *, lon: float, lat: float) -> bool:
        return bool(self.boundary) and geo.contains(self.boundary, lon=lon, lat=lat)
