# syntax=docker/dockerfile:1
# Latchkey in a container: built in one stage, run from a small one as the unprivileged `node`
# user, its data (SQLite database, secret.key) in the /data volume. Multi-node setup: compose.yaml.

# --- Build: dependencies with their native addons, the web UI and the server bundle -------------
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles itself when no prebuilt binary fits the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Without scripts: `prepare` would build before the sources are here. The one addon that needs its
# install script gets it next (@node-rs/argon2 ships per-platform packages instead).
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

# --- Run -----------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LATCHKEY_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
# Owner-only, as Latchkey itself makes it: it holds the database and the secret key.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Ready = the database answers (and, on PostgreSQL, this node hears revocations): GET /api/ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm start` runs, with its Node flags (tests/unit/deployment-files.test.ts keeps the two equal;
# README "Memory" says why the young generation is capped at 4 MB).
CMD ["node", "--max-semi-space-size=4", "dist/server/main.js"]
