"""Benchmark: finding a community by postcode, by location and by place name.

Usage: .venv/bin/python bench/lookup.py [--rounds 2000]

Loads the full demo dataset (8 LPUs, 122 communities with boundaries) into a
temporary SQLite database, builds the lookup index the bot uses, and times each
kind of lookup over varied inputs. Prints the median and 99th percentile in
microseconds. The goal is a median under 1 ms for each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.officers.index import CommunityIndex
from handlers.officers.postcodes import parse_postcode
from storage.demo.loader import load_demo


def time_each(inputs: list[object], lookup: Callable[[object], object]) -> tuple[float, float]:
    samples = []
    for item in inputs:
        started = time.perf_counter_ns()
        lookup(item)
        samples.append((time.perf_counter_ns() - started) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


async def build_index(folder: Path) -> CommunityIndex:
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.db'}")
    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        async with app.deps.uow() as uow:
            return await app.deps.communities.get(uow, time.monotonic())
    finally:
        await app.close()


def postcode_lookup(index: CommunityIndex) -> Callable[[object], object]:
    def find(text: object) -> object:
        postcode = parse_postcode(str(text))
        if postcode is None:
            return None
        if postcode.sector:
            return index.by_sector(postcode.sector)
        return index.by_outward(postcode.outward)

    return find


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        index = asyncio.run(build_index(Path(folder)))
    places = list(index.places.values())
    sectors = [s for p in places for s in p.sectors]
    postcodes = [
        f"{rng.choice(sectors)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
        for _ in range(args.rounds)
    ]
    postcodes = [pc if i % 3 else pc.replace(" ", "").lower() for i, pc in enumerate(postcodes)]
    centres = [p.centroid for p in places if p.centroid]
    points = [
        (lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.03, 0.03))
        for lat, lon in (rng.choice(centres) for _ in range(args.rounds))
    ]

    def misspell(name: str) -> str:
        i = rng.randrange(len(name))
        return name[:i] + name[i + 1 :] if len(name) > 4 else name

    names = [misspell(rng.choice(places).name) for _ in range(args.rounds)]
    print(f"communities: {len(places)}, postcode sectors: {len(sectors)}, rounds: {args.rounds}")
    print(f"{'lookup':<22}{'median (µs)':>14}{'p99 (µs)':>12}")
    for label, inputs, lookup in (
        ("postcode", postcodes, postcode_lookup(index)),
        ("location", points, lambda p: index.by_point(*p)),  # type: ignore[misc]
        ("place name (typo)", names, lambda n: index.by_name(str(n))),
    ):
        median, p99 = time_each(list(inputs), lookup)
        print(f"{label:<22}{median:>14.1f}{p99:>12.1f}")


if __name__ == "__main__":
    main()
