#!/usr/bin/env bash
# Issue 16 figures: the npm package as a new user gets it. Packs the repository, installs the tarball in an
# empty folder (cold: an empty npm cache, so every dependency comes from the registry; warm: the user's
# cache), weighs node_modules, and times the installed CLI and the library example with hyperfine.
# Usage: benchmarks/package-install.sh [work-dir]   (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cd "$root"
echo "== build + pack"
/usr/bin/time -f "npm pack (prepare → tsc build): %e s wall, %U s user" npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/switchyard-*.tgz)"
ls -l "$tarball" | awk '{ printf "tarball: %.0f kB\n", $5 / 1000 }'

install() { # $1 = folder, rest = npm flags
  local dir="$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && echo '{"name":"consumer","private":true,"type":"module"}' >package.json &&
    /usr/bin/time -f "install $(basename "$dir"): %e s wall, %U s user" npm install --no-audit --no-fund "$@" "$tarball" >/dev/null 2>"$dir.log" || { cat "$dir.log"; exit 1; })
  tail -1 "$dir.log"
  du -sm "$dir/node_modules" | awk '{ print "node_modules: " $1 " MB" }'
  node -e '
    const fs = require("fs"), path = require("path");
    const found = [];
    const visit = (dir) => { for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(".")) continue;
      const full = path.join(dir, name);
      if (name.startsWith("@")) { visit(full); continue; }
      const manifest = path.join(full, "package.json");
      if (!fs.existsSync(manifest)) continue;
      const scripts = JSON.parse(fs.readFileSync(manifest, "utf8")).scripts ?? {};
      if (scripts.preinstall || scripts.install || scripts.postinstall || fs.existsSync(path.join(full, "binding.gyp"))) found.push(name);
      if (fs.existsSync(path.join(full, "node_modules"))) visit(path.join(full, "node_modules"));
    } };
    visit(process.argv[1]);
    console.log("packages with install scripts: " + (found.join(", ") || "none"));' "$dir/node_modules"
}
echo "== install"
install "$work/cold" --cache "$work/empty-npm-cache"
install "$work/warm" --prefer-offline
cd "$work/warm"
cp node_modules/switchyard/examples/library/quickstart.mjs .
node_modules/.bin/switchyard train --dataset node_modules/switchyard/examples/demo/routerbench-sample.jsonl --router knn --out router.json >/dev/null 2>&1
ls -l router.json | awk '{ printf "router.json (knn, 300 prompts, 11 models): %.1f MB\n", $5 / 1e6 }'
echo "== timings (installed package)"
hyperfine -N --warmup 3 --runs 20 --export-markdown "$work/cli.md" \
  'node -e 0' \
  'node_modules/.bin/switchyard --version' \
  'node_modules/.bin/switchyard --help' \
  'npx --no-install switchyard --help' \
  "node_modules/.bin/switchyard route --artifact router.json --prompt 'Write a python function to reverse a string.'"
cat "$work/cli.md"
/usr/bin/time -f "library example under plain node: %e s wall, %U s user" node quickstart.mjs >/dev/null
