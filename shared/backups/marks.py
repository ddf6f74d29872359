"""The marks a restore leaves on the items it writes, so that the change stream can tell its writes apart.

A restore writes every archived item with `rs = <restoreId>#<nonce>` (a new nonce each time a step runs), and
before deleting a record it sets `rsd` on it. A stream record is a restore's own write, to be neither counted
nor published, exactly when
- its new image carries an `rs` that its old image did not carry (the write that put the item), or
- it deletes an item whose old image carries `rsd` (the restore's delete).
Later writes by the API either drop `rs` (a record is written whole) or keep it unchanged: both are counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RESTORE_ATTR = "rs"
RESTORE_DELETE_ATTR = "rsd"


def is_restore_write(new_image: Mapping[str, Any] | None, old_image: Mapping[str, Any] | None) -> bool:
    """Whether a change with these images (plain values) is a restore's own write."""
    if new_image is None:
        return bool(old_image and old_image.get(RESTORE_DELETE_ATTR))
    mark = new_image.get(RESTORE_ATTR)
    return bool(mark) and mark != (old_image or {}).get(RESTORE_ATTR)
