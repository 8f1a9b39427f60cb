# ModelMora standalone server. Build: docker build -t modelmora .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# onnxruntime-node's install script (CUDA download) is denied in package.json's allowScripts;
# --ignore-scripts also skips our own `prepare` build until the sources are here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json nest-cli.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8000 MODELMORA_DATA_DIR=/data/db MODELMORA_MODEL_DIR=/data/models
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/dashboard/public ./src/dashboard/public
COPY package.json ./
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
