"""What Lambdabase answers differently from PocketBase today, one line each, shared by the scenario tables.

Each is used as a strict xfail reason: when a difference is fixed its scenarios pass, the xfail turns into a
failure, and the mark (and, once unused, the line here) is removed. LB_CONFORMANCE_LOG=<file> logs both answers.
Deliberate differences are no xfails: they live in deliberate.py and docs/compatibility.md.
"""

# Records
DELETE_REFERENCED_500 = "deleting a record that other records reference (non-required relation) answers 500"
REQUIRED_REFERENCE_TEXT = (
    "deleting a record a required relation holds: 'The record cannot be deleted because it is part of a required "
    "reference in another record.', PocketBase 'Failed to delete record. Make sure that the record is not part of "
    "a required relation reference.'"
)
DANGLING_RELATIONS = "relations to a deleted record are kept, PocketBase removes the id from the referencing records"

# Batch
BATCH_BAD_BODY = (
    "a disabled batch with a malformed JSON body answers the body's 400 (every function parses bodies first), "
    "PocketBase 403"
)
