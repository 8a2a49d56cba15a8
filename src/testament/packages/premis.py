"""The custody excerpt as PREMIS 3 XML (``data/custody/premis.xml``), for archives and case systems
that read PREMIS rather than JSON.

It is a rendering of ``entries.jsonl`` and says nothing the entries do not: one ``event`` per entry
(its ID, type as the Library of Congress or local URI, time, detail, outcome, agent and the object it
concerns), one ``object`` per original (its SHA-256 as fixity, its size and format), and one ``agent``
per agent reference. The entries, not this file, are what the proofs cover (PREM-05).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree import ElementTree as ET

from testament.domain.custody import CustodyEventType, event_type_uri

NAMESPACE = "http://www.loc.gov/premis/v3"
ENTRY_SCHEME = "testament-custody-event"
ITEM_SCHEME = "testament-item"
AGENT_SCHEME = "testament-agent"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _identifier(parent: ET.Element, kind: str, scheme: str, value: str) -> None:
    holder = _add(parent, f"{kind}Identifier")
    _add(holder, f"{kind}IdentifierType", scheme)
    _add(holder, f"{kind}IdentifierValue", value)


def _object(root: ET.Element, item: Mapping[str, Any]) -> None:
    found = _add(root, "object", **{"{http://www.w3.org/2001/XMLSchema-instance}type": "file"})
    _identifier(found, "object", ITEM_SCHEME, str(item["id"]))
    traits = _add(found, "objectCharacteristics")
    fixity = _add(traits, "fixity")
    _add(fixity, "messageDigestAlgorithm", "SHA-256")
    _add(fixity, "messageDigest", str(item["sha256"]))
    _add(traits, "size", str(item["size"]))
    form = _add(_add(_add(traits, "format"), "formatDesignation"), "formatName")
    form.text = str(item["media_type"])
    _add(found, "originalName", str(item["original_name"]))


def _event(root: ET.Element, entry: Mapping[str, Any]) -> None:
    event = _add(root, "event")
    _identifier(event, "event", ENTRY_SCHEME, str(entry.get("id")))
    kind = str(entry.get("type"))
    try:
        uri = event_type_uri(CustodyEventType(kind))
    except ValueError:
        uri = ""
    _add(event, "eventType", kind, **({"valueURI": uri} if uri else {}))
    _add(event, "eventDateTime", str(entry.get("time")))
    if entry.get("detail"):
        detail = json.dumps(entry["detail"], sort_keys=True, ensure_ascii=False)
        _add(_add(event, "eventDetailInformation"), "eventDetail", detail)
    _add(_add(event, "eventOutcomeInformation"), "eventOutcome", str(entry.get("outcome")))
    agent = _add(event, "linkingAgentIdentifier")
    _add(agent, "linkingAgentIdentifierType", AGENT_SCHEME)
    _add(agent, "linkingAgentIdentifierValue", str(entry.get("agent")))
    if entry.get("item"):
        linked = _add(event, "linkingObjectIdentifier")
        _add(linked, "linkingObjectIdentifierType", ITEM_SCHEME)
        _add(linked, "linkingObjectIdentifierValue", str(entry["item"]))


def render(entries: Iterable[Mapping[str, Any]], items: Iterable[Mapping[str, Any]]) -> str:
    """PREMIS 3 XML for the excerpt's ``entries`` (parsed) and the package's ``items``."""
    ET.register_namespace("", NAMESPACE)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = ET.Element(f"{{{NAMESPACE}}}premis", {"version": "3.0"})
    seen: set[str] = set()
    for item in items:
        if item["sha256"] not in seen:
            seen.add(str(item["sha256"]))
            _object(root, item)
    agents: list[str] = []
    listed = list(entries)
    for entry in listed:
        _event(root, entry)
        if entry.get("agent") not in agents:
            agents.append(str(entry.get("agent")))
    for reference in agents:
        agent = _add(root, "agent")
        _identifier(agent, "agent", AGENT_SCHEME, reference)
        _add(agent, "agentType", "person or software acting for the instance")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
