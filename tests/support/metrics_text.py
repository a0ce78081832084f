"""Read a Prometheus text exposition the way Prometheus does, for assertions."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Key = tuple[str, tuple[tuple[str, str], ...]]


def samples(exposition: str) -> dict[Key, float]:
    """Every sample, keyed by its name and its labels in sorted order."""
    found: dict[Key, float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found
