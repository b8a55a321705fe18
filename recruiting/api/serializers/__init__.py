"""Serializers: separate output (``…Serializer``) and input (``…InputSerializer``) shapes.

Output serializers read models; input serializers only validate — the views pass their ``validated_data`` to a
service.  Times are ISO 8601 in UTC with a ``Z`` suffix (``REST_FRAMEWORK["DATETIME_FORMAT"]``).

One module per resource; ``fields`` holds the match score's JSON blobs and their schemas.
"""
