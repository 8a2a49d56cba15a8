"""What the review use cases answer: typed results (:class:`testament.domain.results.Result`)."""

from __future__ import annotations

from dataclasses import dataclass

from testament.domain.results import Result


@dataclass(frozen=True)
class ReviewState(Result):
    """One state of the organisation's workflow, in its place; ``second_person``: entering it needs
    someone who is not an author of the item or incident (docs/review.md); ``queued``: what is in it waits in reviewers' queues."""

    code: str
    position: int
    label_en: str
    label_uk: str
    second_person: bool
    queued: bool
    label_ar: str = ""

    def label(self, language: str) -> str:
        """The label in ``language``: an organisation names its states in English, Ukrainian and
        Arabic; the shipped states, while they keep their English label, are named in Arabic too."""
        if language == "uk" and self.label_uk:
            return self.label_uk
        if language == "ar" and self.label_ar:
            return self.label_ar
        return SHIPPED_LABELS.get((language, self.code, self.label_en), self.label_en)


# The shipped states (review.states.DEFAULT_STATES) in the pages' other languages, by their code and
# English label: a state an administrator renamed is shown as named.
SHIPPED_LABELS: dict[tuple[str, str, str], str] = {
    ("ar", "new", "New"): "جديدة",
    ("ar", "in-review", "In review"): "قيد المراجعة",
    ("ar", "verified", "Verified"): "مُتحقَّق منها",
    ("ar", "disputed", "Disputed"): "متنازع عليها",
}


@dataclass(frozen=True)
class Target(Result):
    """What is reviewed: an evidence item (``item``) or an incident, by ID."""

    kind: str
    id: str


@dataclass(frozen=True)
class ReviewChange(Result):
    """What a transition or an assignment did: the targets it changed (one custody event each) and
    those already so (nothing written for them)."""

    change: str
    value: str | None
    changed: tuple[Target, ...]
    unchanged: tuple[Target, ...]


@dataclass(frozen=True)
class ReviewComment(Result):
    """One comment: its author's username (None: the instance owner at the command line), text, time
    and the usernames it mentions."""

    id: str
    kind: str
    target_id: str
    author: str | None
    body: str
    created_at: str
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class ReviewStatus(Result):
    """Where one item or incident stands: its state (the first state when never reviewed), who set it
    and when, its assignee, whether the reader may verify it, and its comments, oldest first."""

    kind: str
    target_id: str
    case_id: str
    state: str
    state_at: str | None
    assignee: str | None
    assigned_at: str | None
    comments: tuple[ReviewComment, ...]


@dataclass(frozen=True)
class QueueEntry(Result):
    """One line of a reviewer's queue: the target, its case, title, state and assignee, and why it is
    in the queue (``assigned``, ``mentioned``, ``waiting``: in a state that needs review)."""

    kind: str
    target_id: str
    case_id: str
    case_name: str
    title: str
    state: str
    assignee: str | None
    reasons: tuple[str, ...]
    updated_at: str | None


@dataclass(frozen=True)
class TargetState(Result):
    """Where one item or incident stands, for a list or a chart: its state (the first state when
    never reviewed) and whether that state needed a second person (so was set by someone who is not
    its author: "verified")."""

    kind: str
    target_id: str
    state: str
    second_person: bool
