import type { Response } from 'express';
import type { User } from '../prisma/generated/client';
import type { ProcessStepClaims } from '../records/mail/action-tokens';
import { formatInstant, localiseInstants } from '../records/mail/reader-time';
import { messagePage, pageTexts, stepPage, type PageReader } from './action-pages';
import { stepNamed, type ActionStep, type StepRecord } from './action-steps';
import type { ApiDeps } from './deps';
import { HttpError } from './problem-details';
import { sendRecordUpdate } from './workflow-updates';

type Answers = Record<string, unknown>;

/**
 * The offered-step side of `/actions/:token` (api/action-steps.ts): GET shows the record and the step's
 * questions and writes nothing; POST sends the step's Update to the workflow that offered it, as the link's
 * holder, through the same path and validator as the API. The link is claimed before the Update is sent and
 * given back when it is refused, so it stays used only when the step was taken.
 */
export function stepLinks(deps: ApiDeps) {
  const { prisma } = deps;

  /** The step and its record, or the page that says why there is nothing to do: 400 unknown, 409 not waiting. */
  async function open(res: Response, claims: ProcessStepClaims, reader: PageReader): Promise<{ step: ActionStep; record: StepRecord } | null> {
    const t = pageTexts(reader.locale);
    const refuse = (status: number, heading: string, message: string) => {
      res.status(status).type('html').send(messagePage(reader.locale, heading, message, 'refused'));
      return null;
    };
    const step = stepNamed(claims.step);
    const record = step ? await step.load(prisma, claims.workflowId, reader) : null;
    if (!step || !record) return refuse(400, t.invalidTitle, t.invalid);
    if (!step.openIn.includes(record.state)) return refuse(409, t.closedTitle, t.stepNotOpen(record.state));
    return { step, record };
  }

  function show(res: Response, claims: ProcessStepClaims, reader: PageReader, { step, record }: { step: ActionStep; record: StepRecord }, answers: Answers = {}, invalid: string[] = []) {
    const { locale } = reader;
    const labelled = step.fields.filter((f) => invalid.includes(f.name)).map((f) => f.label[locale]);
    res.status(invalid.length ? 400 : 200).type('html').send(
      stepPage(locale, {
        heading: `${step.title[locale]}: ${record.reference}`,
        facts: record.facts.map((f) => ({ label: f.label[locale], value: f.value })),
        fields: step.fields.map((f) => ({ name: f.name, label: f.label[locale], options: f.options?.map((o) => ({ value: o.value, label: o.label[locale] })), value: typeof answers[f.name] === 'string' ? (answers[f.name] as string) : undefined })),
        action: step.action[locale],
        deadline: formatInstant(claims.expiresAt, reader),
        error: invalid.length ? pageTexts(locale).checkFields(labelled.join(', ') || invalid.join(', ')) : undefined,
      }),
    );
  }

  return {
    async render(res: Response, claims: ProcessStepClaims, reader: PageReader) {
      const opened = await open(res, claims, reader);
      if (opened) show(res, claims, reader, opened);
    },

    async take(res: Response, claims: ProcessStepClaims, reader: PageReader, person: User, answers: Answers) {
      const { locale } = reader;
      const t = pageTexts(locale);
      const opened = await open(res, claims, reader);
      if (!opened) return;
      const { step, record } = opened;
      const prepared = step.prepare(answers, person);
      if (!prepared.ok) return show(res, claims, reader, opened, answers, prepared.invalid);
      try {
        await prisma.actionTokenUse.create({ data: { jti: claims.jti, userId: person.id } });
      } catch {
        return void res.status(409).type('html').send(messagePage(locale, t.usedTitle, t.used, 'refused'));
      }
      try {
        const status = await prepared.send((update, input) =>
          sendRecordUpdate(deps.temporal, { workflowId: claims.workflowId, noun: step.noun, currentState: async () => (await step.load(prisma, claims.workflowId, reader))?.state ?? 'unknown' }, update, input),
        );
        res.status(200).type('html').send(messagePage(locale, t.stepDoneTitle, t.stepDone(step.action[locale], record.reference, status.state), 'done'));
      } catch (error) {
        // The step was not taken, so the link stays usable for as long as the step is open.
        await prisma.actionTokenUse.delete({ where: { jti: claims.jti } });
        if (!(error instanceof HttpError)) throw error;
        res.status(error.status).type('html').send(messagePage(locale, t.refusedTitle, localiseInstants(error.detail, reader), 'refused'));
      }
    },
  };
}
