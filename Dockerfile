# Relais for production: external Redis (REDIS_URL) and PostgreSQL (DATABASE_URL).
# Operators mount their channels, the FR Core package and the ANS CDA kit, and set the paths in the environment.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci runs it (postinstall): rewrites five slow helpers of @medplum/core's validator, same results
COPY scripts/medplum-validator-speed-up.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY mappings ./mappings
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RELAIS_CHANNELS_DIR=/etc/relais/channels \
    RELAIS_DATA_DIR=/var/lib/relais \
    RELAIS_HTTP_HOST=0.0.0.0 \
    RELAIS_HTTP_PORT=9100
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY channels /etc/relais/channels
COPY schemas ./schemas
RUN useradd --system --uid 10001 --home-dir /var/lib/relais --create-home relais
USER relais
EXPOSE 9100
# REDIS_URL and DATABASE_URL are required here (no embedded redis-server in the image); RELAIS_ADMIN_TOKEN too,
# since the admin API listens beyond loopback.
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:9100/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/cli.js", "start"]
