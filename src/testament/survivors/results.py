"""What the survivors use cases answer: the field names are the JSON keys, in order.

None of these carries more of a person than the dicts they replace did: a person appears by ID and
pseudonymous label, a grant, a need or a referral by its codes and dates, a testimony by its metadata
(its words only in :class:`TestimonyShown`, read under identity access and logged).
"""

from __future__ import annotations

from dataclasses import dataclass

from testament.domain.results import Result


@dataclass(frozen=True)
class PersonSummary(Result):
    """What anyone who may read the case sees: ID, label and whether the vault holds an identity
    (``sealed``, ``none`` or ``erased``)."""

    id: str
    label: str
    identity: str


@dataclass(frozen=True)
class GrantView(Result):
    """A consent grant as recorded (without who recorded it), with its state today."""

    id: str
    person_id: str
    purpose: str
    recipient_class: str
    data_scope: str
    identifiability: str
    mode: str
    language: str
    info_sheet_version: str
    understanding_checked: bool
    granted_at: str
    expires_at: str | None
    revoked_at: str | None
    withdrawal_id: str | None
    state: str


@dataclass(frozen=True)
class ServiceView(Result):
    """A service of the directory."""

    id: str
    name: str
    areas: list[str]
    region: str
    contact: str
    languages: list[str]
    created_at: str


@dataclass(frozen=True)
class ReferralView(Result):
    """A referral of a need to a service (without who recorded it)."""

    id: str
    person_id: str
    need_id: str
    service_id: str
    referred_at: str
    status: str
    follow_up_due: str | None
    updated_at: str


@dataclass(frozen=True)
class ReferralListed(ReferralView):
    """A referral among a person's needs, with the service's name."""

    service: str


@dataclass(frozen=True)
class NeedView(Result):
    """A person's assessed need with its referrals; never its note."""

    id: str
    person_id: str
    area: str
    urgency: str
    assessed_at: str
    addressed_at: str | None
    referrals: list[ReferralListed]


@dataclass(frozen=True)
class NeedWithNote(Result):
    """A need with its note unsealed (read for a stated purpose, an ``access`` event)."""

    id: str
    person_id: str
    area: str
    urgency: str
    assessed_at: str
    addressed_at: str | None
    note: str
    referrals: list[ReferralListed]


@dataclass(frozen=True)
class UrgentNeed(Result):
    """An unaddressed urgent need of a case, by the person's ID and label."""

    id: str
    person_id: str
    label: str
    area: str
    assessed_at: str
    referral_pending: bool


@dataclass(frozen=True)
class RequestHeld(Result):
    """A registry request as a coordinator of the holding case sees it."""

    id: str
    side: str
    state: str
    case: str
    person: str
    label: str
    asked_by: str
    asked_at: str
    decided_by: str | None
    decided_at: str | None


@dataclass(frozen=True)
class RequestAsked(Result):
    """A registry request as the one who asked sees it: its state and whom to contact."""

    id: str
    side: str
    state: str
    asked_at: str
    contact: str
    decided_at: str | None


@dataclass(frozen=True)
class AttestationView(Result):
    """A training attestation, with whether it holds now."""

    id: int
    topic: str
    attested_at: str
    expires_at: str | None
    revoked_at: str | None
    recorded_by: int
    active: bool


@dataclass(frozen=True)
class TestimonyListed(Result):
    """A testimony in a person's list: when, in what language, by whom; never its words."""

    id: str
    started_at: str
    ended_at: str | None
    timezone: str
    language: str
    interviewer: str
    risk_assessment_id: str
    recording_item_id: str | None
    recorded_at: str


@dataclass(frozen=True)
class FactInBrief(Result):
    position: int
    knowledge: str


@dataclass(frozen=True)
class FactShown(Result):
    position: int
    knowledge: str
    statement: str


@dataclass(frozen=True)
class TestimonyMetadata(Result):
    """A testimony's metadata: what anyone who may read the person's case sees."""

    id: str
    person_id: str
    risk_assessment_id: str
    interviewer: str
    started_at: str
    ended_at: str | None
    timezone: str
    place: str
    language: str
    interpreter: str
    contact_via: str
    recording_item_id: str | None
    nothing_promised: bool
    given: str
    guardian_consent: bool
    child_assent: bool
    reinterview_justification: str
    intended_use: str
    intended_recipient: str
    why_needed: str
    best_interests: str
    recorded_at: str
    recorded_by: int
    case_id: str
    present: list[str]
    started_local: str | None
    ended_local: str | None


@dataclass(frozen=True)
class TestimonyDescribed(TestimonyMetadata):
    """The metadata, whether it holds an account and a summary, and its facts' sources, no words."""

    has_account: bool
    has_summary: bool
    facts: list[FactInBrief]


@dataclass(frozen=True)
class TestimonyShown(TestimonyMetadata):
    """The metadata with the words unsealed (:data:`identity.ERASED` where erasure removed them)."""

    account: str | None
    summary: str | None
    facts: list[FactShown]


@dataclass(frozen=True)
class FollowUp(Result):
    """One thing to act on: a referral to follow up, or an urgent need that no referral is pending for.

    It names the person by ID and pseudonymous label only; never a name or a note.
    """

    kind: str  # "referral" or "urgent-need"
    case_id: str
    case: str
    person_id: str
    label: str
    need_id: str
    area: str
    urgency: str
    assessed_at: str
    referral_id: str | None = None
    service_id: str | None = None
    status: str | None = None
    follow_up_due: str | None = None


@dataclass(frozen=True)
class AssessmentInBrief(Result):
    """A person's latest risk assessment as the intake shows it: its decision and flags, never its
    texts (``overridden``: whether a supervisor overrode the default)."""

    id: str
    flags: list[str]
    decision: str
    overridden: bool
    assessed_at: str


@dataclass(frozen=True)
class InterviewInBrief(Result):
    """A testimony as the intake shows it: when, by whom, and whether anything was promised or given."""

    id: str
    started_at: str
    timezone: str
    interviewer: str
    something_given: bool


@dataclass(frozen=True)
class PartnerMatch(Result):
    """One of a partner's opaque references whose encoding matches a name, and how closely."""

    ref: str
    similarity: float


@dataclass(frozen=True)
class Term(Result):
    """A vocabulary's term as a form offers it: its code, label and definition in one language."""

    code: str
    label: str
    definition: str


@dataclass(frozen=True)
class RecipientToTell(Result):
    """A recipient already served under withdrawn grants, who must be told: whom, since when, how often."""

    recipient: str
    recipient_class: str
    first_served: str
    uses: int


@dataclass(frozen=True)
class Withdrawal(Result):
    """A withdrawal of consent: its ID, the grants it revoked and the recipients to tell."""

    id: str
    revoked: list[str]
    to_tell: list[RecipientToTell]


@dataclass(frozen=True)
class ErasureReport(Result):
    """What an erasure did (IDs and counts, never content) and who must be told."""

    erasure: str
    person: str
    grounds: str
    log_index: int
    grants_revoked: int
    to_tell: list[RecipientToTell]
    recordings_shredded: list[str]  # blob digests
    recordings_kept: list[str]  # also evidence elsewhere, or kept by policy


@dataclass(frozen=True)
class InterviewHeld(Result):
    """An earlier interview of a matched person: when and by whom."""

    id: str
    started_at: str
    interviewer: str


@dataclass(frozen=True)
class GrantHeld(Result):
    """A matched person's consent grant, by its codes and its state."""

    purpose: str
    recipient_class: str
    data_scope: str
    state: str


@dataclass(frozen=True)
class Match(Result):
    """A person the registry matched, on a case the asker holds a role on: the pseudonymous ID and
    label, the case, the score (to three places), the earlier interviews and the consent held."""

    person: str
    label: str
    case: str
    score: float
    interviews: list[InterviewHeld]
    grants: list[GrantHeld]


@dataclass(frozen=True)
class HeldElsewhere(Result):
    """A possible earlier account, held in a case the asker has no role on: only that it exists, whom
    to contact, and the request the holding case's coordinators will decide."""

    held_elsewhere: bool
    request: str
    contact: str
