"""What changed between two versions of a collection, matched by field id, for the lazy storage layer.

Because records keep values keyed by field id: a rename needs no data rewrite, a removed field's values
are ignored on read (and may be cleaned up lazily), and an added field reads as its default.
"""

from __future__ import annotations

import msgspec
from msgspec.structs import replace

from shared.collections.indexes import IndexSpec, build_index, try_parse_index
from shared.collections.model import Collection


class FieldRename(msgspec.Struct, frozen=True):
    field_id: str
    old_name: str
    new_name: str


class SchemaChange(msgspec.Struct, frozen=True):
    """Differences between an old and a new collection."""

    added_field_ids: tuple[str, ...] = ()
    removed_field_ids: tuple[str, ...] = ()
    renamed_fields: tuple[FieldRename, ...] = ()
    # select/relation/file fields switching between one value and a list; reads normalise either shape
    multiplicity_changed_field_ids: tuple[str, ...] = ()
    old_collection_name: str = ""
    new_collection_name: str = ""
    added_indexes: tuple[IndexSpec, ...] = ()
    removed_indexes: tuple[IndexSpec, ...] = ()

    @property
    def collection_renamed(self) -> bool:
        return self.old_collection_name != self.new_collection_name

    @property
    def is_empty(self) -> bool:
        return not (self.added_field_ids or self.removed_field_ids or self.renamed_fields
                    or self.multiplicity_changed_field_ids or self.collection_renamed
                    or self.added_indexes or self.removed_indexes)


def plan_schema_change(old: Collection, new: Collection) -> SchemaChange:
    """Compare two versions of a collection (fields matched by id, indexes by their full definition)."""
    old_fields = {field.id: field for field in old.fields}
    new_fields = {field.id: field for field in new.fields}
    old_indexes = _indexes_by_definition(old)
    new_indexes = _indexes_by_definition(new)
    return SchemaChange(
        added_field_ids=tuple(fid for fid in new_fields if fid not in old_fields),
        removed_field_ids=tuple(fid for fid in old_fields if fid not in new_fields),
        renamed_fields=tuple(
            FieldRename(fid, old_fields[fid].name, field.name)
            for fid, field in new_fields.items() if fid in old_fields and old_fields[fid].name != field.name
        ),
        multiplicity_changed_field_ids=tuple(
            fid for fid, field in new_fields.items()
            if fid in old_fields and old_fields[fid].is_multiple() != field.is_multiple()
        ),
        old_collection_name=old.name,
        new_collection_name=new.name,
        added_indexes=tuple(spec for key, spec in new_indexes.items() if key not in old_indexes),
        removed_indexes=tuple(spec for key, spec in old_indexes.items() if key not in new_indexes),
    )


def _indexes_by_definition(collection: Collection) -> dict[str, IndexSpec]:
    specs = {}
    for raw in collection.indexes:
        spec = try_parse_index(raw)
        if spec is not None:
            # the table name follows the collection, so it doesn't make an index different
            specs[build_index(replace(spec, table="t"))] = spec
    return specs
