/** The URL as it may be shown to anyone: credentials left out, query values as ***. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const name of new Set(parsed.searchParams.keys())) parsed.searchParams.set(name, '***');
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

/** The values of a webhook URL that only the receiver may see: its user, password and query values. */
export function urlSecrets(url: string): string[] {
  const parsed = new URL(url);
  const credentials = [parsed.username, parsed.password];
  return [...credentials, ...credentials.map(decodedComponent), ...parsed.searchParams.values()].filter(Boolean);
}

export function decodedComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
