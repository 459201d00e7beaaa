import express, { Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { authenticate } from './auth';
import type { ApiDeps } from './deps';
import { createRegistry, openApiDocument } from './openapi';
import { notFoundHandler, problemErrorHandler } from './problem';
import { readinessChecks } from './readiness';
import { actionRoutes } from './routes/actions';
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
import { healthRoutes } from './routes/health';
import { calendarRoutes } from './routes/calendars';
import { incidentActionRoutes } from './routes/incident-actions';
import { slaPolicyRoutes } from './routes/sla-policies';
import { incidentRoutes } from './routes/incidents';
import { serviceRoutes } from './routes/services';
import { userRoutes } from './routes/users';

export function createApp(deps: ApiDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(express.json({ limit: '1mb' }));

  const publicRoutes = Router();
  healthRoutes(publicRoutes, readinessChecks(deps));
  actionRoutes(publicRoutes, deps);
  app.use(publicRoutes);

  const registry = createRegistry();
  const api = Router();
  api.use('/api', authenticate(deps.prisma));
  incidentRoutes(api, registry, deps);
  incidentActionRoutes(api, registry, deps);
  calendarRoutes(api, registry, deps);
  slaPolicyRoutes(api, registry, deps);
  serviceRoutes(api, registry, deps);
  userRoutes(api, registry, deps);
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

  const document = openApiDocument(registry);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'ITSM API' }));
  app.use(api);
  app.use(notFoundHandler);
  app.use(problemErrorHandler);
  return app;
}
