import { generateToken } from '../api/tokens';
import type { Database } from '../prisma/database';
import { applyMigrations } from '../prisma/migrate';
import { seedDemoData, setUserToken } from '../prisma/seed';
import { createSecondScaleService, type SecondScalePolicy } from '../test/support/sla-fixtures';

/** Policy of the incidents that only need to be open: nothing of theirs falls due while the bench runs. */
const LONG_POLICY: SecondScalePolicy = { responseSeconds: 30 * 86_400, resolutionSeconds: 60 * 86_400 };

/**
 * The second-scale policy of the lateness runs: per incident three warnings and a breach on each of the two
 * clocks, so EVENTS_PER_LATENESS_INCIDENT SLA events within RESOLUTION seconds of the opening.
 */
export const LATENESS_POLICY = { responseSeconds: 8, resolutionSeconds: 16, warningThresholds: [0.5, 0.75, 0.9] } satisfies SecondScalePolicy;
export const EVENTS_PER_LATENESS_INCIDENT = 2 * (LATENESS_POLICY.warningThresholds.length + 1);

export interface BenchFixtures {
  /** The bench's own admin token; only its hash is in the database, and it goes to no process and no log. */
  token: string;
  ownerId: string;
  /** Incidents that stay open on a long policy. */
  longService: { id: string; code: string };
  /** One second-scale service per lateness rate, so each run's events are told apart by service. */
  latenessServices: Record<number, { id: string; code: string }>;
  /** Services without a policy yet: each calendar-aligned burst gives one its calendar and policies through the API. */
  burstServices: { id: string; code: string }[];
}

/** Migrates and seeds the application database before any product process opens it (PGlite allows one at a time). */
export async function prepareBenchData(db: Database, options: { latenessRates: number[]; bursts: number }): Promise<BenchFixtures> {
  await applyMigrations(db.adapterFactory);
  const users = await seedDemoData(db.prisma);
  const token = generateToken();
  await setUserToken(db.prisma, users.admin, 'bench', token);
  const ownerId = users.manager;
  const pick = ({ id, code }: { id: string; code: string }) => ({ id, code });
  const longService = pick(await createSecondScaleService(db.prisma, { code: 'BENCH-OPEN', ownerId, scaleByPriority: false, policy: LONG_POLICY }));
  const latenessServices: BenchFixtures['latenessServices'] = {};
  for (const rate of options.latenessRates) {
    latenessServices[rate] = pick(await createSecondScaleService(db.prisma, { code: `BENCH-LATE${rate}`, ownerId, scaleByPriority: false, policy: LATENESS_POLICY }));
  }
  const burstServices = [];
  for (let i = 1; i <= options.bursts; i++) {
    burstServices.push(pick(await db.prisma.service.create({ data: { code: `BENCH-BURST${i}`, name: `Bench burst ${i}`, ownerId } })));
  }
  return { token, ownerId, longService, latenessServices, burstServices };
}
