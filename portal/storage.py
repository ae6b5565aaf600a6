"""Stored files (uploaded papers, import and bulk-filing files): a folder or object storage.

One small interface, so several machines can share the files (ARCHITECTURE, real parts):
`UPLOAD_FOLDER` on this machine's disk by default (`make run`), or S3-compatible object
storage with `STORAGE_URL=s3://BUCKET/PREFIX` (and `S3_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_REGION` for boto3). Keys are chosen by the portal
(`subsidy/<random>.pdf`): never a name someone typed, never an ID number (DOMAIN §6).
Files are served only by views that checked the reader's scope first, streamed through
the portal, or with `STORAGE_LINK_SECONDS` set, by a presigned link that short-lived.
"""

import os
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Flask, Response, current_app, redirect, send_file

FILE_MODE, FOLDER_MODE = 0o600, 0o700
LONGEST_LINK_SECONDS = 300  # a presigned link outlives the scope check that gave it


class Storage(Protocol):
    """Where the portal keeps files; keys are relative paths like `imports/<random>.csv`."""

    def save(self, key: str, content: bytes) -> None:
        """Store content under key (replacing what was there)."""

    def open(self, key: str) -> BinaryIO:
        """The stored bytes as a stream to read and close; FileNotFoundError when absent."""

    def delete(self, key: str) -> None:
        """Remove the file; one already gone is fine (the aim is to leave no copy)."""

    def exists(self, key: str) -> bool:
        """Whether a file is stored under key."""

    def link(self, key: str, *, content_type: str, download_name: str) -> str | None:
        """A short-lived URL the browser may fetch the file from, or None to stream it."""

    def check(self) -> None:
        """Raise when the storage cannot be reached (readiness)."""


class Folder:
    """Files under a folder of this machine: 0600 files in 0700 folders."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def save(self, key: str, content: bytes) -> None:
        relative = Path(key)
        private_folder(self.root, relative.parent)
        write_private_file(self.root / relative, content)

    def open(self, key: str) -> BinaryIO:
        return (self.root / key).open("rb")

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def link(self, key: str, *, content_type: str, download_name: str) -> None:
        return None

    def check(self) -> None:
        private_folder(self.root)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"{self.root} is not writable")


class Bucket:
    """Files in an S3-compatible bucket, under a prefix (boto3)."""

    def __init__(self, client, bucket: str, prefix: str, link_seconds: int = 0) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.link_seconds = min(link_seconds, LONGEST_LINK_SECONDS)

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def save(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=content)

    def open(self, key: str) -> BinaryIO:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error
        return found["Body"]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def link(self, key: str, *, content_type: str, download_name: str) -> str | None:
        if not self.link_seconds:
            return None
        params = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(download_name),
            "ResponseCacheControl": "no-store",
        }
        return self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=self.link_seconds
        )

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


def content_disposition(download_name: str) -> str:
    """An `inline` Content-Disposition naming the file, in ASCII and RFC 5987 UTF-8."""
    ascii_name = download_name.encode("ascii", "ignore").decode() or "file"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download_name)}"


def from_config(config) -> Storage:
    """The storage the settings name: STORAGE_URL when set, UPLOAD_FOLDER otherwise."""
    url = config.get("STORAGE_URL")
    if not url:
        return Folder(config["UPLOAD_FOLDER"])
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise RuntimeError("STORAGE_URL must look like s3://BUCKET/PREFIX.")
    prefix = parts.path.strip("/")
    return Bucket(
        s3_client(config),
        parts.netloc,
        f"{prefix}/" if prefix else "",
        link_seconds=int(config.get("STORAGE_LINK_SECONDS") or 0),
    )


def s3_client(config):
    """A boto3 S3 client for the configured endpoint (credentials from the environment)."""
    return boto3.client(
        "s3",
        endpoint_url=config.get("S3_ENDPOINT_URL"),
        region_name=config.get("AWS_REGION") or "us-east-1",
        # Path-style addressing works with MinIO and other S3-compatible servers.
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
    )


def init_app(app: Flask) -> None:
    app.extensions["storage"] = from_config(app.config)


def current() -> Storage:
    """The current app's storage."""
    return current_app.extensions["storage"]


def serve(files: Storage, key: str, *, content_type: str, download_name: str) -> Response:
    """A stored file as the answer to a reader whose scope the caller has checked.

    Either a 303 to a short-lived presigned link, or the file streamed through the portal
    in a sandbox, so a browser never runs an uploaded file as a page of this site.
    """
    url = files.link(key, content_type=content_type, download_name=download_name)
    if url:
        response = redirect(url, 303)
    else:
        response = send_file(files.open(key), mimetype=content_type, download_name=download_name)
        response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def write_private_file(path: Path, content: bytes) -> Path:
    """Write content to path as 0600, whatever the process's umask (e.g. a CLI report)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(path, FILE_MODE)  # the file may have existed with a laxer mode
    return path


def private_folder(folder: Path, relative: Path = Path()) -> Path:
    """Make folder/relative and each folder on the way there 0700."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path = folder
    for part in (Path(), *relative.parts):
        path = path / part
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(path, FOLDER_MODE)
    return path
