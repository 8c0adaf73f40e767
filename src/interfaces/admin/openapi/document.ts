/**
 * The OpenAPI 3.1 document of the admin API, generated from the route table
 * (the same one the router is built from) and the body schemas, served at
 * /admin/api/v1/openapi.json.
 */
import type { RouteDef } from '../route.js';
import { SCHEMAS } from './schemas.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function operation(r: RouteDef): Record<string, unknown> {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', maxLength: 200 },
  }));
  const query = [
    ...(r.paged
      ? [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          {
            name: 'cursor',
            in: 'query',
            schema: { type: 'string' },
            description: 'the `next` of the previous page',
          },
        ]
      : []),
    ...(r.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      schema: q.schema,
      description: q.description,
    })),
  ];
  const ok = Object.entries(r.responses ?? { '200': 'OK' }).map(([status, description]) => [
    status,
    status === '204'
      ? { description }
      : {
          description,
          ...(r.ifMatch || r.method === 'get' ? { headers: { ETag: { schema: { type: 'string' } } } } : {}),
          content: description.startsWith('application/octet-stream')
            ? {
                'application/octet-stream': {
                  schema: { type: 'string', contentMediaType: 'application/octet-stream' },
                },
              }
            : { 'application/json': { schema: { type: 'object' } } },
        },
  ]);
  return {
    operationId: r.operationId,
    summary: r.summary,
    tags: [r.tag],
    'x-permission': r.permission,
    ...(r.fresh ? { 'x-fresh-authentication': true } : {}),
    security: [{ bearer: [] }],
    parameters: [
      ...params,
      ...query,
      ...(r.ifMatch
        ? [
            {
              name: 'If-Match',
              in: 'header',
              required: true,
              schema: { type: 'string' },
              description: 'the ETag read',
            },
          ]
        : []),
    ],
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.body}` } } },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(ok),
      '401': problem(
        r.fresh
          ? 'No or invalid bearer token, or one older than admin.freshAuthMinutes (reauthentication-required)'
          : 'No or invalid bearer token',
      ),
      '403': problem(
        'The caller’s roles do not grant the permission, or the eService is not its own, or four eyes',
      ),
      ...(r.method === 'get'
        ? {}
        : {
            '409': problem('Conflict or wrong state'),
            '422': problem('Invalid body; pointer names the field'),
          }),
      ...(r.ifMatch
        ? { '412': problem('If-Match is not current'), '428': problem('If-Match is missing') }
        : {}),
      '503': problem('The registry database is unreachable'),
    },
  };
}

export function openApiDocument(routes: readonly RouteDef[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {
    '/token': {
      post: {
        operationId: 'token',
        summary: 'Exchange a client assertion (RFC 7523, private_key_jwt) for a bearer token',
        tags: ['Authentication'],
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: ['grant_type', 'client_assertion_type', 'client_assertion'],
                properties: {
                  grant_type: { const: 'client_credentials' },
                  client_assertion_type: { const: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' },
                  client_assertion: {
                    type: 'string',
                    description:
                      'JWT: iss = sub = account, aud = this URL, exp ≤ 5 min, jti, kid = credential',
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'access_token, token_type Bearer, expires_in',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '400': problem('Malformed request'),
          '401': problem('Client authentication failed'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        tags: ['Authentication'],
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1' } },
      },
    },
  };
  for (const r of routes) {
    paths[r.path] ??= {};
    paths[r.path]![r.method] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'N_eID-Server admin API',
      version: '1',
      description:
        'The eService registry and the Secure API approval workflow (seed 004 第陸章 壹.一–二, 表8). Errors are RFC 9457 problem details; versioned records carry an ETag and need If-Match to change.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: `${serverUrl}/admin/api/v1` }],
    components: {
      schemas: SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'from POST /token' } },
    },
    paths,
  };
}
