"""The HQ page: totals and conversion per store, seller and jeweler, sessions and sales per day,
a per-piece funnel (selected → generated → shared → sale) and the sessions as they arrive.

Everything is computed from the stored seed-000 events, plus the image store's uploads for
what no event says: a photo's currency (the kiosk's [store] currency travels with each upload)
and QR shares. A photo handed over by QR code gets no image.shared event (the kiosk cannot know
it was scanned); the devcloud counts the phones that opened its page, and each upload names
its session, so a photo whose page was opened without any WhatsApp/email send is a QR share.
"""

from __future__ import annotations

import html
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.catalog.money import money
from sync.devcloud.faults import NO_FAULTS, Faults

STYLE = """
body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#faf8f5}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
table{border-collapse:collapse;background:#fff;min-width:60%}
th,td{padding:6px 10px;border-bottom:1px solid #e6e0d8;text-align:left;vertical-align:top}
th{background:#f1ebe3;font-weight:600} td.n{text-align:right;font-variant-numeric:tabular-nums}
.kpi{display:inline-block;background:#fff;border:1px solid #e6e0d8;border-radius:8px;
padding:10px 16px;margin:0 10px 10px 0}.kpi b{display:block;font-size:22px}
.muted{color:#777}.bar{background:#b08d57;height:8px;border-radius:4px;display:inline-block;
margin-right:6px;vertical-align:middle}
.faults{background:#fdecea;border:1px solid #e7a39b;color:#7a1c12;border-radius:8px;padding:10px 14px}
.cols{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.cols table{min-width:0}
svg text{font:12px system-ui,sans-serif;fill:#555}
"""
SESSIONS_COLOUR, SALES_COLOUR = "#c9b79c", "#8a6508"
TOKEN_IN_URL = re.compile(r"/s/([A-Za-z0-9_-]{22,100})(?:/|$)")
CHART_DAYS = 30

# Each fault in words, for the banner; "{v}" is its value, "{pct}" the same as a percentage.
FAULT_WORDS: dict[str, str] = {
    "fail_rate": "{pct} of API requests answer 500", "down": "the API is down (every request 503)",
    "drop_rate": "{pct} of API answers are cut off after the work is done",
    "slow_ms": "every API request waits {v} ms", "rate_limit": "at most {v} API requests a second (429)",
    "expire_sessions_every": "login sessions expire after {v} s",
    "ignore_idempotency": "Idempotency-Key is ignored: re-sends are stored twice",
    "captive_portal": "the next {v} API answers are a store Wi-Fi login page",
    "commit_fail_rate": "{pct} of API requests are stored but answer 500",
    "fault_paths": "faults strike only {v}", "token_ttl_s": "messaging tokens live {v} s",
    "messages_429": "the next {v} message sends answer 429",
    "commerce_token_ttl_s": "catalogue tokens live {v} s", "commerce_media": "catalogue media links are {v}",
    "commerce_token_uses": "a catalogue token is refused after {v} uses",
    "commerce_rotate_refresh": "catalogue refresh tokens rotate (old ones are refused)",
    "messaging_auth_per_min": "at most {v} messaging logins a minute",
    "tryon_delay_s": "a cloud try-on takes {v} s", "tryon_fail": "cloud try-ons fail",
    "tryon_quota": "cloud try-ons answer 402 (quota exceeded)",
    "tryon_suspended": "the try-on merchant is suspended (403)",
    "tryon_sse": "the try-on event stream is off (503)", "tryon_session_ttl_s": "try-on sessions live {v} s",
    "tryon_rate_per_ip": "at most {v} try-on requests a minute per address",
    "tryon_webhook_fail_first": "the try-on webhook refuses its first {v} deliveries",
}


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def active_faults(faults: Faults) -> list[str]:
    """The faults set away from their defaults, each in words (none: an empty list)."""
    now, normal = faults.as_dict(), NO_FAULTS.as_dict()
    out = []
    for k, v in now.items():
        if k == "seed" or v == normal.get(k):
            continue
        pct = f"{float(v):.0%}" if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
        out.append(FAULT_WORDS.get(k, f"{k} = {{v}}").format(v=v, pct=pct))
    return out


@dataclass
class SalesTotals:
    sessions: int = 0
    ended: int = 0
    sales: int = 0
    photos: int = 0
    shared: int = 0
    qr: int = 0
    revenue: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, s: dict[str, Any]) -> None:
        self.sessions += 1
        self.photos += s["generated"]
        self.shared += s["shared"] + s["qr"]
        self.qr += s["qr"]
        end = s["ended"]
        if end is not None:
            self.ended += 1
            if end.get("sale_made"):
                self.sales += 1
                self.revenue[s["currency"]] += float(end.get("sale_amount") or 0)

    @property
    def conversion(self) -> float:
        # Sales over finished visits: an open visit has no outcome yet.
        return self.sales / self.ended if self.ended else 0.0


def _amount(v: float, currency: str) -> str:
    return money(v, currency) if currency else f"{v:,.0f} (currency not known)"


def revenue_text(revenue: dict[str, float]) -> str:
    parts = [_amount(v, c) for c, v in sorted(revenue.items()) if v]
    return " + ".join(parts) if parts else "0"


def summarize(events: list[dict[str, Any]], images: list[dict[str, Any]] | None = None
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    images = images or []
    sessions: dict[str, dict[str, Any]] = {}
    funnel: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"name": "", "category": "", "selected": 0, "generated": 0, "shared": 0, "sold": 0})
    sent_tokens: set[str] = set()
    for ev in events:
        sid, p, kind = ev["session_id"], ev["payload"], ev["event_type"]
        s = sessions.setdefault(sid, {"id": sid, "store": ev["store_id"], "seller": ev["seller_id"],
                                      "device": ev["device_id"], "first": ev["received_at"],
                                      "customer": "", "jeweler": "", "selected": 0, "generated": 0,
                                      "shared": 0, "qr": 0, "ended": None, "currency": ""})
        if kind == "session.started":
            s["customer"] = p.get("customer_name") or "(anonymous)"
            s["jeweler"] = p.get("jeweler_name", "")
        elif kind == "jewelry.selected":
            s["selected"] += 1
            f = funnel[p["jewelry_id"]]
            f["name"], f["category"] = p.get("jewelry_name", ""), p.get("jewelry_category", "")
            f["selected"] += 1
        elif kind == "image.generated":
            s["generated"] += 1
            funnel[p["jewelry_id"]]["generated"] += 1
            funnel[p["jewelry_id"]]["name"] = funnel[p["jewelry_id"]]["name"] or p.get("jewelry_name", "")
        elif kind == "image.shared" and p.get("share_status") == "sent":
            s["shared"] += 1
            funnel[p["jewelry_id"]]["shared"] += 1
            s["jeweler"] = s["jeweler"] or p.get("jeweler_name", "")
            if m := TOKEN_IN_URL.search(str(p.get("image_url", ""))):
                sent_tokens.add(m.group(1))
        elif kind == "session.ended":
            s["ended"] = p
            for item in p.get("purchased_items", []):
                funnel[item]["sold"] += 1
    _join_images(sessions, funnel, images, sent_tokens)
    rows = sorted(sessions.values(), key=lambda s: s["first"], reverse=True)
    items = sorted(({"id": k, **v} for k, v in funnel.items()),
                   key=lambda f: (-f["sold"], -f["shared"], -f["selected"], f["id"]))
    return rows, items


def _join_images(sessions: dict[str, dict[str, Any]], funnel: dict[str, dict[str, Any]],
                 images: list[dict[str, Any]], sent_tokens: set[str]) -> None:
    """Currencies and QR shares from the uploads (see the module docstring)."""
    by_jeweler = {i["jeweler_name"]: i["currency"] for i in images if i.get("currency")}
    piece_by_name = {f["name"]: pid for pid, f in funnel.items() if f["name"]}
    for img in images:
        s = sessions.get(str(img.get("session_id") or ""))
        if s is None:
            continue
        s["currency"] = s["currency"] or str(img.get("currency") or "")
        if img.get("opened") and img["token"] not in sent_tokens:
            s["qr"] += 1
            pid = piece_by_name.get(str(img.get("jewelry_name") or ""))
            if pid is not None:
                funnel[pid]["shared"] += 1
    for s in sessions.values():
        s["currency"] = s["currency"] or by_jeweler.get(s["jeweler"], "")


def group(sessions: list[dict[str, Any]],
          key: Callable[[dict[str, Any]], str]) -> list[tuple[str, SalesTotals]]:
    out: dict[str, SalesTotals] = defaultdict(SalesTotals)
    for s in sessions:
        out[key(s)].add(s)
    return sorted(out.items(), key=lambda kv: (-kv[1].sales, -kv[1].sessions, kv[0]))


def per_day(sessions: list[dict[str, Any]], now: float, days: int = CHART_DAYS) -> list[tuple[str, int, int]]:
    """(day, sessions, sales) for each of the last `days` days that end today, by the day a visit
    began (local time), oldest first; days with nothing are there with zeros."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in sessions:
        c = counts[time.strftime("%Y-%m-%d", time.localtime(s["first"]))]
        c[0] += 1
        c[1] += bool(s["ended"] and s["ended"].get("sale_made"))
    first = min((s["first"] for s in sessions), default=now)
    span = min(days, max(7, int((now - first) // 86400) + 1))      # a week at least: a readable chart
    out = []
    for back in range(span - 1, -1, -1):
        day = time.strftime("%Y-%m-%d", time.localtime(now - back * 86400))
        n, sold = counts.get(day, [0, 0])
        out.append((day, n, sold))
    return out


def chart(days: list[tuple[str, int, int]], width: int = 760, height: int = 220) -> str:
    """Sessions and sales per day as an inline SVG bar chart (no script, prints as it is)."""
    left, bottom, top = 36, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([n for _, n, _ in days] + [1])
    lines = min(4, peak)                               # up to four gridlines, whole numbers
    step = -(-peak // lines)
    peak = step * lines
    slot = plot_w / len(days)
    bar = max(2.0, min(18.0, slot * 0.38))
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
           f"aria-label='Sessions and sales per day, last {len(days)} days'>"]
    for i in range(lines + 1):
        y = top + plot_h - plot_h * i / lines
        out.append(f"<line x1='{left}' x2='{width - 8}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e6e0d8'/>"
                   f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end'>{step * i}</text>")
    label_every = max(1, -(-len(days) // 10))
    for i, (day, n, sold) in enumerate(days):
        x = left + slot * i + slot / 2
        for value, colour, dx, what in ((n, SESSIONS_COLOUR, -bar, "sessions"),
                                        (sold, SALES_COLOUR, 0, "sales")):
            h = plot_h * value / peak
            out.append(f"<rect x='{x + dx:.1f}' y='{top + plot_h - h:.1f}' width='{bar:.1f}' "
                       f"height='{h:.1f}' fill='{colour}'><title>{day}: {value} {what}</title></rect>")
        if i % label_every == 0 or i == len(days) - 1:
            label = time.strftime("%d %b", time.strptime(day, "%Y-%m-%d"))
            out.append(f"<text x='{x:.1f}' y='{height - 10}' text-anchor='middle'>{label}</text>")
    out.append("</svg>")
    key = "<span class=bar style='width:14px;background:{}'></span>{}"
    legend = (f"<p class=muted>{key.format(SESSIONS_COLOUR, 'sessions')} &nbsp; "
              f"{key.format(SALES_COLOUR, 'sales')}</p>")
    return "".join(out) + legend


def _totals_table(title: str, what: str, rows: list[tuple[str, SalesTotals]]) -> str:
    out = [f"<div><h2>{_e(title)}</h2><table><tr><th>{_e(what)}</th><th>sessions</th><th>sales</th>"
           "<th>conversion</th><th>revenue</th><th>photos</th><th>shared (QR)</th></tr>"]
    for name, t in rows[:50]:
        out.append(f"<tr><td>{_e(name or '(none)')}</td><td class=n>{t.sessions}</td>"
                   f"<td class=n>{t.sales}</td>"
                   f"<td><span class=bar style='width:{t.conversion * 80:.0f}px'></span>{t.conversion:.0%}"
                   f"</td><td class=n>{_e(revenue_text(t.revenue))}</td><td class=n>{t.photos}</td>"
                   f"<td class=n>{t.shared} ({t.qr})</td></tr>")
    if not rows:
        out.append("<tr><td colspan=7 class=muted>no sessions yet</td></tr>")
    return "".join(out) + "</table></div>"


def render(events: list[dict[str, Any]], counts: dict[str, int], faults: Faults,
           messages: list[dict[str, Any]] | None = None, images: list[dict[str, Any]] | None = None,
           now: float | None = None) -> str:
    now = time.time() if now is None else now
    sessions, items = summarize(events, images)
    total = SalesTotals()
    for s in sessions:
        total.add(s)
    out = [f"<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' content='5'>"
           f"<title>Devcloud HQ</title><style>{STYLE}</style></head><body>",
           "<h1>Devcloud HQ</h1><p class='muted'>Local reference cloud (seeds 000, 001 and 003)."
           f" Refreshes every 5 s. Page built {time.strftime('%H:%M:%S', time.localtime(now))}.</p>"]
    if on := active_faults(faults):
        out.append("<p class=faults><b>Faults on:</b> " + "; ".join(_e(f) for f in on) + ".</p>")
    kpis = [("sessions", total.sessions), ("finished", total.ended), ("sales", total.sales),
            ("conversion (sales / finished)", f"{total.conversion:.0%}"),
            ("revenue", revenue_text(total.revenue)), ("photos", total.photos),
            ("shared (of which by QR)", f"{total.shared} ({total.qr})"), ("events", counts["events"]),
            ("repeat deliveries (deduplicated)", counts["event_repeats"]),
            ("stored twice (duplicates)", counts["event_duplicates"]), ("persons", counts["persons"])]
    out.append("".join(f"<span class='kpi'><b>{_e(v)}</b>{_e(k)}</span>" for k, v in kpis))
    out.append(f"<h2>Sessions and sales per day</h2>{chart(per_day(sessions, now))}")
    out.append("<div class=cols>"
               + _totals_table("Per store", "store", group(sessions, lambda s: s["store"]))
               + _totals_table("Per seller", "store / seller",
                               group(sessions, lambda s: f"{s['store']} / {s['seller']}"))
               + _totals_table("Per jeweler", "jeweler", group(sessions, lambda s: s["jeweler"]))
               + "</div>")
    out.append("<h2>Funnel per piece</h2><table><tr><th>piece</th><th>category</th><th>selected</th>"
               "<th>generated</th><th>shared</th><th>sale</th><th>selected → sale</th></tr>")
    for f in items[:200]:
        rate = f["sold"] / f["selected"] if f["selected"] else 0.0
        out.append(f"<tr><td>{_e(f['name'] or f['id'])}<br><span class='muted'>{_e(f['id'])}</span></td>"
                   f"<td>{_e(f['category'])}</td><td class=n>{f['selected']}</td>"
                   f"<td class=n>{f['generated']}</td><td class=n>{f['shared']}</td>"
                   f"<td class=n>{f['sold']}</td><td><span class=bar style='width:{rate * 120:.0f}px'>"
                   f"</span>{rate:.0%}</td></tr>")
    if not items:
        out.append("<tr><td colspan=7 class=muted>no pieces selected yet</td></tr>")
    out.append("</table><h2>Sessions (newest first)</h2><table><tr><th>started</th><th>customer</th>"
               "<th>jeweler</th><th>store / seller / device</th><th>tried</th><th>photos</th>"
               "<th>shared (QR)</th><th>outcome</th></tr>")
    for s in sessions[:200]:
        end = s["ended"]
        if end is None:
            outcome = "<span class=muted>open</span>"
        elif end.get("sale_made"):
            outcome = f"sale {_e(_amount(float(end.get('sale_amount') or 0), s['currency']))}"
        else:
            outcome = "no sale"
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(s["first"]))
        out.append(f"<tr><td>{started}</td><td>{_e(s['customer'])}</td><td>{_e(s['jeweler'])}</td>"
                   f"<td>{_e(s['store'])} / {_e(s['seller'])} / {_e(s['device'])}</td>"
                   f"<td class=n>{s['selected']}</td><td class=n>{s['generated']}</td>"
                   f"<td class=n>{s['shared'] + s['qr']} ({s['qr']})</td><td>{outcome}</td></tr>")
    if not sessions:
        out.append("<tr><td colspan=8 class=muted>no sessions yet: run the kiosk or "
                   "<code>kiosk simulate --sessions 50</code></td></tr>")
    out.append("</table><h2>Messages sent (seed 003, newest first)</h2><table><tr><th>sent</th>"
               "<th>provider</th><th>to</th><th>message</th><th>message id</th></tr>")
    for m in list(reversed(messages or []))[:100]:
        to = m["recipient"].get("phone") or m["recipient"].get("email") or ""
        out.append(f"<tr><td>{_e(m['created_at'])}</td><td>{_e(m['provider'])}</td><td>{_e(to)}</td>"
                   f"<td>{_e(m['content'])}</td><td class=muted>{_e(m['message_sid'])}</td></tr>")
    if not messages:
        out.append("<tr><td colspan=5 class=muted>no messages yet</td></tr>")
    out.append("</table></body></html>")
    return "".join(out)
