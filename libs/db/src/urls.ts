/** The runtime role of a service schema: it owns nothing, so row-level security applies to it. */
export function appRoleOf(schema: string): string {
  return `opsplane_${schema}_app`;
}

/** The runtime URL: DATABASE_APP_URL when given, else the owner URL with the app role's name and password. */
export function resolveAppUrl(ownerUrl: string, schema: string, password: string, appUrl?: string): string {
  if (appUrl) return appUrl;
  const u = new URL(ownerUrl);
  u.username = appRoleOf(schema);
  u.password = password;
  return u.toString();
}

