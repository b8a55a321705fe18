"""REST API views, one module per resource: thin — check permissions, validate with an input serializer, call a
service, serialize.

Querysets are scoped to the user (``recruiting.permissions.visible_*``), so an object another user owns
answers 404.  Every write goes through ``recruiting.services``, ``matching.runs``, ``recruiting.webhooks``,
``recruiting.importers`` or ``recruiting.api.services``.  ``common`` holds what they share.
"""
