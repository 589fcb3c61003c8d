/** The 404 for a path nothing serves, saying what is served instead. */
import { SwitchyardError } from '../errors.ts';

const ADMIN_API = [
  'GET /api/v1/brokers',
  'GET /api/v1/brokers/<namespace>/<name>/events',
  'GET /api/v1/dead-letters',
  'GET /api/v1/dead-letters/<id>',
  'POST /api/v1/dead-letters/redrive',
  'POST /api/v1/dead-letters/purge',
];

export function routeNotFound(method: string, url: string): SwitchyardError {
  const path = url.split('?', 1)[0] ?? url;
  const served = path.startsWith('/api/') || path === '/api'
    ? `the admin API serves ${ADMIN_API.join(', ')}`
    : 'brokers take POST /<namespace>/<broker>; the admin API is under /api/v1/';
  return new SwitchyardError('SWY_ROUTE_NOT_FOUND', `nothing is served at ${method} ${path}; ${served}`);
}
