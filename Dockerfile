# The engine's production image: TypeScript compiled to JavaScript in the build
# stage (`npm run build`), run by Node itself in the runtime stage (no tsx, no
# compiler, no dev dependencies). better-sqlite3 may compile from source, so
# the build stage has a C++ toolchain; the runtime stage does not.
# Node 24 is the Active LTS line (Node 20 reached end of life in April 2026).
FROM node:24-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    LICENSING_DATA_DIR=/data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Other commands: docker run ... <image> node dist/cli.js backup /backups/today (see `node dist/cli.js --help`).
CMD ["node", "dist/cli.js", "serve"]
