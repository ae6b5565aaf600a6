"""Administration: the dashboard, and imports (registry, model catalog) with progress and
error reports."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import audit, db, htmx, tasks, web
from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.admin import services
from portal.admin.forms import ImportForm
from portal.errors import DomainError, translate
from portal.registry import services as registry
from portal.valuation import settings
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.forms import SettingsForm, settings_data

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles_required(Role.ADMIN)
def admins_only():
    """Every page here is for administrators."""


@bp.get("/")
def dashboard():
    return render_template("admin/dashboard.html", counts=registry.vehicle_counts(db.session()))


@bp.route("/valuation", methods=["GET", "POST"])
def valuation_settings():
    """The valuation's configurable values (DOMAIN §3.1, §3.3, §2.2)."""
    session = db.session()
    saved = settings.row(session)
    form = SettingsForm(data=settings_data(saved))
    if form.validate_on_submit():
        try:
            settings.update(session, user=current_user, typed=form.typed())
        except InvalidValuationInput as error:
            form[error.field].errors.append(translate(error))
        else:
            flash(_("The valuation settings are saved."), "success")
            return redirect(url_for("admin.valuation_settings"), 303)
    events = audit.history(session, "valuation_settings", 1)
    page = render_template("admin/valuation_settings.html", form=form, events=events)
    return page, 422 if form.errors else 200


# What an administrator imports: the registry extract, and the valuation's model catalog.
IMPORT_PAGES = {
    "registry": ("admin.imports", "admin.import_job", "admin.import_problems"),
    "catalog": ("admin.catalog", "admin.catalog_job", "admin.catalog_problems"),
}
URL_OF_KIND = {"registry": "imports", "catalog": "catalog"}


@bp.route("/imports", methods=["GET", "POST"])
def imports():
    return _imports_page("registry")


@bp.route("/catalog", methods=["GET", "POST"])
def catalog():
    return _imports_page("catalog")


def _imports_page(kind: str):
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = services.start_import(
                db.session(),
                kind=kind,
                filename=upload.filename or "import.csv",
                content=upload.read(),
                folder=current_app.config["UPLOAD_FOLDER"],
                actor_id=current_user.id,
            )
        except DomainError as error:
            form.file.errors.append(translate(error))
        else:
            db.after_commit(lambda: tasks.run_import(job.id))
            return redirect(url_for(IMPORT_PAGES[kind][1], job_id=job.id), 303)
    services.mark_stalled(db.session(), silent_for=web.stall_limit())
    jobs = services.recent_jobs(db.session(), page=1, page_size=20, kind=kind).rows
    status = 422 if form.errors else 200
    return render_template(
        "admin/imports.html",
        form=form,
        jobs=jobs,
        kind=kind,
        job_endpoint=IMPORT_PAGES[kind][1],
        header=",".join(services.IMPORTERS[kind].header),
    ), status


@bp.get("/imports/<int:job_id>")
def import_job(job_id: int):
    return _job_page("registry", job_id)


@bp.get("/catalog/<int:job_id>")
def catalog_job(job_id: int):
    return _job_page("catalog", job_id)


def _job_page(kind: str, job_id: int):
    services.mark_stalled(db.session(), silent_for=web.stall_limit())
    job = services.get_job(db.session(), job_id, kind=kind)
    job_endpoint, problems_endpoint = IMPORT_PAGES[kind][1:]
    return htmx.render(
        "admin/import_job.html",
        "admin/_import_progress.html",
        job=job,
        progress_url=url_for(job_endpoint, job_id=job.id),
        problems_url=url_for(problems_endpoint, job_id=job.id),
        resume_url=url_for("admin.resume_job", kind=URL_OF_KIND[kind], job_id=job.id),
        discard_url=url_for("admin.discard_job", kind=URL_OF_KIND[kind], job_id=job.id),
    )


@bp.post("/<any(imports, catalog):kind>/<int:job_id>/resume")
def resume_job(kind: str, job_id: int):
    """Run a stalled import again from the start of its file."""
    kind = "catalog" if kind == "catalog" else "registry"
    job = services.get_job(db.session(), job_id, kind=kind)
    services.resume(db.session(), job=job, actor_id=current_user.id)
    db.after_commit(lambda: tasks.run_import(job.id))
    return redirect(url_for(IMPORT_PAGES[kind][1], job_id=job.id), 303)


@bp.post("/<any(imports, catalog):kind>/<int:job_id>/discard")
def discard_job(kind: str, job_id: int):
    """Give up a stalled import and delete its file."""
    kind = "catalog" if kind == "catalog" else "registry"
    job = services.get_job(db.session(), job_id, kind=kind)
    services.discard(
        db.session(), job=job, folder=current_app.config["UPLOAD_FOLDER"], actor_id=current_user.id
    )
    return redirect(url_for(IMPORT_PAGES[kind][1], job_id=job.id), 303)


@bp.get("/imports/<int:job_id>/problems.csv")
def import_problems(job_id: int):
    return _problems_file("registry", job_id)


@bp.get("/catalog/<int:job_id>/problems.csv")
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
