"""`steward customer show`: the customer 360, plus the proposals about the customer from the queue."""

from __future__ import annotations

from typing import Any

from core import JsonObject
from customers import customer_360
from steward._wiring import Steward


def customer_view(app: Steward, customer_id: str) -> JsonObject:
    view = customer_360(app.customers, customer_id)
    data: JsonObject = view.model_dump(mode="json")
    ids = [view.customer_id, *view.merged_from]
    items = app.queue.list(customer_ids=ids, limit=1000)
    data["proposals"] = [
        {
            "id": item.id,
            "agent": item.agent,
            "action": item.action,
            "status": item.status,
            "created_at": item.created_at.isoformat(),
            "arguments": item.arguments,
        }
        for item in reversed(items)
    ]
    return data


def _value(field: Any) -> str:
    return "" if field is None else f"{field['value']!r}  ← {field['source_system']}/{field['source_record_id']}"


def print_customer(view: JsonObject) -> None:
    data: Any = view
    golden = data["golden"]
    if data["erased_at"]:
        print(f"customer {data['customer_id']}: personal data erased on {data['erased_at'][:10]} (GDPR Art. 17)")
        return
    print(
        f"customer {data['customer_id']}"
        + (f" (merged from {', '.join(data['merged_from'])})" if data["merged_from"] else "")
    )
    print("golden record (value ← source system/record, observed, rule):")
    for name, field in golden["fields"].items():
        print(
            f"  {name:28} {field['value']!r:32} ← {field['source_system']}/{field['source_record_id']}, "
            f"{field['observed_at'][:10]}, {field['rule']}"
        )
        for losing in golden["conflicts"].get(name, []):
            print(f"  {'':28}   conflict: {losing['value']!r} ← {losing['source_system']}/{losing['source_record_id']}")
    print("source records:")
    for record in data["records"]:
        print(f"  {record['source_system']}/{record['entity']}/{record['record_id']}  ({record['reason']})")
    print("consents:")
    for purpose, field in data["consents"].items():
        print(f"  {purpose:20} {_value(field) or 'not recorded'}")
    print(f"  objects to automated decisions: {data['objects_to_automated_decisions']}")
    attention = data["attention"]
    print(f"attention score {attention['score']}")
    for reason in attention["reasons"]:
        print(f"  - {reason['text']}")
    sections = (
        ("open complaints", "open_complaints"),
        ("recent orders", "recent_orders"),
        ("recent invoices and payments", "recent_payments"),
        ("recent engagement", "recent_engagement"),
    )
    for title, key in sections:
        print(f"{title}: {len(data[key])}")
        for item in data[key][-5:]:
            details = ", ".join(f"{k}={v}" for k, v in item["details"].items() if k not in ("text",))
            where = f"{item['source_system']}/{item['record_id']}"
            print(f"  {item['occurred_at'][:10]} {item['kind']:8} {where}  {details[:90]}")
    print(f"credit applications: {len(data['applications'])}, decisions: {len(data['decisions'])}")
    for application in data["applications"]:
        terms = f"{application['amount']:g} over {application['duration_months']} months"
        print(f"  {application['id']}: {terms}, {application['status']}")
    print(f"proposals: {len(data['proposals'])}")
    for proposal in data["proposals"]:
        print(f"  {proposal['id']} {proposal['agent']}.{proposal['action']} [{proposal['status']}]")
