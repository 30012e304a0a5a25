# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript in a full image, run the compiled output in a slim one
# as a non-root user. Configuration comes from the environment (NEID_*), see README.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tools ./tools
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEID_HTTP_HOST=0.0.0.0
WORKDIR /app
RUN groupadd --system neid && useradd --system --gid neid --home-dir /app --shell /usr/sbin/nologin neid
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root config ./config
USER neid
EXPOSE 3000 3001 3443 3444
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.NEID_HTTP_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/neid.mjs"]
CMD ["serve"]
