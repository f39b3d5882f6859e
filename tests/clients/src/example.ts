// A typed newsgraph client: documents checked against schema/schema.graphql by
// GraphQL Code Generator (client preset), results typed from them, sent by
// Apollo Client as persisted-document hashes (trusted documents). A schema
// change that breaks this code fails `tsc --noEmit` (tests/api/clients.rs).
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { graphql } from './gql/index.js';

export const WhatDidTheySay = graphql(`
  query WhatDidTheySay($name: String!, $first: Int!) {
    person(name: $name) {
      name
      role
      quotes(first: $first) {
        totalCount
        edges { node { text direct saidOn via { name } } }
      }
    }
  }
`);

export const StatementsBySource = graphql(`
  query StatementsBySource($filter: QuoteFilterInput) {
    quotes(filter: $filter, orderBy: DATE_ASC, first: 5) {
      totalCount
      edges {
        node {
          text
          speaker {
            ... on Person { name }
            ... on AnonymousSpeaker { description }
          }
        }
      }
    }
  }
`);

/** What someone said: their name, how many statements in all, and the first few. */
export interface Said {
  name: string;
  total: number;
  statements: { text: string; direct: boolean; reportedBy: string[] }[];
}

/**
 * A client that sends only the hash of each document (Code Generator's
 * `__meta__.hash`, the manifest's id), as Apollo's persisted-query link does.
 */
export function trustedClient(uri: string): ApolloClient {
  const persisted = new PersistedQueryLink({
    // The manifest's id is `sha256:<hex>`; Apollo's protocol sends the hex.
    generateHash: (document) =>
      (document as unknown as { __meta__: { hash: string } }).__meta__.hash.replace(/^sha256:/, ''),
  });
  return new ApolloClient({ link: persisted.concat(new HttpLink({ uri })), cache: new InMemoryCache() });
}

export async function whatDidTheySay(client: ApolloClient, name: string): Promise<Said> {
  const { data, error } = await client.query({
    query: WhatDidTheySay,
    variables: { name, first: 5 },
    fetchPolicy: 'no-cache',
  });
  if (error || !data) throw error ?? new Error('no data');
  const total: number = data.person.quotes.totalCount;
  const statements = data.person.quotes.edges.map(({ node }) => ({
    text: node.text,
    direct: node.direct,
    reportedBy: node.via.map((source) => source.name),
  }));
  return { name: data.person.name, total, statements };
}

/** Who made the first statements a source carried: a name, or an anonymous description. */
export async function speakersOf(client: ApolloClient, source: string): Promise<string[]> {
  const { data, error } = await client.query({
    query: StatementsBySource,
    variables: { filter: { via: [source] } },
    fetchPolicy: 'no-cache',
  });
  if (error || !data) throw error ?? new Error('no data');
  return data.quotes.edges.map(({ node }) => {
    switch (node.speaker?.__typename) {
      case 'Person':
        return node.speaker.name;
      case 'AnonymousSpeaker':
        return node.speaker.description;
      default:
        return 'unknown';
    }
  });
}
