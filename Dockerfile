# One image for every process of the service (api, worker, migrate); docker-compose.yml picks the command.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# The letter to the target is set in Noto Serif, with a fallback per character so every supporter's
# name prints: Noto's Arabic, Hebrew, Indic, Thai, Armenian, Georgian and Ethiopic faces (fonts-noto-core),
# Chinese, Japanese and Korean (fonts-noto-cjk), DejaVu Sans for symbols. Found under LETTER_FONT_DIR.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The migrator looks for migrations beside the compiled code (dist/src/db → dist/migrations).
COPY migrations ./dist/migrations
USER node
EXPOSE 3000
CMD ["node", "dist/src/server.js"]
