"""Entry point of `make bench`: runs every benchmark and prints its ratios."""

from tests.bench import (
    aggregates,
    audit,
    backups,
    client_ip,
    cold_instructions,
    cold_start,
    computed,
    crons,
    deploy,
    direct_uploads,
    files_serving,
    formulas,
    goals,
    local_fidelity,
    local_speed,
    realtime_protocol,
    realtime_sse,
    records,
    relations,
    request_logs,
    settings,
    soak,
    uploads,
    warm,
    webhooks,
    writes,
)
from tests.bench import imports as bulk_import
from tests.bench import realtime as realtime_fanout

if __name__ == "__main__":
    cold_start.report()
    cold_instructions.report()
    warm.report()
    records.report()
    relations.report()
    writes.report()
    bulk_import.report()
    deploy.report()
    local_fidelity.report()
    local_speed.report()
    soak.report()
    crons.report()
    request_logs.report()
    backups.report()
    settings.report()
    realtime_protocol.report()
    client_ip.report()
    realtime_fanout.report()
    files_serving.report()
    uploads.report()
    direct_uploads.report()
    webhooks.report()
    audit.report()
    realtime_sse.report()
    formulas.report()
    computed.report()
    aggregates.report()
    goals.print_table()
