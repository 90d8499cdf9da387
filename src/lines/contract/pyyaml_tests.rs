//! The emitter against PyYAML itself: `tests/fixtures/pyyaml-dump/cases.jsonl` holds documents
//! and what `yaml.safe_dump(sort_keys=False, allow_unicode=True)` wrote for them
//! (`make-cases.py` there, run with roadmap-cli 0.3.1's Python).

use super::dump_mapping;
use serde_yaml::Value;

const CASES: &str = include_str!("../../../tests/fixtures/pyyaml-dump/cases.jsonl");

fn to_yaml(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(flag) => Value::Bool(*flag),
        serde_json::Value::Number(number) if number.is_f64() => {
            Value::Number(number.as_f64().expect("an f64").into())
        }
        serde_json::Value::Number(number) => Value::Number(
            number
                .as_i64()
                .expect("the cases hold small integers")
                .into(),
        ),
        serde_json::Value::String(text) => Value::String(text.clone()),
        serde_json::Value::Array(items) => Value::Sequence(items.iter().map(to_yaml).collect()),
        serde_json::Value::Object(map) => Value::Mapping(
            map.iter()
                .map(|(k, v)| (Value::String(k.clone()), to_yaml(v)))
                .collect(),
        ),
    }
}

#[test]
fn every_case_is_written_as_pyyaml_writes_it() {
    let mut failures = Vec::new();
    for line in CASES.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let serde_json::Value::Object(input) = &case["input"] else {
            panic!("input is a mapping");
        };
        let entries: serde_yaml::Mapping = input
            .iter()
            .map(|(k, v)| (Value::String(k.clone()), to_yaml(v)))
            .collect();
        let expected = case["dump"].as_str().expect("dump is text");
        let ours = dump_mapping(&entries);
        if ours != expected {
            failures.push(format!("--- PyYAML\n{expected}\n--- ours\n{ours}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
