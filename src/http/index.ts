// Public face of src/http: the daemon's HTTP API.

export { type ErrorBody, INTERNAL_CODE, statusForCode } from './error-status.ts';
export { buildHttpApp, type HttpServer, type HttpServerOptions, startHttpServer } from './server.ts';
