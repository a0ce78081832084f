"""Load the demo communities into any database; running it twice changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from storage.models import Community, Force, Lpu
from storage.uow import UnitOfWork

DEMO_FILE = Path(__file__).resolve().parent / "communities.json"


def read_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


async def load_demo(uow: UnitOfWork, path: Path = DEMO_FILE) -> int:
    """Insert or update the demo force, LPUs and communities; returns how many communities."""
    data = read_demo(path)
    repo = uow.communities
    force_data = data["force"]
    force = await repo.force_by_slug(force_data["slug"])
    if force is None:
        force = Force(slug=force_data["slug"], name=force_data["name"])
        await repo.add(force)
    assert force.id is not None
    lpu_ids: dict[str, int] = {}
    for item in data["lpus"]:
        lpu = await repo.lpu_by_slug(item["slug"])
        if lpu is None:
            lpu = Lpu(slug=item["slug"], name=item["name"], force_id=force.id)
        lpu.name = item["name"]
        await repo.add(lpu)
        assert lpu.id is not None
        lpu_ids[item["slug"]] = lpu.id
    for item in data["communities"]:
        community = await repo.by_slug(item["slug"])
        if community is None:
            community = Community(
                slug=item["slug"], name=item["name"], force_id=force.id, lpu_id=lpu_ids[item["lpu"]]
            )
        community.name = item["name"]
        community.lpu_id = lpu_ids[item["lpu"]]
        community.postcode_sectors = ",".join(item.get("postcode_sectors", []))
        centroid = item.get("centroid")
        if centroid:
            community.centroid_lat, community.centroid_lon = centroid
        await repo.add(community)
    return len(data["communities"])
