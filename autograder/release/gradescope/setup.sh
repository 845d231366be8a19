#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu): Node 20
# from NodeSource unless a Node >= 20 is already there, the tools the grader's sandbox and the
# native npm packages use, then the course's npm dependencies exactly as locked.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

apt-get update -qq
# curl/gnupg for NodeSource; build-essential/python3 in case a native package has no prebuilt
# binary; util-linux and iproute2 give the sandbox setpriv, unshare, prlimit and ip.
apt-get install -y -qq ca-certificates curl gnupg build-essential python3 util-linux iproute2
if [ "$(node_major)" -lt 20 ]; then
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y -qq nodejs
fi
echo "node $(node --version), npm $(npm --version)"

cd "$SOURCE"
npm ci --no-audit --no-fund
