"""Keep the map's cache version and the groups-as-associations in step with
every write, whatever path it takes (forms, services, the admin)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from communities.models import Area, Group
from core.signals import wards_changed

from . import mapdata
from .models import Asset
from .services import asset_sync_group, assets_relocate


@receiver(post_save, sender=Asset)
@receiver(post_delete, sender=Asset)
def asset_changed(sender, **kwargs):
    mapdata.bump_version()


@receiver(m2m_changed, sender=Asset.tags.through)
def asset_tags_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        mapdata.bump_version()


@receiver(post_save, sender=Group)
def group_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    asset_sync_group(group=instance)


@receiver(post_save, sender=Area)
@receiver(post_delete, sender=Area)
def area_changed(sender, **kwargs):
    # The map draws the wards with their deprivation.
    mapdata.bump_version()


@receiver(wards_changed)
def wards_reviewed(sender, **kwargs) -> str:
    moved = assets_relocate()
    if not moved:
        return ""
    return f"{moved} assets moved to the ward that now holds them."
