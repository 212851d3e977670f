"""The demo world: five source systems' exports for a few thousand customers, and the truth behind them.

A CRM, an ERP, a web shop, a help desk and an e-mail marketing tool each export the customers they
know, in their own layout (world_spec.md), with the noise real exports have: typos, nicknames,
old addresses, duplicates, conflicting values and a few broken rows. Real records are borrowed where
they exist (German credit applicants, CDNOW purchase histories, CFPB complaints), and the ground
truth (who is who, what noise was applied) is written beside the exports for evaluation. The ERP and
the shop also export their fulfilment side: items, warehouses, stock, carriers and rates, and orders
with lines, promised days and ship-to addresses, some of them open.
"""

from pathlib import Path

from customers.world._generate import WorldSummary, generate_world
from customers.world._population import SYSTEMS, System

SOURCES_FILE = Path(__file__).resolve().parent / "sources.yaml"
"""The source configuration that reads a generated world (copy it next to the exports)."""

__all__ = ["SOURCES_FILE", "SYSTEMS", "System", "WorldSummary", "generate_world"]
