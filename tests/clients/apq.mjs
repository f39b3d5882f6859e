// Apollo Client's persisted-query link against newsgraph's automatic persisted
// queries: the first request sends only the hash, the server answers
// PERSISTED_QUERY_NOT_FOUND, the link sends the query with the hash, and from
// then on the hash alone runs it, over POST and (useGETForHashedQueries) GET.
// Prints one JSON object: each request as the server saw it, and the results.
//
// usage: node apq.mjs http://127.0.0.1:PORT
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const server = process.argv[2];
const seen = [];

/** fetch, recording what each request carried and what came back. */
async function recordingFetch(input, init = {}) {
  const url = new URL(typeof input === 'string' ? input : input.url);
  const body = init.body ? JSON.parse(init.body) : Object.fromEntries(url.searchParams);
  const extensions = typeof body.extensions === 'string' ? JSON.parse(body.extensions) : body.extensions;
  const response = await fetch(input, init);
  const answer = await response.clone().json();
  seen.push({
    method: init.method ?? 'GET',
    query: Boolean(body.query),
    hash: extensions?.persistedQuery?.sha256Hash ?? null,
    code: answer.errors?.[0]?.extensions?.code ?? null,
    cacheControl: response.headers.get('cache-control'),
  });
  return response;
}

function client(useGET) {
  const link = new PersistedQueryLink({
    sha256: (text) => createHash('sha256').update(text).digest('hex'),
    useGETForHashedQueries: useGET,
  }).concat(
    // GET needs a header a browser form cannot send (the server's CSRF guard, as Apollo Server's).
    new HttpLink({ uri: `${server}/graphql`, fetch: recordingFetch, headers: { 'apollo-require-preflight': 'true' } }),
  );
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

const COUNT = gql`query ArticleCount { articles(first: 1) { totalCount } }`;
const LAVROV = gql`query Lavrov { person(name: "Lavrov") { name quotes(first: 2) { totalCount } } }`;

const results = [];
for (const [useGET, query] of [[false, COUNT], [false, COUNT], [true, LAVROV], [true, LAVROV]]) {
  const { data, error } = await client(useGET).query({ query, fetchPolicy: 'no-cache' });
  if (error) throw error;
  results.push(data);
}
console.log(JSON.stringify({ requests: seen, results }));
