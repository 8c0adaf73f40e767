# N_eID-Server container image. Build: docker build -t n-eid-server .
#
# The server runs in /srv/neid with NODE_ENV=production, so every default path lies under it
# (docs/configuration.md; docs/operations.md, "Container"). Mount:
#   /srv/neid/config/relying-parties.yaml  the eService registry (required: `relyingParties` default)
#   /srv/neid/config/server.yaml           the server settings (optional: read when present)
#   /srv/neid/var/pki                      the PKI (`pki.dir` default); production never creates one
#   /srv/neid/var                          writable: session.key and oidc-secrets.json, created on
#                                          first start; the same files for every instance
# The listeners bind 127.0.0.1 unless server.yaml says 0.0.0.0 (deploy/config/server.yaml does).
# deploy/compose.yaml runs two instances with Redis, PostgreSQL, Prometheus and a TCP load balancer.
FROM node:20-bookworm-slim AS build
# A compiler for the optional native module pkcs11js (keys in an HSM; the server needs no PC/SC).
RUN apt-get update && apt-get install -y --no-install-recommends build-essential python3 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /srv/neid
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY package.json ./
# The WSDL and XSDs the SOAP listener serves (dist/interfaces/soap/wsdl.ts reads ../../../schemas/).
COPY schemas ./schemas
# The web console's stylesheet and script (dist/interfaces/console/mount.js reads ../../../assets/console/).
COPY assets ./assets
RUN mkdir -p /srv/neid/config /srv/neid/var && chown node:node /srv/neid/var
USER node
# web, TLS-PSK, SOAP, OIDC mutual TLS; 9464: /metrics, /health, /ready (plain HTTP, keep it internal).
EXPOSE 8443 8444 8445 8446 9464
# Liveness on the operations listener (`metrics` enabled, its default port).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM stops gracefully (running authentications finish, shutdown.graceSeconds): give it time.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
