#!/usr/bin/env bash
# Refresh the vendored GraphiQL assets in this directory from the npm registry.
# The page (index.html) loads them from /assets/graphiql/ so GraphiQL works on
# intranets without internet access (no CDN).
#
# Requires: npm, tar. Bump the pinned versions below, run, then check the page.
set -euo pipefail

# graphiql 3.9.0 is the newest 3.x release; it ships the UMD bundle
# (graphiql.min.js / graphiql.min.css at the package root). (4.x still ships
# one, 5.x dropped it.) React 18.x is the last line with umd/ builds.
GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1

DEST="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"
npm pack --silent \
  "graphiql@${GRAPHIQL_VERSION}" \
  "react@${REACT_VERSION}" \
  "react-dom@${REACT_DOM_VERSION}" >/dev/null

unpack() { # <tarball> <dir>
  mkdir -p "$2"
  tar -xzf "$1" -C "$2"
}
unpack "graphiql-${GRAPHIQL_VERSION}.tgz" graphiql
unpack "react-${REACT_VERSION}.tgz" react
unpack "react-dom-${REACT_DOM_VERSION}.tgz" react-dom

install -m 0644 graphiql/package/graphiql.min.js "$DEST/graphiql.min.js"
install -m 0644 graphiql/package/graphiql.min.css "$DEST/graphiql.min.css"
install -m 0644 react/package/umd/react.production.min.js "$DEST/react.production.min.js"
install -m 0644 react-dom/package/umd/react-dom.production.min.js "$DEST/react-dom.production.min.js"
install -m 0644 graphiql/package/LICENSE "$DEST/LICENSE-graphiql"
# react and react-dom carry the same MIT license text.
install -m 0644 react/package/LICENSE "$DEST/LICENSE-react"

echo "graphiql ${GRAPHIQL_VERSION}, react ${REACT_VERSION}, react-dom ${REACT_DOM_VERSION} -> ${DEST}"
(cd "$DEST" && sha256sum graphiql.min.js graphiql.min.css react.production.min.js \
  react-dom.production.min.js LICENSE-graphiql LICENSE-react)
