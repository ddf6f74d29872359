"""Form submissions' metadata (IP, user agent, time, the record made) and per-form counts: models, the
interface and an in-memory fake; superusers alone read them (`GET /api/forms/{slug}/submissions`)."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

# The newest submissions a page lists; older ones page on with `before`.
MAX_PAGE = 200


class FormSubmission(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    form_id: str
    record_id: str
    collection_id: str
    ip: str
    user_agent: str
    created: str  # PocketBase's datetime format, UTC


class FormSubmissionsStorageError(Exception):
    """The submissions store failed (the record it describes is written: see docs/api-views.md)."""


class FormSubmissionRepository(ABC):
    @abstractmethod
    def add(self, submission: FormSubmission) -> None:
        """Store one submission and count it, together: a count never misses nor doubles a stored submission."""

    @abstractmethod
    def count(self, form_id: str) -> int:
        """The exact number of submissions stored for this form."""

    @abstractmethod
    def newest(self, form_id: str, limit: int, before: str = "") -> list[FormSubmission]:
        """This form's submissions, newest first, older than `before` (a `created` value) when given."""


class InMemoryFormSubmissionRepository(FormSubmissionRepository):
    def __init__(self) -> None:
        self._items: dict[str, list[FormSubmission]] = {}
        self._lock = threading.Lock()

    def add(self, submission: FormSubmission) -> None:
        with self._lock:
            items = self._items.setdefault(submission.form_id, [])
            if all(s.record_id != submission.record_id for s in items):
                items.append(submission)

    def count(self, form_id: str) -> int:
        with self._lock:
            return len(self._items.get(form_id, []))

    def newest(self, form_id: str, limit: int, before: str = "") -> list[FormSubmission]:
        with self._lock:
            items = sorted(self._items.get(form_id, []), key=lambda s: (s.created, s.record_id), reverse=True)
        return [s for s in items if not before or s.created < before][:limit]
