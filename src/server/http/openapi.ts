// The API description served at /api/v1/openapi.json (OpenAPI 3.1), kept beside the routes.
const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const submitResult = { $ref: '#/components/schemas/SubmitResult' };

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Vouch API',
    version: '1',
    description:
      'Maintainers sign their own changes; the server validates, keeps history in git and publishes. ' +
      'TUF metadata and targets are served under /tuf/ (not described here): clients verify them themselves.',
  },
  paths: {
    '/api/v1/blobs/{sha256}': {
      put: {
        summary: 'Upload the bytes of a file a change will list (streamed; size-limited)',
        parameters: [{ name: 'sha256', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '201': { description: 'Staged', ...json({ type: 'object', properties: { sha256: { type: 'string' }, sha512: { type: 'string' }, length: { type: 'integer' } } }) },
          '400': { description: 'The bytes do not hash to the sha256 in the path', ...json(error) },
          '413': { description: 'Over the size limit', ...json(error) },
        },
      },
    },
    '/api/v1/changes': {
      get: { summary: 'Pending changes and whose signatures they await', responses: { '200': { description: 'OK', ...json({ type: 'object', properties: { changes: { type: 'array', items: { $ref: '#/components/schemas/PendingChange' } } } }) } } },
      post: {
        summary: 'Submit signed metadata for a role: published when its threshold is met, else pending',
        requestBody: { required: true, ...json({ type: 'object', required: ['role', 'metadata'], properties: { role: { type: 'string' }, metadata: { $ref: '#/components/schemas/Envelope' }, companion: { $ref: '#/components/schemas/Companion' } } }) },
        responses: {
          '201': { description: 'Published', ...json(submitResult) },
          '202': { description: 'Pending: more signatures needed', ...json(submitResult) },
          '400': { description: 'Refused by a rule (the code and message say which)', ...json(error) },
          '409': { description: 'The version is not current + 1 (another change won a race): rebuild and retry', ...json(error) },
        },
      },
    },
    '/api/v1/changes/{id}': {
      get: { summary: 'One pending change: the proposed metadata, what it changes, who signed, who is awaited', parameters: [{ $ref: '#/components/parameters/ChangeId' }], responses: { '200': { description: 'OK', ...json({ $ref: '#/components/schemas/PendingChange' }) }, '404': { description: 'No such change', ...json(error) } } },
    },
    '/api/v1/changes/{id}/signatures': {
      post: {
        summary: 'Add signatures to a pending change; at its threshold it is validated and published',
        parameters: [{ $ref: '#/components/parameters/ChangeId' }],
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            description: 'at least one signature, over the change or over its companion',
            properties: {
              signatures: { type: 'array', items: { $ref: '#/components/schemas/Signature' } },
              companion: { type: 'array', description: "signatures over the change's companion role", items: { $ref: '#/components/schemas/Signature' } },
            },
          }),
        },
        responses: { '201': { description: 'Published', ...json(submitResult) }, '202': { description: 'Still pending', ...json(submitResult) }, '409': { description: 'Stale: the role moved on since the change was proposed', ...json(error) } },
      },
    },
    '/api/v1/apt/explain': {
      get: {
        summary: 'Why a package is or is not listed in the apt indexes, naming the check that failed',
        parameters: [{ name: 'package', in: 'query', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'One explanation per signed target of that package (or project)', ...json({ type: 'object' }) }, '400': { description: 'No package given', ...json(error) } },
      },
    },
    '/api/v1/health/expiry': {
      get: {
        summary: 'Expiry of every role: offline roles inside their signing window, the renewal change that renews each, expired roles',
        description:
          'For monitoring: 200 when every role is ok, 503 otherwise (status "warning": a role is inside its signing window; "critical": root is, or any role expired). ' +
          'Each offline role (root, targets, projects) keeps its expiry period and signing window in its signed metadata (x-vouch-expiry-period, x-vouch-signing-window, seconds).',
        responses: { '200': { description: 'Every role ok', ...json({ $ref: '#/components/schemas/ExpiryReport' }) }, '503': { description: 'A role needs its signers (or expired)', ...json({ $ref: '#/components/schemas/ExpiryReport' }) } },
      },
    },
    '/api/v1/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OK' } } } },
  },
  components: {
    parameters: { ChangeId: { name: 'id', in: 'path', required: true, schema: { type: 'string' } } },
    schemas: {
      Error: { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      Signature: { type: 'object', required: ['keyid', 'sig'], properties: { keyid: { type: 'string' }, sig: { type: 'string' } } },
      Envelope: { type: 'object', required: ['signatures', 'signed'], properties: { signatures: { type: 'array', items: { $ref: '#/components/schemas/Signature' } }, signed: { type: 'object' } } },
      Tally: { type: 'object', properties: { threshold: { type: 'integer' }, validBy: { type: 'array', items: { type: 'string' } }, awaiting: { type: 'array', items: { type: 'string' } }, met: { type: 'boolean' } } },
      SubmitResult: {
        type: 'object',
        properties: {
          status: { enum: ['published', 'pending'] }, role: { type: 'string' }, version: { type: 'integer' }, commit: { type: 'string' }, id: { type: 'string' }, tally: { $ref: '#/components/schemas/Tally' },
          companion: { type: 'object', properties: { role: { type: 'string' }, tally: { $ref: '#/components/schemas/Tally' } } },
        },
      },
      Companion: {
        type: 'object',
        required: ['role', 'metadata'],
        description: 'the role below re-signed (same content, next version) under the keys the change introduces: targets with a root change, a project with a maintainer key rotation; published in the same commit',
        properties: { role: { type: 'string' }, metadata: { $ref: '#/components/schemas/Envelope' } },
      },
      ExpiryReport: {
        type: 'object',
        required: ['status', 'checkedAt', 'roles'],
        properties: {
          status: { enum: ['ok', 'warning', 'critical'] },
          checkedAt: { type: 'string', format: 'date-time' },
          roles: { type: 'array', items: { $ref: '#/components/schemas/RoleExpiry' } },
        },
      },
      RoleExpiry: {
        type: 'object',
        required: ['role', 'kind', 'version', 'expires', 'windowOpensAt', 'status', 'daysLeft'],
        properties: {
          role: { type: 'string' },
          kind: { enum: ['root', 'targets', 'project', 'online'] },
          version: { type: 'integer' },
          expires: { type: 'string', format: 'date-time' },
          windowOpensAt: { type: 'string', format: 'date-time', description: 'online roles: when the server re-signs them' },
          status: { enum: ['ok', 'inside-window', 'expired'] },
          daysLeft: { type: 'integer', description: 'whole days before expiry; negative once expired' },
          renewalChange: { type: 'string', description: 'the pending change whose publication closes the window (vouch sign ID)' },
        },
      },
      PendingChange: { type: 'object', properties: { id: { type: 'string' }, role: { type: 'string' }, version: { type: 'integer' }, base: { type: 'string' }, createdAt: { type: 'string' }, stale: { type: 'boolean' }, staleReason: { type: 'string' }, tally: { $ref: '#/components/schemas/Tally' }, diff: { type: 'object' }, metadata: { $ref: '#/components/schemas/Envelope' },
          companion: { type: 'object', properties: { role: { type: 'string' }, version: { type: 'integer' }, tally: { $ref: '#/components/schemas/Tally' }, metadata: { $ref: '#/components/schemas/Envelope' } } } } },
    },
  },
};
