"""One request's records toolkit: its read meter and loader, the caller's rules, and a reader, writer and
presenter built on them. It holds collaborators only; each does one job."""

from __future__ import annotations

from functools import cached_property

from shared.catalog.repository import CollectionRepository
from shared.records.context import RequestContext
from shared.records.hooks import RecordHooks
from shared.records.model import ReadMeter
from shared.records.presenter import RecordPresenter
from shared.records.reader import RecordReader
from shared.records.record_loader import RecordLoader
from shared.records.repository import RecordRepository
from shared.records.request_rules import RequestRules
from shared.records.writer import RecordWriter

DEFAULT_QUERY_BUDGET = 10_000


class RecordScope:
    def __init__(self, collections: CollectionRepository, records: RecordRepository, request: RequestContext,
                 hooks: RecordHooks | None = None, query_budget: int = DEFAULT_QUERY_BUDGET) -> None:
        self.collections = collections
        self.records = records
        self.request = request
        self.hooks = hooks if hooks is not None else RecordHooks()
        self.query_budget = query_budget
        self.meter = ReadMeter(budget=self.query_budget)
        self.loader = RecordLoader(self.collections, self.records, self.meter)

    @cached_property
    def rules(self) -> RequestRules:
        return RequestRules(self.request, self.loader)

    @cached_property
    def presenter(self) -> RecordPresenter:
        return RecordPresenter(self.rules, self.loader)

    @cached_property
    def reader(self) -> RecordReader:
        return RecordReader(self.collections, self.records, self.rules, self.presenter, self.meter)

    @cached_property
    def writer(self) -> RecordWriter:
        return RecordWriter(self.collections, self.records, self.rules, self.hooks)

    def acting_as(self, request: RequestContext) -> RecordScope:
        """The same reads and pending changes seen by another request (a batch sub-request, a system action)."""
        derived = RecordScope(self.collections, self.records, request, self.hooks, self.query_budget)
        derived.meter = self.meter
        derived.loader = self.loader
        return derived
