import type { RiskLevel, StandardTemplate } from '../domain/change';
import type { StandardChangeTemplate, StandardChangeTemplateService } from '../prisma/generated/client';

/** A template row with the services it covers, as the intake and the assessment both judge changes by it. */
export function standardTemplate(row: StandardChangeTemplate & { services: Pick<StandardChangeTemplateService, 'serviceId'>[] }): StandardTemplate {
  return {
    name: row.name,
    active: row.active,
    serviceIds: row.services.map((s) => s.serviceId),
    ciTypes: row.ciTypes,
    maxCost: Number(row.maxCost),
    maxDurationMinutes: row.maxDurationMinutes,
    maxRisk: row.maxRisk as RiskLevel,
  };
}
