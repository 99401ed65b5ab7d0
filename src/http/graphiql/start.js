// Starts GraphiQL; served as a file so that the page's Content-Security-Policy allows no inline script.
var wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
var fetcher = GraphiQL.createFetcher({
  url: '/graphql',
  subscriptionUrl: wsScheme + '//' + location.host + '/graphql/ws',
});
var defaultQuery =
  "# 共治 gongzhi: paste a token from the server log into the headers tab as\n# {\"Authorization\": \"Bearer <token>\"}\n{\n  viewer {\n    kind\n    communities { code name }\n  }\n}\n";
var root = ReactDOM.createRoot(document.getElementById('graphiql'));
root.render(
  React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'headers',
  }),
);
