from django.db import migrations

# The groups (roles) a user holds and the sites they build in (each site's
# row as JSON, in the sites' own order), for the user read of every request
# (communities.backends). A PL/pgSQL function, because PostgreSQL keeps its
# statements' plans for as long as the connection lasts: the same subqueries
# written into the request's statement were planned afresh on every request
# (docs/scaling.md has what that cost). It keeps no state between calls, so
# a pooler in transaction mode is no trouble to it.
CREATE = """
CREATE OR REPLACE FUNCTION communities_roles_and_sites(who bigint)
RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN json_build_object(
        'groups', ARRAY(
            SELECT g."name"
            FROM "communities_user_groups" m
            JOIN "auth_group" g ON g."id" = m."group_id"
            WHERE m."user_id" = who
        ),
        'sites', ARRAY(
            SELECT row_to_json(s)
            FROM "communities_site_builders" b
            JOIN "communities_site" s ON s."id" = b."site_id"
            WHERE b."user_id" = who
            ORDER BY s."name"
        )
    );
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS communities_roles_and_sites(bigint);"


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0010_no_index_twice"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
