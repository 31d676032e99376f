"""What every save of a ward brings with it, whichever path saved it: a form,
the admin, a loader, or a fixture (loaddata saves raw, without Area.save)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .measures import bump_places_version
from .models import Area
from .places import link_neighbours_of

# A save that names only these fields cannot change a ward's shape or place.
SHAPELESS_FIELDS = {
    "name",
    "imd_decile",
    "imd_average_rank",
    "imd_lsoa_count",
    "imd_lsoas_most_deprived_10",
    "imd_lsoas_most_deprived_20",
}


def _shape_may_change(update_fields) -> bool:
    return update_fields is None or not set(update_fields) <= SHAPELESS_FIELDS


@receiver(pre_save, sender=Area, dispatch_uid="area_bounding_box")
def area_bounding_box(sender, instance: Area, update_fields=None, **kwargs):
    if _shape_may_change(update_fields):
        instance.set_bounding_box()


@receiver(post_save, sender=Area, dispatch_uid="area_neighbours")
def area_neighbours(sender, instance: Area, update_fields=None, **kwargs):
    if _shape_may_change(update_fields):
        link_neighbours_of(instance)


@receiver(post_save, sender=Area, dispatch_uid="area_places_version")
@receiver(post_delete, sender=Area, dispatch_uid="area_places_version_delete")
def area_places_version(sender, **kwargs):
    # The cached ward layer of the map draws every ward's shape and figures.
    bump_places_version()
