import fs from 'node:fs'
import path from 'node:path'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'
import cookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Core } from './platform/core.js'
import { authPlugin } from './platform/auth.js'
import { corsPlugin, parseOrigins } from './platform/cors.js'
import { healthRoutes } from './platform/health.js'
import { idempotencyPlugin } from './platform/idempotency.js'
import { clientErrorHandler, frameworkErrorHandler, problemPlugin } from './platform/problem.js'
import { rateLimitPlugin } from './platform/rate-limit.js'
import { unreadBodyPlugin } from './platform/unread-body.js'
import { securityHeaders, securityHeadersPlugin } from './platform/security-headers.js'
import { casesRoutes } from './modules/cases/index.js'
import { catalogRoutes } from './modules/catalog/index.js'
import { identityRoutes, oidcRoutes } from './modules/identity/index.js'
import { ledgerRoutes } from './modules/ledger/index.js'
import { licensesRoutes } from './modules/licenses/index.js'
import { orgRoutes } from './modules/org/index.js'
import { registriesRoutes } from './modules/registries/index.js'
import { onethingRoutes } from './modules/onething/index.js'
import { ratingRoutes } from './modules/rating/index.js'
import { hotlineRoutes, open311Routes } from './modules/hotline/index.js'
import { createServices, type Services } from './services.js'

declare module 'fastify' {
  interface FastifyInstance {
    services: Services
    core: Core
  }
}

/** Browser routes of the web app; each serves index.html and the client router takes over. */
const webFaces = ['/', '/login', '/m', '/m/*', '/work', '/work/*', '/ops', '/ops/*', '/admin', '/admin/*', '/consent/*', '/verify/*']

/** The application instance: Fastify with zod schemas as its type provider. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>

/** Builds the whole application without listening, so tests can `inject` requests. */
export async function buildApp(core: Core): Promise<App> {
  const app = Fastify({
    loggerInstance: core.logger as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    requestIdHeader: 'x-request-id',
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkErrorHandler(securityHeaders(core.config.publicUrl)),
    clientErrorHandler: clientErrorHandler(securityHeaders(core.config.publicUrl)),
  }).withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  const services = createServices(core)
  app.decorate('services', services)
  app.decorate('core', core)

  await app.register(problemPlugin)
  await app.register(unreadBodyPlugin, {})
  await app.register(securityHeadersPlugin, { publicUrl: core.config.publicUrl })
  const corsOrigins = parseOrigins(core.config.CORS_ORIGINS)
  await app.register(corsPlugin, { origins: corsOrigins })
  await app.register(cookie, { secret: core.config.SECRET_KEY })
  await app.register(authPlugin, { publicUrl: core.config.publicUrl, trustedOrigins: corsOrigins })
  await app.register(rateLimitPlugin, { scale: core.config.RATE_LIMIT_SCALE })
  await app.register(idempotencyPlugin, { db: core.db, clock: core.clock, inFlightTimeoutMs: core.config.IDEMPOTENCY_IN_FLIGHT_S * 1000 })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Yiwang 一网 API', version: '0.1.0', description: '一网通办 · 一网统管 — open digital-government platform' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'yw_session' } } },
    },
    transform: jsonSchemaTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  await app.register(healthRoutes, { db: core.db })
  await app.register(orgRoutes, { prefix: '/api/org', org: services.org })
  await app.register(identityRoutes, { prefix: '/api', identity: services.identity })
  await app.register(oidcRoutes, { identity: services.identity })
  await app.register(ledgerRoutes, { prefix: '/api/ledger', ledger: services.ledger })
  await app.register(catalogRoutes, { prefix: '/api/catalog', catalog: services.catalog })
  await app.register(casesRoutes, { prefix: '/api', cases: services.cases })
  await app.register(registriesRoutes, { prefix: '/api/registries', registries: services.registries })
  await app.register(licensesRoutes, { prefix: '/api/licenses', licenses: services.licenses })
  await app.register(onethingRoutes, { prefix: '/api/onething', onething: services.onething })
  await app.register(ratingRoutes, { prefix: '/api/rating', rating: services.rating })
  await app.register(hotlineRoutes, { prefix: '/api/hotline', hotline: services.hotline })
  await app.register(open311Routes, { prefix: '/open311/v2', hotline: services.hotline })

  const webRoot = core.config.webDist
  if (fs.existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: false, serve: true })
    for (const url of webFaces) app.get(url, { schema: { hide: true } }, (_req, reply) => reply.type('text/html').sendFile('index.html'))
  }
  return app
}
