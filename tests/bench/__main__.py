"""Entry point of `make bench`: runs every benchmark and prints its ratios."""

from tests.bench import cold_start, goals, records, relations, warm

if __name__ == "__main__":
    cold_start.report()
    warm.report()
    records.report()
    relations.report()
    goals.print_table()
