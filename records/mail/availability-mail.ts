// The availability-breach notice to a service's owner, in their language (en, zh-CN); plain text, like the
// other governance mail.

export interface AvailabilityBreachContext {
  code: string;
  name: string;
  month: string;
  availabilityPercent: number;
  targetPercent: number;
  /** Hours, one decimal. */
  unplannedDowntimeHours: number;
  agreedHours: number;
  link: string;
}

const en = (c: AvailabilityBreachContext) => ({
  subject: `[${c.code}] availability ${c.availabilityPercent} % in ${c.month}, below its ${c.targetPercent} % target`,
  body: `${c.name} was available ${c.availabilityPercent} % of its agreed service hours in ${c.month} (target ${c.targetPercent} %): ${c.unplannedDowntimeHours} h of unplanned downtime in ${c.agreedHours} h of agreed hours, planned downtime left out. Review its outages and agree the improvement with the customer.`,
});

const zh = (c: AvailabilityBreachContext) => ({
  subject: `[${c.code}] ${c.month} 可用性 ${c.availabilityPercent} %，低于目标 ${c.targetPercent} %`,
  body: `${c.name} 在 ${c.month} 的约定服务时间内可用性为 ${c.availabilityPercent} %（目标 ${c.targetPercent} %）：约定服务时间 ${c.agreedHours} 小时中非计划停机 ${c.unplannedDowntimeHours} 小时（不含计划停机）。请复核其停机记录，并与客户商定改进措施。`,
});

export function renderAvailabilityBreach(locale: string, context: AvailabilityBreachContext) {
  const { subject, body } = (locale === 'zh-CN' ? zh : en)(context);
  return { subject, text: `${body}\n\n${context.link}\n` };
}
