"""The "geoPoint" field: {"lon", "lat"} coordinates, where (0, 0) counts as empty."""


import json
from typing import Any, Literal

from shared.collections.coerce import to_number
from shared.collections.field_errors import FieldError, required_error
from shared.collections.fields.base import BaseField


class GeoPointField(BaseField):
    """PocketBase's GeoPointField."""

    type: Literal["geoPoint"] = "geoPoint"
    required: bool = False

    def default_value(self) -> dict[str, int | float]:
        return {"lon": 0, "lat": 0}

    def normalize(self, raw: Any) -> dict[str, int | float]:
        """Accepts an object or its JSON text; anything else is the zero point."""
        if isinstance(raw, str | bytes):
            try:
                raw = json.loads(raw) if raw else None
            except ValueError:
                raw = None
        if not isinstance(raw, dict):
            return self.default_value()
        return {"lon": to_number(raw.get("lon")), "lat": to_number(raw.get("lat"))}

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        if not isinstance(value, dict):
            raise FieldError("validation_invalid_value", "Invalid value.")
        lon, lat = value.get("lon", 0), value.get("lat", 0)
        if lon == 0 and lat == 0:
            if self.required:
                raise required_error()
            return
        if not -90 <= lat <= 90:
            raise FieldError("validation_invalid_latitude", "Latitude must be between -90 and 90 degrees.")
        if not -180 <= lon <= 180:
            raise FieldError("validation_invalid_longitude", "Longitude must be between -180 and 180 degrees.")
