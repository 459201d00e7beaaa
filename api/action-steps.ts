import type { UpdateDefinition } from '@temporalio/client';
import { z } from 'zod';
import { complaintReference, type ComplaintOutcome } from '../domain/complaint';
import { problemReference } from '../domain/problem';
import { requestReference } from '../domain/request';
import { answersText, type RequestForm } from '../domain/request-form';
import type { ContinuityTestOutcome } from '../domain/continuity';
import type { ReviewOutcome } from '../domain/supplier';
import type { Db } from '../prisma/database';
import type { Role, User } from '../prisma/generated/client';
import { formatInstant, type Reader } from '../records/mail/reader-time';
import { signOffAuditUpdate } from '../workflows/annual-audit.messages';
import { closeComplaintUpdate } from '../workflows/complaint.messages';
import { completeCompetenceReviewUpdate } from '../workflows/competence-review.messages';
import { recordTestOutcomeUpdate } from '../workflows/continuity-test.messages';
import { completeActionUpdate } from '../workflows/corrective-action.messages';
import { investigateProblemUpdate } from '../workflows/problem.messages';
import { confirmRequestUpdate, decideRequestUpdate } from '../workflows/request.messages';
import { assessSupplierUpdate } from '../workflows/supplier-review.messages';
import type { PageLocale } from './action-pages';
import { EVERYONE, MANAGERS, STAFF } from './auth';
import { CloseComplaintBody } from './schemas/complaint';
import { AssessBody } from './schemas/supplier';

// The steps a record process offers to a named person in a mail (domain/action-links.ts), by the name the mail's
// link carries: what the page shows of the record, what it asks, and the Update its answer becomes. The Update's
// validator decides, as for an API call, whether this person may take the step now.

export type Localised = Record<PageLocale, string>;

/** One question on a step's page: a choice among options, or free text when it has none. */
export interface StepField {
  name: string;
  label: Localised;
  options?: { value: string; label: Localised }[];
}

/** What a step's page shows of its record, read from the database. */
export interface StepRecord {
  reference: string;
  state: string;
  facts: { label: Localised; value: string }[];
}

type UpdateSender = <Status extends { state: string }, Input>(update: UpdateDefinition<Status, [Input]>, input: Input) => Promise<Status>;

export interface ActionStep {
  /** The page's heading and its button. */
  title: Localised;
  action: Localised;
  /** The record's name in refusals ("the complaint is closed; its lifecycle has ended"). */
  noun: string;
  /** Who may take the step through the API; the link's holder must still hold one of these. */
  roles: Role[];
  /** The record's states in which the step is waiting to be taken. */
  openIn: string[];
  fields: StepField[];
  load(prisma: Db, workflowId: string, reader: Reader): Promise<StepRecord | null>;
  /** Checks the posted form and readies its Update, built for the person who holds the link. */
  prepare(form: unknown, person: User): { ok: true; send: (via: UpdateSender) => Promise<{ state: string }> } | { ok: false; invalid: string[] };
}

interface StepDefinition<Form, Input, Status extends { state: string }> extends Omit<ActionStep, 'prepare'> {
  update: UpdateDefinition<Status, [Input]>;
  form: z.ZodType<Form>;
  input(form: Form, person: User): Input;
}

function defineStep<Form, Input, Status extends { state: string }>({ update, form, input, ...shown }: StepDefinition<Form, Input, Status>): ActionStep {
  return {
    ...shown,
    prepare(body, person) {
      const parsed = form.safeParse(body);
      if (!parsed.success) return { ok: false, invalid: [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))] };
      return { ok: true, send: (via) => via(update, input(parsed.data, person)) };
    },
  };
}

/** Whether the person is a manager now: read from their roles when the link is used, as the API reads the caller's. */
const isManager = (person: User) => person.roles.some((role) => MANAGERS.includes(role));
const both = (en: string, zh: string): Localised => ({ en, 'zh-CN': zh });
const text = (name: string, en: string, zh: string): StepField => ({ name, label: both(en, zh) });
/** A choice whose options are every value the Update accepts, each labelled in both languages. */
const choice = <Value extends string>(name: string, en: string, zh: string, options: Record<Value, [string, string]>): StepField => ({
  name,
  label: both(en, zh),
  options: Object.entries<[string, string]>(options).map(([value, labels]) => ({ value, label: both(...labels) })),
});
const fact = (en: string, zh: string, value: string) => ({ label: both(en, zh), value });
const personName = async (prisma: Db, id: string | null) => (id ? ((await prisma.user.findUnique({ where: { id }, select: { name: true } }))?.name ?? id) : '–');
const notes = z.string().trim().min(3).max(10_000);

export const ACTION_STEPS: Record<string, ActionStep> = {
  'corrective-action.complete': defineStep({
    title: both('Corrective action', '纠正措施'),
    action: both('Record it done', '记录为已完成'),
    noun: 'corrective action',
    roles: EVERYONE,
    openIn: ['open'],
    fields: [text('notes', 'What was done', '完成了哪些工作')],
    update: completeActionUpdate,
    form: z.strictObject({ notes }),
    input: (form, person) => ({ actorId: person.id, mayComplete: isManager(person), notes: form.notes }),
    async load(prisma, workflowId, reader) {
      const action = await prisma.correctiveAction.findUnique({ where: { workflowId } });
      if (!action) return null;
      return {
        reference: action.title,
        state: action.state,
        facts: [fact('Raised by', '来源', action.source), fact('Owner', '负责人', await personName(prisma, action.ownerId)), fact('Due', '截止时间', formatInstant(action.dueAt, reader))],
      };
    },
  }),

  'supplier-review.assess': defineStep({
    title: both('Supplier review', '供应商评审'),
    action: both('Record the assessment', '提交评估'),
    noun: 'supplier review',
    roles: STAFF,
    openIn: ['awaiting-assessment'],
    fields: [
      choice<ReviewOutcome>('outcome', 'Outcome', '结论', { continue: ['Continue the contract', '继续合作'], renegotiate: ['Renegotiate', '重新谈判'], terminate: ['Terminate', '终止合同'] }),
      text('notes', 'Notes', '说明'),
    ],
    update: assessSupplierUpdate,
    form: AssessBody,
    input: (form, person) => ({ actorId: person.id, mayAssess: isManager(person), ...form }),
    async load(prisma, workflowId, reader) {
      const review = await prisma.supplierReview.findUnique({ where: { workflowId }, include: { contract: { include: { supplier: true, owner: true } } } });
      if (!review) return null;
      const performance = review.performance as { incidents?: number; targets?: { metric: string; target: number; achieved: number | null }[] } | null;
      const percent = (share: number | null) => (share === null ? '–' : `${Math.round(share * 1000) / 10}%`);
      return {
        reference: review.contract.reference,
        state: review.state,
        facts: [
          fact('Contract', '合同', review.contract.title),
          fact('Supplier', '供应商', review.contract.supplier.name),
          fact('Contract owner', '合同负责人', review.contract.owner.name),
          fact('Period', '评审期间', `${formatInstant(review.periodStart, reader)} – ${formatInstant(review.periodEnd, reader)}`),
          fact('Incidents', '事件数', String(performance?.incidents ?? '–')),
          fact('Targets (achieved / target)', '目标（达成 / 目标）', (performance?.targets ?? []).map((t) => `${t.metric} ${percent(t.achieved)} / ${percent(t.target)}`).join('; ') || '–'),
          fact('Assess by', '评估截止', review.dueAt ? formatInstant(review.dueAt, reader) : '–'),
        ],
      };
    },
  }),

  'continuity-test.record-outcome': defineStep({
    title: both('Continuity test', '连续性测试'),
    action: both('Record the outcome', '记录结果'),
    noun: 'continuity test',
    roles: EVERYONE,
    openIn: ['due'],
    fields: [
      choice<ContinuityTestOutcome>('outcome', 'Outcome', '结果', { passed: ['Passed', '通过'], failed: ['Failed', '未通过'] }),
      text('notes', 'What was tested and what happened', '测试内容与结果'),
    ],
    update: recordTestOutcomeUpdate,
    form: z.strictObject({ outcome: z.enum(['passed', 'failed'] satisfies ContinuityTestOutcome[]), notes }),
    input: (form, person) => ({ actorId: person.id, mayRecord: isManager(person), ...form }),
    async load(prisma, workflowId, reader) {
      const test = await prisma.continuityTest.findUnique({ where: { workflowId }, include: { plan: { include: { service: true, owner: true } } } });
      if (!test) return null;
      return {
        reference: test.plan.title,
        state: test.state,
        facts: [fact('Service', '服务', test.plan.service.name), fact('Scenario', '场景', test.plan.scenario), fact('Plan owner', '计划负责人', test.plan.owner.name), fact('Due', '截止时间', formatInstant(test.dueAt, reader))],
      };
    },
  }),

  'competence-review.complete': defineStep({
    title: both('Competence review', '能力评审'),
    action: both('Complete the review', '完成评审'),
    noun: 'competence review',
    roles: MANAGERS,
    openIn: ['due'],
    fields: [text('summary', 'What was reviewed', '评审内容')],
    update: completeCompetenceReviewUpdate,
    form: z.strictObject({ summary: notes }),
    input: (form, person) => ({ actorId: person.id, isManager: isManager(person), summary: form.summary }),
    async load(prisma, workflowId, reader) {
      const review = await prisma.competenceReview.findUnique({ where: { workflowId }, include: { user: true } });
      if (!review) return null;
      return { reference: `${review.user.name} ${review.year}`, state: review.state, facts: [fact('Person', '人员', review.user.name), fact('Due', '截止时间', formatInstant(review.dueAt, reader))] };
    },
  }),

  'complaint.close': defineStep({
    title: both('Complaint', '投诉'),
    action: both('Close the complaint', '关闭投诉'),
    noun: 'complaint',
    roles: STAFF,
    openIn: ['received', 'investigating'],
    fields: [
      choice<ComplaintOutcome>('outcome', 'Outcome', '结论', { upheld: ['Upheld', '投诉成立'], partially_upheld: ['Partially upheld', '部分成立'], not_upheld: ['Not upheld', '投诉不成立'] }),
      text('resolution', 'Resolution (mailed to the complainant)', '处理结果（将发送给投诉人）'),
    ],
    update: closeComplaintUpdate,
    form: CloseComplaintBody,
    input: (form, person) => ({ actorId: person.id, isManager: isManager(person), ...form }),
    async load(prisma, workflowId, reader) {
      const complaint = await prisma.complaint.findUnique({ where: { workflowId }, include: { complainant: true, handler: true } });
      if (!complaint) return null;
      return {
        reference: complaintReference(complaint.number),
        state: complaint.state,
        facts: [
          fact('Subject', '主题', complaint.subject),
          fact('Description', '描述', complaint.description),
          fact('Severity', '严重程度', complaint.severity),
          fact('Complainant', '投诉人', complaint.complainant.name),
          fact('Handler', '处理人', complaint.handler?.name ?? '–'),
          fact('Close by', '关闭期限', formatInstant(complaint.dueAt, reader)),
        ],
      };
    },
  }),

  'audit.sign-off': defineStep({
    title: both('Internal audit: management review', '内部审核：管理评审'),
    action: both('Sign off the audit', '签署审核'),
    noun: 'audit',
    roles: MANAGERS,
    openIn: ['management_review'],
    fields: [],
    update: signOffAuditUpdate,
    form: z.strictObject({}),
    input: (_form, person) => ({ actorId: person.id, isManager: isManager(person) }),
    async load(prisma, workflowId, reader) {
      const audit = await prisma.audit.findUnique({ where: { workflowId }, include: { _count: { select: { findings: true } } } });
      if (!audit) return null;
      return {
        reference: `${formatInstant(audit.periodStart, reader)} – ${formatInstant(audit.periodEnd, reader)}`,
        state: audit.state,
        facts: [fact('Auditor', '审核员', await personName(prisma, audit.auditorId)), fact('Findings', '发现项', String(audit._count.findings)), fact('Sign off by', '签署期限', audit.reviewDueAt ? formatInstant(audit.reviewDueAt, reader) : '–')],
      };
    },
  }),

  'problem.investigate': defineStep({
    title: both('Problem', '问题'),
    action: both('Take the investigation', '接手调查'),
    noun: 'problem',
    roles: STAFF,
    openIn: ['new'],
    fields: [],
    update: investigateProblemUpdate,
    form: z.strictObject({}),
    // Whoever takes the step from their link becomes the problem's owner, as `POST /investigate` without an owner does.
    input: (_form, person) => ({ actorId: person.id, ownerId: person.id }),
    async load(prisma, workflowId, reader) {
      const problem = await prisma.problem.findUnique({ where: { workflowId }, include: { service: true } });
      if (!problem) return null;
      return {
        reference: problemReference(problem.number),
        state: problem.state,
        facts: [
          fact('Title', '标题', problem.title),
          fact('Description', '描述', problem.description),
          fact('Priority', '优先级', problem.priority),
          fact('Service', '服务', problem.service?.name ?? '–'),
          fact('Root cause due', '根因分析期限', problem.rcaDueAt ? formatInstant(problem.rcaDueAt, reader) : '–'),
        ],
      };
    },
  }),

  'request.decide': defineStep({
    title: both('Request approval', '申请审批'),
    action: both('Send my decision', '提交决定'),
    noun: 'request',
    roles: EVERYONE,
    openIn: ['approval'],
    fields: [choice<'approve' | 'reject'>('decision', 'Decision', '决定', { approve: ['Approve', '批准'], reject: ['Reject', '拒绝'] }), text('comment', 'Comment (required to reject)', '意见（拒绝时必填）')],
    update: decideRequestUpdate,
    form: z.strictObject({ decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(10_000).default('') }),
    input: (form, person) => ({ actorId: person.id, decision: form.decision, comment: form.comment, via: 'link' as const }),
    load: requestRecord,
  }),

  'request.confirm': defineStep({
    title: both('Request fulfilled', '申请已完成'),
    action: both('Confirm I received it', '确认已收到'),
    noun: 'request',
    roles: EVERYONE,
    openIn: ['fulfilled'],
    fields: [],
    update: confirmRequestUpdate,
    form: z.strictObject({}),
    input: (_form, person) => ({ actorId: person.id }),
    load: requestRecord,
  }),
};

/** What both request steps show: the item, who asks, what they answered, and the deadline the step has. */
async function requestRecord(prisma: Db, workflowId: string, reader: Reader): Promise<StepRecord | null> {
  const request = await prisma.serviceRequest.findUnique({ where: { workflowId }, include: { item: { include: { service: true } }, requester: true } });
  if (!request) return null;
  return {
    reference: requestReference(request.number),
    state: request.state,
    facts: [
      fact('Item', '申请项目', `${request.item.name} (${request.item.service.name})`),
      fact('Requested by', '申请人', request.requester.name),
      fact('Answers', '填写内容', answersText(request.item.form as unknown as RequestForm, request.answers as Record<string, string>) || '–'),
      fact('Submitted', '提交时间', formatInstant(request.createdAt, reader)),
      fact('Fulfilled', '完成时间', request.fulfilledAt ? formatInstant(request.fulfilledAt, reader) : '–'),
    ],
  };
}

/** The step a link names, if this service knows it (a link outlives a release that drops a step). */
export const stepNamed = (name: string): ActionStep | undefined => (Object.hasOwn(ACTION_STEPS, name) ? ACTION_STEPS[name] : undefined);
