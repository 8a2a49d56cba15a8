"""The site: HTML pages at ``/``, the JSON API at ``/api``, vendored assets at ``/static``.

Pages read through the same services and the same policy door (``api.guard.allow``) as the API, and sign
in with the same session cookie. A page that changes anything posts with the session's CSRF token, which
``base.html`` hands to htmx as a header on every request.

The first start of an instance with no administrator prints a one-time link to ``/setup``; the token in
it lives only in this process's memory, so a restart prints a new one and nothing on disk can be stolen.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from testament import __version__
from testament.accounts import accounts, credentials, second_factor
from testament.api import auth
from testament.api import errors as api_errors
from testament.api.app import create_app
from testament.api.guard import allow, require_admin, visible_cases
from testament.api.limits import MAX_JSON_BODY_BYTES, BoundedBodies
from testament.custody import access_log, cases, custody_log, vault_staging
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, proof_chart, search
from testament.domain.access import SESSION_LIFETIME, Action, Role, decide_anywhere
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TestamentError
from testament.search.base import SearchQuery
from testament.survivors import testimony
from testament.taxonomy import vocabulary
from testament.web import i18n, intake, records, registry_requests, support
from testament.web.pages import (
    HERE,
    SignInNeeded,
    Viewer,
    instance_of,
    render,
    templates_for,
)

STATIC = HERE / "static"
# A view's log entry, which the pages carry in place of its stated purpose (docs/web.md).
AccessRef = Annotated[int | None, Query(ge=0, le=2**62)]
TILE_URL_SETTING = "TESTAMENT_TILE_URL"


def create_site(
    instance: Instance, *, api_token: str, setup_token: str | None = None, tile_url: str = ""
) -> FastAPI:
    """The whole site for ``instance``. ``setup_token`` opens ``/setup`` until an admin exists."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield

    site = FastAPI(title="Testament", version=__version__, lifespan=lifespan, docs_url=None,
                   redoc_url=None, openapi_url=None)  # fmt: skip
    site.state.instance = instance
    site.state.api_token = api_token
    site.state.setup_hash = (
        hashlib.sha256(setup_token.encode()).hexdigest() if setup_token else None
    )
    site.state.tile_url = tile_url
    api = create_app(instance, api_token=api_token)
    site.state.login_limit = api.state.login_limit
    site.add_middleware(auth.ActingScope)
    site.add_middleware(BoundedBodies)  # the pages' forms, as the API's bodies
    site.mount("/api", api)
    site.mount("/static", StaticFiles(directory=STATIC), name="static")
    for code in i18n.LANGUAGES:
        templates_for(code)  # built at start-up: a broken template fails here, not at a request
    _routes(site)
    records.routes(site)
    support.routes(site)
    intake.routes(site)
    registry_requests.routes(site)
    _errors(site)
    return site


def _routes(site: FastAPI) -> None:  # noqa: PLR0915 - one place lists every page
    @site.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        if request.app.state.setup_hash and not accounts.has_admin(instance_of(request)):
            return RedirectResponse("/setup", status_code=303)
        return RedirectResponse("/dashboard", status_code=303)

    @site.get("/lang/{code}", include_in_schema=False)
    def switch_language(
        code: str, next_page: Annotated[str, Query(alias="next")] = "/"
    ) -> Response:
        target = next_page if next_page.startswith("/") and not next_page.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        if code in i18n.LANGUAGES:
            response.set_cookie(
                i18n.COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True
            )
        return response

    @site.get("/login", include_in_schema=False)
    def login_page(
        request: Request, next_page: Annotated[str, Query(alias="next")] = "/dashboard"
    ) -> Response:
        return render(request, "login.html", next_page=_local(next_page), error=None)

    @site.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
        totp: Annotated[str, Form(max_length=32)] = "",
        next_page: Annotated[str, Form(alias="next")] = "/dashboard",
    ) -> Response:
        if not auth.same_origin(request):
            raise HTTPException(403, "this sign-in did not come from Testament's own page")
        client = request.client.host if request.client else "unknown"
        if request.app.state.login_limit.hit(client):
            return render(request, "login.html", 429, next_page=_local(next_page),
                           error="too-many")  # fmt: skip
        inst = instance_of(request)
        try:
            user_id = accounts.authenticate(inst, username, password, totp or None)
        except PermissionDenied as exc:
            needs_code = "totp" in exc.errors
            return render(request, "login.html", 403, next_page=_local(next_page),
                           error="totp" if needs_code else "wrong", username=username)  # fmt: skip
        return _signed_in(request, inst, user_id, _local(next_page))

    @site.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
        inst = instance_of(request)
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        session = credentials.resolve_session(inst, cookie) if cookie else None
        if session is not None and cookie:
            sent = csrf_token or request.headers.get(auth.CSRF_HEADER, "")
            if not secrets.compare_digest(sent, session.csrf_token or ""):
                raise HTTPException(403, "the CSRF token is missing or wrong; reload the page")
            credentials.end_session(inst, cookie)
        response = RedirectResponse("/login", status_code=303)
        auth.clear_session_cookie(request, response)
        return response

    @site.get("/setup", include_in_schema=False)
    def setup_page(request: Request, token: str = "") -> Response:
        if not _setup_open(request):
            return RedirectResponse("/login", status_code=303)
        return render(request, "setup.html", token=token, error=None)

    @site.post("/setup", include_in_schema=False)
    def setup(
        request: Request,
        token: Annotated[str, Form(max_length=200)],
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
    ) -> Response:
        if not _setup_open(request) or not auth.same_origin(request):
            return RedirectResponse("/login", status_code=303)
        expected: str = request.app.state.setup_hash
        given = hashlib.sha256(token.encode()).hexdigest()
        if not secrets.compare_digest(given, expected):
            return render(request, "setup.html", 403, token="", error="token")
        inst = instance_of(request)
        try:
            user_id = accounts.create_user(inst, username, password, admin=True)
        except InvalidInput as exc:
            return render(request, "setup.html", 422, token=token, error="input",
                           problems=exc.errors or {"username": exc.what})  # fmt: skip
        request.app.state.setup_hash = None  # one use only
        return _signed_in(request, inst, user_id, "/dashboard")

    @site.get("/dashboard", include_in_schema=False)
    def dashboard(request: Request, who: Viewer) -> Response:
        inst = instance_of(request)
        visible = visible_cases(inst, who)
        found = [c for c in cases.list_cases(inst) if visible is None or c.id in visible]
        status = custody_log.status(inst)
        may_create = who.actor is None or bool(decide_anywhere(who.actor, Action.MANAGE_CASE))
        return render(request, "dashboard.html", cases=found, log_size=status.size,
                       checkpoint_size=status.signed_size, may_create=may_create,
                       follow_ups=support.follow_ups(request, who))  # fmt: skip

    @site.post("/cases", include_in_schema=False)
    def create_case_page(
        request: Request, who: Viewer, name: Annotated[str, Form(min_length=1, max_length=500)]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.MANAGE_CASE)
        if who.user_id is None or (who.actor is not None and who.actor.is_admin):
            cases.create_case(inst, name)
        else:
            accounts.create_case_for(inst, who.user_id, name)
        return records.go(request, "/cases/" + quote(name.strip()))

    @site.get("/cases/{case_name}", include_in_schema=False)
    def case_page(  # noqa: PLR0917 - the filter's fields
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
        status: Annotated[str, Query(max_length=64)] = "",
        date_from: Annotated[str, Query(max_length=10)] = "",
        date_to: Annotated[str, Query(max_length=10)] = "",
        label: Annotated[str, Query(max_length=64)] = "",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, case=case_name)
        only = incidents.ListFilter(
            status or None, date_from or None, date_to or None, label or None
        )
        rows = incidents.list_for_case(inst, case_name, limit=101, offset=offset, only=only)
        return render(request, "incidents.html", case_name=case_name, incidents=rows[:100],
                       next_offset=offset + 100 if len(rows) > 100 else None, offset=offset,
                       only=only, statuses=vocabulary.codes("incident-status"),
                       labels=vocabulary.codes("sensitivity-labels"),
                       timeline=incidents.timeline(inst, case_name),
                       may_document=records.may(request, who, Action.DOCUMENT,
                                                case=case_name))  # fmt: skip

    @site.get("/cases/{case_name}/map", include_in_schema=False)
    def map_page(request: Request, case_name: str, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.READ, case=case_name)
        return render(request, "map.html", case_name=case_name,
                       tile_url=request.app.state.tile_url)  # fmt: skip

    @site.get("/cases/{case_name}/upload", include_in_schema=False)
    def upload_page(request: Request, case_name: str, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, case=case_name)
        return render(request, "upload.html", case_name=case_name)

    @site.get("/incidents/{incident_id}", include_in_schema=False)
    def incident_page(
        request: Request, incident_id: str, who: Viewer, access: AccessRef = None
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="incident", record_id=incident_id)
        data = incidents.show(inst, incident_id)
        if data.get("sensitivity") and not records.viewing(
            request, "incident", incident_id, access
        ):
            return records.ask_purpose(request, "incident", incident_id, data["sensitivity"])
        history = incidents.versions(inst, "incident", incident_id)
        return render(request, "incident.html", incident=data, history=history,
                      access=access if data.get("sensitivity") else None,
                      may_edit=records.may(request, who, Action.DOCUMENT, kind="incident",
                                           record_id=incident_id),
                      linkable=records.linkable(request, who, data))  # fmt: skip

    @site.post("/incidents/{incident_id}/purpose", include_in_schema=False)
    def incident_purpose(
        request: Request,
        incident_id: str,
        who: Viewer,
        purpose: Annotated[str, Form(max_length=1000)],
        then: Annotated[str, Form(max_length=8)] = "view",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="incident", record_id=incident_id)
        index = access_log.sensitive_record_viewed(inst, incident_id, purpose)
        target = f"/incidents/{incident_id}" + ("/edit" if then == "edit" else "")
        return records.go(request, target + (f"?access={index}" if index is not None else ""))

    @site.get("/evidence/{item_id}", include_in_schema=False)
    def evidence_page(
        request: Request, item_id: str, who: Viewer, access: AccessRef = None
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
        if access is None or not records.viewing(request, "evidence_item", item_id, access):
            return records.ask_purpose(request, "evidence", item_id, [])
        item = evidence.show(inst, item_id)
        timeline = custody_log.item_timeline(inst, item_id)
        agents = custody_log.agents_named(inst, [str(event["agent"]) for event in timeline])
        # A testimony's recording plays only for those who may read the words (the API refuses others).
        playable = testimony.recorded_in(inst, item_id) is None or records.may(
            request, who, Action.REVEAL_IDENTITY, kind="evidence", record_id=item_id
        )
        return render(request, "evidence.html", item=item, timeline=timeline, access_index=access,
                      agents=agents, playable=playable)  # fmt: skip

    @site.post("/evidence/{item_id}/purpose", include_in_schema=False)
    def evidence_purpose(
        request: Request, item_id: str, who: Viewer, purpose: Annotated[str, Form(max_length=1000)]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
        index = access_log.item_opened(inst, item_id, "view", purpose)
        return records.go(request, f"/evidence/{item_id}?access={index}")

    @site.get("/cases/{case_name}/proof-chart", include_in_schema=False)
    def chart_page(request: Request, case_name: str, who: Viewer) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, case=case_name)
        chart = proof_chart.as_json(proof_chart.chart(inst, case_name))
        cited = [item for crime in chart["crimes"] for row in crime["elements"]
                 for item in (*row["supporting"], *row["contradicting"])]  # fmt: skip
        return render(request, "chart.html", case_name=case_name, chart=chart,
                      item_names=evidence.names(inst, cited))  # fmt: skip

    @site.get("/settings", include_in_schema=False)
    def settings_page(request: Request, who: Viewer) -> Response:
        return _settings(request, who)

    @site.post("/settings/totp", include_in_schema=False)
    def begin_second_factor(
        request: Request, who: Viewer, password: Annotated[str, Form(max_length=1000)] = ""
    ) -> Response:
        user_id = _own_account(who)
        try:
            pending = second_factor.begin(instance_of(request), user_id, password)
        except (InvalidInput, Conflict, PermissionDenied) as exc:
            return _settings(request, who, 422, problem=_problem(exc))
        return _settings(request, who, pending=pending)

    @site.post("/settings/totp/confirm", include_in_schema=False)
    def confirm_second_factor(
        request: Request, who: Viewer, code: Annotated[str, Form(max_length=32)] = ""
    ) -> Response:
        user_id = _own_account(who)
        inst = instance_of(request)
        try:
            codes = second_factor.confirm(inst, user_id, code)
        except InvalidInput as exc:
            waiting = second_factor.waiting(inst, user_id)
            return _settings(request, who, 422, pending=waiting, problem=_problem(exc))
        return _settings(request, who, recovery_codes=codes)

    @site.post("/settings/totp/remove", include_in_schema=False)
    def remove_second_factor(
        request: Request,
        who: Viewer,
        password: Annotated[str, Form(max_length=1000)] = "",
        code: Annotated[str, Form(max_length=32)] = "",
    ) -> Response:
        user_id = _own_account(who)
        try:
            second_factor.remove(instance_of(request), user_id, password, code)
        except (InvalidInput, Conflict, PermissionDenied) as exc:
            return _settings(request, who, 422, problem=_problem(exc))
        return _settings(request, who, removed=True)

    @site.post("/settings", include_in_schema=False)
    def save_settings(
        request: Request,
        who: Viewer,
        blur_graphic: Annotated[str, Form(max_length=8)] = "",
    ) -> Response:
        if who.user_id is None:
            raise HTTPException(403, "the operator has no settings")
        accounts.set_blur_graphic(instance_of(request), who.user_id, blur_graphic == "on")
        return _settings(request, who, saved=True)

    @site.get("/admin", include_in_schema=False)
    def admin_page(request: Request, who: Viewer) -> Response:
        require_admin(who)
        return _admin(request)

    @site.post("/admin/users", include_in_schema=False)
    def admin_create_user(  # noqa: PLR0917 - the form's fields
        request: Request,
        who: Viewer,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1000)],
        organisation: Annotated[str, Form(max_length=500)] = "",
        admin: Annotated[str, Form(max_length=8)] = "",
    ) -> Response:
        require_admin(who)
        try:
            accounts.create_user(instance_of(request), username, password, admin=admin == "on",
                                 organisation_name=organisation.strip() or None)  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            return _admin(request, 422, problem=exc.what, fields=exc.errors)
        return _admin(request, done={"user": username.strip()})

    @site.post("/admin/roles", include_in_schema=False)
    def admin_set_role(
        request: Request,
        who: Viewer,
        username: Annotated[str, Form(max_length=200)],
        case_name: Annotated[str, Form(alias="case", max_length=500)],
        role: Annotated[str, Form(max_length=32)],
    ) -> Response:
        require_admin(who)
        inst = instance_of(request)
        try:
            if role == "none":
                accounts.revoke_role(inst, username, case_name)
            else:
                accounts.grant_role(inst, username, case_name, role)
        except (InvalidInput, Conflict, NotFound) as exc:
            return _admin(request, 422, problem=exc.what, fields=exc.errors)
        return _admin(request, done={"user": username.strip(), "role": role})

    @site.get("/search", include_in_schema=False)
    def search_page(request: Request, who: Viewer, q: str = "") -> Response:
        inst = instance_of(request)
        hits: list[dict[str, Any]] = []
        if q.strip():
            visible = visible_cases(inst, who)
            if visible is None or visible:
                wanted = SearchQuery(text=q, limit=50)
                filters = search.Filters(cases=sorted(visible) if visible is not None else ())
                try:
                    hits = search.described(inst, search.search(inst, wanted, filters).hits)
                except InvalidInput as exc:
                    return render(request, "search.html", 422, q=q, hits=[], error=exc.what)
        return render(request, "search.html", q=q, hits=hits, error=None)


def _admin(request: Request, code: int = 200, **outcome: Any) -> HTMLResponse:
    inst = instance_of(request)
    status = custody_log.status(inst)
    return render(
        request,
        "admin.html",
        code,
        users=accounts.list_users(inst),
        tokens=credentials.list_tokens(inst),
        cases=cases.list_cases(inst),
        roles=[role.value for role in Role],
        log_size=status.size,
        checkpoints=status.checkpoints,
        checkpoint=custody_log.latest_checkpoint(inst),
        verifier_key=custody_log.verifier_key(inst),
        stale=[t for t in vault_staging.temporaries(inst) if t.stale],
        done=outcome.get("done"),
        problem=outcome.get("problem"),
        fields=outcome.get("fields") or {},
    )


def _own_account(who: auth.Principal) -> int:
    if who.user_id is None:
        raise HTTPException(403, "the operator has no settings")
    return who.user_id


def _settings(request: Request, who: auth.Principal, code: int = 200, **shown: Any) -> HTMLResponse:
    """The settings page; ``shown`` carries what a second-factor step has to show (docs/accounts.md)."""
    factor = second_factor.status(instance_of(request), _own_account(who))
    context = {"saved": False, "pending": None, "recovery_codes": None, "problem": None,
               "removed": False} | shown  # fmt: skip
    response = render(request, "settings.html", code, factor=factor, **context)
    # A new secret and the recovery codes are shown once: no cache may keep a copy to show again.
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(exc: TestamentError) -> dict[str, Any]:
    return {"message": exc.what, "fields": exc.errors}


def _setup_open(request: Request) -> bool:
    return bool(request.app.state.setup_hash) and not accounts.has_admin(instance_of(request))


def _local(target: str) -> str:
    """Only paths on this site; never an open redirect to another."""
    return target if target.startswith("/") and not target.startswith("//") else "/dashboard"


def _signed_in(request: Request, inst: Instance, user_id: int, target: str) -> Response:
    session = credentials.open_session(inst, user_id)
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(request, response, session.token,
                            int(SESSION_LIFETIME.total_seconds()))  # fmt: skip
    return response


def _errors(site: FastAPI) -> None:
    @site.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, _exc: SignInNeeded) -> Response:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @site.exception_handler(TestamentError)
    async def _known(request: Request, exc: TestamentError) -> Response:
        status = (
            404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 422
        )
        return render(request, "error.html", status, status=status, message=exc.what,
                       fields=exc.errors, invalid=[])  # fmt: skip

    @site.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        message = f"internal error ({type(exc).__name__}); nothing half-written is kept"
        if _is_api(request):
            return api_errors.envelope(500, message)
        return _error_page(request, 500, message)

    @site.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # In the reader's language: each field with what was wrong (its limit, if it was too long).
        invalid = [
            (".".join(str(part) for part in error["loc"][1:]) or "request", error["type"],
             (error.get("ctx") or {}).get("max_length"))
            for error in exc.errors()
        ]  # fmt: skip
        return render(request, "error.html", 422, status=422, message="", fields={},
                      invalid=invalid)  # fmt: skip

    @site.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return api_errors.envelope(exc.status_code, str(exc.detail))
        # The router's own refusals (no such page, a method the page does not take) say so in the
        # reader's language; a page's refusals carry their reason.
        routed = exc.status_code in (404, 405) and not isinstance(exc, HTTPException)
        general = routed or exc.status_code == 413  # the body limit, said by the page
        return _error_page(request, exc.status_code, "" if general else str(exc.detail))


def _is_api(request: Request) -> bool:
    """Whether the request was for the JSON API (an error raised inside the mounted API can reach the
    site's handlers too), which answers in its error envelope, never with a page."""
    path: str = request.scope.get("root_path", "") + request.scope.get("path", "")
    return path == "/api" or path.startswith("/api/") or request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> Response:
    """The error page; if even that cannot be drawn, a plain one. An error handler never fails."""
    try:
        return render(request, "error.html", status, status=status, message=message, fields={},
                      invalid=[], body_limit=MAX_JSON_BODY_BYTES)  # fmt: skip
    except Exception:
        return HTMLResponse(
            f"<!doctype html><title>{status}</title><h1>{status}</h1>", status_code=status
        )
