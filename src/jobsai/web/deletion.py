"""The page a deletion link opens: ``/delete#token=…``, whose script POSTs the token.

Why a fragment: the link the UI shows used to carry the secret deletion token in its query
(``/?radera=…``), so it landed in the server's access log and in the browser's history, and
with a referrer it could travel to other sites. A URL's fragment is never sent to the server;
the page's script reads it, removes it from the address bar and history at once
(``history.replaceState``), and sends the token in the body of ``POST /api/v1/feedback/delete``
only when the person clicks Delete (a link preview or prefetch deletes nothing).

The page carries its own strict Content-Security-Policy: its one script and stylesheet are
allowed by their hashes, nothing else runs, and it may only talk to this origin.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from jobsai.web.i18n import as_lang, t

SCRIPT = """(function () {
  "use strict";
  var words = JSON.parse(document.getElementById("jobsai-words").textContent);
  var token = new URLSearchParams(window.location.hash.slice(1)).get("token") || "";
  if (window.location.hash) {
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var input = document.getElementById("token");
  var msg = document.getElementById("msg");
  input.value = token;
  document.getElementById("delete-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = input.value.trim();
    if (!value) { msg.textContent = words.missing; return; }
    msg.textContent = words.working;
    fetch("api/v1/feedback/delete", {
      method: "POST", headers: {"Content-Type": "application/json"}, cache: "no-store",
      credentials: "same-origin", body: JSON.stringify({token: value})
    }).then(function (r) {
      return r.json().then(function (body) { return {status: r.status, body: body}; });
    }).then(function (res) {
      if (res.status === 200) { msg.textContent = words.done.replace("{n}", res.body.deleted); input.value = ""; }
      else if (res.status === 404) { msg.textContent = words.none; }
      else { msg.textContent = (res.body && res.body.message) || words.failed; }
    }).catch(function () { msg.textContent = words.failed; });
  });
})();"""

STYLE = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;
background:#f8fafc}main{max-width:40rem;margin:2rem auto;padding:1.2rem 1.4rem;background:#fff;
border:1px solid #e2e8f0;border-radius:12px}
h1{font-size:1.4rem;margin:0 0 .6rem 0}label{display:block;font-weight:600;margin:.8rem 0 .3rem 0}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;font-size:.9rem;border:1px solid #94a3b8;
border-radius:8px}button{margin-top:.8rem;padding:.5rem 1.2rem;font:inherit;font-weight:600;color:#fff;
background:#b91c1c;border:0;border-radius:8px;cursor:pointer}button:focus-visible,input:focus-visible,a:focus-visible{
outline:3px solid #2563eb;outline-offset:2px}#msg{min-height:1.5em;font-weight:600}"""


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


PAGE_CSP = (
    f"default-src 'none'; script-src {_sha256(SCRIPT)}; style-src {_sha256(STYLE)}; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def delete_link(token: str, lang: str = "sv") -> str:
    """The link the UI shows, relative to the app's root: the token in the fragment, never sent to a server."""
    return f"./delete?lang={as_lang(lang)}#token={token}"


def render_page(lang: str) -> str:
    """The deletion page in ``lang`` (Swedish unless English); every word is escaped."""
    code = as_lang(lang)
    words = {
        "missing": t(code, "delete_missing"), "working": t(code, "delete_page_working"),
        "done": t(code, "delete_done", n="{n}"), "none": t(code, "delete_none"),
        "failed": t(code, "delete_page_failed"),
    }
    words_json = json.dumps(words, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    e = html.escape
    return f"""<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">
<title>{e(t(code, "delete_title"))} – JobsAI</title><style>{STYLE}</style></head>
<body><main>
<h1>{e(t(code, "delete_title"))}</h1>
<p>{e(t(code, "delete_page_intro"))}</p>
<noscript><p>{e(t(code, "delete_page_noscript"))}</p></noscript>
<form id="delete-form" autocomplete="off">
<label for="token">{e(t(code, "delete_token"))}</label>
<input id="token" name="token" type="text" spellcheck="false" autocapitalize="off" maxlength="100">
<button id="delete-btn" type="submit">{e(t(code, "delete_button"))}</button>
</form>
<p id="msg" role="status" aria-live="polite"></p>
<p><a href="./">{e(t(code, "delete_page_back"))}</a></p>
</main>
<script id="jobsai-words" type="application/json">{words_json}</script>
<script>{SCRIPT}</script>
</body></html>
"""


def deletion_router() -> APIRouter:
    """``GET /delete``: the page (``?lang=en`` for English); the token stays in the fragment."""
    router = APIRouter(include_in_schema=False)

    @router.get("/delete", response_class=HTMLResponse)
    async def delete_page(lang: str = "sv") -> HTMLResponse:
        return HTMLResponse(render_page(lang), headers=PAGE_HEADERS)

    return router
