// A catalogue item's form: the subset of JSON Schema a requester's answers are held to (text, choice, date,
// person, configuration item; required or optional). Pure, so the API checks answers and the workflow and
// mail show them from one definition.

export type FormFieldKind = 'text' | 'choice' | 'date' | 'user' | 'ci';

/** One property of the form's schema: a string, with `enum` for a choice and `format` for the other kinds. */
export interface FormProperty {
  type: 'string';
  title?: string;
  description?: string;
  enum?: string[];
  format?: 'date' | 'user' | 'ci';
  maxLength?: number;
}

export interface RequestForm {
  type: 'object';
  required?: string[];
  properties: Record<string, FormProperty>;
}

export type FormAnswers = Record<string, string>;

export interface FormIssue {
  field: string;
  message: string;
}

export function fieldKind(property: FormProperty): FormFieldKind {
  if (property.enum) return 'choice';
  return property.format ?? 'text';
}

const NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,39}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is wrong with a form a manager defines: each issue names the property (`properties.model.enum`). */
export function formProblems(form: RequestForm): FormIssue[] {
  const issues: FormIssue[] = [];
  const names = Object.keys(form.properties);
  if (names.length > 50) issues.push({ field: 'properties', message: 'a form has at most 50 fields' });
  for (const name of names) {
    const property = form.properties[name];
    if (!NAME.test(name)) issues.push({ field: `properties.${name}`, message: 'a field name starts with a letter and has only letters, digits and _' });
    if (property.enum && property.format) issues.push({ field: `properties.${name}.format`, message: 'a choice has no format' });
    if (property.enum && (property.enum.length === 0 || new Set(property.enum).size !== property.enum.length)) issues.push({ field: `properties.${name}.enum`, message: 'a choice needs distinct options' });
  }
  for (const [index, name] of (form.required ?? []).entries()) {
    if (!names.includes(name)) issues.push({ field: `required.${index}`, message: `"${name}" is not a field of the form` });
  }
  return issues;
}

const isRealDate = (value: string) => DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

/**
 * The answers held to the form: every required field answered, no field the form does not have, each value of
 * its kind. People and configuration items are checked for existence by the caller, which can read them.
 */
export function answerProblems(form: RequestForm, answers: Record<string, unknown>): FormIssue[] {
  const issues: FormIssue[] = [];
  for (const name of Object.keys(answers)) {
    if (!Object.hasOwn(form.properties, name)) issues.push({ field: name, message: 'not a field of this form' });
  }
  for (const [name, property] of Object.entries(form.properties)) {
    const value = answers[name];
    if (value === undefined || value === null || value === '') {
      if (form.required?.includes(name)) issues.push({ field: name, message: `${property.title ?? name} is required` });
      continue;
    }
    if (typeof value !== 'string') {
      issues.push({ field: name, message: 'must be a string' });
      continue;
    }
    const kind = fieldKind(property);
    if (kind === 'choice' && !property.enum!.includes(value)) issues.push({ field: name, message: `must be one of ${property.enum!.join(', ')}` });
    if (kind === 'date' && !isRealDate(value)) issues.push({ field: name, message: 'must be a date (YYYY-MM-DD)' });
    if ((kind === 'user' || kind === 'ci') && !UUID.test(value)) issues.push({ field: name, message: kind === 'user' ? 'must be a user id (UUID)' : 'must be a configuration item id (UUID)' });
    if (kind === 'text' && value.length > (property.maxLength ?? 10_000)) issues.push({ field: name, message: `must be at most ${property.maxLength ?? 10_000} characters` });
  }
  return issues;
}

/** The answered fields of a kind (`user`, `ci`), for the caller to check they exist. */
export function answersOfKind(form: RequestForm, answers: FormAnswers, kind: FormFieldKind): [field: string, value: string][] {
  return Object.entries(answers).filter(([name, value]) => value && Object.hasOwn(form.properties, name) && fieldKind(form.properties[name]) === kind);
}

/** `Model: MacBook Air 13 · Needed by: 2027-01-05`: the answers as mail and the Temporal UI show them. */
export function answersText(form: RequestForm, answers: FormAnswers): string {
  return Object.entries(answers)
    .map(([name, value]) => `${form.properties[name]?.title ?? name}: ${value}`)
    .join(' · ');
}
