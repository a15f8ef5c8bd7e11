/**
 * @govchain/schemas: the TypeBox (JSON Schema) definitions of every HTTP route and of
 * the module payloads the SDK builds. The API validates and documents with them; the
 * SDK derives its TypeScript types from them (type-only imports, so a browser bundle of
 * the SDK carries none of this). Depends on nothing but TypeBox: no Node, no Fastify.
 */
export * from './routes.js';
