"""An evidence item's custody timeline and the proof a stranger checks offline with `testament log`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict

from testament.api.deps import instance
from testament.custody import custody_log
from testament.custody.instance import Instance
from testament.custody.results import TimelineEvent
from testament.http.auth import Who

router = APIRouter(tags=["custody"])
Inst = Annotated[Instance, Depends(instance)]

# The item named in these paths is the policy's to hide (``hide_unseen``, before the route), and each
# use case asks again in its own transaction: the routes ask nothing themselves.


class Timeline(BaseModel):
    """An evidence item's custody events, oldest first."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = True
    items: list[TimelineEvent]


@router.get("/evidence/{item_id}/custody", response_model=Timeline)
def timeline(item_id: str, inst: Inst, who: Who) -> Timeline:
    """Every custody event of the item, oldest first, with its index in the log."""
    return Timeline(items=custody_log.item_timeline(inst, item_id))


@router.get("/evidence/{item_id}/proof", response_class=PlainTextResponse)
def proof(item_id: str, inst: Inst, who: Who) -> PlainTextResponse:
    """The c2sp.org/tlog-proof that the item's ingestion entry is in the signed log.

    Check it offline: `testament log verify-proof PROOF --entry ENTRY --key KEY`, with the entry from
    ``/evidence/{item_id}/proof/entry`` and the key from ``/log/key``.
    """
    text = custody_log.prove_entry(inst, custody_log.ingestion_index(inst, item_id))
    disposition = f'attachment; filename="{item_id}.tlog-proof"'
    return PlainTextResponse(text, headers={"Content-Disposition": disposition})


@router.get("/evidence/{item_id}/proof/entry")
def proof_entry(item_id: str, inst: Inst, who: Who) -> Response:
    """The exact bytes of the item's ingestion entry (the leaf the proof is about)."""
    data = custody_log.entry(inst, custody_log.ingestion_index(inst, item_id))
    disposition = f'attachment; filename="{item_id}.entry.json"'
    return Response(
        data, media_type="application/json", headers={"Content-Disposition": disposition}
    )


@router.get("/log/key", response_class=PlainTextResponse)
def key(inst: Inst, who: Who) -> str:
    """The log's verifier key (a signed-note verifier key)."""
    return custody_log.verifier_key(inst) + "\n"


@router.get("/log/checkpoint", response_class=PlainTextResponse)
def checkpoint(inst: Inst, who: Who) -> str:
    """The latest signed checkpoint."""
    return custody_log.latest_checkpoint(inst)
