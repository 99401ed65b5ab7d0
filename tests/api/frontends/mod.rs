//! What front-end teams meet first: compressed answers and caching headers, persisted
//! documents, CORS for their tracing and client headers, the spec's corners of null
//! propagation and key order, and every object with an id a `Node`.

mod compression;
mod cors;
