"""CV files on an S3-compatible object store (issue 15: workers that share no disk).

``settings.STORAGES["default"]`` names ``RandomNameS3Storage`` when ``STORAGE_URL`` or
``AWS_STORAGE_BUCKET_NAME`` is set (``recruiting/settings.py``, block "File storage"); otherwise CV files stay
in ``MEDIA_ROOT`` on the local disk (``recruiting.security.RandomNameFileSystemStorage``, the embedded default).
Every reader goes through the storage API (``FieldFile.open``, ``default_storage``), never a local path, so a
web process and any number of workers on other machines see the same files.
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage

from recruiting.security import RandomUploadNames


class RandomNameS3Storage(RandomUploadNames, S3Storage):
    """django-storages' ``S3Storage`` (one bucket, optional key prefix) with random upload names.

    Options come from ``settings.STORAGES["default"]["OPTIONS"]`` (``bucket_name``, ``endpoint_url``,
    ``access_key``, ``secret_key``, ``region_name``, ``location``, …).  A missing object raises
    ``FileNotFoundError`` on ``open``, like the local storage, so the download views answer 404 either way.
    """
