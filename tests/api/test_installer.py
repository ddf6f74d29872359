"""First run (shared/accounts/installer.py): no install link once a superuser exists; the placeholder's own rules.
The link's whole flow runs in a browser in tests/ui/test_first_run.py."""

from __future__ import annotations

from local.stack import first_run_link
from shared.accounts.installer import INSTALLER_EMAIL
from tests.support.in_process import InProcessStack
from tests.support.records_api import Api


def test_with_a_superuser_there_is_no_link_and_no_placeholder(stack: InProcessStack, api: Api) -> None:
    # the suite's stack bootstrapped a superuser: a `lambdabase run` start prints no link
    assert first_run_link(stack.url) is None
    emails = [r["email"] for r in api.list_records("_superusers", perPage=200)["items"]]
    assert INSTALLER_EMAIL not in emails

