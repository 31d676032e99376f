from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files, with the imports inside JavaScript
    modules rewritten to the hashed names too: otherwise a module imported by
    relative path is fetched twice (hashed and plain), and run twice."""

    support_js_module_import_aggregation = True
