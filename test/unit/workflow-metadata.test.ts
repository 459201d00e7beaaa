import { detailsMarkdown, DETAILS_MAX_BYTES, fitBytes, humanDuration, summaryLine, SUMMARY_MAX_BYTES, temporalUiWorkflowUrl, utcInstant } from '../../domain/workflow-metadata';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('what a manager reads in the Temporal UI', () => {
  it('joins the known parts of a summary on one line', () => {
    expect(summaryLine(['INC-000042', 'P1', null, 'E-mail', undefined, '', 'Outlook\n cannot   connect'])).toBe('INC-000042 · P1 · E-mail · Outlook cannot connect');
  });

  it('keeps a summary within the 200 bytes the server accepts, without splitting a character', () => {
    const title = '邮件服务器无法连接'.repeat(20);
    const line = summaryLine(['INC-000042', 'P1', title]);
    expect(bytes(line)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(line.endsWith('…')).toBe(true);
    expect(line).not.toContain('\uFFFD');
    expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
    expect(fitBytes('short', 10)).toBe('short');
  });

  it('writes details as Markdown tables, leaving out facts without a value and escaping pipes', () => {
    const markdown = detailsMarkdown('INC-000042 Outlook cannot connect', [
      { facts: [['State', 'in_progress'], ['Assignee', null], ['Service', 'E-mail | Exchange']] },
      { heading: 'SLA clocks', facts: [['Response', 'met'], ['Resolution', 'due 2026-12-01 12:00:00 UTC']] },
      { heading: 'Nothing', facts: [['Empty', '']] },
    ], [{ label: 'API record', url: 'http://127.0.0.1:3000/api/incidents/1' }]);
    expect(markdown).toBe(
      [
        '**INC-000042 Outlook cannot connect**',
        '| | |\n|---|---|\n| State | in_progress |\n| Service | E-mail \\| Exchange |',
        '**SLA clocks**\n\n| | |\n|---|---|\n| Response | met |\n| Resolution | due 2026-12-01 12:00:00 UTC |',
        '[API record](http://127.0.0.1:3000/api/incidents/1)',
      ].join('\n\n'),
    );
    expect(markdown).not.toContain('Assignee');
    expect(markdown).not.toContain('Nothing');
    const long = detailsMarkdown('big', [{ facts: Array.from({ length: 2_000 }, (_, i): [string, string] => [`fact ${i}`, 'x'.repeat(20)]) }]);
    expect(bytes(long)).toBeLessThanOrEqual(DETAILS_MAX_BYTES);
  });

  it('reads durations and instants as a person does', () => {
    expect(humanDuration(45_000)).toBe('45 s');
    expect(humanDuration(90_000)).toBe('1 min 30 s');
    expect(humanDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(humanDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(humanDuration(-120_000)).toBe('-2 min');
    expect(utcInstant(Date.UTC(2026, 11, 1, 9, 30, 5, 400))).toBe('2026-12-01 09:30:05 UTC');
    expect(utcInstant(null)).toBeNull();
  });

  it('links a workflow in the Temporal UI', () => {
    expect(temporalUiWorkflowUrl('http://127.0.0.1:8233/', 'default', 'incident-a b')).toBe('http://127.0.0.1:8233/namespaces/default/workflows/incident-a%20b');
  });
});
