"""Stored files in a folder and in S3-compatible object storage (moto's server on loopback)."""

import urllib.request

import pytest
from sqlmodel import select

from portal import storage
from portal.registry.demo import demo_rows
from portal.registry.models import Vehicle
from portal.subsidy.models import ApplicationDocument
from tests import servers
from tests import subsidy_helpers as h
from tests.test_data_at_rest import applicant, download, draft_with_card, upload_paper  # noqa: F401
from tests.test_registry_import import admin, extract, upload  # noqa: F401


@pytest.fixture(params=["folder", "bucket"])
def files(request, tmp_path):
    if request.param == "folder":
        return storage.Folder(str(tmp_path / "files"))
    return request.getfixturevalue("s3_app").extensions["storage"]


def test_a_file_is_saved_read_and_deleted(files):
    assert not files.exists("area/a.pdf")
    files.save("area/a.pdf", h.PDF)
    assert files.exists("area/a.pdf")
    with files.open("area/a.pdf") as stream:
        assert stream.read() == h.PDF
    files.delete("area/a.pdf")
    files.delete("area/a.pdf")  # gone already is fine
    assert not files.exists("area/a.pdf")
    with pytest.raises(FileNotFoundError):
        files.open("area/a.pdf")
    files.check()


def test_the_bucket_keeps_files_under_the_prefix(s3_app, s3_endpoint, s3_bucket):
    s3_app.extensions["storage"].save("subsidy/x.pdf", h.PDF)
    assert servers.bucket_keys(s3_endpoint, s3_bucket) == ["files/subsidy/x.pdf"]


def test_an_unreachable_bucket_fails_the_check(s3_app):
    s3_app.config["STORAGE_URL"] = "s3://no-such-bucket"
    with pytest.raises(Exception, match="404|Not Found"):
        storage.from_config(s3_app.config).check()


@pytest.mark.parametrize("url", ["s3://", "s3:/bucket", "https://bucket/files", "bucket"])
def test_a_malformed_storage_url_is_refused_at_start(url):
    with pytest.raises(RuntimeError, match="s3://BUCKET/PREFIX"):
        storage.from_config({"STORAGE_URL": url, "UPLOAD_FOLDER": "unused"})


def test_a_paper_goes_to_the_bucket_and_is_streamed_back_in_a_sandbox(
    s3_app,
    s3_endpoint,
    s3_bucket,
    client,
    auth,
    session,
    applicant,  # noqa: F811
):
    base = draft_with_card(client, auth, applicant)
    assert upload_paper(client, base, h.PDF, "身份证.pdf").status_code == 303
    paper = session.exec(select(ApplicationDocument)).one()
    # The key is the portal's random name: no ID number, no name a person typed.
    assert servers.bucket_keys(s3_endpoint, s3_bucket) == [f"files/subsidy/{paper.stored_name}"]
    response = download(client, f"{base.replace('/step', '')}/documents/resident_id")
    assert response.status_code == 200 and response.data == h.PDF
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Cache-Control"] == "no-store"
    assert "UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81.pdf" in response.headers["Content-Disposition"]
    auth.logout()
    other = h.Applicant(session)
    auth.login(other.email)
    assert download(client, f"{base.replace('/step', '')}/documents/resident_id").status_code == 404


def test_with_links_a_paper_is_served_by_a_short_presigned_url(
    s3_app,
    client,
    auth,
    session,
    applicant,  # noqa: F811
):
    s3_app.config["STORAGE_LINK_SECONDS"] = 3600  # asked for an hour: capped at five minutes
    s3_app.extensions["storage"] = storage.from_config(s3_app.config)
    base = draft_with_card(client, auth, applicant)
    upload_paper(client, base, h.PDF, "id.pdf")
    response = client.get(f"{base.replace('/step', '')}/documents/resident_id")
    assert response.status_code == 303
    link = response.headers["Location"]
    assert f"Expires={_expiry(link)}" in link and _lifetime(link) <= storage.LONGEST_LINK_SECONDS
    with urllib.request.urlopen(link) as stored:  # noqa: S310 (loopback)
        assert stored.read() == h.PDF
        assert stored.headers["Cache-Control"] == "no-store"
        assert stored.headers["Content-Type"] == "application/pdf"


def _expiry(link: str) -> str:
    return link.split("Expires=")[1].split("&")[0]


def _lifetime(link: str) -> int:
    import time

    return int(_expiry(link)) - int(time.time())


def test_an_import_reads_its_file_from_the_bucket_and_deletes_it(
    s3_app,
    s3_endpoint,
    s3_bucket,
    admin,  # noqa: F811
    session,
):
    response = upload(admin, extract(demo_rows(12)))
    assert response.status_code == 303
    assert len(session.exec(select(Vehicle)).all()) == 12
    assert servers.bucket_keys(s3_endpoint, s3_bucket) == []
