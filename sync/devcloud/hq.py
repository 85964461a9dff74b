"""The HQ page: sessions as they arrive and a per-piece funnel, selected → generated → shared → sale."""

from __future__ import annotations

import html
import time
from collections import defaultdict
from typing import Any

from sync.devcloud.faults import Faults

STYLE = """
body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#faf8f5}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
table{border-collapse:collapse;background:#fff;min-width:60%}
th,td{padding:6px 10px;border-bottom:1px solid #e6e0d8;text-align:left;vertical-align:top}
th{background:#f1ebe3;font-weight:600} td.n{text-align:right;font-variant-numeric:tabular-nums}
.kpi{display:inline-block;background:#fff;border:1px solid #e6e0d8;border-radius:8px;
padding:10px 16px;margin:0 10px 10px 0}.kpi b{display:block;font-size:22px}
.muted{color:#777}.bar{background:#b08d57;height:8px;border-radius:4px}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def _money(v: float) -> str:
    return f"{v:,.2f}"


def summarize(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sessions: dict[str, dict[str, Any]] = {}
    funnel: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"name": "", "category": "", "selected": 0, "generated": 0, "shared": 0, "sold": 0})
    for ev in events:
        sid, p, kind = ev["session_id"], ev["payload"], ev["event_type"]
        s = sessions.setdefault(sid, {"id": sid, "store": ev["store_id"], "seller": ev["seller_id"],
                                      "device": ev["device_id"], "first": ev["received_at"],
                                      "customer": "", "jeweler": "", "selected": 0, "generated": 0,
                                      "shared": 0, "ended": None})
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
        elif kind == "session.ended":
            s["ended"] = p
            for item in p.get("purchased_items", []):
                funnel[item]["sold"] += 1
    rows = sorted(sessions.values(), key=lambda s: s["first"], reverse=True)
    items = sorted(({"id": k, **v} for k, v in funnel.items()),
                   key=lambda f: (-f["sold"], -f["shared"], -f["selected"], f["id"]))
    return rows, items


def render(events: list[dict[str, Any]], counts: dict[str, int], faults: Faults,
           messages: list[dict[str, Any]] | None = None) -> str:
    sessions, items = summarize(events)
    ended = [s for s in sessions if s["ended"]]
    sales = [s for s in ended if s["ended"].get("sale_made")]
    revenue = sum(float(s["ended"].get("sale_amount", 0)) for s in sales)
    active = {k: v for k, v in faults.as_dict().items() if v and k != "seed"}
    out = [f"<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' content='5'>"
           f"<title>Devcloud HQ</title><style>{STYLE}</style></head><body>",
           "<h1>Devcloud HQ</h1><p class='muted'>Local reference cloud (seeds 000, 001 and 003)."
           f" Refreshes every 5 s. Page built {time.strftime('%H:%M:%S')}."
           + (f" <b>Faults on: {_e(active)}</b>" if active else "") + "</p>"]
    kpis = [("sessions", len(sessions)), ("ended", len(ended)), ("sales", len(sales)),
            ("revenue", _money(revenue)), ("events", counts["events"]),
            ("repeat deliveries (deduplicated)", counts["event_repeats"]),
            ("stored twice (duplicates)", counts["event_duplicates"]), ("persons", counts["persons"])]
    out.append("".join(f"<span class='kpi'><b>{_e(v)}</b>{_e(k)}</span>" for k, v in kpis))
    out.append("<h2>Funnel per piece</h2><table><tr><th>piece</th><th>category</th><th>selected</th>"
               "<th>generated</th><th>shared</th><th>sale</th><th>selected → sale</th></tr>")
    for f in items[:200]:
        rate = f["sold"] / f["selected"] if f["selected"] else 0.0
        out.append(f"<tr><td>{_e(f['name'] or f['id'])}<br><span class='muted'>{_e(f['id'])}</span></td>"
                   f"<td>{_e(f['category'])}</td><td class=n>{f['selected']}</td>"
                   f"<td class=n>{f['generated']}</td><td class=n>{f['shared']}</td>"
                   f"<td class=n>{f['sold']}</td><td><div class=bar style='width:{rate * 120:.0f}px'>"
                   f"</div>{rate:.0%}</td></tr>")
    if not items:
        out.append("<tr><td colspan=7 class=muted>no pieces selected yet</td></tr>")
    out.append("</table><h2>Sessions (newest first)</h2><table><tr><th>started</th><th>customer</th>"
               "<th>jeweler</th><th>store / seller / device</th><th>tried</th><th>photos</th>"
               "<th>shared</th><th>outcome</th></tr>")
    for s in sessions[:200]:
        end = s["ended"]
        if end is None:
            outcome = "<span class=muted>open</span>"
        elif end.get("sale_made"):
            outcome = f"sale {_money(float(end.get('sale_amount', 0)))}"
        else:
            outcome = "no sale"
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(s["first"]))
        out.append(f"<tr><td>{started}</td><td>{_e(s['customer'])}</td><td>{_e(s['jeweler'])}</td>"
                   f"<td>{_e(s['store'])} / {_e(s['seller'])} / {_e(s['device'])}</td>"
                   f"<td class=n>{s['selected']}</td><td class=n>{s['generated']}</td>"
                   f"<td class=n>{s['shared']}</td><td>{outcome}</td></tr>")
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
