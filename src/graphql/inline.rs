//! Objects resolved inline: the executor's cost per field taken off the hot path of nested reads.
//!
//! async-graphql resolves every selected field of an object as a boxed future of its own, polled
//! through a `FuturesUnordered` and merged into the answer by name. For an answer of thousands of
//! fields (the street overview: communities, compounds, committees and their seats) that, and
//! not the SQL, is where the server's CPU goes (bench/README.md). [`Inline<T>`] is `T` to the
//! schema, with the same name and type information, and resolves a selection differently when
//! the request allows it ([`InlineFields`] in the request's data, put there by the HTTP handler):
//!
//! - a plain field ([`PlainFields`]: a value read from the row, no argument, no database) is
//!   written straight into the object, with no future;
//! - the other fields are polled together from one allocation and written in selection order,
//!   exactly the values the executor's `resolve_field` gives them (it is the same call).
//!
//! A selection with fragments, directives or a response key selected twice goes to the executor
//! unchanged, as does every selection of a request without [`InlineFields`]: the WebSocket
//! transport, whose schema's extensions wrap each field, and the differential test that checks
//! both ways give the same bytes for every query of the test suite.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::{ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

/// Marks a request whose objects may resolve inline (see the module's documentation).
pub struct InlineFields;

/// The fields of a type that are plain: answered from the value alone, with no argument, no
/// context and no database. Each must answer exactly what the type's resolver of that field
/// answers; anything not listed (`None`) resolves through the resolver.
pub trait PlainFields {
    /// The value of the plain field `name` (its schema name, e.g. `builtYear`), if it is one.
    fn plain_field(&self, _name: &str) -> Option<Value> {
        None
    }
}

impl<T: PlainFields + ?Sized> PlainFields for &T {
    fn plain_field(&self, name: &str) -> Option<Value> {
        (**self).plain_field(name)
    }
}

/// `T`, resolved inline where the request allows it. The schema sees `T` itself.
pub struct Inline<T>(pub T);

impl<T: ContainerType + PlainFields> OutputType for Inline<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        if ctx.data_opt::<InlineFields>().is_none() || !only_plain_selections(ctx) {
            return self.0.resolve(ctx, field).await;
        }
        // One allocation per object (the executor makes one per field), which also lets a type
        // hold itself inline (a future cannot contain its own type).
        let resolving: std::pin::Pin<Box<dyn Future<Output = Value> + Send + '_>> = Box::pin(resolve_inline(ctx, &self.0));
        Ok(resolving.await)
    }
}

/// Whether every selection is a field without directives and no response key comes twice: the
/// selections the inline path writes exactly as the executor does. (`@skip` and `@include` are
/// gone by now: async-graphql drops what they exclude, and their own directives, before it runs.)
fn only_plain_selections(ctx: &ContextSelectionSet<'_>) -> bool {
    let items = &ctx.item.node.items;
    items.iter().enumerate().all(|(i, item)| match &item.node {
        Selection::Field(field) => {
            let key = field.node.response_key().node.as_str();
            field.node.directives.is_empty()
                && items[..i].iter().all(|other| match &other.node {
                    Selection::Field(f) => f.node.response_key().node.as_str() != key,
                    _ => true,
                })
        }
        _ => false,
    })
}

/// Resolves the selection of `root` (fields only, checked by [`only_plain_selections`]): plain
/// fields at once, the others polled together; errors are reported as the executor reports
/// them (on the request, the field left out), and an object with no field left is null.
async fn resolve_inline<'a, T: ContainerType + PlainFields>(ctx: &ContextSelectionSet<'a>, root: &'a T) -> Value {
    let items: &'a [Positioned<Selection>] = &ctx.item.node.items;
    let mut values: Vec<(&Name, Option<Value>)> = Vec::with_capacity(items.len());
    let mut pending: Vec<(usize, &Positioned<Field>)> = Vec::new();
    for item in items {
        let Selection::Field(field) = &item.node else { continue };
        let name = field.node.name.node.as_str();
        let value =
            if name == "__typename" { Some(Value::String(root.introspection_type_name().into_owned())) } else { root.plain_field(name) };
        if value.is_none() {
            pending.push((values.len(), field));
        }
        values.push((&field.node.response_key().node, value));
    }
    let resolve = |(i, field): (usize, &'a Positioned<Field>)| async move {
        let ctx_field = ctx.with_field(field);
        (i, root.resolve_field(&ctx_field).await)
    };
    let resolved = match pending.len() {
        0 => Vec::new(),
        1 => vec![resolve(pending[0]).await],
        _ => futures_util::future::join_all(pending.into_iter().map(resolve)).await,
    };
    for (i, result) in resolved {
        match result {
            Ok(value) => values[i].1 = Some(value.unwrap_or_default()),
            Err(err) => ctx.add_error(err),
        }
    }
    let mut map = IndexMap::with_capacity(values.len());
    for (key, value) in values {
        if let Some(value) = value {
            map.insert(key.clone(), value);
        }
    }
    if map.is_empty() { Value::Null } else { Value::Object(map) }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema};

    use super::*;

    /// A row whose plain `label` deliberately differs from its resolver's, to see which answered.
    struct Row(i32);

    #[Object]
    impl Row {
        async fn label(&self) -> String {
            format!("resolver {}", self.0)
        }
        async fn number(&self) -> i32 {
            self.0
        }
        async fn child(&self) -> Option<Inline<Row>> {
            (self.0 < 2).then(|| Inline(Row(self.0 + 1)))
        }
        async fn fails(&self) -> async_graphql::Result<Option<i32>> {
            Err("refused".into())
        }
    }

    impl PlainFields for Row {
        fn plain_field(&self, name: &str) -> Option<Value> {
            (name == "label").then(|| Value::from(format!("plain {}", self.0)))
        }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn rows(&self) -> Vec<Inline<Row>> {
            vec![Inline(Row(0)), Inline(Row(1))]
        }
    }

    async fn run(query: &str, inline: bool) -> serde_json::Value {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let mut request = Request::new(query);
        if inline {
            request = request.data(InlineFields);
        }
        serde_json::to_value(schema.execute(request).await).unwrap_or_default()
    }

    #[tokio::test]
    async fn plain_fields_answer_inline_and_everything_else_as_the_executor_does() {
        let query = "{ rows { number label t: __typename child { label fails child { number } } fails } }";
        let inline = run(query, true).await;
        let executed = run(query, false).await;
        assert_eq!(inline["data"]["rows"][0]["label"], "plain 0");
        assert_eq!(executed["data"]["rows"][0]["label"], "resolver 0");
        assert_eq!(inline["data"]["rows"][1]["child"]["label"], "plain 2");
        // Apart from the deliberately different field, the same answer and the same errors.
        let same = |v: &serde_json::Value| v.to_string().replace("plain", "resolver");
        assert_eq!(same(&inline["data"]), same(&executed["data"]));
        let paths = |v: &serde_json::Value| {
            let mut p: Vec<String> = v["errors"].as_array().into_iter().flatten().map(|e| e["path"].to_string()).collect();
            p.sort();
            p
        };
        assert_eq!(paths(&inline), paths(&executed));
        assert_eq!(paths(&inline).len(), 4);
        // Keys come in selection order (the executor writes them as they complete).
        let keys: Vec<&String> = inline["data"]["rows"][0].as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["number", "label", "t", "child"]);
    }

    #[tokio::test]
    async fn fragments_and_repeated_keys_go_to_the_executor() {
        for query in ["{ rows { ... on Row { label } } }", "{ rows { ...F } } fragment F on Row { label }"] {
            let inline = run(query, true).await;
            assert!(!inline.to_string().contains("plain"), "{query}: {inline}");
            assert_eq!(inline, run(query, false).await, "{query}");
        }
        // The executor merges the two `child` selections; each child resolves inline again.
        let query = "{ rows { child { label } child { number } } }";
        let inline = run(query, true).await.to_string();
        assert!(inline.contains(r#"{"child":{"label":"plain 1","number":1}}"#), "{inline}");
        assert_eq!(inline.replace("plain", "resolver"), run(query, false).await.to_string());
    }
}
