import { escapeHtml, riskZh, typeZh, type ChangeMailContext } from '../records/mail/change-mail';
import type { Reader } from '../records/mail/reader-time';
import { SCORE_LABELS } from '../domain/satisfaction';

// The pages behind e-mail action links, in the approver's language. They are plain HTML forms: nothing to
// load, no script, readable on a phone.

export type PageLocale = 'en' | 'zh-CN';

/** The link's addressee: the page's language (theirs unless the link asks for another) and their time zone. */
export interface PageReader extends Reader {
  locale: PageLocale;
}

const en = {
  title: 'Change approval',
  type: 'Type',
  risk: 'Risk',
  window: 'Window',
  services: 'Services',
  requester: 'Requested by',
  justification: 'Justification',
  board: 'Board',
  deadline: 'Decide by',
  decisions: 'Decisions so far',
  none: 'none yet',
  comment: 'Comment (required to reject)',
  approve: 'Approve',
  reject: 'Reject',
  approved: 'approved',
  rejected: 'rejected',
  notice: 'Nothing happens until you press a button. This link works once, only for you.',
  invalidTitle: 'This link is not valid',
  invalid: 'The link is damaged or was not issued by this service. Nothing was changed. Open the link from the e-mail again, or decide in the application.',
  expiredTitle: 'This link has expired',
  expired: 'The approval deadline of this link has passed. Nothing was changed.',
  usedTitle: 'This link has already been used',
  used: 'A decision was already made with this link. Nothing was changed.',
  wrongPersonTitle: 'This link is for someone else',
  wrongPerson: (owner: string, you: string) => `This link was sent to ${owner}, but you are signed in as ${you}. Nothing was changed.`,
  closedTitle: 'No decision is needed',
  closed: (state: string) => `The change is now "${state}" and is not waiting for your decision at this level. Nothing was changed.`,
  refusedTitle: 'The decision was not accepted',
  doneTitle: 'Your decision is recorded',
  done: (decision: string, reference: string) => `You ${decision} ${reference}.`,
  stateNow: 'The change is now',
  needComment: 'A rejection needs a reason of at least 3 characters.',
  releaseTitle: 'Production authorisation',
  version: 'Version',
  environments: 'Environments',
  changes: 'Linked changes',
  blockers: 'Not possible right now',
  authorise: 'Authorise production',
  releaseNotWaiting: (state: string) => `The release is now "${state}" and does not need an authorisation. Nothing was changed.`,
  authorised: (reference: string, environment: string) => `You authorised the deployment of ${reference} to ${environment}.`,
  productionEnvironment: 'Authorises deployment to',
  otherEnvironment: (linked: string, awaiting: string | null) => `This link authorises the deployment to ${linked}, but the release now waits for ${awaiting ? `an authorisation for ${awaiting}` : 'no authorisation'}. Nothing was changed.`,
  roleLostTitle: 'This link is no longer yours to use',
  roleLost: 'You no longer hold the role this link was sent to you for. Nothing was changed.',
  releaseNow: 'The release is now',
  surveyTitle: 'How did we do?',
  surveyAsk: 'How satisfied are you with how this incident was handled?',
  surveyAskRequest: 'How satisfied are you with how this request was fulfilled?',
  surveyUntil: 'Open until',
  surveyComment: 'Comment (optional)',
  send: 'Send',
  needScore: 'Choose a score from 1 to 5.',
  surveyAnsweredTitle: 'Thank you',
  surveyAnswered: (score: number, reference: string) => `Your score of ${score} for ${reference} is recorded.`,
  surveyClosed: 'This survey has already been answered. Nothing was changed.',
  stepDoneTitle: 'Done',
  stepNotOpen: (state: string) => `This is now "${state}" and no longer waiting for this step. Nothing was changed.`,
  checkFields: (labels: string) => `Please check: ${labels}.`,
  stepDone: (action: string, reference: string, state: string) => `${action}: ${reference}. It is now "${state}".`,
  linkUntil: 'This link works until',
};

const zh: typeof en = {
  title: '变更审批',
  type: '类型',
  risk: '风险',
  window: '时间窗口',
  services: '涉及服务',
  requester: '申请人',
  justification: '理由',
  board: '审批委员会',
  deadline: '截止时间',
  decisions: '目前的决定',
  none: '暂无',
  comment: '意见（拒绝时必填）',
  approve: '批准',
  reject: '拒绝',
  approved: '已批准',
  rejected: '已拒绝',
  notice: '只有按下按钮才会执行操作。此链接仅限您本人使用一次。',
  invalidTitle: '链接无效',
  invalid: '该链接已损坏或并非由本系统签发。未做任何更改。请从邮件中重新打开链接，或在系统中审批。',
  expiredTitle: '链接已过期',
  expired: '此链接的审批期限已过。未做任何更改。',
  usedTitle: '链接已被使用',
  used: '此链接已用于做出决定。未做任何更改。',
  wrongPersonTitle: '此链接属于其他人',
  wrongPerson: (owner: string, you: string) => `此链接发送给 ${owner}，但您当前登录的身份是 ${you}。未做任何更改。`,
  closedTitle: '无需决定',
  closed: (state: string) => `该变更当前状态为"${state}"，不再等待您在此级别的决定。未做任何更改。`,
  refusedTitle: '决定未被接受',
  doneTitle: '您的决定已记录',
  done: (decision: string, reference: string) => `您已${decision} ${reference}。`,
  stateNow: '变更当前状态',
  needComment: '拒绝时请填写至少 3 个字符的理由。',
  releaseTitle: '生产部署授权',
  version: '版本',
  environments: '环境',
  changes: '关联变更',
  blockers: '当前无法部署',
  authorise: '授权生产部署',
  releaseNotWaiting: (state: string) => `该发布当前状态为"${state}"，无需授权。未做任何更改。`,
  authorised: (reference: string, environment: string) => `您已授权 ${reference} 部署到 ${environment}。`,
  productionEnvironment: '授权部署到',
  otherEnvironment: (linked: string, awaiting: string | null) => `此链接授权部署到 ${linked}，但该发布当前${awaiting ? `等待的是 ${awaiting} 的授权` : '无需授权'}。未做任何更改。`,
  roleLostTitle: '您已无权使用此链接',
  roleLost: '您已不再拥有此链接发送时所依据的角色。未做任何更改。',
  releaseNow: '发布当前状态',
  surveyTitle: '请评价我们的服务',
  surveyAsk: '您对此事件的处理满意吗？',
  surveyAskRequest: '您对此申请的处理满意吗？',
  surveyUntil: '有效期至',
  surveyComment: '意见（选填）',
  send: '提交',
  needScore: '请选择 1 到 5 的分数。',
  surveyAnsweredTitle: '谢谢',
  surveyAnswered: (score: number, reference: string) => `您对 ${reference} 的评分 ${score} 已记录。`,
  surveyClosed: '此调查已经填写过。未做任何更改。',
  stepDoneTitle: '已完成',
  stepNotOpen: (state: string) => `该记录当前状态为"${state}"，不再等待此操作。未做任何更改。`,
  checkFields: (labels: string) => `请检查：${labels}。`,
  stepDone: (action: string, reference: string, state: string) => `${action}：${reference}。当前状态为"${state}"。`,
  linkUntil: '链接有效期至',
};

export const pageTexts = (locale: PageLocale) => (locale === 'zh-CN' ? zh : en);

function layout(locale: PageLocale, heading: string, body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(heading)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1.5rem auto;padding:0 1rem;line-height:1.5}dt{font-weight:600}dd{margin:0 0 .5rem}textarea{width:100%;min-height:5rem}button{font-size:1.1rem;padding:.6rem 1.4rem;margin:.5rem .5rem 0 0;border-radius:.4rem;border:0;color:#fff}.approve{background:#1d7a3a}fieldset{border:0;padding:0;margin:0 0 .8rem}legend,label.field{font-weight:600;display:block}.reject{background:#a12a2a}.notice{color:#555;font-size:.9rem}.error{color:#a12a2a;font-weight:600}</style></head>
<body><h1>${escapeHtml(heading)}</h1>${body}</body></html>`;
}

/** The change as its mail shows it, plus what the decision page adds. */
export interface DecisionPage extends Pick<ChangeMailContext, 'reference' | 'title' | 'type' | 'risk' | 'window' | 'services' | 'requester'> {
  justification: string;
  board: string;
  deadline: string;
  decisions: { name: string; decision: string; comment: string }[];
  choice: 'approve' | 'reject' | null;
  error?: string;
  comment?: string;
}

export function decisionPage(locale: PageLocale, page: DecisionPage): string {
  const t = pageTexts(locale);
  const zhLocale = locale === 'zh-CN';
  const row = (label: string, value: string) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`;
  const decided = page.decisions.length
    ? `<ul>${page.decisions.map((d) => `<li>${escapeHtml(d.name)}: ${escapeHtml(d.decision === 'approved' ? t.approved : t.rejected)}${d.comment ? ` – ${escapeHtml(d.comment)}` : ''}</li>`).join('')}</ul>`
    : `<p>${escapeHtml(t.none)}</p>`;
  return layout(
    locale,
    `${t.title}: ${page.reference}`,
    `<h2>${escapeHtml(page.title)}</h2><dl>${row(t.type, zhLocale ? typeZh(page.type) : page.type)}${row(t.risk, zhLocale ? riskZh(page.risk) : page.risk)}${row(t.window, page.window)}${row(t.services, page.services)}${row(t.requester, page.requester)}${row(t.justification, page.justification)}${row(t.board, page.board)}${row(t.deadline, page.deadline)}</dl>
<h3>${escapeHtml(t.decisions)}</h3>${decided}
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
<form method="post"><label for="comment">${escapeHtml(t.comment)}</label><textarea id="comment" name="comment">${escapeHtml(page.comment ?? '')}</textarea>
<button class="approve" type="submit" name="decision" value="approve"${page.choice === 'approve' ? ' autofocus' : ''}>${escapeHtml(t.approve)}</button><button class="reject" type="submit" name="decision" value="reject"${page.choice === 'reject' ? ' autofocus' : ''}>${escapeHtml(t.reject)}</button></form>
<p class="notice">${escapeHtml(t.notice)}</p>`,
  );
}

export interface AuthorisationPage {
  reference: string;
  title: string;
  version: string;
  requester: string;
  environments: string;
  /** The production environment this authorisation is for. */
  production: string;
  changes: string[];
  blockers: string[];
  deadline: string;
}

export function authorisationPage(locale: PageLocale, page: AuthorisationPage): string {
  const t = pageTexts(locale);
  const row = (label: string, value: string) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`;
  const list = (items: string[]) => (items.length ? `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>` : `<p>${escapeHtml(t.none)}</p>`);
  return layout(
    locale,
    `${t.releaseTitle}: ${page.reference}`,
    `<h2>${escapeHtml(page.title)}</h2><dl>${row(t.version, page.version)}${row(t.requester, page.requester)}${row(t.environments, page.environments)}${row(t.productionEnvironment, page.production)}${row(t.deadline, page.deadline)}</dl>
<h3>${escapeHtml(t.changes)}</h3>${list(page.changes)}
${page.blockers.length ? `<h3 class="error">${escapeHtml(t.blockers)}</h3>${list(page.blockers)}` : ''}
<form method="post"><button class="approve" type="submit" name="decision" value="authorise">${escapeHtml(t.authorise)}</button></form>
<p class="notice">${escapeHtml(t.notice)}</p>`,
  );
}

export interface SurveyPage {
  reference: string;
  /** What was closed: the question names it. */
  kind?: 'incident' | 'request';
  title: string;
  score: number | null;
  comment?: string;
  error?: string;
  deadline: string;
}

/** The survey behind a score link: the chosen score is preselected, and nothing is recorded until it is sent. */
export function surveyPage(locale: PageLocale, page: SurveyPage): string {
  const t = pageTexts(locale);
  const options = SCORE_LABELS[locale]
    .map((label, index) => `<label><input type="radio" name="score" value="${index + 1}"${page.score === index + 1 ? ' checked' : ''}> ${escapeHtml(label)}</label><br>`)
    .join('');
  return layout(
    locale,
    `${t.surveyTitle}: ${page.reference}`,
    `<h2>${escapeHtml(page.title)}</h2><p>${escapeHtml(page.kind === 'request' ? t.surveyAskRequest : t.surveyAsk)}</p>
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
<form method="post"><fieldset>${options}</fieldset><label for="comment">${escapeHtml(t.surveyComment)}</label><textarea id="comment" name="comment">${escapeHtml(page.comment ?? '')}</textarea>
<button class="approve" type="submit">${escapeHtml(t.send)}</button></form>
<p class="notice">${escapeHtml(t.notice)} ${escapeHtml(t.surveyUntil)}: ${escapeHtml(page.deadline)}</p>`,
  );
}

export interface StepPage {
  heading: string;
  facts: { label: string; value: string }[];
  /** Each question with what was answered so far; without options, a text box. */
  fields: { name: string; label: string; options?: { value: string; label: string }[]; value?: string }[];
  action: string;
  deadline: string;
  error?: string;
}

/** The one page behind every offered step (api/action-steps.ts): the record, the questions, one button. */
export function stepPage(locale: PageLocale, page: StepPage): string {
  const t = pageTexts(locale);
  const facts = page.facts.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('');
  const fields = page.fields
    .map((f) =>
      f.options
        ? `<fieldset><legend>${escapeHtml(f.label)}</legend>${f.options.map((o) => `<label><input type="radio" name="${escapeHtml(f.name)}" value="${escapeHtml(o.value)}"${f.value === o.value ? ' checked' : ''}> ${escapeHtml(o.label)}</label><br>`).join('')}</fieldset>`
        : `<label class="field" for="${escapeHtml(f.name)}">${escapeHtml(f.label)}</label><textarea id="${escapeHtml(f.name)}" name="${escapeHtml(f.name)}">${escapeHtml(f.value ?? '')}</textarea>`,
    )
    .join('');
  return layout(
    locale,
    page.heading,
    `<dl>${facts}</dl>
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
<form method="post">${fields}<button class="approve" type="submit">${escapeHtml(page.action)}</button></form>
<p class="notice">${escapeHtml(t.notice)} ${escapeHtml(t.linkUntil)}: ${escapeHtml(page.deadline)}</p>`,
  );
}

export function messagePage(locale: PageLocale, heading: string, message: string, outcome: 'refused' | 'done'): string {
  return layout(locale, heading, `<p data-outcome="${outcome}">${escapeHtml(message)}</p>`);
}
