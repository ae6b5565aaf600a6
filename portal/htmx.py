"""One place that decides between a whole page and an htmx partial (STYLE 11)."""

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, partial: str, **context):
    """Render the partial for htmx, the page otherwise; caches are told the difference."""
    response = make_response(render_template(partial if is_htmx() else template, **context))
    response.vary.add("HX-Request")
    return response
