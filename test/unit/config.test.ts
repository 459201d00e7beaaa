import { ConfigError, describeEnv, loadEnv, redactUrl, scheduleCrons } from '../../config/env';

describe('configuration from the environment', () => {
  it('needs nothing for the embedded defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 3000, TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233, SMTP_PORT: 1025, MAIL_UI_PORT: 1080, TEMPORAL_NAMESPACE: 'default' });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty', /PORT/],
    ['TEMPORAL_PORT', '70000', /TEMPORAL_PORT/],
    ['DATABASE_URL', 'mysql://localhost/x', /DATABASE_URL: must be a postgres/],
    ['SMTP_URL', 'http://mail', /SMTP_URL: must be an smtp/],
    ['ITSM_ADMIN_TOKEN', 'short', /ITSM_ADMIN_TOKEN: must be at least 16/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['SCHEDULE_ANNUAL_AUDIT_CRON', 'every January', /SCHEDULE_ANNUAL_AUDIT_CRON: a cron expression of five fields/],
  ])('a wrong %s stops start-up with a message naming it', (name, value, message) => {
    expect(() => loadEnv({ [name]: value })).toThrow(ConfigError);
    expect(() => loadEnv({ [name]: value })).toThrow(message);
  });

  it('moves a governance schedule to the configured cron expression, and leaves the others on their defaults', () => {
    const env = loadEnv({ SCHEDULE_ANNUAL_AUDIT_CRON: '0 9 1 7 *', SCHEDULE_SERVICE_REPORTS_CRON: ' 30 5 2 * * ' });
    expect(scheduleCrons(env)).toEqual({ 'annual-audit': '0 9 1 7 *', 'service-reports': '30 5 2 * *' });
    expect(scheduleCrons(loadEnv({}))).toEqual({});
    expect(describeEnv(env)).toContain('schedules  trend detection every 1h, annual-audit "0 9 1 7 *", service-reports "30 5 2 * *"');
  });

  it('seeds demo data by default, but not in production unless asked for', () => {
    expect(loadEnv({}).ITSM_DEMO_DATA).toBe(true);
    expect(loadEnv({ NODE_ENV: 'production' }).ITSM_DEMO_DATA).toBe(false);
    expect(loadEnv({ NODE_ENV: 'production', ITSM_DEMO_DATA: 'true' }).ITSM_DEMO_DATA).toBe(true);
    expect(loadEnv({ ITSM_DEMO_DATA: 'false' }).ITSM_DEMO_DATA).toBe(false);
  });

  it('names the first administrator ITSM_ADMIN_EMAIL, a valid address', () => {
    expect(loadEnv({}).ITSM_ADMIN_EMAIL).toBe('admin@itsm.local');
    expect(loadEnv({ ITSM_ADMIN_EMAIL: ' Ops@Example.COM ' }).ITSM_ADMIN_EMAIL).toBe('ops@example.com');
    expect(() => loadEnv({ ITSM_ADMIN_EMAIL: 'ops' })).toThrow(/ITSM_ADMIN_EMAIL: must be an e-mail address/);
  });

  it('mTLS needs both the certificate and the key', () => {
    expect(() => loadEnv({ TEMPORAL_TLS_CERT_PATH: '/tmp/cert.pem' })).toThrow(/TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH/);
  });

  it('never prints a password', () => {
    expect(redactUrl('postgresql://itsm:s3cret@db:5432/itsm')).toBe('postgresql://itsm:***@db:5432/itsm');
  });
});
