"""The ERP's logistics reference data: the item catalogue, warehouses, their stock, carriers and rates.

Five warehouses sit in the world's busiest places of five postcode regions, so most customers have a
warehouse in their zone and some do not. Each warehouse carries most items but not all, and a few
items are scarce everywhere, so a batch of orders meets stock-outs and splits. Capacity and stock
grow with the world (per 3,000 people), so the routing problem keeps its shape at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from customers.world._export import Columns
from customers.world._world import World

ITEMS: Final = (
    ("Desk lamp", 1.4, 34.9),
    ("Office chair", 14.5, 189.0),
    ("Standing desk frame", 28.0, 329.0),
    ("Monitor arm", 3.2, 79.0),
    ("Wireless keyboard", 0.7, 49.9),
    ("Wireless mouse", 0.2, 24.9),
    ("USB-C dock", 0.5, 129.0),
    ("27-inch monitor", 6.8, 279.0),
    ("Laptop stand", 1.1, 39.9),
    ("Noise-cancelling headset", 0.4, 149.0),
    ("Webcam", 0.3, 69.0),
    ("Printer paper, 5 reams", 12.5, 29.9),
    ("Laser printer", 9.8, 219.0),
    ("Toner cartridge", 1.2, 74.0),
    ("Filing cabinet", 22.0, 159.0),
    ("Bookshelf", 18.5, 119.0),
    ("Whiteboard", 7.5, 64.0),
    ("Coffee machine", 5.6, 199.0),
    ("Coffee beans, 1 kg", 1.0, 18.9),
    ("Water filter jug", 1.3, 27.5),
    ("Shredder", 8.9, 139.0),
    ("Label printer", 1.6, 89.0),
    ("Label tape", 0.1, 12.9),
    ("Cable organiser", 0.3, 14.9),
    ("Power strip", 0.6, 22.9),
    ("Extension cable, 10 m", 1.1, 19.9),
    ("Floor mat", 4.2, 54.0),
    ("Desk drawer unit", 16.0, 99.0),
    ("Ergonomic footrest", 2.1, 44.0),
    ("Document tray set", 0.9, 16.9),
    ("Stapler", 0.4, 11.9),
    ("Staples, 10 boxes", 0.8, 9.9),
    ("Notebook pack", 1.5, 15.9),
    ("Pen set", 0.2, 8.9),
    ("Backpack", 1.0, 59.0),
    ("Laptop sleeve", 0.3, 24.0),
    ("Desk plant", 2.5, 21.0),
    ("Air purifier", 6.1, 169.0),
    ("Space heater", 3.9, 59.0),
    ("First-aid kit", 0.9, 29.0),
)
"""Name, typical weight (kg) and price of each item; the world jitters weights and prices by its seed."""

WAREHOUSES: Final = 5
CAPACITY_PER_3000: Final = (40, 35, 30, 25, 20)
"""Shipments per day of each warehouse in a world of 3,000 people (scaled with the world, at least 2)."""
CARRIES: Final = 0.8
"""Chance that a warehouse carries an item at all."""
SCARCE: Final = 8
"""Items scarce in every warehouse (a handful each, some none)."""

CARRIERS: Final = (
    # id, name, service level, cut-off hour, zone transit days, zone base price, weight bands (kg)
    ("CR-PW", "Parcelway", "standard", 16, (1, 2, 3, 4), (4.9, 6.4, 8.2, 10.5), (2.0, 5.0, 10.0, 20.0, 31.5)),
    ("CR-SX", "Swift Express", "express", 14, (1, 1, 2, 2), (9.5, 12.0, 15.5, 19.0), (2.0, 5.0, 10.0, 20.0, 31.5)),
    ("CR-GL", "Greenline Economy", "economy", 18, (3, 4, 5, 6), (3.6, 4.5, 5.9, 7.2), (5.0, 10.0, 20.0, 31.5)),
    ("CR-HH", "Heavy Haul", "standard", 12, (2, 3, 4, 5), (45.0, 58.0, 72.0, 89.0), (70.0, 150.0, 400.0, 1000.0)),
)
PER_KG: Final = {"standard": 0.45, "express": 0.9, "economy": 0.3}
"""Price per kg of a band's upper limit, by service level (freight: a tenth of standard)."""

ITEMS_HEADER: Final = ("sku", "name", "weight_kg", "unit_price")
WAREHOUSES_HEADER: Final = ("warehouse_id", "name", "postcode", "city", "capacity_per_day", "handling_cost")
STOCK_HEADER: Final = ("stock_id", "warehouse_id", "sku", "quantity", "counted_at")
CARRIERS_HEADER: Final = ("carrier_id", "name", "service_level", "cutoff_hour")
RATES_HEADER: Final = ("rate_id", "carrier_id", "zone", "max_weight_kg", "price", "transit_days")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The items orders are made of: sku, weight, price, and how often each is bought."""

    sku: list[str]
    name: list[str]
    weight_kg: NDArray[np.float64]
    price: NDArray[np.float64]
    popularity: NDArray[np.float64]
    """Probabilities summing to 1: a few items are bought often, most rarely."""

    def subset(self, rng: np.random.Generator, size: int) -> Catalogue:
        """`size` of the items (a shop's range), their popularity renormalised."""
        keep = np.sort(rng.choice(len(self.sku), size=min(size, len(self.sku)), replace=False))
        popularity = self.popularity[keep]
        return Catalogue(
            sku=[self.sku[i] for i in keep.tolist()],
            name=[self.name[i] for i in keep.tolist()],
            weight_kg=self.weight_kg[keep],
            price=self.price[keep],
            popularity=popularity / popularity.sum(),
        )

    def columns(self) -> Columns:
        return {
            "sku": list(self.sku),
            "name": list(self.name),
            "weight_kg": [f"{w:.2f}" for w in self.weight_kg.tolist()],
            "unit_price": [f"{p:.2f}" for p in self.price.tolist()],
        }


def _scale(world: World) -> float:
    return len(world.population.person_id) / 3000


def catalogue(world: World) -> Catalogue:
    rng = world.rng("logistics/items")
    size = len(ITEMS)
    weight = np.array([kg for _, kg, _ in ITEMS]) * rng.uniform(0.9, 1.1, size)
    price = np.array([p for _, _, p in ITEMS]) * rng.uniform(0.92, 1.08, size)
    rank = rng.permutation(size)
    popularity = 1.0 / (1 + rank) ** 0.8
    return Catalogue(
        sku=[f"SKU-{1001 + i}" for i in range(size)],
        name=[name for name, _, _ in ITEMS],
        weight_kg=np.round(weight, 2),
        price=np.round(price, 2),
        popularity=popularity / popularity.sum(),
    )


def _sites(world: World) -> list[tuple[str, str]]:
    """(postcode, city) of each warehouse: the most populous place of each region, regions spread over 0-9."""
    places = world.vocabulary.places
    by_weight = np.argsort(-places.p, kind="stable").tolist()
    chosen: list[int] = []
    for region in ("01", "23", "45", "67", "89"):
        found = next((i for i in by_weight if str(places.postcode[i])[:1] in region and i not in chosen), None)
        if found is not None:
            chosen.append(found)
    chosen += [i for i in by_weight if i not in chosen][: WAREHOUSES - len(chosen)]
    return [(str(places.postcode[i]), str(places.city[i])) for i in sorted(chosen[:WAREHOUSES])]


def warehouses(world: World) -> Columns:
    rng = world.rng("logistics/warehouses")
    sites = _sites(world)
    capacity = [max(2, round(c * _scale(world))) for c in CAPACITY_PER_3000[: len(sites)]]
    return {
        "warehouse_id": [f"WH-{i:02d}" for i in range(1, len(sites) + 1)],
        "name": [f"{city} Distribution Centre" for _, city in sites],
        "postcode": [postcode for postcode, _ in sites],
        "city": [city for _, city in sites],
        "capacity_per_day": [str(c) for c in capacity],
        "handling_cost": [f"{c:.2f}" for c in rng.uniform(2.5, 4.5, len(sites)).tolist()],
    }


def stock(world: World, items: Catalogue, warehouse_ids: list[str]) -> Columns:
    """Stock per warehouse and item: most carried, a few missing, the scarce items short everywhere."""
    rng = world.rng("logistics/stock")
    size = len(items.sku)
    carried = rng.random((len(warehouse_ids), size)) < CARRIES
    scarce = np.zeros(size, dtype=bool)
    scarce[rng.choice(size, size=min(SCARCE, size), replace=False)] = True
    plenty = rng.integers(5, 80, (len(warehouse_ids), size)) * max(_scale(world), 0.1)
    few = rng.integers(0, 5, (len(warehouse_ids), size))
    quantity = np.where(scarce, few, np.round(plenty)).astype(np.int64)
    counted = f"{np.datetime64(world.as_of.isoformat(), 's') - np.timedelta64(6 * 3600, 's')}+00:00"
    rows = [(w, i) for w in range(len(warehouse_ids)) for i in range(size) if carried[w, i]]
    return {
        "stock_id": [f"ST-{n:05d}" for n in range(1, len(rows) + 1)],
        "warehouse_id": [warehouse_ids[w] for w, _ in rows],
        "sku": [items.sku[i] for _, i in rows],
        "quantity": [str(int(quantity[w, i])) for w, i in rows],
        "counted_at": [counted] * len(rows),
    }


def carriers() -> Columns:
    return {
        "carrier_id": [c[0] for c in CARRIERS],
        "name": [c[1] for c in CARRIERS],
        "service_level": [c[2] for c in CARRIERS],
        "cutoff_hour": [str(c[3]) for c in CARRIERS],
    }


def rates(world: World) -> Columns:
    """Each carrier's price and transit days per zone and weight band, prices jittered a little."""
    rng = world.rng("logistics/rates")
    table: Columns = {name: [] for name in RATES_HEADER}
    for carrier_id, _, level, _, transit, base, bands in CARRIERS:
        per_kg = PER_KG[level] / (10 if bands[0] >= 70 else 1)
        for zone, (days, price) in enumerate(zip(transit, base, strict=True), start=1):
            for band in bands:
                table["rate_id"].append(f"RT-{len(table['rate_id']) + 1:03d}")
                table["carrier_id"].append(carrier_id)
                table["zone"].append(str(zone))
                table["max_weight_kg"].append(f"{band:g}")
                table["price"].append(f"{(price + per_kg * band) * rng.uniform(0.95, 1.05):.2f}")
                table["transit_days"].append(str(days))
    return table
