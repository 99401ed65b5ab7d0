//! `schema.graphql` is the public contract: it must equal the exported SDL.
//! Run with `UPDATE_SCHEMA=1` to rewrite it after an intended change.

#[test]
fn schema_file_matches_the_exported_sdl() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let sdl = gongzhi::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(path, &sdl).expect("write schema.graphql");
    }
    let file = std::fs::read_to_string(path).unwrap_or_default();
    assert!(file == sdl, "schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test --test api schema` and review the diff");
}

#[test]
fn every_type_and_field_is_documented() {
    let sdl = gongzhi::graphql::sdl();
    let mut missing = Vec::new();
    let mut prev = "";
    let mut depth = 0;
    let mut in_description = false;
    for line in sdl.lines() {
        let t = line.trim();
        if t == "\"\"\"" {
            in_description = !in_description;
            prev = t;
            continue;
        }
        if in_description {
            continue;
        }
        let is_decl = (t.starts_with("type ") || t.starts_with("interface ") || t.starts_with("enum ") || t.starts_with("input "))
            && !t.starts_with("type __");
        let is_field = depth == 1 && !t.is_empty() && t != "}" && !t.starts_with('"') && !t.starts_with('#') && !t.starts_with(')');
        if (is_decl || is_field) && !prev.ends_with('"') && !prev.ends_with("\"\"\"") {
            missing.push(t.to_owned());
        }
        if t.ends_with('{') || t.ends_with('(') {
            depth += 1;
        }
        if t == "}" || t.starts_with(')') {
            depth -= 1;
        }
        prev = t;
    }
    // Built-in scalars and the connection plumbing async-graphql generates are documented by it.
    missing.retain(|m| !m.starts_with("scalar") && !["query:", "mutation:", "subscription:"].iter().any(|p| m.starts_with(p)));
    assert!(missing.is_empty(), "undocumented in the SDL:\n{}", missing.join("\n"));
}

#[test]
fn every_object_with_an_id_is_a_node() {
    use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
    let doc = async_graphql::parser::parse_schema(gongzhi::graphql::sdl()).expect("the SDL parses");
    let mut not_nodes = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else { continue };
        let TypeKind::Object(object) = &t.node.kind else { continue };
        let id = object.fields.iter().find(|f| f.node.name.node == "id");
        let global = id.is_some_and(|f| !f.node.ty.node.nullable && matches!(&f.node.ty.node.base, BaseType::Named(n) if n == "ID"));
        if global && !object.implements.iter().any(|i| i.node == "Node") {
            not_nodes.push(t.node.name.node.to_string());
        }
    }
    assert!(not_nodes.is_empty(), "types with an `id: ID!` that `node(id:)` cannot refetch: {not_nodes:?}");
}

#[test]
fn calendar_scalars_are_named_and_described_for_client_developers() {
    let sdl = gongzhi::graphql::sdl();
    assert!(!sdl.contains("NaiveDate") && !sdl.contains("<Utc>"), "a Rust type name leaks into the contract");
    for (scalar, says) in [("Date", "`2026-12-07`"), ("DateTime", "RFC 3339")] {
        let at = sdl.find(&format!("\nscalar {scalar}\n")).unwrap_or_else(|| panic!("no scalar {scalar}"));
        let description = sdl[..at].rsplit("\"\"\"").nth(1).unwrap_or_default();
        assert!(description.contains(says), "{scalar} is described as {description:?}");
    }
}
