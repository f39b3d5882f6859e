// GraphQL Code Generator's client preset over newsgraph's committed schema:
// typed documents for src/**/*.ts in src/gql/, and (persistedDocuments) the
// manifest src/gql/persisted-documents.json that newsgraph's trusted mode reads
// (NEWSGRAPH_TRUSTED_DOCUMENTS). `npx graphql-codegen` in this folder runs it;
// NEWSGRAPH_SCHEMA points it at another schema file (the test does, to show that
// a schema change which breaks this client fails the type check).
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

const config: CodegenConfig = {
  schema: process.env.NEWSGRAPH_SCHEMA ?? '../../schema/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  generates: {
    './src/gql/': {
      preset: 'client',
      // ES module imports with their `.js` extensions (this package is `"type": "module"`).
      config: { emitLegacyCommonJSImports: false, scalars: { DateTime: 'string', NaiveDate: 'string' }, enumsAsTypes: true },
      presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' } },
      // Apollo Client adds __typename to every selection; so does the manifest.
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
  },
};

export default config;
