# Switchyard gateway image (docs/deploy.md). Not built by CI: no Docker engine runs there; the same
# topology (several instances, Redis, a shared store) is exercised by the tests with real processes.
#
#   docker build -t switchyard .
#   docker run -p 8080:8080 -v $PWD/deploy:/config switchyard serve --config /config/switchyard.yaml --host 0.0.0.0

# --- build: compile TypeScript to dist/ with the dev dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies plus the optional backends a server uses ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# better-sqlite3 (embedded store), ioredis (coordination: redis://) and pg (store: postgres://) are
# optional peers a library install leaves out; a server image carries them.
RUN npm ci --omit=dev --ignore-scripts \
  && npm install --no-save --ignore-scripts=false better-sqlite3 ioredis pg \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY examples/demo ./examples/demo
COPY LICENSE ./
# Non-root: the data directory is the only place the gateway writes (SQLite store, key pepper, journals).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /readyz answers 200 once the gateway serves and 503 while it drains (docs/gateway.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SWITCHYARD_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--config", "/config/switchyard.yaml", "--host", "0.0.0.0"]
