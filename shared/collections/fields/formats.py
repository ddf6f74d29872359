"""Email, URL and domain format checks approximating the Go validators PocketBase relies on."""


import ipaddress
import re
from urllib.parse import urlsplit

_EMAIL_USER = re.compile(r"^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_QUOTED_EMAIL_USER = re.compile(r'^"(?:[^"\\]|\\.)*"$')
_DNS_LABEL = re.compile(r"^[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$")
_DOMAIN = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{1,63}|xn--[a-z0-9]{1,59})$", re.IGNORECASE
)
_URL_HOST_LABEL = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*$")


def is_email(value: str) -> bool:
    """govalidator.IsExistingEmail without DNS: sane lengths, a valid local part and a DNS host."""
    if not 6 <= len(value) <= 254 or "@" not in value:
        return False
    user, _, host = value.rpartition("@")
    if not user or len(user) > 64 or not host:
        return False
    if not (_EMAIL_USER.match(user) or _QUOTED_EMAIL_USER.match(user)):
        return False
    if host.startswith("[") and host.endswith("]"):
        return _is_ip(host[1:-1])
    return is_dns_name(host)


def is_dns_name(value: str) -> bool:
    """A hostname made of valid labels (no IP literals)."""
    if not value or len(value) > 255 or _is_ip(value):
        return False
    return all(_DNS_LABEL.match(label) for label in value.rstrip(".").split("."))


def is_domain(value: str) -> bool:
    """ozzo's is.Domain: dotted labels ending in an alphabetic TLD."""
    return 0 < len(value) <= 255 and _DOMAIN.match(value) is not None


def is_url(value: str) -> bool:
    """govalidator.IsURL in spirit: optional scheme, a host (name, localhost or IP) and no whitespace."""
    if not value or len(value) >= 2083 or value.startswith(".") or any(c.isspace() for c in value):
        return False
    candidate = value if "://" in value else "http://" + value
    try:
        parts = urlsplit(candidate)
        host = parts.hostname or ""
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    if not _URL_SCHEME.match(parts.scheme) or not host:
        return False
    if _is_ip(host):
        return True
    return all(_URL_HOST_LABEL.match(label) for label in host.rstrip(".").split("."))


def url_host(value: str) -> str:
    """The host[:port] part as Go's url.Parse gives it (empty when there is no scheme)."""
    try:
        return urlsplit(value).netloc.rpartition("@")[2]
    except ValueError:
        return ""


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
