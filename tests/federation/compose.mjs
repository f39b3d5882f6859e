// Composes newsgraph's subgraph SDL (the file named by the first argument, as
// `_service { sdl }` answers it) with a second subgraph that adds a field to
// `Person`, using Apollo's own composition library. Exits non-zero with the
// composition errors when the SDLs do not compose.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";

const newsgraph = readFileSync(process.argv[2], "utf8");
const factChecks = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Person @key(fields: "key") {
    key: String!
    factChecks: Int!
  }
  type Query {
    mostFactChecked: [Person!]!
  }
`;
const result = composeServices([
  { name: "newsgraph", url: "http://newsgraph.internal/graphql", typeDefs: parse(newsgraph) },
  { name: "factchecks", url: "http://factchecks.internal/graphql", typeDefs: parse(factChecks) },
]);
if (result.errors && result.errors.length > 0) {
  console.error(result.errors.map((e) => e.message).join("\n"));
  process.exit(1);
}
const supergraph = result.supergraphSdl;
for (const expected of ["factChecks: Int!", 'join__type(graph: NEWSGRAPH, key: "key")', "quoteStats"]) {
  if (!supergraph.includes(expected)) {
    console.error(`the supergraph lacks ${expected}`);
    process.exit(1);
  }
}
console.log("composed");
