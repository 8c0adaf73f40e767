# N_eID-Server container image. Build: docker build -t n-eid-server .
# Mount a production PKI at /srv/neid/pki and the registry at /srv/neid/config.
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
ENV NODE_ENV=production NEID_CONFIG=/srv/neid/config/server.yaml
WORKDIR /srv/neid
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY package.json ./
COPY config ./config-defaults
COPY schemas ./schemas
USER node
EXPOSE 8443 8444 8445
CMD ["node", "dist/server/main.js"]
