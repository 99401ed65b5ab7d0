//! Two corners of the GraphQL specification the executor misses, put right on the executed
//! answer before it is written.
//!
//! - **Order.** async-graphql resolves an object's fields concurrently and writes each key when
//!   its field finishes, and the query and mutation roots are `MergedObject`s whose parts (one per
//!   noun) answer one after the other: keys come back in another order than selected.
//!   [`conform`] writes every object's keys in the order the document selects them.
//! - **Errors.** When a field's resolver fails, async-graphql leaves its key out of the object.
//!   The specification wants `null` in its place when the field is nullable and, when it is not,
//!   the null to reach the nearest nullable parent (at the root, `data` itself). [`conform`]
//!   follows each error's path through the document and the schema's types ([`Types`]) and does
//!   that.

use std::collections::HashMap;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{BaseType, ExecutableDocument, Field, Selection, SelectionSet, Type, TypeKind, TypeSystemDefinition};
use async_graphql::{Name, PathSegment, Response, Value, Variables};

/// The fields' types of every object and interface of the schema, read once from its SDL.
pub struct Types {
    fields: HashMap<String, HashMap<String, Type>>,
}

impl Types {
    /// The types of the schema whose SDL is `sdl`.
    pub fn of(sdl: &str) -> Types {
        let mut fields = HashMap::new();
        if let Ok(doc) = async_graphql::parser::parse_schema(sdl) {
            for def in doc.definitions {
                let TypeSystemDefinition::Type(t) = def else { continue };
                let defined = match t.node.kind {
                    TypeKind::Object(o) => o.fields,
                    TypeKind::Interface(i) => i.fields,
                    _ => continue,
                };
                let of_type = defined.into_iter().map(|f| (f.node.name.node.to_string(), f.node.ty.node)).collect();
                fields.insert(t.node.name.node.to_string(), of_type);
            }
        }
        Types { fields }
    }

    /// The types of the process's schema (one schema per build of gongzhi), read at the first
    /// request from `sdl`.
    pub fn of_schema(sdl: impl FnOnce() -> String) -> &'static Types {
        static TYPES: std::sync::OnceLock<Types> = std::sync::OnceLock::new();
        TYPES.get_or_init(|| Types::of(&sdl()))
    }

    fn field(&self, parent: &str, name: &str) -> Option<&Type> {
        self.fields.get(parent)?.get(name)
    }
}

/// Fragments nest at most this deep here; validation has refused cycles before execution.
const MAX_FRAGMENT_DEPTH: usize = 32;

/// What the request selected: its document, operation and variables.
pub(super) struct Selected<'a> {
    pub doc: &'a ExecutableDocument,
    pub operation: Option<&'a str>,
    pub variables: &'a Variables,
    /// `Query` or `Mutation`.
    pub root: &'a str,
}

/// Puts the executed answer right: nulls where errors left keys out, and every object's keys in
/// selection order.
pub(super) fn conform(response: &mut Response, selected: &Selected<'_>, types: &Types) {
    let Some(set) = operation_set(selected) else { return };
    for err in &response.errors {
        propagate_null(&mut response.data, &err.path, set, selected, types);
    }
    order(&mut response.data, &[set], selected);
}

fn operation_set<'a>(selected: &Selected<'a>) -> Option<&'a SelectionSet> {
    let found = selected.doc.operations.iter().find(|(name, _)| match (selected.operation, name) {
        (Some(w), Some(n)) => w == n.as_str(),
        (None, _) => true,
        (Some(_), None) => false,
    });
    found.map(|(_, op)| &op.node.selection_set.node)
}

/// Visits the fields of `set` the request keeps (`@skip`/`@include`), fragments spread in place,
/// with the type each is selected on (`None`: the set's own type).
fn each_field<'a>(
    set: &'a SelectionSet,
    selected: &Selected<'a>,
    on: Option<&'a str>,
    depth: usize,
    visit: &mut impl FnMut(&'a Field, Option<&'a str>),
) {
    if depth > MAX_FRAGMENT_DEPTH {
        return;
    }
    for item in &set.items {
        if !included(&item.node, selected.variables) {
            continue;
        }
        match &item.node {
            Selection::Field(field) => visit(&field.node, on),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = selected.doc.fragments.get(&spread.node.fragment_name.node) {
                    let on = Some(fragment.node.type_condition.node.on.node.as_str());
                    each_field(&fragment.node.selection_set.node, selected, on, depth + 1, visit);
                }
            }
            Selection::InlineFragment(inline) => {
                let on = inline.node.type_condition.as_ref().map(|c| c.node.on.node.as_str()).or(on);
                each_field(&inline.node.selection_set.node, selected, on, depth + 1, visit);
            }
        }
    }
}

/// Whether `@skip` and `@include` keep the selection.
fn included(selection: &Selection, variables: &Variables) -> bool {
    selection.directives().iter().all(|d| {
        let condition = || {
            d.node.arguments.iter().find(|(n, _)| n.node == "if").is_some_and(|(_, v)| {
                let value = v.node.clone().into_const_with(|name| variables.get(&name).cloned().ok_or(()));
                matches!(value, Ok(Value::Boolean(true)))
            })
        };
        match d.node.name.node.as_str() {
            "skip" => !condition(),
            "include" => condition(),
            _ => true,
        }
    })
}

/// Writes the keys of every object in the order `sets` (the selection sets of one position,
/// merged) select them; keys the document did not select keep their place at the end. The
/// order of a position is worked out once, for all the items of a list.
fn order(value: &mut Value, sets: &[&SelectionSet], selected: &Selected<'_>) {
    if matches!(value, Value::List(_) | Value::Object(_)) {
        order_with(value, &keys_of(sets, selected), selected);
    }
}

/// The response keys `sets` select, in order, each with the selection sets below it.
fn keys_of<'s>(sets: &[&'s SelectionSet], selected: &Selected<'s>) -> Vec<(&'s Name, Vec<&'s SelectionSet>)> {
    let mut keys: Vec<(&Name, Vec<&SelectionSet>)> = Vec::new();
    for set in sets {
        each_field(set, selected, None, 0, &mut |field, _| {
            let key = &field.response_key().node;
            let sub = &field.selection_set.node;
            match keys.iter_mut().find(|(k, _)| *k == key) {
                Some((_, subs)) => subs.push(sub),
                None => keys.push((key, vec![sub])),
            }
        });
    }
    keys
}

fn order_with(value: &mut Value, keys: &[(&Name, Vec<&SelectionSet>)], selected: &Selected<'_>) {
    match value {
        Value::List(items) => items.iter_mut().for_each(|item| order_with(item, keys, selected)),
        Value::Object(map) => {
            // In order when the object's keys come as a subsequence of the selected ones.
            let mut selected_keys = keys.iter();
            let in_order = map.keys().all(|key| selected_keys.by_ref().any(|(want, _)| *want == key));
            if !in_order {
                let mut ordered = IndexMap::with_capacity(map.len());
                for (key, _) in keys {
                    if let Some(v) = map.shift_remove(*key) {
                        ordered.insert((*key).clone(), v);
                    }
                }
                ordered.extend(std::mem::take(map));
                *map = ordered;
            }
            for (key, subs) in keys {
                if subs.iter().any(|s| !s.items.is_empty())
                    && let Some(v) = map.get_mut(*key)
                {
                    order(v, subs, selected);
                }
            }
        }
        _ => {}
    }
}

/// One step of an error's path: where it is, and whether null may stand there.
struct Step<'p> {
    segment: &'p PathSegment,
    nullable: bool,
}

/// The steps of `path` through the document and the schema, or `None` when the path leaves them.
fn steps<'p>(path: &'p [PathSegment], root_set: &SelectionSet, selected: &Selected<'_>, types: &Types) -> Option<Vec<Step<'p>>> {
    let mut out = Vec::with_capacity(path.len());
    let mut parent = selected.root.to_owned();
    let mut sets: Vec<&SelectionSet> = vec![root_set];
    let mut ty: Option<Type> = None;
    for segment in path {
        match segment {
            PathSegment::Field(key) => {
                let mut found: Option<(&Field, Option<&str>)> = None;
                let mut subs: Vec<&SelectionSet> = Vec::new();
                for set in &sets {
                    each_field(set, selected, None, 0, &mut |field, on| {
                        if field.response_key().node.as_str() == key {
                            found.get_or_insert((field, on));
                            subs.push(&field.selection_set.node);
                        }
                    });
                }
                let (field, on) = found?;
                let owner = on.unwrap_or(parent.as_str());
                let field_type = types.field(owner, field.name.node.as_str()).or_else(|| types.field(&parent, field.name.node.as_str()))?;
                out.push(Step { segment, nullable: field_type.nullable });
                ty = Some(field_type.clone());
                sets = subs;
            }
            PathSegment::Index(_) => {
                let BaseType::List(inner) = ty.take()?.base else { return None };
                out.push(Step { segment, nullable: inner.nullable });
                ty = Some(*inner);
            }
        }
        if let Some(Type { base: BaseType::Named(name), .. }) = &ty {
            parent = name.to_string();
        }
    }
    Some(out)
}

/// Puts null where the error at `path` left a key out: at the field when it is nullable, else at
/// its nearest nullable parent, else `data` itself.
fn propagate_null(data: &mut Value, path: &[PathSegment], root_set: &SelectionSet, selected: &Selected<'_>, types: &Types) {
    if path.is_empty() || !matches!(data, Value::Object(_)) {
        return;
    }
    // Only where the answer lacks a value (or holds null) at the error's place.
    let (last, parents) = match path.split_last() {
        Some(split) => split,
        None => return,
    };
    let Some(container) = at(data, parents) else { return };
    let present = match (container, last) {
        (Value::Object(map), PathSegment::Field(key)) => map.get(key.as_str()).is_some_and(|v| *v != Value::Null),
        (Value::List(items), PathSegment::Index(i)) => items.get(*i).is_some_and(|v| *v != Value::Null),
        _ => return,
    };
    if present {
        return;
    }
    let Some(steps) = steps(path, root_set, selected, types) else { return };
    match steps.iter().rposition(|s| s.nullable) {
        Some(i) => {
            let parent_path: Vec<PathSegment> = path[..i].to_vec();
            if let Some(parent) = at(data, &parent_path) {
                match (parent, steps[i].segment) {
                    (Value::Object(map), PathSegment::Field(key)) => {
                        if let Some(v) = map.get_mut(key.as_str()) {
                            *v = Value::Null;
                        } else {
                            map.insert(Name::new(key), Value::Null);
                        }
                    }
                    (Value::List(items), PathSegment::Index(j)) => {
                        if let Some(v) = items.get_mut(*j) {
                            *v = Value::Null;
                        }
                    }
                    _ => {}
                }
            }
        }
        None => *data = Value::Null,
    }
}

fn at<'v>(value: &'v mut Value, path: &[PathSegment]) -> Option<&'v mut Value> {
    let mut here = value;
    for segment in path {
        here = match (here, segment) {
            (Value::Object(map), PathSegment::Field(key)) => map.get_mut(key.as_str())?,
            (Value::List(items), PathSegment::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(here)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = "type Query { viewer: Viewer! a: [Item!]! b: [Item] c: Item }
        type Viewer { kind: String! name: String }
        type Item { id: ID! note: String! maybe: String }";

    fn run(query: &str, data: serde_json::Value, errors: &[&[PathSegment]]) -> serde_json::Value {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let vars = Variables::default();
        let selected = Selected { doc: &doc, operation: None, variables: &vars, root: "Query" };
        let mut response = Response::new(Value::from_json(data).unwrap());
        for path in errors {
            let mut e = async_graphql::ServerError::new("x", None);
            e.path = path.to_vec();
            response.errors.push(e);
        }
        conform(&mut response, &selected, &Types::of(SDL));
        response.data.into_json().unwrap()
    }

    fn f(s: &str) -> PathSegment {
        PathSegment::Field(s.into())
    }

    #[test]
    fn keys_are_written_in_selection_order_at_every_level() {
        let q = "{ c { note id } ...F viewer { name kind } } fragment F on Query { b { id } }";
        let data = serde_json::json!({ "viewer": { "kind": "K", "name": "N" }, "b": [{ "id": "1" }], "c": { "id": "2", "note": "n" } });
        let out = run(q, data, &[]);
        assert_eq!(out.to_string(), r#"{"c":{"note":"n","id":"2"},"b":[{"id":"1"}],"viewer":{"name":"N","kind":"K"}}"#);
    }

    #[test]
    fn a_missing_field_is_null_where_null_may_stand() {
        // A nullable field: null in its place.
        let out = run("{ viewer { kind name } }", serde_json::json!({ "viewer": { "kind": "K" } }), &[&[f("viewer"), f("name")]]);
        assert_eq!(out.to_string(), r#"{"viewer":{"kind":"K","name":null}}"#);
        // A non-null field in a nullable list's item: the item is null.
        let data = serde_json::json!({ "b": [{ "id": "1" }, { "id": "2", "note": "n" }] });
        let out = run("{ b { id note } }", data, &[&[f("b"), PathSegment::Index(0), f("note")]]);
        assert_eq!(out.to_string(), r#"{"b":[null,{"id":"2","note":"n"}]}"#);
        // Non-null all the way up: data is null.
        let data = serde_json::json!({ "a": [{ "id": "1" }] });
        let out = run("{ a { id note } }", data, &[&[f("a"), PathSegment::Index(0), f("note")]]);
        assert_eq!(out, serde_json::Value::Null);
        // A non-null root field left out: data is null.
        let out = run("{ c { id } viewer { kind } }", serde_json::json!({ "c": { "id": "1" } }), &[&[f("viewer")]]);
        assert_eq!(out, serde_json::Value::Null);
        // A nullable root field left out: null, the rest stands.
        let out = run("{ viewer { kind } c { id } }", serde_json::json!({ "viewer": { "kind": "K" } }), &[&[f("c")]]);
        assert_eq!(out.to_string(), r#"{"viewer":{"kind":"K"},"c":null}"#);
    }
}
