import { Router } from 'express';
import { createRegistry, openApiDocument } from '../../api/openapi';
import { operationIdFor } from '../../api/operation-id';
import { defineRoute } from '../../api/route';

describe('operationIds', () => {
  it.each([
    ['get', '/api/incidents', 'listIncidents'],
    ['post', '/api/incidents', 'createIncident'],
    ['get', '/api/incidents/:id', 'getIncident'],
    ['post', '/api/incidents/:id/assign', 'assignIncident'],
    ['post', '/api/incidents/:id/notes', 'createIncidentNote'],
    ['get', '/api/sla-policies', 'listSlaPolicies'],
    ['put', '/api/sla-policies/{id}', 'updateSlaPolicy'],
    ['post', '/api/cis', 'createCi'],
    ['get', '/api/cis/:id/impact', 'getCiImpact'],
    ['get', '/api/cis/:id/relationships', 'listCiRelationships'],
    ['delete', '/api/cis/:id/relationships/:relationshipId', 'deleteCiRelationship'],
    ['post', '/api/audits/:id/sign-off', 'signOffAudit'],
    ['get', '/api/audits/:id/report.html', 'getAuditReportHtml'],
    ['get', '/api/users/:id/competences', 'listUserCompetences'],
    ['post', '/api/admin/import', 'postAdminImport'],
  ] as const)('%s %s is %s', (method, path, operationId) => {
    expect(operationIdFor(method, path)).toBe(operationId);
  });

  const route = (path: string, operationId?: string) => ({
    method: 'get' as const,
    path,
    operationId,
    summary: 'x',
    tags: ['x'],
    roles: null,
    responses: { 200: { description: 'x' } },
    handler: async () => ({ status: 200, body: {} }),
  });
  const operationIds = (registry: ReturnType<typeof createRegistry>) =>
    Object.values(openApiDocument(registry).paths ?? {}).flatMap((methods) => Object.values(methods as Record<string, { operationId: string }>).map((operation) => operation.operationId));

  it('refuses at start-up a route whose operationId another already has, and takes an explicit one', () => {
    const registry = createRegistry();
    defineRoute(Router(), registry, route('/api/incidents/:id'));
    expect(() => defineRoute(Router(), registry, route('/api/incidents/:incidentId'))).toThrow('operationId getIncident of GET /api/incidents/:incidentId is already used by GET /api/incidents/{id}');
    expect(() => defineRoute(Router(), registry, route('/api/incident-overview', 'getIncident'))).toThrow(/already used/);
    defineRoute(Router(), registry, route('/api/incidents/:incidentId', 'getIncidentByNumber'));
    expect(operationIds(registry)).toEqual(['getIncident', 'getIncidentByNumber']);
  });
});

describe('servers', () => {
  it('names the public URL (without a trailing slash), or the same origin when there is none', () => {
    expect(openApiDocument(createRegistry(), 'https://itsm.example.org/').servers).toEqual([{ url: 'https://itsm.example.org' }]);
    expect(openApiDocument(createRegistry()).servers).toEqual([{ url: '/' }]);
  });
});
