"""Where attached files are kept: the "attachments" alias of STORAGES (settings), never public.

By default a directory on the server's disk outside the static files (KAM_ATTACHMENTS_DIR), whose files
have no URL: they are served only by the access-checked download view. With KAM_ATTACHMENTS_S3_BUCKET
set, an S3-compatible bucket (django-storages) that must not be public: the application reads the files
with its own keys and streams them through the same view.
"""

from pathlib import Path

from django.core.files.storage import FileSystemStorage

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "kam.storage.PrivateFileSystemStorage"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk that have no address: nothing serves the directory."""

    def url(self, name):
        raise NotImplementedError("attachments are served only by the access-checked download view")


def attachments_storage(env, default_dir: Path) -> dict:
    """The STORAGES entry for attachments, from the environment (`env`: a django-environ Env)."""
    bucket = env.str("KAM_ATTACHMENTS_S3_BUCKET", default="")
    if not bucket:
        location = Path(env.str("KAM_ATTACHMENTS_DIR", default=str(default_dir)))
        return {"BACKEND": LOCAL_BACKEND, "OPTIONS": {
            "location": str(location), "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}

    def optional(name):
        return env.str(name, default="") or None

    return {"BACKEND": S3_BACKEND, "OPTIONS": {
        "bucket_name": bucket,
        # Another provider's address (MinIO, Ceph, a cloud's S3-compatible service); AWS when unset.
        "endpoint_url": optional("KAM_ATTACHMENTS_S3_ENDPOINT_URL"),
        "region_name": optional("KAM_ATTACHMENTS_S3_REGION"),
        # Unset: boto3's own chain (the instance's role, AWS_* variables, its configuration files).
        "access_key": optional("KAM_ATTACHMENTS_S3_ACCESS_KEY_ID"),
        "secret_key": optional("KAM_ATTACHMENTS_S3_SECRET_ACCESS_KEY"),
        "location": env.str("KAM_ATTACHMENTS_S3_PREFIX", default="attachments"),
        "addressing_style": optional("KAM_ATTACHMENTS_S3_ADDRESSING_STYLE"),
        # Objects inherit the bucket's (private) policy; no object is ever given a public ACL.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }}
