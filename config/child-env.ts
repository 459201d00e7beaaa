// Children the product starts (the embedded Temporal server, the mail catcher) need the system's basics, not
// its credentials: whatever a child logs or is made to print must not hold a token, a signing key or a password.
const SECRET_VARIABLES = ['ITSM_ADMIN_TOKEN', 'ACTION_LINK_SECRET', 'DATABASE_URL', 'DATABASE_URL_TEST', 'SMTP_URL', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS_KEY_PATH', 'OIDC_CLIENT_SECRET', 'IMAP_URL'];

export function environmentWithoutSecrets(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(source).filter(([name]) => !SECRET_VARIABLES.includes(name)));
}
