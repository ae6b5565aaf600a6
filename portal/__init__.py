"""The portal: trade-in subsidies, inter-provincial transfers and valuations over one registry."""

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import cache, db, headers, logs, storage, tasks, web
from portal.config import INSTANCE_PATH, PROJECT_ROOT, from_environment
from portal.errors import register_error_handlers
from portal.extensions import babel, csrf, limiter, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; test_config overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_mapping(from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    INSTANCE_PATH.mkdir(exist_ok=True)
    logs.install()
    logs.init_app(app)
    trust_proxies(app)
    db.init_app(app)
    cache.init_app(app)
    storage.init_app(app)
    headers.init_app(app)
    app.before_request(web.refuse_control_characters_in_query)
    # Tests run jobs inside the request that queues them (ARCHITECTURE, background jobs).
    tasks.huey.immediate = app.config.get("HUEY_IMMEDIATE", False)
    register_extensions(app)
    app.url_map.converters["id"] = web.IdConverter  # before the blueprints' rules use it
    register_blueprints(app)
    register_notice_delivery(app)
    register_error_handlers(app)
    register_commands(app)
    register_template_helpers(app)
    web.check_card_keys(app.config)
    app.after_request(web.no_store_for_personal_data)
    return app


def register_notice_delivery(app: Flask) -> None:
    """The job that sends a notice, and the links made when its email is sent (a reset link
    starts its 30 minutes then): held by the app, so neither the notifying features nor the
    job consumer import each other."""
    from portal.accounts import recovery

    app.extensions["deliver_notice"] = tasks.deliver_notice
    app.extensions["email_links"] = {"password_reset": recovery.reset_link}


def trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the TRUSTED_PROXIES proxies in front.

    Behind a load balancer every request comes from it: without this, the per-address
    sign-in limit would count the whole site as one address. Trusting more proxies than
    stand in front would let a client choose its address.
    """
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def select_locale() -> str:
    """The user's chosen language, then the browser's, then Simplified Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line and jobs
        return current_app.config["CLI_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or languages[0]


def register_extensions(app: Flask) -> None:
    from portal.accounts.views import load_user

    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"


def register_blueprints(app: Flask) -> None:
    from portal.accounts.privacy_views import bp as privacy
    from portal.accounts.recovery_views import bp as recovery
    from portal.accounts.views import bp as accounts
    from portal.api.views import bp as api
    from portal.health import bp as health
    from portal.imports.views import bp as imports
    from portal.notices.views import bp as notices
    from portal.payments.views import bp as payments
    from portal.registry.views import bp as registry
    from portal.subsidy.apply.views import bp as subsidy
    from portal.subsidy.compare.views import bp as scrap_or_sell
    from portal.subsidy.payouts.views import bp as payouts
    from portal.subsidy.programs.budget_views import bp as budget
    from portal.subsidy.programs.views import bp as subsidy_admin
    from portal.subsidy.review.views import bp as review
    from portal.transfer.views import bp as transfer
    from portal.valuation.report.views import bp as valuation_report
    from portal.valuation.settings.views import bp as valuation_settings
    from portal.valuation.views import bp as valuation
    from portal.views import admin
    from portal.views import bp as home
    from portal.workdays.views import bp as workdays

    blueprints = (home, accounts, registry, subsidy, review, subsidy_admin, payouts, transfer)
    blueprints += (scrap_or_sell, payments, valuation, valuation_report, valuation_settings)
    blueprints += (notices, privacy, recovery, budget)
    for blueprint in (*blueprints, admin, imports, workdays, api, health):
        app.register_blueprint(blueprint)
    csrf.exempt(api)  # the JSON API authenticates with bearer tokens, not cookies


def register_commands(app: Flask) -> None:
    from portal.commands import db_cli, keys_cli, registry_cli, seed_cli, users_cli
    from portal.payments.commands import payments_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(registry_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(payments_cli)


def register_template_helpers(app: Flask) -> None:
    from portal import formatting, labels
    from portal.accounts.labels import LABELS as accounts
    from portal.imports.labels import LABELS as imports
    from portal.notices.views import header_context
    from portal.payments.labels import LABELS as payments
    from portal.reading.labels import LABELS as reading
    from portal.registry.labels import LABELS as registry
    from portal.subsidy.labels import LABELS as subsidy
    from portal.transfer.labels import LABELS as transfer
    from portal.valuation import names as car_names
    from portal.valuation.labels import LABELS as valuation

    # Each feature names its own stored codes; templates, forms, errors and PDFs look
    # the names up in the one registry.
    for feature in (accounts, registry, imports, payments, subsidy, transfer, valuation, reading):
        labels.register(feature)
    formatting.register(app)
    car_names.register(app)
    app.context_processor(header_context)
