"""The import's table rules: one per stored table, in step with the schemas and the models."""

from __future__ import annotations

import pytest

from directory.hsds.rules import RULES
from directory.hsds.schema import all_specs, extensions

# Official HSDS 3.0 tables Waypoint does not store: an import lists them as ignored.
NOT_STORED = {"contact", "cost_option", "funding", "meta_table_description", "metadata",
              "organization_identifier", "program", "required_document", "service_area",
              "taxonomy"}
# Checked by the import itself: a term may be one of Waypoint's generated canonical terms.
CHECKED_ELSEWHERE = {("attribute", "taxonomy_term_id")}


def test_every_table_of_the_schema_has_a_rule_or_is_deliberately_not_stored() -> None:
    assert set(RULES) | NOT_STORED == set(all_specs())
    assert not set(RULES) & NOT_STORED
    assert set(extensions()) <= set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_rule_names_only_columns_its_table_and_model_have(name: str) -> None:
    rule, fields = RULES[name], set(all_specs()[name].names)
    columns = rule.model.__table__.c
    assert set(rule.renames) <= fields
    assert all(column in columns for column in rule.renames.values())
    read = {f.name for f in rule.read_fields(all_specs()[name])}
    assert read <= fields
    assert {*rule.read_also, *rule.references} <= read
    assert rule.describes is None or rule.describes[0] in read


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_foreign_key_the_import_reads_is_checked(name: str) -> None:
    """References and described rows are exactly the schema's foreign keys to stored tables."""
    rule, spec = RULES[name], all_specs()[name]
    read = {f.name for f in rule.read_fields(spec)}
    foreign = {key["fields"]: key["reference"]["resource"]
               for key in spec.descriptor["schema"].get("foreignKeys", [])
               if key["fields"] in read and key["reference"]["resource"] in RULES
               and (name, key["fields"]) not in CHECKED_ELSEWHERE}
    checked = dict(rule.references)
    if rule.describes is not None:
        checked[rule.describes[0]] = rule.describes[1]
    assert checked == foreign
    assert all(RULES[target].referable for target in checked.values())
