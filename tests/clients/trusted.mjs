// The typed example (src/example.ts, compiled to dist/ by `tsc`) against a
// newsgraph that runs only the documents of Code Generator's manifest
// (src/gql/persisted-documents.json). Prints the results as one JSON object.
//
// usage: node trusted.mjs http://127.0.0.1:PORT
import { speakersOf, trustedClient, whatDidTheySay } from './dist/example.js';

const client = trustedClient(`${process.argv[2]}/graphql`);
const said = await whatDidTheySay(client, 'Lavrov');
const speakers = await speakersOf(client, 'agence-france-presse');
console.log(JSON.stringify({ said, speakers }));
