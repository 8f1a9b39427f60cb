# ModelMora standalone server. Build: docker build -t modelmora .
FROM node:22-bookworm-slim AS build
WORKDIR /app
# The image's npm 10 ignores package.json's allowScripts (it would run onnxruntime-node's
# CUDA download and every other dependency's install script): npm 11 blocks them unless allowed.
RUN npm install -g npm@11.19.1 --no-audit --no-fund
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
# onnxruntime-node's install script (CUDA download) is denied in package.json's allowScripts;
# --ignore-scripts also skips our own `prepare` build until the sources are here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json nest-cli.json ./
COPY scripts/build.mjs scripts/bundle-server.mjs ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
# Listen on all interfaces inside the container (the default is 127.0.0.1); local model
# sources only from /models (mount them read-only there).
ENV NODE_ENV=production PORT=8000 MODELMORA_HOST=0.0.0.0 \
    MODELMORA_DATA_DIR=/data/db MODELMORA_MODEL_DIR=/data/models MODELMORA_SOURCE_ROOTS=/models
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/dashboard/public ./src/dashboard/public
COPY package.json ./
# The server and its model workers run as the image's unprivileged `node` user (uid 1000):
# the code is root-owned and read-only to it; only /data is writable.
RUN mkdir -p /data/db /data/models /models && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
