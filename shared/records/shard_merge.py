"""The first records of a collection in id order across its write shards, in a few parallel rounds of reads.

Records are write-sharded by a hash of their id over their collection's S shards (keys.shard_of; S = 2 for a
collection created now, 8 for older ones), so every shard holds about 1/S of any id range. A page therefore
needs about `want / S` records from each shard, but which ones is only known once the shards have answered.
The rounds:

1. every shard is asked, all at once, for its first `ceil(want / S) + 1` records (one wave of requests);
2. once `want` records are known, the `want`-th is a certain end of the page: the shards whose frontier lies
   before it are asked for the ids up to it (a key-condition bound, so nothing past it is read), each for at
   most the records the page still lacks, which completes the page in this round.
   With fewer known (a shard ran short), estimate the id E at which the merged order reaches `want` records
   (a rate per shard, from how far each shard's answer reached) and bound the reads there instead;
3. records up to the nearest frontier are certain; if fewer than `want` are, repeat 2 from the new
   frontiers (rare: only after an estimate, or a read cut by its limit).

Worked example, want 20, 2 shards: round 1 reads 11 records from each (22); in about a third of pages the
nearer frontier is already past the 20th id (1 round trip, 2 requests), otherwise the shard behind is asked
for the few the page lacks (at most 9: its own 11 are certain), up to the 20th id known: median 23 records,
at most 31, 3 requests and 2 round trips. With 8 shards: 4 a shard (32), then the one or two shards behind:
median 33 records in 10 requests and 2 round trips, where reading shard after shard took 10 sequential
requests.

Why one record a shard past the even share in round 1: a consistent Query is billed per request (1 RCU per
4 KB, rounded up, at least 1), so for records under about 1 KB a page costs its request count. At 8 shards,
asking each for its even share minus one (3, `ceil(want / 8) - 1`) read fewer records (median 27) but needed
round 2 on nearly every shard: 15 requests (so about 15 RCU), 2.1 round trips, and a long tail (up to 84
records and 3 round trips). The share plus one: about 10 requests and 10 RCU, and 1.9 round trips; at 2
shards the same rule reads 0.8 records a page more than the even share (23.4 against 22.6) in 2.7 requests
and 1.7 round trips instead of 3 and 2.

Correctness never depends on the estimate: a shard's records are known exactly up to its frontier (the key
its last answer reached), and only records before every unfinished shard's frontier are returned.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterator

import msgspec

from shared.records.model import ReadMeter, StoredRecord

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_DIGIT = {c: i + 1 for i, c in enumerate(_ALPHABET)}
# Ids as numbers for the estimate: the first characters in base 37 (0 = end of the id), or base 256 for
# ids with other characters. Generated ids are 15 characters: 8 of creation time, 7 random.
_KEY_CHARS = 16
# Past this many rounds the estimate is abandoned: every unfinished shard reads twice its share of the page.
_ESTIMATED_ROUNDS = 4
# A draining read asks every shard for this many records a round (DynamoDB answers at most 1 MB anyway).
DRAIN_PAGE = 1000
# Round 1 asks each shard for its even share of the page plus this many: fewer requests per page (module doc).
FIRST_ROUND_EXTRA = 1


class ShardRead(msgspec.Struct, frozen=True):
    """Read one shard in the merge's direction: records strictly past `after`, up to `bound` inclusive,
    at most `limit` evaluated."""

    shard: int
    after: str | None
    bound: str | None
    limit: int


class ShardAnswer(msgspec.Struct):
    """What one read found, and how far it certainly reached: every record of the shard between the read's
    `after` and `reached` is in `records` (unless a pushed-down comparison dropped it); `finished` when the
    shard has nothing past `reached` within the read's bound (or at all, for an unbounded read)."""

    records: list[StoredRecord]
    reached: str | None
    finished: bool
    items_read: int


def within_budget(reads: list[ShardRead], meter: ReadMeter) -> list[ShardRead]:
    """The reads with their limits cut so that a wave passes the query budget by at most one item a shard:
    the budget's 400 then comes after about the budget's reads, not a whole wave more."""
    if meter.budget is None:
        return reads
    share = max(1, (meter.budget - meter.items_read) // len(reads) + 1)
    return [r if r.limit <= share else msgspec.structs.replace(r, limit=share) for r in reads]


# Runs one wave of reads, in parallel where storage allows, and meters it as one round trip.
Wave = Callable[[list[ShardRead]], list[ShardAnswer]]


class _Order:
    """Comparisons and id arithmetic in the merge's direction (descending reverses them)."""

    def __init__(self, forward: bool) -> None:
        self.forward = forward
        self.base = 37
        self._numbers: dict[str, int] = {}  # a page's estimate asks for the same ids again and again

    def see(self, key: str) -> None:
        """Take a key into account: base 37 until some key has a character outside the generated ids'."""
        if self.base == 37 and key[:_KEY_CHARS].strip(_ALPHABET):  # some character outside the alphabet
            self.base = 256
            self._numbers.clear()

    def before(self, a: str, b: str) -> bool:
        return a < b if self.forward else a > b

    def first(self, values: list[str]) -> str:
        return min(values) if self.forward else max(values)

    def number(self, key: str) -> int:
        known = self._numbers.get(key)
        if known is not None:
            return known
        digits = [(_DIGIT[c] if self.base == 37 else min(ord(c), 255)) for c in key[:_KEY_CHARS]]
        value = 0
        for d in digits + [0] * (_KEY_CHARS - len(digits)):
            value = value * self.base + d
        value = value if self.forward else -value
        self._numbers[key] = value
        return value

    def key(self, number: int) -> str:
        number = number if self.forward else -number
        digits = []
        for _ in range(_KEY_CHARS):
            number, d = divmod(max(number, 0), self.base)
            digits.append(d)
        chars = []
        for d in reversed(digits):
            if d == 0:
                break  # an end of key: the string before it is the nearest key at or below the number
            chars.append(_ALPHABET[d - 1] if self.base == 37 else chr(d))
        return "".join(chars)


class _Shard(msgspec.Struct):
    number: int
    reached: str | None = None
    finished: bool = False


def merged(wave: Wave, shards: int, want: int, *, forward: bool = True, after: str | None = None,
           drain: bool = False) -> Iterator[StoredRecord]:
    """The records of every shard merged in id order (from past `after`): the first `want` in a few parallel
    rounds, then further chunks the same way for as long as the caller pulls. `drain`: the caller will read
    everything (a total, an in-memory sort, a join), so every shard reads its largest pages, no estimate."""
    merge = _Merge(wave, shards, forward, after, drain)
    chunk, pulled = max(1, want), 0
    while True:
        page, finished = merge.take(chunk)
        yield from page
        if finished or not page:
            return
        pulled += len(page)
        # Past the first chunk the caller is filtering: half the want again covers a filter that drops up to a
        # third, and doubling from there reaches a rare match in a logarithmic number of rounds.
        chunk = min(max(1, want // 2) if pulled == len(page) else chunk * 2, 1000)


class _Merge:
    """The shards' frontiers and the records read past the last chunk taken, kept for the next chunk."""

    def __init__(self, wave: Wave, count: int, forward: bool, after: str | None, drain: bool) -> None:
        self.wave = wave
        self.drain = drain
        self.count = count
        self.forward = forward
        self.shards = [_Shard(n, reached=after) for n in range(count)]
        self.known: dict[str, StoredRecord] = {}
        self.source: dict[str, int] = {}
        self.started = False
        self.order = _Order(forward)
        if after is not None:
            self.order.see(after)

    def take(self, want: int) -> tuple[list[StoredRecord], bool]:
        """The next `want` records in order, and whether the shards hold nothing more."""
        reads: list[ShardRead] = []
        if not self.started:
            self.started = True
            per_shard = DRAIN_PAGE if self.drain else max(1, math.ceil(want / self.count) + FIRST_ROUND_EXTRA)
            reads = [ShardRead(s.number, s.reached, None, per_shard) for s in self.shards]
        rounds = 0
        while True:
            if reads:
                self._apply(reads)
                rounds += 1
            order = self.order
            ordered = sorted(self.known.values(), key=lambda r: r.id, reverse=not self.forward)
            open_shards = [s for s in self.shards if not s.finished]
            if not open_shards:
                return self._taken(ordered[:want]), len(ordered) <= want
            missing: int | None = None
            if all(s.reached is not None for s in open_shards):
                frontier = order.first([s.reached for s in open_shards if s.reached is not None])
                certain = [r for r in ordered if not order.before(frontier, r.id)]
                if len(certain) >= want:
                    return self._taken(certain[:want]), False
                missing = want - len(certain)
            estimate = not self.drain and rounds < _ESTIMATED_ROUNDS
            bound = _bound(order, ordered, open_shards, self.source, want) if estimate else None
            # A shard reads at most twice its share a round: an estimate fooled by a burst of ids (imports,
            # traffic spikes) costs another round, not a page per shard; skewed shards take more rounds.
            limit = DRAIN_PAGE if self.drain else 2 * math.ceil(want / self.count) + 2
            if bound is not None and missing is not None and len(ordered) >= want:
                # Bounded at the want-th known id, no shard can add more than the `missing` records the page
                # lacks, and a shard that returns them all moves the certain records up to `want`: this round
                # completes the page whichever shard they come from (only pushed-down filters can stop short).
                limit = missing
            reads = [ShardRead(s.number, s.reached, bound, limit) for s in open_shards
                     if bound is None or s.reached is None or order.before(s.reached, bound)]

    def _apply(self, reads: list[ShardRead]) -> None:
        for read, answer in zip(reads, self.wave(reads), strict=True):
            shard = self.shards[read.shard]
            for record in answer.records:
                self.known[record.id] = record
                self.source[record.id] = read.shard
                self.order.see(record.id)
            if answer.reached is not None:
                shard.reached = answer.reached
                self.order.see(answer.reached)
            shard.finished = answer.finished and read.bound is None

    def _taken(self, page: list[StoredRecord]) -> list[StoredRecord]:
        for record in page:
            del self.known[record.id]
            del self.source[record.id]
        return page


def _bound(order: _Order, ordered: list[StoredRecord], open_shards: list[_Shard], source: dict[str, int],
           want: int) -> str | None:
    """The `want`-th record already known (the page ends there at the latest); with fewer known, the id at which
    about `want` records (plus a standard deviation) lie, from the open shards' rate."""
    if any(s.reached is None for s in open_shards) or not ordered:
        return None
    if len(ordered) >= want:
        # The `want`-th record known is a certain end of the page: bounded there, the next round completes it
        # (take() sizes those reads), where an estimate short of it could take a third round trip for a few
        # records less (2 shards: 1 page in 42 took 3 round trips).
        frontier = order.first([s.reached for s in open_shards if s.reached is not None])
        cap_id = ordered[want - 1].id
        return cap_id if order.before(frontier, cap_id) else None
    # from the first record known, not from where reading started: a quiet stretch before it says nothing of
    # the density
    origin = order.number(ordered[0].id)
    reach = [order.number(s.reached) for s in open_shards if s.reached is not None]
    exposure = sum(max(0, r - origin) for r in reach)
    open_numbers = {s.number for s in open_shards}
    seen = sum(1 for r in ordered if source[r.id] in open_numbers and order.number(r.id) > origin)
    if exposure <= 0 or seen == 0:
        return None
    rate = seen / exposure
    numbers = [order.number(r.id) for r in ordered]
    # The gaps between a shard's records, pooled: their median resists an outlier (a record created long
    # before the rest makes the pooled rate far too low and the bound far too wide), so it overrules a much
    # lower pooled rate.
    spans: dict[int, list[int]] = {}
    for record, number in zip(ordered, numbers, strict=True):
        if source[record.id] in open_numbers:
            spans.setdefault(source[record.id], []).append(number)
    gaps = sorted(b - a for ns in spans.values() for a, b in itertools.pairwise(ns) if b > a)
    if len(gaps) >= 3:
        # for evenly random ids the gaps are exponential, whose median is ln 2 times the mean
        robust = math.log(2) / gaps[len(gaps) // 2]
        rate = robust if rate < robust / 2 else rate
    target = want + math.sqrt(want)

    def expected(at: int) -> float:
        # `numbers` ascend (the merge's order, negated when descending), so a bisection counts them
        return bisect.bisect_right(numbers, at) + sum(rate * (at - r) for r in reach if r < at)

    nearest = min(reach)
    low, high = nearest, max(reach) + 1
    while expected(high) < target:
        high += high - origin + 1
    while low < high:
        mid = (low + high) // 2
        if expected(mid) < target:
            low = mid + 1
        else:
            high = mid
    if low <= nearest:  # a bound must move the nearest frontier on
        low = nearest + max(1, (nearest - origin) // 2)
    bound = order.key(low)
    frontier = order.first([s.reached for s in open_shards if s.reached is not None])
    return bound if bound and order.before(frontier, bound) else None
