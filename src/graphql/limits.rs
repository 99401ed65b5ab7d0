//! Limits on what one GraphQL document may ask for, checked on the parsed document before it
//! is validated or executed, so that a hostile document is refused before it costs memory:
//! aliases, fields per selection set, fields in all, and introspection, which async-graphql's
//! complexity does not count. Fragments are spread as the executor would spread them; the walk
//! stops at the first limit it passes, so its own cost is bounded by the limits.
//!
//! The other limits live elsewhere: depth and complexity (connections cost `first × child`,
//! database-backed fields [`DB_FIELD`] more than plain ones) in the schema builder, the size of
//! the answer in the HTTP handler, database work per request in [`crate::db::Db`].

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, Selection, SelectionSet};

/// The complexity of a field that reaches the database on its own (a root field, a page):
/// an alias of it costs a statement, where a plain field costs nothing.
pub const DB_FIELD: usize = 20;

/// Introspection budget units of one `__schema` selection.
pub const SCHEMA_COST: usize = 1_000;
/// Introspection budget units of one `__type` selection.
pub const TYPE_COST: usize = 50;

/// What one document may hold.
#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    /// Aliased fields (an alias equal to the field's name is not counted).
    pub aliases: usize,
    /// Fields in one selection set, fragments spread.
    pub fields_per_selection: usize,
    /// Fields of the operation in all, fragments spread.
    pub fields: usize,
    /// Introspection budget: [`SCHEMA_COST`] per `__schema`, [`TYPE_COST`] per `__type`, one
    /// per field below them.
    pub introspection: usize,
    /// Largest answer, in bytes of JSON.
    pub response_bytes: usize,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        DocumentLimits { aliases: 100, fields_per_selection: 100, fields: 2_000, introspection: 1_500, response_bytes: 8 * 1024 * 1024 }
    }
}

/// What a document asks for, as far as the walk went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub aliases: usize,
    pub fields: usize,
    pub introspection: usize,
    /// Whether any `__schema` or `__type` is selected.
    pub introspects: bool,
}

/// Counts the names in a document's text (outside strings and comments) before it is parsed:
/// a parsed document costs memory in proportion to its names, so one with far more than the
/// limits allow (thousands of aliases, say) is refused before the parser builds it. The bound is
/// generous: every field with an alias and arguments, fragments and variables fit.
pub fn pre_scan(query: &str, limits: &DocumentLimits) -> Result<(), String> {
    let most = limits.fields.saturating_mul(3).saturating_add(limits.aliases).saturating_add(1_000);
    let bytes = query.as_bytes();
    let (mut i, mut names) = (0, 0usize);
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                names += 1;
                if names > most {
                    return Err(format!("the document holds more than {most} names; it asks for more than one request may, split it"));
                }
                while i < bytes.len() && ident(bytes[i]) {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Checks the operation `name` selects (the only one when `None`) against `limits`; the error
/// says which limit the document passes. A document whose operation cannot be found passes:
/// validation reports that.
pub fn check(doc: &ExecutableDocument, name: Option<&str>, limits: &DocumentLimits) -> Result<Shape, String> {
    let Some(op) = operation(doc, name) else { return Ok(Shape::default()) };
    let mut walk = Walk { doc, limits, shape: Shape::default(), spreading: HashSet::new() };
    walk.set(&op.selection_set.node, 0)?;
    Ok(walk.shape)
}

/// The operation a request runs.
pub fn operation<'a>(doc: &'a ExecutableDocument, name: Option<&str>) -> Option<&'a OperationDefinition> {
    doc.operations
        .iter()
        .find(|(n, _)| match (name, n) {
            (Some(w), Some(n)) => w == n.as_str(),
            (None, _) => true,
            (Some(_), None) => false,
        })
        .map(|(_, op)| &op.node)
}

/// The variables the arguments of the field at `pos` refer to, for naming the variable whose
/// value could not be read.
pub fn variables_at(doc: &ExecutableDocument, pos: async_graphql::Pos) -> Vec<String> {
    fn in_value(value: &async_graphql_value::Value, out: &mut Vec<String>) {
        use async_graphql_value::Value;
        match value {
            Value::Variable(name) => out.push(name.to_string()),
            Value::List(items) => items.iter().for_each(|v| in_value(v, out)),
            Value::Object(fields) => fields.values().for_each(|v| in_value(v, out)),
            _ => {}
        }
    }
    fn in_set(set: &SelectionSet, pos: async_graphql::Pos, out: &mut Vec<String>) -> bool {
        for item in &set.items {
            let found = match &item.node {
                Selection::Field(field) if field.pos == pos || field.node.arguments.iter().any(|(n, v)| n.pos == pos || v.pos == pos) => {
                    field.node.arguments.iter().for_each(|(_, v)| in_value(&v.node, out));
                    true
                }
                Selection::Field(field) => in_set(&field.node.selection_set.node, pos, out),
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node, pos, out),
                Selection::FragmentSpread(_) => false,
            };
            if found {
                return true;
            }
        }
        false
    }
    let mut out = Vec::new();
    let found = doc.operations.iter().any(|(_, op)| in_set(&op.node.selection_set.node, pos, &mut out));
    if !found {
        doc.fragments.values().any(|f| in_set(&f.node.selection_set.node, pos, &mut out));
    }
    out.sort();
    out.dedup();
    out
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    limits: &'a DocumentLimits,
    shape: Shape,
    /// Fragments being spread on the current path (a cycle is validation's to report).
    spreading: HashSet<&'a str>,
}

impl<'a> Walk<'a> {
    /// Walks a selection set; `inside` is 1 below an introspection field. Returns the number of
    /// fields the set selects directly (its fragments' included).
    fn set(&mut self, set: &'a SelectionSet, inside: usize) -> Result<usize, String> {
        let mut direct = 0;
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    direct += 1;
                    self.shape.fields += 1;
                    if field.alias.as_ref().is_some_and(|a| a.node != field.name.node) {
                        self.shape.aliases += 1;
                        if self.shape.aliases > self.limits.aliases {
                            return Err(format!("the document holds more than {} aliases; split it", self.limits.aliases));
                        }
                    }
                    if direct > self.limits.fields_per_selection {
                        return Err(format!("a selection set holds more than {} fields; ask for fewer", self.limits.fields_per_selection));
                    }
                    if self.shape.fields > self.limits.fields {
                        return Err(format!("the operation holds more than {} fields; split it", self.limits.fields));
                    }
                    let cost = match field.name.node.as_str() {
                        "__schema" => SCHEMA_COST,
                        "__type" => TYPE_COST,
                        _ if inside > 0 => 1,
                        _ => 0,
                    };
                    if cost > 0 {
                        self.shape.introspects = true;
                        self.shape.introspection += cost;
                        if self.shape.introspection > self.limits.introspection {
                            return Err(format!(
                                "the document asks for more introspection than one request may ({} units: {SCHEMA_COST} per __schema, {TYPE_COST} per __type, 1 per field below them)",
                                self.limits.introspection
                            ));
                        }
                    }
                    self.set(&field.selection_set.node, if cost > 0 { 1 } else { 0 })?;
                }
                Selection::InlineFragment(fragment) => {
                    direct += self.set(&fragment.node.selection_set.node, inside)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node) else { continue };
                    if !self.spreading.insert(name) {
                        continue;
                    }
                    // A spread costs like a field, so that chains of spreads are bounded too.
                    self.shape.fields += 1;
                    if self.shape.fields > self.limits.fields {
                        return Err(format!("the operation holds more than {} fields; split it", self.limits.fields));
                    }
                    direct += self.set(&fragment.node.selection_set.node, inside)?;
                    self.spreading.remove(name);
                }
            }
            if direct > self.limits.fields_per_selection {
                return Err(format!("a selection set holds more than {} fields; ask for fewer", self.limits.fields_per_selection));
            }
        }
        Ok(direct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(query: &str) -> Result<Shape, String> {
        let doc = async_graphql::parser::parse_query(query).map_err(|e| e.to_string())?;
        check(&doc, None, &DocumentLimits::default())
    }

    #[test]
    fn ordinary_documents_pass() {
        let s =
            shape("query Q { viewer { kind } communities(first: 20) { edges { node { ...C } } } } fragment C on Community { code name }")
                .unwrap_or_default();
        assert_eq!((s.aliases, s.introspects), (0, false));
        assert!(s.fields > 5);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let many: String = (0..101).map(|i| format!("a{i}: serviceCategories {{ code }} ")).collect();
        assert!(shape(&format!("{{ {many} }}")).is_err_and(|e| e.contains("aliases")));
        let fine: String = (0..100).map(|i| format!("a{i}: viewer {{ kind }} ")).collect();
        assert!(shape(&format!("{{ {fine} }}")).is_ok());
    }

    #[test]
    fn introspection_has_its_own_budget() {
        assert!(shape("{ __schema { types { name fields { name args { name } } } } }").is_ok());
        let bomb: String = (0..2).map(|i| format!("s{i}: __schema {{ types {{ name }} }} ")).collect();
        assert!(shape(&format!("{{ {bomb} }}")).is_err_and(|e| e.contains("introspection")));
        assert!(shape("{ __typename }").is_ok_and(|s| !s.introspects));
    }

    #[test]
    fn fragments_are_spread_and_bounded() {
        // Each level doubles: 2^20 fields if spread in full; the walk stops at the limit.
        let mut q = String::from("{ ...F0 } ");
        for i in 0..20 {
            q.push_str(&format!("fragment F{i} on Query {{ a: viewer {{ ...F{n} }} b: viewer {{ ...F{n} }} }} ", n = i + 1));
        }
        q.push_str("fragment F20 on Viewer { kind }");
        assert!(shape(&q).is_err());
        // A cycle is left to validation.
        assert!(shape("{ ...A } fragment A on Query { viewer { kind } ...A }").is_ok());
    }

    #[test]
    fn huge_documents_are_refused_before_they_are_parsed() {
        let limits = DocumentLimits::default();
        let bomb: String = (0..10_000).map(|i| format!("a{i}: serviceCategories {{ code }} ")).collect();
        assert!(pre_scan(&format!("{{ {bomb} }}"), &limits).is_err());
        let fine = "query Q($x: ID!) { node(id: $x) { id ... on Task { title } } } # a comment with { many words in it }";
        assert!(pre_scan(fine, &limits).is_ok());
        // Names inside strings do not count.
        let text = format!("{{ viewer(note: \"{}\") {{ kind }} }}", "word ".repeat(20_000));
        assert!(pre_scan(&text, &limits).is_ok());
    }

    #[test]
    fn wide_selections_are_refused() {
        let wide: String = (0..101).map(|i| format!("f{i}: __typename ")).collect();
        assert!(shape(&format!("{{ viewer {{ {wide} }} }}")).is_err());
    }
}
