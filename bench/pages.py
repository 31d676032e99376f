"""The pages the benchmark times, shared by the driver and the query count."""

PAGES = {
    # name: (path, who)
    "dashboard": ("/evaluation/dashboard/", "officer"),
    "resident_list": ("/communities/residents/", "officer"),
    "resident_detail": ("/communities/residents/{resident}/", "officer"),
    "map_geojson": ("/assets/map/assets.geojson", "officer"),
    "grant_queue": ("/grants/review/", "officer"),
}
BARE = "/ping"
# A signed-in PUT that writes one row (bench.views.bare_write), under a new ID.
BARE_WRITE = "/bench/bare-write/"
ADMIN_CHANGELIST = "/admin/communities/resident/"
BUILDER_PAGE = "/communities/conversations/new/"
OFFICER = "city-officer"
BUILDER = "city-builder-01"
