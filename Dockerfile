# syntax=docker/dockerfile:1
# One multi-stage build for every service: `docker build --target auth .` (or math, router,
# client). Dependencies and the build run once; each final image holds only production
# dependencies and the built JavaScript of what it runs, and runs as the unprivileged `node` user.

ARG NODE_IMAGE=node:20-slim

# Everything needed to install (sqlite3 compiles from source) and build.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/math/package.json subgraphs/math/
COPY router/package.json router/
COPY client/package.json client/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.base.json ./
COPY schema schema
COPY packages packages
COPY subgraphs subgraphs
COPY router router
COPY client client
# npm run build ends by bundling each service's dist/main.js (scripts/bundleServices.ts, which
# imports freshBuild.ts; tests/compose.test.ts checks that the build has what it imports).
COPY scripts/bundleServices.ts scripts/freshBuild.ts scripts/
RUN npm run build && npm run build:playground -w router

# Production dependencies only, compiled for this image's Node.
FROM deps AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/schema ./schema
COPY --from=build /app/packages/shared/package.json ./packages/shared/
COPY --from=build /app/packages/shared/dist ./packages/shared/dist
RUN mkdir -p /app/data && chown node:node /app/data

FROM runtime AS auth
COPY --from=build /app/subgraphs/auth/package.json ./subgraphs/auth/
COPY --from=build /app/subgraphs/auth/dist ./subgraphs/auth/dist
USER node
EXPOSE 5001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.AUTH_PORT||5001)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "subgraphs/auth/dist/main.js"]

FROM runtime AS math
COPY --from=build /app/subgraphs/math/package.json ./subgraphs/math/
COPY --from=build /app/subgraphs/math/dist ./subgraphs/math/dist
USER node
EXPOSE 5002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MATH_PORT||5002)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "subgraphs/math/dist/main.js"]

FROM runtime AS router
COPY --from=build /app/router/package.json ./router/
COPY --from=build /app/router/dist ./router/dist
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.ROUTER_PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "router/dist/main.js"]

FROM ${NODE_IMAGE} AS client
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/client/package.json /app/client/server.js ./client/
COPY --from=build /app/packages/shared/package.json ./packages/shared/
COPY --from=build /app/packages/shared/dist ./packages/shared/dist
COPY --from=build /app/client/dist ./client/dist
USER node
EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.CLIENT_PORT||8501)+'/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "client/server.js"]
