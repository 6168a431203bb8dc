"""The admin view of the learning loop: the model registry as JSON, as a page, and as a plot.

* ``GET /api/v1/models``: every model version (newest first) with status, data sizes, the gate's
  metrics (held-out feedback and the fixed benchmarks) and the reason for its status.
* ``GET /admin``: the same as a server-rendered HTML table (every value escaped) with the plot.
* ``GET /admin/models/plot.png``: metrics per version over time (:mod:`jobsai.learn.plot`),
  rendered from the registry when it changed since the last request, else served from a cache.

Who may see it: with ``JOBSAI_ADMIN_TOKEN`` set, a request must carry it as
``Authorization: Bearer <token>`` or ``?token=<token>`` (masked in access logs). Without a token,
only requests from this machine (a loopback address, neither forwarded by a proxy nor coming from
one of ``JOBSAI_WEB_TRUSTED_PROXIES``) get in, so the
default ``jobsai serve`` on 127.0.0.1 needs no setup and an exposed server shows nothing.
Each :func:`admin_router` call makes its own cache, so nothing here is module-level state.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import secrets
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from jobsai.config import Settings
from jobsai.learn.plot import render_models_png
from jobsai.store import registry
from jobsai.store.registry import ModelRecord
from jobsai.web.api import ERROR_RESPONSES, ErrorResponse, client_key, get_service, run_blocking
from jobsai.web.errors import AdminAuthError, AdminForbiddenError, NotReadyError
from jobsai.web.proxies import VIA_PROXY
from jobsai.web.service import WebService

PLOT_METRIC = "ndcg@10"
METRIC_KEYS = ("ndcg@10", "mrr", "recall@10", "n")
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
Service = Annotated[WebService, Depends(get_service)]


class ModelVersion(BaseModel):
    version: str
    status: str = Field(description="candidate, champion, rejected or retired")
    base: str = Field(description="The model it was fine-tuned from.")
    created_at: datetime
    promoted_at: datetime | None
    data_sizes: dict[str, int | float] = Field(description="Training and held-out set sizes (CVs, labels).")
    metrics: dict[str, dict[str, float]] = Field(
        description="This version's metrics per evaluation set: 'feedback' (held-out feedback) and each "
        "fixed benchmark ('project', 'eval-dev'), each with ndcg@10, mrr, recall@10 and n."
    )
    champion_metrics: dict[str, dict[str, float]] = Field(description="The champion it was gated against.")
    training: dict[str, float] = Field(description="Steps, final training loss, examples.")
    reason: str | None


class ModelsResponse(BaseModel):
    serving: str | None = Field(description="The model this server answers with (name@weights), once loaded.")
    champion: str | None = Field(description="The registry's champion version (None: the base model serves).")
    models: list[ModelVersion] = Field(description="Newest first.")


# -- access -------------------------------------------------------------------------------------


def _is_local(request: Request) -> bool:
    """A loopback client that reached us directly: no forwarding header, and not through a trusted
    proxy (one on this machine may forward without adding a header)."""
    if getattr(request.state, VIA_PROXY, False):
        return False
    host = request.client.host if request.client else ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
    return loopback and not any(h in request.headers for h in FORWARDING_HEADERS)


def _given_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("token") or None


def check_admin(settings: Settings, request: Request) -> None:
    """Raise unless ``request`` may see the admin pages (see the module docstring)."""
    expected = settings.admin_token.get_secret_value() if settings.admin_token else ""
    if expected:
        given = _given_token(request)
        if given is None or not secrets.compare_digest(given.encode(), expected.encode()):
            raise AdminAuthError("The admin pages need the admin token (Authorization: Bearer … or ?token=…).")
        return
    if not _is_local(request):
        raise AdminForbiddenError(
            "The admin pages are only served to this machine; set JOBSAI_ADMIN_TOKEN to reach them from elsewhere."
        )


def require_admin(request: Request, service: Service) -> None:
    service.check_rate("light", client_key(request))  # before the token check: limits guessing too
    check_admin(service.settings, request)


# -- data ---------------------------------------------------------------------------------------


def _numbers(sets: Any) -> dict[str, dict[str, float]]:
    """Per evaluation set, the headline metrics only (the per-CV lists stay out)."""
    out: dict[str, dict[str, float]] = {}
    if isinstance(sets, dict):
        for name, values in sets.items():
            if isinstance(values, dict):
                out[str(name)] = {k: float(values[k]) for k in METRIC_KEYS if isinstance(values.get(k), int | float)}
    return out


def model_version(record: ModelRecord) -> ModelVersion:
    m = record.metrics
    raw_train = m.get("train")
    train: dict[str, Any] = raw_train if isinstance(raw_train, dict) else {}
    return ModelVersion(
        version=record.version, status=record.status, base=record.base, created_at=record.created_at,
        promoted_at=record.promoted_at,
        data_sizes={k: v for k, v in record.data_sizes.items() if isinstance(v, int | float)},
        metrics=_numbers(m.get("challenger")), champion_metrics=_numbers(m.get("champion")),
        training={k: float(v) for k, v in train.items() if isinstance(v, int | float)},
        reason=record.reason,
    )


def read_registry(service: WebService) -> list[ModelRecord]:
    """All model versions, oldest first (the store is open as soon as the app has started)."""
    rt = service.runtime
    if rt is None:
        raise NotReadyError("JobsAI is starting; try again in a moment.")
    with rt.db.begin(readonly=True) as conn:
        return registry.list_models(conn)


def registry_key(records: Sequence[ModelRecord]) -> str:
    """Changes whenever a version is added or changes status (metrics never change after insert)."""
    h = hashlib.sha256()
    for r in records:
        h.update(f"{r.version}\0{r.status}\0{r.promoted_at}\0{r.reason}\n".encode())
    return h.hexdigest()


class PlotCache:
    """The last rendered plot and the registry state it shows (one per app)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._png = b""

    def png(self, records: Sequence[ModelRecord]) -> bytes:
        key = registry_key(records)
        with self._lock:  # one render at a time; concurrent callers then share it
            if key != self._key:
                self._png, self._key = render_models_png(records, PLOT_METRIC), key
            return self._png


# -- page ---------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return f"<td>{html.escape(str(value))}</td>"


def _metric(sets: dict[str, dict[str, float]], name: str, key: str) -> str:
    value = sets.get(name, {}).get(key)
    return "–" if value is None else f"{value:.3f}"


def _row(v: ModelVersion) -> str:
    fb = [_metric(v.metrics, "feedback", k) for k in ("ndcg@10", "mrr", "recall@10")]
    was = _metric(v.champion_metrics, "feedback", "ndcg@10")
    sizes = v.data_sizes
    size = f"{int(sizes.get('train_cvs', 0))} train / {int(sizes.get('test_cvs', 0))} held-out CVs"
    benches = "; ".join(
        f"{name} {_metric(v.metrics, name, 'ndcg@10')} (was {_metric(v.champion_metrics, name, 'ndcg@10')})"
        for name in sorted(v.metrics) if name != "feedback"
    ) or "–"
    cells = [
        v.version, v.status, f"{v.created_at:%Y-%m-%d %H:%M}", size,
        f"{fb[0]} (was {was})", fb[1], fb[2], benches, v.reason or "",
    ]
    return f'<tr class="{html.escape(v.status)}">' + "".join(_cell(c) for c in cells) + "</tr>"


PAGE_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2} tr.champion{background:#e9f7ec} tr.rejected{color:#666}
img{max-width:100%;height:auto;border:1px solid #ddd}
"""


def render_page(body: ModelsResponse, png: bytes) -> str:
    """The admin page: every value from the registry goes through ``html.escape``."""
    head = ["version", "status", "created (UTC)", "data", "held-out nDCG@10", "MRR", "Recall@10",
            "benchmarks nDCG@10", "reason"]
    rows = "\n".join(_row(v) for v in body.models) or f'<tr><td colspan="{len(head)}">No trained models yet: the ' \
        "configured base model serves.</td></tr>"
    plot = base64.b64encode(png).decode("ascii")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>JobsAI admin: models</title><style>{PAGE_STYLE}</style></head>
<body><main>
<h1>Model registry</h1>
<p>Serving: <strong>{html.escape(body.serving or "loading")}</strong>. Champion:
<strong>{html.escape(body.champion or "none (base model)")}</strong>. JSON: <code>GET /api/v1/models</code>.</p>
<table><thead><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in head)}</tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>{html.escape(PLOT_METRIC)} per version over time</h2>
<img alt="{html.escape(PLOT_METRIC)} per model version over time" src="data:image/png;base64,{plot}">
</main></body></html>
"""


# -- routes -------------------------------------------------------------------------------------


def models_response(service: WebService, records: Sequence[ModelRecord]) -> ModelsResponse:
    champion = next((r.version for r in records if r.status == "champion"), None)
    return ModelsResponse(serving=service.model_version, champion=champion,
                          models=[model_version(r) for r in reversed(records)])


def admin_router() -> APIRouter:
    """The admin routes with their own plot cache (mount with ``app.include_router``)."""
    cache = PlotCache()
    responses: dict[int | str, dict[str, Any]] = {
        **ERROR_RESPONSES,
        401: {"model": ErrorResponse, "description": "JOBSAI_ADMIN_TOKEN is set and the request lacks it"},
        403: {"model": ErrorResponse, "description": "No admin token is set and the request is not from this machine"},
    }
    router = APIRouter(dependencies=[Depends(require_admin)], responses=responses)

    @router.get("/api/v1/models", response_model=ModelsResponse, summary="Model registry (admin)",
                tags=["admin"])
    async def list_models(service: Service, response: Response) -> ModelsResponse:
        """Every trained model version, newest first, with the gate's metrics and the reason for its status."""
        records = await run_blocking(read_registry, service)
        response.headers.update(NO_STORE)
        return models_response(service, records)

    @router.get("/admin/models/plot.png", summary="Metrics per model version over time (admin)", tags=["admin"],
                response_class=Response, responses={200: {"content": {"image/png": {}}}})
    async def models_plot(service: Service) -> Response:
        records = await run_blocking(read_registry, service)
        png = await run_blocking(cache.png, records)
        return Response(png, media_type="image/png", headers=NO_STORE)

    @router.get("/admin", response_class=HTMLResponse, summary="Admin page: the model registry", tags=["admin"])
    async def admin_page(service: Service) -> HTMLResponse:
        records = await run_blocking(read_registry, service)
        png = await run_blocking(cache.png, records)
        return HTMLResponse(render_page(models_response(service, records), png), headers=NO_STORE)

    return router

