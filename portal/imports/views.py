"""The administrators' import pages (registry extract, model catalog): upload a CSV file,
follow its progress, resume or discard a stalled run, download the refused rows.

The URLs live under /admin like the other administration pages."""

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user

from portal import db, htmx, storage, tasks, web
from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.errors import DomainError, translate
from portal.imports import services
from portal.imports.forms import CatalogImportForm, ImportForm

bp = Blueprint("imports", __name__, url_prefix="/admin")


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


# What an administrator imports: the registry extract, and the valuation's model catalog.
IMPORT_PAGES = {
    "registry": ("imports.registry", "imports.registry_job", "imports.registry_problems"),
    "catalog": ("imports.catalog", "imports.catalog_job", "imports.catalog_problems"),
}
URL_OF_KIND = {"registry": "imports", "catalog": "catalog"}


@bp.route("/imports", methods=["GET", "POST"])
def registry():
    return _imports_page("registry")


@bp.route("/catalog", methods=["GET", "POST"])
def catalog():
    return _imports_page("catalog")


def _imports_page(kind: str):
    form = CatalogImportForm() if kind == "catalog" else ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = services.start_import(
                db.session(),
                kind=kind,
                filename=upload.filename or "import.csv",
                content=upload.read(),
                files=storage.current(),
                actor_id=current_user.id,
            )
        except DomainError as error:
            form.file.errors.append(translate(error))
        else:
            db.after_commit(lambda: tasks.queue_import(job.id))
            return redirect(url_for(IMPORT_PAGES[kind][1], job_id=job.id), 303)
    services.mark_stalled(db.session(), silent_for=web.stall_limit())
    jobs = services.recent_jobs(db.session(), page=1, page_size=20, kind=kind).rows
    status = 422 if form.errors else 200
    return render_template(
        "imports/jobs.html",
        form=form,
        jobs=jobs,
        kind=kind,
        job_endpoint=IMPORT_PAGES[kind][1],
        header=",".join(services.IMPORTERS[kind].header),
    ), status


@bp.get("/imports/<id:job_id>")
def registry_job(job_id: int):
    return _job_page("registry", job_id)


@bp.get("/catalog/<id:job_id>")
def catalog_job(job_id: int):
    return _job_page("catalog", job_id)


def _job_page(kind: str, job_id: int):
    services.mark_stalled(db.session(), silent_for=web.stall_limit())
    job = services.get_job(db.session(), job_id, kind=kind)
    job_endpoint, problems_endpoint = IMPORT_PAGES[kind][1:]
    return htmx.render(
        "imports/job.html",
        "imports/_progress.html",
        job=job,
        progress_url=url_for(job_endpoint, job_id=job.id),
        problems_url=url_for(problems_endpoint, job_id=job.id),
        resume_url=url_for("imports.resume", kind=URL_OF_KIND[kind], job_id=job.id),
        discard_url=url_for("imports.discard", kind=URL_OF_KIND[kind], job_id=job.id),
    )


@bp.post("/<any(imports, catalog):kind>/<id:job_id>/resume")
def resume(kind: str, job_id: int):
    """Run a stalled import again from the start of its file."""
    kind = "catalog" if kind == "catalog" else "registry"
    job = services.get_job(db.session(), job_id, kind=kind)
    services.resume(db.session(), job=job, actor_id=current_user.id)
    db.after_commit(lambda: tasks.queue_import(job.id))
    return redirect(url_for(IMPORT_PAGES[kind][1], job_id=job.id), 303)


@bp.post("/<any(imports, catalog):kind>/<id:job_id>/discard")
def discard(kind: str, job_id: int):
    """Give up a stalled import and delete its file."""
    kind = "catalog" if kind == "catalog" else "registry"
    job = services.get_job(db.session(), job_id, kind=kind)
    services.discard(db.session(), job=job, files=storage.current(), actor_id=current_user.id)
    return redirect(url_for(IMPORT_PAGES[kind][1], job_id=job.id), 303)


@bp.get("/imports/<id:job_id>/problems.csv")
def registry_problems(job_id: int):
    return _problems_file("registry", job_id)


@bp.get("/catalog/<id:job_id>/problems.csv")
def catalog_problems(job_id: int):
    return _problems_file("catalog", job_id)


def _problems_file(kind: str, job_id: int):
    session = db.session()
    job = services.get_job(session, job_id, kind=kind)
    filename = f"{kind}-{job.id}-problems.csv"
    return Response(
        services.problems_csv(session, job),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
