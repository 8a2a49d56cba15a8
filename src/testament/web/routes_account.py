"""One's own settings (media blurring, the second factor: docs/accounts.md) and the administrator's page
(accounts, roles on cases, API tokens, the custody log's state)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from testament.accounts import accounts, credentials, second_factor
from testament.custody import cases, custody_log, vault_staging
from testament.domain.access import Role
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TestamentError
from testament.http import auth
from testament.http.guard import require_admin
from testament.web.pages import Viewer, instance_of, render


def routes(site: FastAPI) -> None:
    _settings_routes(site)
    _second_factor_routes(site)
    _admin_routes(site)


def _settings_routes(site: FastAPI) -> None:
    @site.get("/settings", include_in_schema=False)
    def settings_page(request: Request, who: Viewer) -> Response:
        return _settings(request, who)

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


def _second_factor_routes(site: FastAPI) -> None:
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


def _admin_routes(site: FastAPI) -> None:
    # Each page asks require_admin first, though the use cases ask the policy too: a refused form
    # comes back on the admin page, which draws instance-wide state (the log, the staging area) from
    # use cases that allow more than administrators, and creating a user hashes its password before
    # the use case's own check.
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
