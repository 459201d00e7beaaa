import express, { Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { loadEdgeSettings } from '../config/env';
import { logRedaction } from '../config/logger';
import { authenticate, signedInUser } from './auth';
import type { ApiDeps } from './deps';
import { createRegistry, openApiDocument } from './openapi';
import { notFoundHandler, problemDetailsHandler } from './problem-details';
import { rateLimits } from './rate-limits';
import { cachedReadiness, readinessChecks } from './readiness';
import { actionRoutes } from './routes/actions';
import { signInRoutes } from './routes/sign-in';
import { sameOriginPosts } from './same-origin';
import { setSessionSettings } from './sessions';
import { changeActionRoutes } from './routes/change-actions';
import { changeBoardRoutes } from './routes/change-boards';
import { changeRoutes } from './routes/changes';
import { changeWindowRoutes } from './routes/change-windows';
import { ciRoutes } from './routes/cis';
import { knowledgeRoutes } from './routes/knowledge';
import { problemRoutes } from './routes/problems';
import { releaseRoutes } from './routes/releases';
import { scheduleRoutes } from './routes/schedules';
import { supplierRoutes } from './routes/suppliers';
import { auditRoutes } from './routes/audits';
import { serviceReportRoutes } from './routes/service-reports';
import { continuityRoutes } from './routes/continuity';
import { competenceRoutes } from './routes/competence';
import { complaintRoutes } from './routes/complaints';
import { surveyRoutes } from './routes/surveys';
import { catalogRoutes } from './routes/catalog';
import { requestRoutes } from './routes/requests';
import { accessRoutes } from './routes/access';
import { healthRoutes } from './routes/health';
import { metricsRoutes, requestMetrics } from './metrics';
import { calendarRoutes } from './routes/calendars';
import { incidentActionRoutes } from './routes/incident-actions';
import { slaPolicyRoutes } from './routes/sla-policies';
import { assignmentRuleRoutes } from './routes/assignment-rules';
import { incidentRoutes } from './routes/incidents';
import { outageRoutes } from './routes/outages';
import { serviceRoutes } from './routes/services';
import { userRoutes } from './routes/users';
import { groupRoutes } from './routes/groups';
import { adminImportRoutes } from './routes/admin-import';
import { tokenRoutes } from './routes/tokens';
import { inboundMailRoutes } from './routes/inbound-mail';
import { roleMappingRoutes } from './routes/role-mappings';

export function createApp(deps: ApiDeps) {
  const edge = deps.edge ?? loadEdgeSettings({});
  const limits = rateLimits(edge.limits, deps.logger);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', edge.trustProxy);
  setSessionSettings(app, edge);
  // helmet's no-referrer would make browsers send `Origin: null` on our own form posts, which sameOriginPosts
  // refuses; same-origin still tells other sites nothing (action links carry their token in the path).
  app.use(requestMetrics());
  app.use(helmet({ referrerPolicy: { policy: 'same-origin' } }));
  app.use(pinoHttp({ logger: deps.logger, useLevel: deps.requestLogLevel ?? 'info', ...logRedaction, autoLogging: { ignore: (req) => req.url === '/healthz' } }));

  // Public routes read only small url-encoded forms, each parsed by its own route.
  app.post('/login', limits.login);
  if (deps.identityProvider) app.get(deps.identityProvider.settings.redirectUrl.pathname, limits.login);
  app.use('/actions', limits.actions);
  app.post(['/login', '/logout', '/actions/:token'], sameOriginPosts(deps.publicUrl));
  const publicRoutes = Router();
  healthRoutes(publicRoutes, cachedReadiness(readinessChecks(deps), deps.logger), deps);
  metricsRoutes(publicRoutes);
  actionRoutes(publicRoutes, deps);
  signInRoutes(publicRoutes, deps);
  app.use(publicRoutes);

  const registry = createRegistry();
  const api = Router();
  // A body is read only for a caller who holds a valid token: an anonymous megabyte costs a 401, not a parse.
  api.use('/api', ...limits.api, authenticate(deps, edge.tokenCacheSeconds), express.json({ limit: '1mb' }));
  incidentRoutes(api, registry, deps);
  incidentActionRoutes(api, registry, deps);
  inboundMailRoutes(api, registry, deps);
  calendarRoutes(api, registry, deps);
  slaPolicyRoutes(api, registry, deps);
  assignmentRuleRoutes(api, registry, deps);
  serviceRoutes(api, registry, deps);
  outageRoutes(api, registry, deps);
  userRoutes(api, registry, deps);
  groupRoutes(api, registry, deps);
  adminImportRoutes(api, registry, deps);
  tokenRoutes(api, registry, deps);
  roleMappingRoutes(api, registry, deps);
  changeRoutes(api, registry, deps);
  changeActionRoutes(api, registry, deps);
  changeWindowRoutes(api, registry, deps);
  changeBoardRoutes(api, registry, deps);
  ciRoutes(api, registry, deps);
  problemRoutes(api, registry, deps);
  knowledgeRoutes(api, registry, deps);
  releaseRoutes(api, registry, deps);
  scheduleRoutes(api, registry, deps);
  supplierRoutes(api, registry, deps);
  auditRoutes(api, registry, deps);
  serviceReportRoutes(api, registry, deps);
  continuityRoutes(api, registry, deps);
  competenceRoutes(api, registry, deps);
  complaintRoutes(api, registry, deps);
  surveyRoutes(api, registry, deps);
  catalogRoutes(api, registry, deps);
  requestRoutes(api, registry, deps);
  accessRoutes(api, registry, deps);

  const document = openApiDocument(registry, deps.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // With an identity provider the documentation is for the organisation's people: they sign in to read it.
  if (deps.identityProvider) {
    app.use('/docs', async (req, res, next) => {
      if (await signedInUser(deps, req, res)) return next();
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    });
  }
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'ITSM API' }));
  app.use(api);
  app.use(notFoundHandler);
  app.use(problemDetailsHandler);
  return app;
}
