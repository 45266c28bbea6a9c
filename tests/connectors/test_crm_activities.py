"""CRM activity (HubSpot tasks and notes, Salesforce Tasks): the follow-up work the emulator logged
on detractors lands with the customer's company or account, and new activity arrives incrementally."""
from __future__ import annotations

from emulated import run, source_config

from ingestion.emulators.common import iso_z
from ingestion.emulators.hubspot import ID_BASE
from ingestion.emulators.salesforce import record_id


def test_hubspot_tasks_and_notes_land_with_the_customers_company(emulator, warehouse):
    config = source_config(emulator, "hubspot")
    world = emulator.world
    expected = {
        object_name: sorted(
            (str(ID_BASE[object_name] + a["_number"]), str(ID_BASE["companies"] + world.number("customers", a["customer_id"])))
            for a in world.select("activities", activity_type=activity_type)
        )
        for object_name, activity_type in (("tasks", "task"), ("notes", "note"))
    }

    for object_name in expected:
        run(warehouse, config, object_name)

    assert len(expected["tasks"]) > 5 and len(expected["notes"]) > 5
    for object_name, pairs in expected.items():
        assert warehouse.execute(f"select id, company_id from raw.hubspot__{object_name} order by id") == pairs
    completed = warehouse.execute(
        "select count(*) from raw.hubspot__tasks where hs_task_status = 'COMPLETED' and hs_task_completion_date is not null"
    )[0][0]
    assert completed == sum(1 for a in world.select("activities", activity_type="task") if a["completed_at"])


def test_salesforce_tasks_land_with_the_account_and_completion(emulator, warehouse):
    config = source_config(emulator, "salesforce")
    world = emulator.world
    expected = sorted(
        (record_id("Task", a["_number"]), record_id("Account", world.number("customers", a["customer_id"])), bool(a["completed_at"]))
        for a in world.select("activities")
    )

    run(warehouse, config, "tasks")

    assert warehouse.execute("select id, accountid, isclosed from raw.salesforce__tasks order by id") == expected


def test_a_task_logged_after_the_last_load_arrives_incrementally(emulator, warehouse):
    for source_type, object_name in (("hubspot", "tasks"), ("salesforce", "tasks")):
        config = source_config(emulator, source_type)
        run(warehouse, config, object_name)
    template = emulator.world.select("activities", activity_type="task")[0]
    now = iso_z(emulator.world.tick())
    emulator.world.upsert("activities", {
        **{k: v for k, v in template.items() if not k.startswith("_")},
        "activity_id": "A-NEW", "created_at": now, "completed_at": now, "status": "COMPLETED",
    })  # fmt: skip

    for source_type in ("hubspot", "salesforce"):
        result = run(warehouse, source_config(emulator, source_type), "tasks")
        assert (result.counts.landed, result.counts.updated) == (1, 0), source_type
        assert result.counts.fetched < 5
