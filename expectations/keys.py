"""Keys: present and unique, checked on the few most repeated values rather than every row."""
from __future__ import annotations

from expectations.runner import FrameSuite, Query, Rule


def unique_key(query: Query, relation: str, id_column: str) -> FrameSuite:
    """A key present and unique: the most repeated values (a missing one first) must occur once."""
    import great_expectations as gx

    E = gx.expectations
    frame = query(
        f"""
        select {id_column} as id, count(*) as occurrences
        from {relation}
        group by 1
        order by ({id_column} is null) desc, occurrences desc, 1
        limit 5
        """
    )
    return FrameSuite(
        name=f"{relation}.{id_column}",
        frame=frame,
        relation=relation,
        rules=[
            Rule(f"{id_column}_present", E.ExpectColumnValuesToNotBeNull(column="id"), f"{id_column} is null"),
            Rule(
                f"{id_column}_unique",
                E.ExpectColumnValuesToBeBetween(column="occurrences", max_value=1),
                f"{id_column} in (select {id_column} from {relation} group by 1 having count(*) > 1)",
            ),
        ],
    )
