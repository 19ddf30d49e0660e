"""Agents' decisions on recurring demands through the gateway: name, merge, split, development, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import test_insights_api as api
from support.history import history
from support.waiting import eventually

from insights.adapters import store
from insights.entrypoints.demands import regroup
from plumbing import postgres
from plumbing.bus import Bus

# The gateway and insights on a NATS server of their own, and the console's log-in: as the figures' tests.
site, console = api.site, api.console
DEMANDS = "/api/v1/agent/insights/demands"
EN = {"Accept-Language": "en"}


async def grouped(postgres_url: str) -> None:
    """A planted history of three weeks, grouped (again, if the service's own first round raced ours)."""
    planted = history(800, seed=11, start=datetime.now(UTC) - timedelta(days=20), days=20)
    async with postgres.open_pool(postgres_url) as pool:
        async with pool.connection() as conn:
            await store.save_tickets(conn, planted.tickets)
            await store.save_chats(conn, planted.chats)

        async def some() -> bool:
            await regroup(pool, window_days=90)()
            async with pool.connection() as conn:
                cursor = await conn.execute("SELECT count(*) FROM demands")
                return bool((await cursor.fetchone() or (0,))[0])

        await eventually(some, what="the demands grouped")


def refusal(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["message"]


async def test_agents_name_merge_split_and_send_demands_to_development(
    site: tuple[str, Any, Bus], postgres_url: str
) -> None:
    url, accounts, _ = site
    await grouped(postgres_url)
    fabio = await console(url, accounts, "fabio@example.com", "agent", "Financeiro")
    admin = await console(url, accounts, "root@example.com", "admin")
    period = {"period": f"{(datetime.now(UTC) - timedelta(days=13)).date()}..{datetime.now(UTC).date()}"}
    try:
        page = (await admin.get(DEMANDS, params=period)).json()
        a, b, c = page["demands"][:3]
        assert {"name", "merged_from", "development", "decisions"} <= a.keys()
        assert {"number", "title"} <= a["members"][0].keys()

        # department=: an agent only for their own, and then only that department's share.
        theirs = await fabio.get(DEMANDS, params=period | {"department": "Financeiro"})
        assert theirs.status_code == 200
        everything = {d["id"]: d["size"] for d in page["demands"]}
        assert all(d["size"] <= everything[d["id"]] for d in theirs.json()["demands"])
        other = await fabio.get(DEMANDS, params=period | {"department": "Suporte"})
        assert other.status_code == 403 and other.json()["fields"][0]["reason"] == "department_not_yours"

        named = await fabio.put(f"{DEMANDS}/{a['id']}/name", json={"name": "  Boleto em atraso  "})
        assert named.status_code == 200, named.text
        assert named.json() | {"decisions": None} == {
            "id": a["id"], "name": "Boleto em atraso", "merged_into": None, "development": None, "decisions": None
        }  # fmt: skip
        assert [(d["kind"], d["by"], d["name"]) for d in named.json()["decisions"]] == [
            ("named", "Fabio", "Boleto em atraso")
        ]
        too_long = await fabio.put(f"{DEMANDS}/{a['id']}/name", json={"name": "x" * 121}, headers=EN)
        assert too_long.status_code == 422
        assert too_long.json()["fields"][0] | {"message": ""} == {
            "field": "name", "reason": "string_too_long", "message": ""
        }  # fmt: skip

        merged = await fabio.post(f"{DEMANDS}/{b['id']}/merge", json={"into": a["id"]})
        assert merged.status_code == 200 and merged.json()["merged_into"] == a["id"]
        chain = await fabio.post(f"{DEMANDS}/{c['id']}/merge", json={"into": b["id"]})
        assert refusal(chain) == (
            409,
            "demand_already_merged",
            "Uma das demandas já está unida a outra: separe-a antes (não há uniões em cadeia).",
        )
        chain_en = await fabio.post(f"{DEMANDS}/{c['id']}/merge", json={"into": b["id"]}, headers=EN)
        assert refusal(chain_en)[2].startswith("One of the demands is already merged")
        itself = await fabio.post(f"{DEMANDS}/{a['id']}/merge", json={"into": a["id"]})
        assert refusal(itself)[:2] == (409, "demand_merge_itself")
        unknown = await fabio.post(f"{DEMANDS}/{c['id']}/merge", json={"into": "nope"}, headers=EN)
        assert refusal(unknown) == (
            404,
            "demand_unknown",
            "Unknown demand: it is not among the demands grouped now.",
        )
        assert unknown.json()["fields"][0]["field"] == "into"
        assert (await fabio.put(f"{DEMANDS}/nope/name", json={"name": "x"})).status_code == 404
        assert refusal(await fabio.delete(f"{DEMANDS}/{c['id']}/merge"))[:2] == (409, "demand_not_merged")
        assert (await fabio.post(f"{DEMANDS}/{c['id']}/merge", json={})).status_code == 422

        blank = await fabio.put(f"{DEMANDS}/{a['id']}/development", json={"note": "   "})
        assert blank.status_code == 422 and blank.json()["fields"][0]["field"] == "note"
        sent = await fabio.put(f"{DEMANDS}/{a['id']}/development", json={"note": "JIRA-123"})
        assert sent.status_code == 200 and sent.json()["development"]["note"] == "JIRA-123"
        assert sent.json()["development"]["by"] == "Fabio"
        not_sent = await admin.delete(f"{DEMANDS}/{c['id']}/development", headers=EN)
        assert refusal(not_sent) == (409, "demand_not_sent", "This demand was not sent to development.")

        shown = {d["id"]: d for d in (await admin.get(DEMANDS, params=period)).json()["demands"]}
        assert b["id"] not in shown and shown[a["id"]]["size"] == a["size"] + b["size"]
        assert shown[a["id"]]["name"] == "Boleto em atraso" and shown[a["id"]]["merged_from"] == [b["id"]]
        assert [d["kind"] for d in shown[a["id"]]["decisions"]] == ["named", "merged", "sent_to_development"]

        withdrawn = await admin.delete(f"{DEMANDS}/{a['id']}/development")
        assert withdrawn.status_code == 200 and withdrawn.json()["development"] is None
        assert withdrawn.json()["decisions"][-1]["by"] == "Root"
        split = await admin.delete(f"{DEMANDS}/{b['id']}/merge")
        assert split.status_code == 200 and split.json()["merged_into"] is None
        assert b["id"] in {d["id"] for d in (await admin.get(DEMANDS, params=period)).json()["demands"]}

        # A console write needs the CSRF header, like every other.
        forged = await fabio.put(
            f"{DEMANDS}/{a['id']}/name", json={"name": "x"}, headers={"X-CSRF-Token": "forged"}
        )
        assert forged.status_code == 403
    finally:
        for client in (fabio, admin):
            await client.aclose()
