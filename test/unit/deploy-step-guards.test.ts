import { ConfigError } from '../../config/env';
import { maskedOutput } from '../../records/deployment/step-output';
import { isInside, stepSandboxFromEnv } from '../../records/deployment/step-sandbox';
import { displayUrl } from '../../records/deployment/webhook-target';
import { isPublicAddress } from '../../records/public-address';

describe('deploy step guards', () => {
  it('masks a secret however the output is cut into chunks, and keeps the end of long output', () => {
    const secret = 'adapter-secret-0123';
    const printed = `token=${secret}; again ${secret}.`;
    for (let cut = 0; cut <= printed.length; cut++) {
      const output = maskedOutput([secret, 'no']);
      output.add(printed.slice(0, cut));
      output.add(printed.slice(cut));
      expect(output.text()).toBe('token=***; again ***.');
    }
    const long = maskedOutput([secret]);
    long.add('x'.repeat(70 * 1024));
    long.add(secret);
    expect(long.text()).toHaveLength(64 * 1024);
    expect(long.text().endsWith('x***')).toBe(true);
  });

  it('tells a directory inside another from a sibling that only shares its prefix', () => {
    expect(isInside('/srv/itsm/data', '/srv/itsm/data')).toBe(true);
    expect(isInside('/srv/itsm/data/pglite', '/srv/itsm/data')).toBe(true);
    expect(isInside('/srv/itsm/data2', '/srv/itsm/data')).toBe(false);
    expect(isInside('/srv/itsm/data/../steps', '/srv/itsm/data')).toBe(false);
    expect(isInside('/srv/itsm/data/..steps', '/srv/itsm/data')).toBe(true);
  });

  it('refuses a step work directory inside DATA_DIR at start-up', () => {
    expect(() => stepSandboxFromEnv({ DATA_DIR: '/srv/itsm/data', ITSM_STEP_WORKDIR: '/srv/itsm/data/steps' })).toThrow(ConfigError);
    expect(stepSandboxFromEnv({ DATA_DIR: '/srv/itsm/data', ITSM_STEP_WORKDIR: '/srv/itsm/steps' })).toEqual({ dataDir: '/srv/itsm/data', workRoot: '/srv/itsm/steps' });
  });

  it('counts only global unicast addresses as public', () => {
    const inside = ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:a00:1::'];
    for (const address of inside) expect([address, isPublicAddress(address)]).toEqual([address, false]);
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111']) expect([address, isPublicAddress(address)]).toEqual([address, true]);
  });

  it('shows a webhook URL without its credentials or query values', () => {
    expect(displayUrl('https://deployer:s3cret@hooks.example.com/deploy?token=abc&env=prod')).toBe('https://hooks.example.com/deploy?token=***&env=***');
  });
});
