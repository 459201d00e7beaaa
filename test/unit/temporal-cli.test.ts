import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTemporalCli, TemporalCliMissing } from '../../temporal-config/cli';

describe('Temporal CLI provisioning order', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
  const fake = path.join(dir, 'temporal');
  writeFileSync(fake, '#!/bin/sh\necho fake\n');
  chmodSync(fake, 0o755);

  it('TEMPORAL_CLI_PATH wins over everything', () => {
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: fake, PATH: '' })).toEqual({ path: fake, source: 'TEMPORAL_CLI_PATH' });
  });

  it('a TEMPORAL_CLI_PATH that is not executable fails with what to do', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: path.join(dir, 'missing') })).toThrow(TemporalCliMissing);
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: path.join(dir, 'missing') })).toThrow(/install Go/);
  });

  it('`temporal` on PATH comes next', () => {
    expect(findTemporalCli({ PATH: dir })).toEqual({ path: fake, source: 'PATH' });
  });

  it('then the cached build, which npm install left in .tools/bin (so a second install does not rebuild)', () => {
    expect(findTemporalCli({ PATH: '/nonexistent' })).toEqual({ path: expect.stringMatching(/\.tools\/bin\/temporal$/), source: 'cache' });
  });
});
